//! §7.3–§7.8 and §7.14 with three witches in the room: messages to all (reflected to each with
//! the room's stanza-id), subject, private messages, nick and status changes, invitations,
//! exits and disconnections — who gets what.

mod common;
use common::*;
use xmppkit_stanza::sid::stanza_id_by;

fn coven() -> World {
    let mut w = World::new();
    w.create("");
    w.join(WICCA, "secondwitch");
    w.join(HAG, "thirdwitch");
    w
}

#[test]
fn a_message_to_all_is_reflected_to_every_occupant_with_one_stanza_id() {
    let mut w = coven();
    let out = w.send(&format!(
        "<message from='{HAG}' to='{ROOM}' type='groupchat' id='lx'>\
        <body>Harpier cries: 'tis time, 'tis time.</body>\
        <stanza-id xmlns='urn:xmpp:sid:0' by='{ROOM}' id='forged'/></message>"
    ));
    assert_eq!(out.recipients(), [CRONE, HAG, WICCA].into());
    let room = ROOM.parse().unwrap();
    let ids: Vec<&str> = out
        .0
        .iter()
        .map(|m| stanza_id_by(m, &room).unwrap())
        .collect();
    assert_ne!(ids[0], "forged", "the sender's stanza-id is replaced");
    assert!(ids.iter().all(|id| *id == ids[0]));
    for m in &out.0 {
        assert_eq!(
            m.attr("from"),
            Some("coven@chat.shakespeare.lit/thirdwitch")
        );
        assert_eq!(m.attr("type"), Some("groupchat"));
        // §7.4: the sender's id is kept (muc#stable_id).
        assert_eq!(m.attr("id"), Some("lx"));
        assert_eq!(m.children().filter(|c| c.name() == "stanza-id").count(), 1);
    }
}

#[test]
fn visitors_and_outsiders_cannot_send_to_all() {
    let mut w = World::new();
    w.create(&field("moderatedroom", "1"));
    w.join(HAG, "thirdwitch");
    // §7.4: a visitor gets forbidden, a non-occupant not-acceptable; nothing is reflected.
    let out = w.message(HAG, "hello");
    assert_eq!(condition(out.only_to(HAG)), "forbidden");
    assert_eq!(out.len(), 1);
    let out = w.message(PISTOL, "hello");
    assert_eq!(condition(out.only_to(PISTOL)), "not-acceptable");
}

#[test]
fn subject_changes_follow_the_room_setting() {
    let mut w = coven();
    let subject = |w: &mut World, who: &str| {
        w.send(&format!(
            "<message from='{who}' to='{ROOM}' type='groupchat'>\
            <subject>Fire Burn and Cauldron Bubble!</subject></message>"
        ))
    };
    // §8.1: participants may not by default.
    assert_eq!(condition(subject(&mut w, HAG).only_to(HAG)), "forbidden");
    // A moderator may; all occupants get it.
    let out = subject(&mut w, CRONE);
    assert_eq!(out.recipients(), [CRONE, HAG, WICCA].into());
    // Newcomers get it last, from the setter, with a delay.
    let out = w.join(PISTOL, "pistol");
    let last = out.to(PISTOL).pop().unwrap();
    assert_eq!(
        last.attr("from"),
        Some("coven@chat.shakespeare.lit/firstwitch")
    );
    assert_eq!(
        last.get_child("subject", "jabber:client").unwrap().text(),
        "Fire Burn and Cauldron Bubble!"
    );
    assert!(last.get_child("delay", "urn:xmpp:delay").is_some());
    // With changesubject on, participants may.
    w.configure(CRONE, &field("changesubject", "1"));
    assert_eq!(subject(&mut w, HAG).len(), 4);
}

#[test]
fn private_messages_go_to_one_occupant_from_the_senders_occupant_jid() {
    let mut w = coven();
    let out = w.send(&format!(
        "<message from='{WICCA}' to='{ROOM}/firstwitch' type='chat'>\
        <body>I'll give thee a wind.</body></message>"
    ));
    let m = out.only_to(CRONE);
    assert_eq!(out.len(), 1);
    assert_eq!(
        m.attr("from"),
        Some("coven@chat.shakespeare.lit/secondwitch")
    );
    // §7.5: the room adds <x xmlns='…muc#user'/>.
    assert!(m
        .get_child("x", "http://jabber.org/protocol/muc#user")
        .is_some());
    // groupchat to an occupant: bad-request; unknown nick: item-not-found; outsider: not-acceptable.
    let out = w.send(&format!(
        "<message from='{WICCA}' to='{ROOM}/firstwitch' type='groupchat'><body>x</body></message>"
    ));
    assert_eq!(condition(out.only_to(WICCA)), "bad-request");
    let out = w.send(&format!(
        "<message from='{WICCA}' to='{ROOM}/nobody' type='chat'><body>x</body></message>"
    ));
    assert_eq!(condition(out.only_to(WICCA)), "item-not-found");
    let out = w.send(&format!(
        "<message from='{PISTOL}' to='{ROOM}/firstwitch' type='chat'><body>x</body></message>"
    ));
    assert_eq!(condition(out.only_to(PISTOL)), "not-acceptable");
    // allowpm = none: forbidden.
    w.configure(CRONE, &field("allowpm", "none"));
    let out = w.send(&format!(
        "<message from='{WICCA}' to='{ROOM}/firstwitch' type='chat'><body>x</body></message>"
    ));
    assert_eq!(condition(out.only_to(WICCA)), "forbidden");
}

#[test]
fn a_nick_change_is_unavailable_with_303_then_available_under_the_new_nick() {
    let mut w = coven();
    let out = w.send(&format!("<presence from='{HAG}' to='{ROOM}/oldhag'/>"));
    for who in [CRONE, WICCA, HAG] {
        let to = out.to(who);
        assert_eq!(to.len(), 2, "{who}");
        assert_eq!(to[0].attr("type"), Some("unavailable"));
        assert_eq!(
            to[0].attr("from"),
            Some("coven@chat.shakespeare.lit/thirdwitch")
        );
        assert_eq!(item(to[0]).nick.as_deref(), Some("oldhag"));
        assert_eq!(
            to[1].attr("from"),
            Some("coven@chat.shakespeare.lit/oldhag")
        );
        let own = who == HAG;
        assert_eq!(codes(to[0]), if own { vec![110, 303] } else { vec![303] });
        assert_eq!(codes(to[1]), if own { vec![110] } else { vec![] });
    }
    // §7.6.3: a taken nick is a conflict, and nothing changes.
    let out = w.send(&format!("<presence from='{HAG}' to='{ROOM}/secondwitch'/>"));
    assert_eq!(condition(out.only_to(HAG)), "conflict");
    let room = w.muc.room(&ROOM.parse().unwrap()).unwrap();
    assert_eq!(room.occupant("oldhag").unwrap().jid.to_string(), HAG);
}

#[test]
fn a_status_change_is_reflected_with_the_occupants_show_and_status() {
    let mut w = coven();
    let out = w.send(&format!(
        "<presence from='{HAG}' to='{ROOM}/thirdwitch'>\
        <show>xa</show><status>gone where the goblins go</status></presence>"
    ));
    assert_eq!(out.recipients(), [CRONE, HAG, WICCA].into());
    let seen = out.only_to(WICCA);
    assert_eq!(
        seen.get_child("show", "jabber:client").unwrap().text(),
        "xa"
    );
    assert_eq!(
        seen.get_child("status", "jabber:client").unwrap().text(),
        "gone where the goblins go"
    );
    assert_eq!(codes(out.only_to(HAG)), vec![110]);
}

#[test]
fn exiting_tells_everyone_and_the_leaver_gets_110() {
    let mut w = coven();
    let out = w.send(&format!(
        "<presence from='{HAG}' to='{ROOM}/thirdwitch' type='unavailable'>\
        <status>gone where the goblins go</status></presence>"
    ));
    assert_eq!(out.recipients(), [CRONE, HAG, WICCA].into());
    assert_eq!(codes(out.only_to(HAG)), vec![110]);
    let seen = out.only_to(CRONE);
    assert_eq!(
        seen.get_child("status", "jabber:client").unwrap().text(),
        "gone where the goblins go"
    );
    assert_eq!(item(seen).role, Some(xmppkit_muc::Role::None));
    // Gone: a message from it now is refused.
    assert_eq!(
        condition(w.message(HAG, "x").only_to(HAG)),
        "not-acceptable"
    );
}

#[test]
fn a_disconnection_empties_every_room_of_that_jid() {
    let mut w = coven();
    w.send(&format!("<presence from='{HAG}' to='other@chat.shakespeare.lit/hag'><x xmlns='http://jabber.org/protocol/muc'/></presence>"));
    w.muc.disconnected(&HAG.parse().unwrap());
    let out = w.drain();
    // Unavailable to the two others in the coven (and to hag itself), and the other room,
    // temporary and now empty, is gone.
    assert_eq!(out.to(CRONE).len(), 1);
    assert_eq!(out.to(WICCA).len(), 1);
    assert!(w
        .muc
        .room(&"other@chat.shakespeare.lit".parse().unwrap())
        .is_none());
    assert_eq!(
        w.muc
            .room(&ROOM.parse().unwrap())
            .unwrap()
            .occupants()
            .count(),
        2
    );
}

#[test]
fn an_error_from_an_occupant_removes_it_with_333() {
    let mut w = coven();
    let out = w.send(&format!(
        "<message from='{HAG}' to='{ROOM}' type='error'><error type='cancel'>\
        <remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
    ));
    assert_eq!(codes(out.only_to(CRONE)), vec![333]);
    assert_eq!(codes(out.only_to(HAG)), vec![110, 333]);
}

#[test]
fn invitations_are_mediated_and_declines_returned() {
    let mut w = World::new();
    w.create(&(field("passwordprotectedroom", "1") + &field("roomsecret", "cauldronburn")));
    // §7.8.2 Example 56–57.
    let out = w.send(&format!("<message from='{CRONE}' to='{ROOM}'>\
        <x xmlns='http://jabber.org/protocol/muc#user'><invite to='hecate@shakespeare.lit'>\
        <reason>Hey Hecate, this is the place for all good witches!</reason></invite></x></message>"));
    let m = out.only_to("hecate@shakespeare.lit");
    assert_eq!(m.attr("from"), Some(ROOM));
    let x = muc_user(m);
    assert_eq!(
        x.invites[0].from.as_ref().unwrap().to_string(),
        "coven@chat.shakespeare.lit/firstwitch"
    );
    assert_eq!(
        x.invites[0].reason.as_deref(),
        Some("Hey Hecate, this is the place for all good witches!")
    );
    assert_eq!(x.password.as_deref(), Some("cauldronburn"));
    // §7.8.2 Example 59–60: the decline goes back to the inviter, from the room.
    let out = w.send(&format!(
        "<message from='hecate@shakespeare.lit/broom' to='{ROOM}'>\
        <x xmlns='http://jabber.org/protocol/muc#user'><decline to='crone1@shakespeare.lit'>\
        <reason>Sorry, I'm too busy right now.</reason></decline></x></message>"
    ));
    let m = out.only_to("crone1@shakespeare.lit");
    let x = muc_user(m);
    assert_eq!(
        x.declines[0].from.as_ref().unwrap().to_string(),
        "hecate@shakespeare.lit"
    );
    assert_eq!(
        x.declines[0].reason.as_deref(),
        Some("Sorry, I'm too busy right now.")
    );
}

#[test]
fn invitations_into_members_only_rooms_are_for_admins_and_make_members() {
    let mut w = World::new();
    w.create(&field("membersonly", "1"));
    w.admin(
        CRONE,
        "<item affiliation='member' jid='hag66@shakespeare.lit'/>",
    );
    w.join(HAG, "thirdwitch");
    let invite = |who: &str| {
        format!("<message from='{who}' to='{ROOM}'>\
        <x xmlns='http://jabber.org/protocol/muc#user'><invite to='hecate@shakespeare.lit'/></x></message>")
    };
    // A member may not (§7.8.2: restricted to admins)…
    assert_eq!(condition(w.send(&invite(HAG)).only_to(HAG)), "forbidden");
    // …the owner may, and the invitee becomes a member and can enter.
    w.send(&invite(CRONE));
    let out = w.join("hecate@shakespeare.lit/broom", "hecate");
    assert!(out
        .to("hecate@shakespeare.lit/broom")
        .iter()
        .any(|s| codes_or_empty(s).contains(&110)));
}

fn codes_or_empty(s: &minidom::Element) -> Vec<u16> {
    if s.get_child("x", "http://jabber.org/protocol/muc#user")
        .is_some()
    {
        codes(s)
    } else {
        vec![]
    }
}

#[test]
fn iqs_between_occupants_pass_under_occupant_jids() {
    let mut w = coven();
    let out = w.send(&format!(
        "<iq from='{HAG}' to='{ROOM}/firstwitch' type='get' id='v1'>\
        <vCard xmlns='vcard-temp'/></iq>"
    ));
    let iq = out.only_to(CRONE);
    assert_eq!(
        iq.attr("from"),
        Some("coven@chat.shakespeare.lit/thirdwitch")
    );
    let out = w.send(&format!(
        "<iq from='{CRONE}' to='{ROOM}/thirdwitch' type='result' id='v1'/>"
    ));
    assert_eq!(
        out.only_to(HAG).attr("from"),
        Some("coven@chat.shakespeare.lit/firstwitch")
    );
    let out = w.send(&format!("<iq from='{PISTOL}' to='{ROOM}/firstwitch' type='get' id='v2'><vCard xmlns='vcard-temp'/></iq>"));
    assert_eq!(condition(out.only_to(PISTOL)), "not-acceptable");
}
