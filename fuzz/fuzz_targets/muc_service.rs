//! Arbitrary stanzas into a MUC service with a live room, sent in turn by four users: no panic,
//! every stanza out is addressed, each room's occupant index stays consistent, and every MUC
//! payload that parses serializes to something that parses to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "support/round_trip.rs"]
mod support;
use support::round_trips;
use xmppkit_codec::{Decoder, Event};
use xmppkit_muc::{AdminQuery, Muc, MucUser, OwnerQuery, Service, ServiceConfig};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::set_attr;

const USERS: [&str; 4] = [
    "a@example.com/1",
    "b@example.com/2",
    "c@example.com/3",
    "a@example.com/4",
];

fuzz_target!(|data: &[u8]| {
    let mut muc = Service::new(
        "muc.example.com".parse().unwrap(),
        ServiceConfig::default(),
        (),
    );
    let now = DateTime::from_unix(1_700_000_000, 0).unwrap();
    let setup = [
        "<presence xmlns='jabber:client' from='a@example.com/1' to='room@muc.example.com/a'>\
         <x xmlns='http://jabber.org/protocol/muc'/></presence>",
        "<iq xmlns='jabber:client' from='a@example.com/1' to='room@muc.example.com' type='set' id='c'>\
         <query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>",
        "<presence xmlns='jabber:client' from='b@example.com/2' to='room@muc.example.com/b'>\
         <x xmlns='http://jabber.org/protocol/muc'/></presence>",
    ];
    for s in setup {
        muc.handle_stanza(s.parse().unwrap(), now);
    }
    while muc.poll_transmit().is_some() {}
    let mut decoder = Decoder::fragments(xmppkit_stanza::ns::CLIENT);
    decoder.feed(data);
    let mut turn = 0;
    while let Ok(Some(event)) = decoder.next_event() {
        let Event::Stanza(mut el) = event else {
            continue;
        };
        for child in el.children() {
            round_trips::<Muc>(child);
            round_trips::<MucUser>(child);
            round_trips::<AdminQuery>(child);
            round_trips::<OwnerQuery>(child);
        }
        set_attr(&mut el, "from", USERS[turn % USERS.len()]);
        turn += 1;
        if el.attr("to").is_none() {
            set_attr(&mut el, "to", "room@muc.example.com");
        }
        muc.handle_stanza(el, now);
        while let Some(out) = muc.poll_transmit() {
            assert!(
                out.attr("to").is_some(),
                "unaddressed: {}",
                String::from(&out)
            );
        }
        for room in muc.rooms() {
            for occupant in room.occupants() {
                let indexed = room.occupant_by_jid(&occupant.jid).map(|o| o.nick.as_str());
                assert_eq!(indexed, Some(occupant.nick.as_str()));
            }
        }
    }
    for user in USERS {
        muc.disconnected(&user.parse().unwrap());
    }
    while muc.poll_transmit().is_some() {}
});
