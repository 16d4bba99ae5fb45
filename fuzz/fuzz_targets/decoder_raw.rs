//! Arbitrary bytes after a valid stream header, through both decoder paths: the raw path
//! (`next_raw`, bytes plus index) must accept and refuse exactly what the tree path does, build the
//! same trees, write accepted stanzas back as the bytes received, and splice a `to` that reads back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmppkit_codec::{Decoder, Event, RawEvent, Routing};

const HEADER: &[u8] = b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

fuzz_target!(|data: &[u8]| {
    let mut tree = Decoder::new();
    let mut raw = Decoder::new();
    for d in [&mut tree, &mut raw] {
        d.feed(HEADER);
        d.feed(data);
    }
    loop {
        match (tree.next_event(), raw.next_raw()) {
            (Ok(None), Ok(None)) => break,
            (Err(a), Err(b)) => {
                assert_eq!(a, b);
                break;
            }
            (Ok(Some(Event::Stanza(element))), Ok(Some(RawEvent::Stanza(stanza)))) => {
                assert_eq!(stanza.element().unwrap(), &element);
                assert_eq!(stanza.attr(Routing::To).as_deref(), element.attr("to"));
                let mut out = bytes::BytesMut::new();
                stanza.write_to("jabber:client", &mut out);
                if stanza.is_self_contained() {
                    assert_eq!(&out[..], &stanza.bytes()[..]);
                }
                let spliced = stanza.with_attr(Routing::To, Some("a&b@example.com/x"));
                assert_eq!(spliced.attr(Routing::To).as_deref(), Some("a&b@example.com/x"));
                assert_eq!(spliced.element().unwrap().attr("to"), Some("a&b@example.com/x"));
            }
            (Ok(Some(_)), Ok(Some(_))) => {}
            (a, b) => panic!("the paths disagree: {a:?} / {b:?}"),
        }
    }
});
