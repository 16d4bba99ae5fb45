//! Arbitrary IQs into a pubsub engine (as a component and as PEP accounts), sent in turn by
//! three users, on a service that already has a node with subscribers: no panic, every stanza
//! out is addressed, and every pubsub payload that parses serializes to something that parses
//! to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "support/round_trip.rs"]
mod support;
use minidom::Element;
use support::round_trips;
use xmppkit_codec::{Decoder, Event};
use xmppkit_pubsub::{Engine, MemoryStore, PubSub, PubSubConfig, PubSubOwner, ServiceKind};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::{set_attr, Iq};

const USERS: [&str; 3] = ["a@example.com/1", "b@example.com/2", "c@example.com/3"];

fuzz_target!(|data: &[u8]| {
    let mut ps = Engine::new(MemoryStore::default(), PubSubConfig::default());
    let now = DateTime::from_unix(1_700_000_000, 0).unwrap();
    let setup = [
        "<iq xmlns='jabber:client' type='set' id='c' from='a@example.com/1' to='ps.example.com'>\
         <pubsub xmlns='http://jabber.org/protocol/pubsub'><create node='n'/></pubsub></iq>",
        "<iq xmlns='jabber:client' type='set' id='s' from='b@example.com/2' to='ps.example.com'>\
         <pubsub xmlns='http://jabber.org/protocol/pubsub'><subscribe node='n' jid='b@example.com'/></pubsub></iq>",
    ];
    for s in setup {
        let iq = Iq::try_from(s.parse::<Element>().unwrap()).unwrap();
        ps.handle_iq(&iq, ServiceKind::Service, &(), now);
    }
    let mut decoder = Decoder::fragments(xmppkit_stanza::ns::CLIENT);
    decoder.feed(data);
    let mut turn = 0;
    while let Ok(Some(event)) = decoder.next_event() {
        let Event::Stanza(mut el) = event else {
            continue;
        };
        for child in el.children() {
            round_trips::<PubSub>(child);
            round_trips::<PubSubOwner>(child);
            round_trips::<xmppkit_pubsub::Event>(child);
        }
        set_attr(&mut el, "from", USERS[turn % USERS.len()]);
        turn += 1;
        let kind = if el.attr("to").is_some_and(|t| t.contains('@')) {
            ServiceKind::Pep
        } else {
            ServiceKind::Service
        };
        if el.attr("to").is_none() && kind == ServiceKind::Service && turn % 2 == 0 {
            set_attr(&mut el, "to", "ps.example.com");
        }
        let Ok(iq) = Iq::try_from(el) else { continue };
        if let Some(out) = ps.handle_iq(&iq, kind, &(), now) {
            for stanza in out {
                assert!(
                    stanza.attr("to").is_some() || iq.from.is_none(),
                    "unaddressed: {}",
                    String::from(&stanza)
                );
            }
        }
    }
});
