//! Arbitrary stanzas through the carbons, markers, read-markers, `urn:xmpp:unread`, inbox, MAM and
//! read-state parsers and engines: no panic, and whatever parses serializes to something that
//! parses to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmppkit_codec::{Decoder, Event};
use xmppkit_jid::BareJid;
use xmppkit_read_markers::{MemoryStore, ReadMarkers, Rooms};

struct AnyRoom;
impl Rooms for AnyRoom {
    fn exists(&self, _: &BareJid) -> bool {
        true
    }
    fn members(&self, _: &BareJid) -> Vec<BareJid> {
        vec!["a@example.com".parse().unwrap(), "b@example.com".parse().unwrap()]
    }
}

fuzz_target!(|data: &[u8]| {
    let mut decoder = Decoder::fragments(xmppkit_stanza::ns::CLIENT);
    decoder.feed(data);
    let own: BareJid = "a@example.com".parse().unwrap();
    let room: BareJid = "room@muc.example.com".parse().unwrap();
    let engine = ReadMarkers::new(MemoryStore::default());
    let mut mam = xmppkit_mam::Mam::new(xmppkit_mam::MemoryArchive::default(), Default::default());
    let mut collector = xmppkit_mam::Collector::new(own.clone(), None, "q");
    let mut archived = 0u32;
    let mut state = xmppkit_read_markers::ReadState::new(xmppkit_read_markers::MemoryPositions::default());
    let chat = xmppkit_read_markers::Conversation::Chat("b@example.com".parse().unwrap());
    let now = xmppkit_stanza::datetime::DateTime::from_unix(0, 0).unwrap();
    while let Ok(Some(event)) = decoder.next_event() {
        let Event::Stanza(el) = event else { continue };
        // Carbons: eligibility, copies, unwrapping.
        for direction in [xmppkit_carbons::Direction::Sent, xmppkit_carbons::Direction::Received] {
            let _ = xmppkit_carbons::eligible(&el, direction);
        }
        if let Some(Ok(carbon)) = xmppkit_carbons::unwrap(&el, &own) {
            let again = xmppkit_carbons::Carbon::try_from(minidom::Element::from(carbon.clone()));
            assert_eq!(again.as_ref().ok(), Some(&carbon));
        }
        // Markers.
        let _ = xmppkit_markers::id_to_mark(&el, &own, xmppkit_markers::Chat::Direct);
        let _ = xmppkit_markers::id_to_mark(
            &el,
            &own,
            xmppkit_markers::Chat::Room { room: &room, own_nick: "n", stanza_ids: true },
        );
        if let Some(Ok(marker)) = xmppkit_markers::Marker::find(&el) {
            let again = xmppkit_markers::Marker::try_from(minidom::Element::from(marker.clone()));
            assert_eq!(again.as_ref().ok(), Some(&marker));
        }
        // Read markers: the engine on messages and IQs, the result parser on children.
        let _ = engine.on_groupchat(&AnyRoom, &room, &own, &el, now);
        // MAM: archive what arrives, answer what asks, collect what answers.
        let with: xmppkit_jid::Jid = "b@example.com/x".parse().unwrap();
        archived += 1;
        let id = format!("m{archived}");
        let _ = mam.store(&own, xmppkit_mam::ArchiveKind::User, &with, true, &el, id, now);
        let _ = collector.accept(&el);
        if let Ok(iq) = xmppkit_stanza::Iq::try_from(el.clone()) {
            let _ = mam.handle_iq(&iq, xmppkit_mam::ArchiveKind::User, |_| true);
            let _ = mam.handle_iq(&iq, xmppkit_mam::ArchiveKind::Room, |_| true);
            let _ = engine.handle_iq(&AnyRoom, &iq, now);
            let _ = xmppkit_read_markers::parse_answer(&iq);
        }
        let _ = xmppkit_read_markers::unread::counts_in(&el);
        if let Ok(firsts) = xmppkit_read_markers::unread::first_unread_in(&el) {
            for first in firsts {
                let again = xmppkit_read_markers::unread::FirstUnread::try_from(&minidom::Element::from(first.clone()));
                assert_eq!(again.as_ref().ok(), Some(&first));
            }
        }
        for child in el.children() {
            // urn:xmpp:unread: each request and the tag round-trip; an ack drives the engine.
            if let Ok(ack) = xmppkit_read_markers::unread::UnreadAck::try_from(child.clone()) {
                let again = xmppkit_read_markers::unread::UnreadAck::try_from(minidom::Element::from(ack.clone()));
                assert_eq!(again.as_ref().ok(), Some(&ack));
                let upto = match &ack.upto {
                    xmppkit_read_markers::unread::AckUpto::Message(id) => xmppkit_read_markers::Upto::Message(id),
                    xmppkit_read_markers::unread::AckUpto::All => xmppkit_read_markers::Upto::All,
                };
                let _ = state.ack(mam.archive(), &own, &chat, upto, now);
                let unread = state.unread(mam.archive(), &own, &chat).expect("memory never fails");
                assert!(unread <= u64::from(archived));
            }
            if let Ok(query) = xmppkit_read_markers::unread::UnreadQuery::try_from(child.clone()) {
                let again = xmppkit_read_markers::unread::UnreadQuery::try_from(minidom::Element::from(query.clone()));
                assert_eq!(again.as_ref().ok(), Some(&query));
            }
            // MongooseIM's inbox: requests parse or are refused, never panic.
            let _ = xmppkit_read_markers::esl_inbox::InboxRequest::try_from(child.clone());
            let _ = xmppkit_read_markers::esl_inbox::PropertiesQuery::try_from(child.clone());
            // XEP-0430.
            if let Ok(query) = xmppkit_read_markers::inbox::InboxQuery::try_from(child.clone()) {
                let again = xmppkit_read_markers::inbox::InboxQuery::try_from(minidom::Element::from(query.clone()));
                assert_eq!(again.as_ref().ok(), Some(&query));
            }
            if let Ok(entry) = xmppkit_read_markers::inbox::InboxEntry::try_from(child) {
                let again = xmppkit_read_markers::inbox::InboxEntry::try_from(&minidom::Element::from(entry.clone()));
                assert_eq!(again.as_ref().ok(), Some(&entry));
            }
            if let Ok(fin) = xmppkit_read_markers::inbox::InboxFin::try_from(child) {
                let again = xmppkit_read_markers::inbox::InboxFin::try_from(&minidom::Element::from(fin.clone()));
                assert_eq!(again.as_ref().ok(), Some(&fin));
            }
            if let Ok(tag) = xmppkit_read_markers::unread::UnreadState::try_from(child) {
                assert_eq!(xmppkit_read_markers::unread::UnreadState::try_from(&minidom::Element::from(tag)).ok(), Some(tag));
            }
            if let Ok(marker) = xmppkit_read_markers::Marker::try_from(child.clone()) {
                let again = xmppkit_read_markers::Marker::try_from(minidom::Element::from(marker.clone()));
                assert_eq!(again.as_ref().ok(), Some(&marker));
            }
        }
    }
});
