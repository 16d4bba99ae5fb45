//! §7.2 entering a room and §10.1 creating one: the order of what the newcomer receives, the
//! status codes, who sees real JIDs, every refusal, history limits and the subject.

mod common;
use common::*;
use xmppkit_muc::{Affiliation, Role};

#[test]
fn creating_a_room_locks_it_until_the_instant_room_is_accepted() {
    let mut w = World::new();
    let out = w.join(CRONE, "firstwitch");
    // §10.1.1 Example 154: self-presence with 110 and 201, owner and moderator (then the
    // empty subject).
    let p = out.to(CRONE)[0];
    assert_eq!(
        p.attr("from"),
        Some("coven@chat.shakespeare.lit/firstwitch")
    );
    assert_eq!(codes(p), vec![110, 201]);
    let i = item(p);
    assert_eq!(
        (i.affiliation, i.role),
        (Some(Affiliation::Owner), Some(Role::Moderator))
    );
    // Locked: others get item-not-found (§7.2.12).
    let out = w.join(HAG, "thirdwitch");
    let refusal = out.only_to(HAG);
    assert_eq!(
        refusal.attr("from"),
        Some("coven@chat.shakespeare.lit/thirdwitch")
    );
    assert_eq!(condition(refusal), "item-not-found");
    // Unavailable presence to a locked room is not a request: no answer.
    let out = w.send(&format!(
        "<presence from='{HAG}' to='{ROOM}/thirdwitch' type='unavailable'/>"
    ));
    assert_eq!(out.len(), 0);
    // §10.1.2: the empty submission unlocks.
    let out = w.iq(
        CRONE,
        "set",
        "<query xmlns='http://jabber.org/protocol/muc#owner'>\
        <x xmlns='jabber:x:data' type='submit'/></query>",
    );
    assert_eq!(out.only_to(CRONE).attr("type"), Some("result"));
    let out = w.join(HAG, "thirdwitch");
    assert_eq!(
        codes(
            out.to(HAG)
                .iter()
                .find(|s| s.name() == "presence"
                    && s.attr("from") == Some("coven@chat.shakespeare.lit/thirdwitch"))
                .unwrap()
        ),
        vec![110]
    );
}

#[test]
fn cancelling_the_initial_configuration_destroys_the_room() {
    let mut w = World::new();
    w.join(CRONE, "firstwitch");
    let out = w.iq(
        CRONE,
        "set",
        "<query xmlns='http://jabber.org/protocol/muc#owner'>\
        <x xmlns='jabber:x:data' type='cancel'/></query>",
    );
    assert!(out
        .to(CRONE)
        .iter()
        .any(|s| s.attr("type") == Some("result")));
    assert!(w.muc.room(&ROOM.parse().unwrap()).is_none());
}

#[test]
fn entry_order_is_others_then_self_then_history_then_subject() {
    let mut w = World::new();
    w.create("");
    w.join(WICCA, "secondwitch");
    w.message(CRONE, "one");
    let out = w.join(HAG, "thirdwitch");
    // §7.1: presence of the existing occupants, self-presence, history, subject.
    let to_hag: Vec<(&str, &str)> = out
        .to(HAG)
        .iter()
        .map(|s| (s.name(), s.attr("from").unwrap()))
        .collect();
    assert_eq!(
        to_hag,
        vec![
            ("presence", "coven@chat.shakespeare.lit/firstwitch"),
            ("presence", "coven@chat.shakespeare.lit/secondwitch"),
            ("presence", "coven@chat.shakespeare.lit/thirdwitch"),
            ("message", "coven@chat.shakespeare.lit/firstwitch"),
            ("message", "coven@chat.shakespeare.lit"),
        ]
    );
    // The others get the newcomer's presence once each, without 110.
    for other in [CRONE, WICCA] {
        let p = out.only_to(other);
        assert_eq!(
            p.attr("from"),
            Some("coven@chat.shakespeare.lit/thirdwitch")
        );
        assert!(codes(p).is_empty());
    }
    // The history message carries the delay of §7.2.15 from the room.
    let history = out.to(HAG)[3];
    let delay = history.get_child("delay", "urn:xmpp:delay").unwrap();
    assert_eq!(delay.attr("from"), Some(ROOM));
    // The subject is empty but present.
    let subject = out.to(HAG)[4]
        .get_child("subject", "jabber:client")
        .unwrap();
    assert_eq!(subject.text(), "");
}

#[test]
fn semi_anonymous_rooms_show_real_jids_to_moderators_only() {
    let mut w = World::new();
    w.create("");
    let out = w.join(HAG, "thirdwitch");
    // The owner (moderator) sees hag66's JID; hag66 (participant) does not see crone1's.
    assert_eq!(item(out.only_to(CRONE)).jid.unwrap().to_string(), HAG);
    let crone_seen_by_hag = out.to(HAG)[0];
    assert_eq!(
        crone_seen_by_hag.attr("from"),
        Some("coven@chat.shakespeare.lit/firstwitch")
    );
    assert_eq!(item(crone_seen_by_hag).jid, None);
    // No 100 in a semi-anonymous room.
    assert_eq!(codes(out.to(HAG)[1]), vec![110]);
}

#[test]
fn non_anonymous_rooms_show_real_jids_to_all_and_say_so() {
    let mut w = World::new();
    w.create(&field("whois", "anyone"));
    let out = w.join(HAG, "thirdwitch");
    assert_eq!(item(out.to(HAG)[0]).jid.unwrap().to_string(), CRONE);
    // §7.2.3 Example 25: 100 and 110 in the self-presence.
    assert_eq!(codes(out.to(HAG)[1]), vec![100, 110]);
}

#[test]
fn logging_rooms_say_so_on_entry() {
    let mut w = World::new();
    w.create(&field("enablelogging", "1"));
    let out = w.join(HAG, "thirdwitch");
    assert_eq!(codes(out.to(HAG)[1]), vec![110, 170]);
}

#[test]
fn refusals_use_the_conditions_of_7_2() {
    let mut w = World::new();
    w.create(&(field("passwordprotectedroom", "1") + &field("roomsecret", "cauldronburn")));
    // §7.2.6 no or wrong password: not-authorized.
    assert_eq!(
        condition(w.join(HAG, "thirdwitch").only_to(HAG)),
        "not-authorized"
    );
    let out = w.join_with(HAG, "thirdwitch", "<password>wrong</password>");
    assert_eq!(condition(out.only_to(HAG)), "not-authorized");
    let out = w.join_with(HAG, "thirdwitch", "<password>cauldronburn</password>");
    assert_eq!(codes(out.to(HAG)[1]), vec![110]);
    // §7.2.9 nick conflict.
    let out = w.join_with(WICCA, "thirdwitch", "<password>cauldronburn</password>");
    let refusal = out.only_to(WICCA);
    assert_eq!(condition(refusal), "conflict");
    assert!(refusal
        .get_child("x", "http://jabber.org/protocol/muc")
        .is_some());
    // §7.2.8 banned: forbidden.
    w.admin(
        CRONE,
        "<item affiliation='outcast' jid='pistol@shakespeare.lit'/>",
    );
    let out = w.join_with(PISTOL, "pistol", "<password>cauldronburn</password>");
    assert_eq!(condition(out.only_to(PISTOL)), "forbidden");
}

#[test]
fn members_only_rooms_refuse_non_members() {
    let mut w = World::new();
    w.create(&field("membersonly", "1"));
    // §7.2.7: registration-required.
    assert_eq!(
        condition(w.join(HAG, "thirdwitch").only_to(HAG)),
        "registration-required"
    );
    w.admin(
        CRONE,
        "<item affiliation='member' jid='hag66@shakespeare.lit'/>",
    );
    let out = w.join(HAG, "thirdwitch");
    let own = out.to(HAG)[1];
    assert_eq!(item(own).affiliation, Some(Affiliation::Member));
}

#[test]
fn a_full_room_refuses_all_but_admins_and_owners() {
    let mut w = World::new();
    w.create(&field("maxusers", "2"));
    w.join(WICCA, "secondwitch");
    // §7.2.10: service-unavailable.
    assert_eq!(
        condition(w.join(HAG, "thirdwitch").only_to(HAG)),
        "service-unavailable"
    );
    w.admin(
        CRONE,
        "<item affiliation='admin' jid='hag66@shakespeare.lit'/>",
    );
    let out = w.join(HAG, "thirdwitch");
    assert_eq!(item(out.to(HAG)[2]).role, Some(Role::Moderator));
}

#[test]
fn moderated_rooms_admit_unaffiliated_users_as_visitors() {
    let mut w = World::new();
    w.create(&field("moderatedroom", "1"));
    let out = w.join(HAG, "thirdwitch");
    assert_eq!(item(out.to(HAG)[1]).role, Some(Role::Visitor));
}

#[test]
fn presence_without_a_nick_is_jid_malformed() {
    let mut w = World::new();
    w.create("");
    let out = w.send(&format!(
        "<presence from='{HAG}' to='{ROOM}'><x xmlns='http://jabber.org/protocol/muc'/></presence>"
    ));
    assert_eq!(condition(out.only_to(HAG)), "jid-malformed");
}

#[test]
fn presence_without_muc_element_from_a_non_occupant_is_answered_with_a_removal() {
    let mut w = World::new();
    w.create("");
    let out = w.send(&format!("<presence from='{HAG}' to='{ROOM}/thirdwitch'/>"));
    let p = out.only_to(HAG);
    assert_eq!(p.attr("type"), Some("unavailable"));
    assert_eq!(codes(p), vec![110, 307, 333]);
    assert_eq!(
        w.muc
            .room(&ROOM.parse().unwrap())
            .unwrap()
            .occupants()
            .count(),
        1
    );
}

#[test]
fn joining_again_resends_the_entry_sequence_without_telling_the_others() {
    let mut w = World::new();
    w.create("");
    w.join(HAG, "thirdwitch");
    let out = w.join(HAG, "thirdwitch");
    assert_eq!(
        out.to(HAG).len(),
        3,
        "presences of both, then the subject: {out:?}"
    );
    assert_eq!(out.to(CRONE).len(), 1, "a presence update only");
}

#[test]
fn history_honours_maxstanzas_maxchars_seconds_and_since() {
    let mut w = World::new();
    w.create("");
    for i in 0..5 {
        w.message(CRONE, &format!("m{i}"));
        w.tick(60);
    }
    let bodies = |out: &Out, who: &str| -> Vec<String> {
        out.to(who)
            .iter()
            .filter_map(|s| s.get_child("body", "jabber:client").map(|b| b.text()))
            .collect()
    };
    let out = w.join_with(HAG, "h1", "<history maxstanzas='2'/>");
    assert_eq!(bodies(&out, HAG), ["m3", "m4"]);
    w.leave(HAG, "h1");
    // Messages were sent at t=0,60,…,240; now is 300: the last 150 s hold m3 and m4.
    let out = w.join_with(HAG, "h1", "<history seconds='150'/>");
    assert_eq!(bodies(&out, HAG), ["m3", "m4"]);
    w.leave(HAG, "h1");
    let since = w.now();
    let since =
        xmppkit_stanza::datetime::DateTime::from_unix(since.0.timestamp() - 250, 0).unwrap();
    let out = w.join_with(HAG, "h1", &format!("<history since='{since}'/>"));
    assert_eq!(bodies(&out, HAG), ["m1", "m2", "m3", "m4"]);
    w.leave(HAG, "h1");
    let out = w.join_with(HAG, "h1", "<history maxchars='0'/>");
    assert!(bodies(&out, HAG).is_empty());
    assert!(out
        .to(HAG)
        .iter()
        .any(|s| s.get_child("subject", "jabber:client").is_some()));
    w.leave(HAG, "h1");
    // One message's worth of characters: exactly one.
    let one = out_len_of_history_message(&mut w);
    let out = w.join_with(HAG, "h1", &format!("<history maxchars='{one}'/>"));
    assert_eq!(bodies(&out, HAG), ["m4"]);
}

/// The characters of the last history message as the room sends it (without `to`).
fn out_len_of_history_message(w: &mut World) -> usize {
    let out = w.join_with(HAG, "probe", "<history maxstanzas='1'/>");
    let m = out
        .to(HAG)
        .into_iter()
        .find(|s| s.get_child("body", "jabber:client").is_some())
        .unwrap();
    w.leave(HAG, "probe");
    let with_to = String::from(m).chars().count();
    with_to - format!(" to=\"{HAG}\"").len()
}

#[test]
fn a_temporary_room_disappears_with_its_last_occupant_and_a_persistent_one_stays() {
    let mut w = World::new();
    w.create("");
    w.leave(CRONE, "firstwitch");
    assert!(w.muc.room(&ROOM.parse().unwrap()).is_none());
    w.create(&field("persistentroom", "1"));
    w.leave(CRONE, "firstwitch");
    let room = w.muc.room(&ROOM.parse().unwrap()).unwrap();
    assert_eq!(room.occupants().count(), 0);
    assert_eq!(
        room.affiliation(&"crone1@shakespeare.lit".parse().unwrap()),
        Affiliation::Owner
    );
}

#[test]
fn creation_follows_the_service_policy() {
    let config = xmppkit_muc::ServiceConfig {
        create: xmppkit_muc::CreatePolicy::Domains(vec!["montague.lit".into()]),
        ..Default::default()
    };
    let mut w = World::with(config, ());
    assert_eq!(
        condition(w.join(CRONE, "firstwitch").only_to(CRONE)),
        "not-allowed"
    );
    assert!(w.muc.room(&ROOM.parse().unwrap()).is_none());
}

#[test]
fn presence_broadcast_leaves_out_the_roles_not_listed() {
    let mut w = World::new();
    // muc#roomconfig_presencebroadcast without visitor: a visitor's arrival is not broadcast,
    // but it still gets its own presence and the others'.
    w.create(
        &(field("moderatedroom", "1")
            + "<field var='muc#roomconfig_presencebroadcast'><value>moderator</value><value>participant</value></field>"),
    );
    let out = w.join(HAG, "thirdwitch");
    assert!(out.to(CRONE).is_empty(), "{out:?}");
    assert_eq!(codes(out.to(HAG)[1]), vec![110]);
    assert_eq!(item(out.to(HAG)[1]).role, Some(Role::Visitor));
    // Departures are always broadcast, so nobody keeps a ghost occupant.
    let out = w.leave(HAG, "thirdwitch");
    assert_eq!(out.to(CRONE).len(), 1);
}
