//! §8 moderator, §9 admin and §10 owner use cases: kick, voice, ban, member and moderator lists,
//! owner and admin lists, configuration changes with their status codes, destruction, disco.

mod common;
use common::*;
use xmppkit_muc::{AdminQuery, Affiliation, OwnerQuery, Role};
use xmppkit_stanza::disco::DiscoInfo;

fn coven() -> World {
    let mut w = World::new();
    w.create("");
    w.join(WICCA, "secondwitch");
    w.join(HAG, "thirdwitch");
    w
}

fn result_payload(out: &Out, who: &str) -> minidom::Element {
    let iq = out.to(who).into_iter().find(|s| s.name() == "iq").unwrap();
    assert_eq!(iq.attr("type"), Some("result"), "{}", String::from(iq));
    iq.children().next().unwrap().clone()
}

#[test]
fn kicking_tells_the_kicked_then_everyone_with_307_actor_and_reason() {
    let mut w = coven();
    // §8.2 Example 91.
    let out = w.admin(
        CRONE,
        "<item nick='thirdwitch' role='none'><reason>Avaunt, you cullion!</reason></item>",
    );
    let to_hag = out.only_to(HAG);
    assert_eq!(to_hag.attr("type"), Some("unavailable"));
    assert_eq!(codes(to_hag), vec![110, 307]);
    let i = item(to_hag);
    assert_eq!(i.role, Some(Role::None));
    assert_eq!(i.reason.as_deref(), Some("Avaunt, you cullion!"));
    assert_eq!(i.actor.unwrap().nick.as_deref(), Some("firstwitch"));
    assert_eq!(codes(out.only_to(WICCA)), vec![307]);
    let to_crone = out.to(CRONE);
    assert_eq!(to_crone.len(), 2, "the presence and the result");
    assert!(to_crone
        .iter()
        .any(|s| s.name() == "iq" && s.attr("type") == Some("result")));
    assert!(w
        .muc
        .room(&ROOM.parse().unwrap())
        .unwrap()
        .occupant("thirdwitch")
        .is_none());
}

#[test]
fn voice_is_granted_and_revoked_with_a_presence_to_all() {
    let mut w = World::new();
    w.create(&field("moderatedroom", "1"));
    w.join(HAG, "thirdwitch");
    // §8.3: grant voice.
    let out = w.admin(CRONE, "<item nick='thirdwitch' role='participant'/>");
    assert_eq!(item(out.only_to(HAG)).role, Some(Role::Participant));
    assert_eq!(w.message(HAG, "now I speak").len(), 2);
    // §8.4: revoke.
    let out = w.admin(CRONE, "<item nick='thirdwitch' role='visitor'/>");
    assert_eq!(item(out.only_to(HAG)).role, Some(Role::Visitor));
    // §8.5: the voice list.
    w.admin(CRONE, "<item nick='thirdwitch' role='participant'/>");
    let out = w.iq(
        CRONE,
        "get",
        "<query xmlns='http://jabber.org/protocol/muc#admin'><item role='participant'/></query>",
    );
    let list = AdminQuery::try_from(result_payload(&out, CRONE)).unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].nick.as_deref(), Some("thirdwitch"));
}

#[test]
fn banning_removes_the_user_with_301_and_keeps_them_out() {
    let mut w = coven();
    // §9.1 Example 110.
    let out = w.admin(
        CRONE,
        "<item affiliation='outcast' jid='hag66@shakespeare.lit'><reason>Treason</reason></item>",
    );
    let to_hag = out.only_to(HAG);
    assert_eq!(codes(to_hag), vec![110, 301]);
    assert_eq!(item(to_hag).affiliation, Some(Affiliation::Outcast));
    assert_eq!(codes(out.only_to(WICCA)), vec![301]);
    assert_eq!(
        condition(w.join(HAG, "thirdwitch").only_to(HAG)),
        "forbidden"
    );
    // §9.2: the ban list.
    let out = w.iq(
        CRONE,
        "get",
        "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='outcast'/></query>",
    );
    let list = AdminQuery::try_from(result_payload(&out, CRONE)).unwrap();
    assert_eq!(
        list.items[0].jid.as_ref().unwrap().to_string(),
        "hag66@shakespeare.lit"
    );
    // §9.1: banning oneself is a conflict.
    let out = w.admin(
        CRONE,
        "<item affiliation='outcast' jid='crone1@shakespeare.lit'/>",
    );
    assert_eq!(condition(out.only_to(CRONE)), "conflict");
}

#[test]
fn a_batch_is_applied_whole_or_not_at_all() {
    let mut w = coven();
    // The second item is refused (an unknown nick), so the first is not applied either.
    let out = w.admin(
        CRONE,
        "<item affiliation='member' jid='hag66@shakespeare.lit'/>\
        <item nick='nobody' role='none'/>",
    );
    assert_eq!(condition(out.only_to(CRONE)), "item-not-found");
    let room = w.muc.room(&ROOM.parse().unwrap()).unwrap();
    assert_eq!(
        room.affiliation(&"hag66@shakespeare.lit".parse().unwrap()),
        Affiliation::None
    );
}

#[test]
fn membership_changes_are_announced_and_members_only_rooms_remove_with_321() {
    let mut w = coven();
    let out = w.admin(
        CRONE,
        "<item affiliation='member' jid='hag66@shakespeare.lit'/>",
    );
    // §9.3: the member's presence is reflected with the new affiliation.
    assert_eq!(
        item(out.only_to(WICCA)).affiliation,
        Some(Affiliation::Member)
    );
    // §10.2: becoming members-only removes non-members with 322 after the 104 notice.
    let out = w.configure(CRONE, &field("membersonly", "1"));
    let to_wicca = out.to(WICCA);
    assert_eq!(codes(to_wicca[0]), vec![104]);
    assert_eq!(codes(to_wicca[1]), vec![110, 322]);
    // §9.4: revoking membership in a members-only room removes with 321.
    let out = w.admin(
        CRONE,
        "<item affiliation='none' jid='hag66@shakespeare.lit'/>",
    );
    assert_eq!(codes(out.only_to(HAG)), vec![110, 321]);
}

#[test]
fn moderator_status_is_for_admins_to_give_and_shows_real_jids() {
    let mut w = coven();
    // §9.6: hag66 becomes moderator; in a semi-anonymous room it now gets the real JIDs.
    let out = w.admin(CRONE, "<item nick='thirdwitch' role='moderator'/>");
    let to_hag = out.to(HAG);
    assert_eq!(item(to_hag[0]).role, Some(Role::Moderator));
    let resent: Vec<_> = to_hag[1..]
        .iter()
        .map(|p| item(p).jid.unwrap().to_string())
        .collect();
    assert_eq!(resent, [CRONE, WICCA]);
    // A moderator who is not an admin cannot make moderators (forbidden) …
    let out = w.admin(HAG, "<item nick='secondwitch' role='moderator'/>");
    assert_eq!(condition(out.only_to(HAG)), "forbidden");
    // … nor kick the owner (not-allowed).
    let out = w.admin(HAG, "<item nick='firstwitch' role='none'/>");
    assert_eq!(condition(out.only_to(HAG)), "not-allowed");
    // §9.8: the moderator list is for admins.
    let out = w.iq(
        CRONE,
        "get",
        "<query xmlns='http://jabber.org/protocol/muc#admin'><item role='moderator'/></query>",
    );
    assert_eq!(
        AdminQuery::try_from(result_payload(&out, CRONE))
            .unwrap()
            .items
            .len(),
        2
    );
}

#[test]
fn owners_manage_owners_and_admins_and_the_last_owner_stays() {
    let mut w = coven();
    let out = w.admin(
        CRONE,
        "<item affiliation='admin' jid='wiccarocks@shakespeare.lit'/>",
    );
    // §10.6: an admin is a moderator.
    let i = item(out.only_to(HAG));
    assert_eq!(
        (i.affiliation, i.role),
        (Some(Affiliation::Admin), Some(Role::Moderator))
    );
    // An admin cannot touch admins or owners, nor grant admin.
    let out = w.admin(
        WICCA,
        "<item affiliation='member' jid='crone1@shakespeare.lit'/>",
    );
    assert_eq!(condition(out.only_to(WICCA)), "not-allowed");
    let out = w.admin(
        WICCA,
        "<item affiliation='admin' jid='hag66@shakespeare.lit'/>",
    );
    assert_eq!(condition(out.only_to(WICCA)), "forbidden");
    // §10.4: the only owner cannot step down …
    let out = w.admin(
        CRONE,
        "<item affiliation='admin' jid='crone1@shakespeare.lit'/>",
    );
    assert_eq!(condition(out.only_to(CRONE)), "conflict");
    // … but can once there is another.
    w.admin(
        CRONE,
        "<item affiliation='owner' jid='hag66@shakespeare.lit'/>",
    );
    let out = w.admin(
        CRONE,
        "<item affiliation='admin' jid='crone1@shakespeare.lit'/>",
    );
    assert!(out
        .to(CRONE)
        .iter()
        .any(|s| s.attr("type") == Some("result")));
    // §10.5: the owner list, for owners.
    let out = w.iq(
        HAG,
        "get",
        "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='owner'/></query>",
    );
    let owners = AdminQuery::try_from(result_payload(&out, HAG)).unwrap();
    assert_eq!(owners.items.len(), 1);
    let out = w.iq(
        WICCA,
        "get",
        "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='owner'/></query>",
    );
    assert_eq!(condition(out.only_to(WICCA)), "forbidden");
}

#[test]
fn the_configuration_form_shows_current_values_and_changes_notify_occupants() {
    let mut w = coven();
    let out = w.iq(
        CRONE,
        "get",
        "<query xmlns='http://jabber.org/protocol/muc#owner'/>",
    );
    let form = OwnerQuery::try_from(result_payload(&out, CRONE))
        .unwrap()
        .form
        .unwrap();
    assert_eq!(
        form.form_type(),
        Some("http://jabber.org/protocol/muc#roomconfig")
    );
    assert_eq!(form.value("muc#roomconfig_whois"), Some("moderators"));
    assert_eq!(
        form.field("muc#roomconfig_roomowners").unwrap().values,
        ["crone1@shakespeare.lit"]
    );
    // §10.2.1: 104 plus 172 (now non-anonymous) and 170 (logging on), to every occupant.
    let out = w.configure(
        CRONE,
        &(field("whois", "anyone") + &field("enablelogging", "1")),
    );
    for who in [CRONE, WICCA, HAG] {
        let notice = out
            .to(who)
            .into_iter()
            .find(|s| s.name() == "message")
            .unwrap();
        assert_eq!(notice.attr("from"), Some(ROOM));
        assert_eq!(codes(notice), vec![104, 170, 172]);
    }
    // Non-owners get forbidden; bad values not-acceptable.
    assert_eq!(condition(w.configure(HAG, "").only_to(HAG)), "forbidden");
    let out = w.configure(CRONE, &field("allowpm", "everybody"));
    assert_eq!(condition(out.only_to(CRONE)), "not-acceptable");
    let out = w.configure(CRONE, &field("passwordprotectedroom", "1"));
    assert_eq!(condition(out.only_to(CRONE)), "not-acceptable");
    // The history is held in memory: at most HISTORY_LIMIT messages.
    let too_many = "<field var='muc#maxhistoryfetch'><value>1001</value></field>";
    assert_eq!(
        condition(w.configure(CRONE, too_many).only_to(CRONE)),
        "not-acceptable"
    );
}

#[test]
fn destroying_sends_one_presence_with_destroy_to_each_occupant() {
    let mut w = coven();
    // §10.9 Example 200–201.
    let out = w.iq(CRONE, "set", "<query xmlns='http://jabber.org/protocol/muc#owner'>\
        <destroy jid='coven@chat.shakespeare.lit'><reason>Macbeth doth come.</reason></destroy></query>");
    for who in [CRONE, WICCA, HAG] {
        let p = out
            .to(who)
            .into_iter()
            .find(|s| s.name() == "presence")
            .unwrap();
        assert_eq!(p.attr("type"), Some("unavailable"));
        let x = muc_user(p);
        assert_eq!(
            x.destroy.unwrap().reason.as_deref(),
            Some("Macbeth doth come.")
        );
        assert_eq!(x.items[0].role, Some(Role::None));
    }
    assert_eq!(out.len(), 4, "three presences and the result");
    assert!(w.muc.room(&ROOM.parse().unwrap()).is_none());
    // Only owners may destroy.
    let mut w = coven();
    let out = w.iq(
        HAG,
        "set",
        "<query xmlns='http://jabber.org/protocol/muc#owner'><destroy/></query>",
    );
    assert_eq!(condition(out.only_to(HAG)), "forbidden");
}

#[test]
fn disco_describes_the_service_the_rooms_and_each_room() {
    let mut w = coven();
    w.configure(
        CRONE,
        &(field("roomname", "A Dark Cave") + &field("moderatedroom", "1")),
    );
    let out = w.send(&format!(
        "<iq from='{HAG}' to='chat.shakespeare.lit' type='get' id='d1'>\
        <query xmlns='http://jabber.org/protocol/disco#info'/></iq>"
    ));
    let info = DiscoInfo::try_from(result_payload(&out, HAG)).unwrap();
    assert!(info.has_feature("http://jabber.org/protocol/muc"));
    assert_eq!(info.identities[0].category, "conference");
    let out = w.send(&format!(
        "<iq from='{HAG}' to='chat.shakespeare.lit' type='get' id='d2'>\
        <query xmlns='http://jabber.org/protocol/disco#items'/></iq>"
    ));
    let items = xmppkit_stanza::disco::DiscoItems::try_from(result_payload(&out, HAG)).unwrap();
    assert_eq!(items.items.len(), 1);
    assert_eq!(items.items[0].name.as_deref(), Some("A Dark Cave"));
    // §6.4: the room's features and roominfo form.
    let out = w.iq(
        HAG,
        "get",
        "<query xmlns='http://jabber.org/protocol/disco#info'/>",
    );
    let info = DiscoInfo::try_from(result_payload(&out, HAG)).unwrap();
    for f in [
        "muc_public",
        "muc_temporary",
        "muc_open",
        "muc_moderated",
        "muc_semianonymous",
        "muc_unsecured",
    ] {
        assert!(info.has_feature(f), "{f}");
    }
    assert_eq!(
        info.extensions[0].value("muc#roominfo_occupants"),
        Some("3")
    );
    // Hidden rooms are not listed.
    w.configure(CRONE, &field("publicroom", "0"));
    let out = w.send(&format!(
        "<iq from='{HAG}' to='chat.shakespeare.lit' type='get' id='d3'>\
        <query xmlns='http://jabber.org/protocol/disco#items'/></iq>"
    ));
    let items = xmppkit_stanza::disco::DiscoItems::try_from(result_payload(&out, HAG)).unwrap();
    assert!(items.items.is_empty());
    // Unknown requests to the room or service: service-unavailable; to a missing room: item-not-found.
    assert_eq!(
        condition(
            w.iq(HAG, "get", "<query xmlns='jabber:iq:version'/>")
                .only_to(HAG)
        ),
        "service-unavailable"
    );
    let out = w.send(&format!("<message from='{HAG}' to='nowhere@chat.shakespeare.lit' type='groupchat'><body>x</body></message>"));
    assert_eq!(condition(out.only_to(HAG)), "item-not-found");
}

#[test]
fn shutdown_removes_everyone_with_332() {
    let mut w = coven();
    w.muc.shutdown();
    let out = w.drain();
    assert_eq!(out.len(), 3);
    for p in &out.0 {
        assert_eq!(codes(p), vec![332]);
    }
}
