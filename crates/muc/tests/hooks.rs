//! The room hooks with the real engines: MAM archives each groupchat message under the same
//! stanza-id the occupants got and answers queries at the room JID; read markers count each
//! message for the members and answer acks and queries at the room JID.
#![cfg(all(feature = "mam", feature = "read-markers"))]

mod common;
use common::*;
use xmppkit_mam::{Mam, MamConfig, MemoryArchive};
use xmppkit_muc::{MamHook, ReadMarkersHook, ServiceConfig};
use xmppkit_read_markers::{parse_answer, MemoryStore, ReadMarkers};
use xmppkit_stanza::disco::DiscoInfo;
use xmppkit_stanza::sid::stanza_id_by;

type Hooks = (MamHook<MemoryArchive>, ReadMarkersHook<MemoryStore>);

fn world() -> World<Hooks> {
    let hooks = (
        MamHook(Mam::new(MemoryArchive::default(), MamConfig::default())),
        ReadMarkersHook(ReadMarkers::new(MemoryStore::default())),
    );
    let mut w = World::with(ServiceConfig::default(), hooks);
    w.join(CRONE, "firstwitch");
    w.configure(CRONE, &field("membersonly", "1"));
    w.admin(
        CRONE,
        "<item affiliation='member' jid='hag66@shakespeare.lit'/>\
        <item affiliation='member' jid='wiccarocks@shakespeare.lit'/>",
    );
    w.join(HAG, "thirdwitch");
    w
}

#[test]
fn mam_archives_room_messages_under_the_broadcast_stanza_id() {
    let mut w = world();
    let out = w.message(CRONE, "When shall we three meet again");
    let room = ROOM.parse().unwrap();
    let live_id = stanza_id_by(out.only_to(HAG), &room).unwrap().to_owned();
    w.message(CRONE, "In thunder, lightning, or in rain?");
    let out = w.iq(HAG, "set", "<query xmlns='urn:xmpp:mam:2' queryid='f27'/>");
    let results: Vec<_> = out
        .to(HAG)
        .into_iter()
        .filter(|s| s.name() == "message")
        .collect();
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r.attr("from") == Some(ROOM)));
    let first = results[0].get_child("result", "urn:xmpp:mam:2").unwrap();
    assert_eq!(first.attr("id"), Some(live_id.as_str()));
    assert_eq!(first.attr("queryid"), Some("f27"));
    // An outsider of a members-only room may not read it.
    let out = w.iq(PISTOL, "set", "<query xmlns='urn:xmpp:mam:2'/>");
    assert_eq!(condition(out.only_to(PISTOL)), "forbidden");
}

#[test]
fn read_markers_count_for_members_and_answer_at_the_room() {
    let mut w = world();
    w.message(CRONE, "one");
    let out = w.message(CRONE, "two");
    let room = ROOM.parse().unwrap();
    let last = stanza_id_by(out.only_to(HAG), &room).unwrap().to_owned();
    let query = "<query xmlns='urn:xmpp:read-markers'/>";
    let unseen = |w: &mut World<Hooks>, who: &str| {
        let out = w.iq(who, "get", query);
        let iq = xmppkit_stanza::Iq::try_from(out.only_to(who).clone()).unwrap();
        parse_answer(&iq).unwrap().unseen
    };
    // Both members (hag online, wicca offline) have two unseen; the sender none.
    assert_eq!(unseen(&mut w, HAG), 2);
    assert_eq!(unseen(&mut w, WICCA), 2);
    assert_eq!(unseen(&mut w, CRONE), 0);
    let out = w.iq(
        HAG,
        "set",
        &format!("<ack xmlns='urn:xmpp:read-markers' id='{last}'/>"),
    );
    assert_eq!(out.only_to(HAG).attr("type"), Some("result"));
    assert_eq!(unseen(&mut w, HAG), 0);
}

#[test]
fn the_room_lists_what_its_hooks_serve() {
    let mut w = world();
    let out = w.iq(
        HAG,
        "get",
        "<query xmlns='http://jabber.org/protocol/disco#info'/>",
    );
    let iq = out.only_to(HAG);
    let info = DiscoInfo::try_from(iq.children().next().unwrap().clone()).unwrap();
    assert!(info.has_feature("urn:xmpp:mam:2"));
    assert!(info.has_feature("urn:xmpp:read-markers"));
    assert!(info.has_feature("muc_membersonly"));
}
