//! Arbitrary bytes after a valid stream header: the decoder must never panic, and every stanza it
//! accepts must survive encode → decode unchanged and parse as a typed stanza without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmppkit_codec::{Decoder, Encoder, Event};

const HEADER: &[u8] = b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

fuzz_target!(|data: &[u8]| {
    let mut decoder = Decoder::new();
    decoder.feed(HEADER);
    decoder.feed(data);
    while let Ok(Some(event)) = decoder.next_event() {
        if let Event::Stanza(element) = event {
            let _ = xmppkit_stanza::Stanza::try_from(element.clone());
            let mut out = bytes::BytesMut::new();
            let encoder = Encoder::new();
            encoder.stanza(&element, &mut out);
            let mut again = Decoder::fragments("jabber:client");
            again.feed(b"<x xmlns:stream='http://etherx.jabber.org/streams'>");
            again.feed(&out);
            again.feed(b"</x>");
            match again.next_event() {
                Ok(Some(Event::Stanza(wrapper))) => {
                    assert_eq!(wrapper.children().next(), Some(&element), "{}", String::from_utf8_lossy(&out))
                }
                other => panic!("re-encoded stanza did not decode: {other:?}: {}", String::from_utf8_lossy(&out)),
            }
        }
    }
});
