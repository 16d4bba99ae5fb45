//! Helpers shared by the codec tests (included with `mod common;`).
#![allow(dead_code)]

use xmppkit_codec::{DecodeError, Decoder, Event};

pub const HEADER: &str = "<?xml version='1.0'?><stream:stream from='juliet@im.example.com' \
    to='im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams'>";

/// Feeds `bytes` in the given chunk sizes (cycled), collecting events until the first error.
pub fn decode_chunked(
    decoder: &mut Decoder,
    bytes: &[u8],
    sizes: &[usize],
) -> (Vec<Event>, Option<DecodeError>) {
    let mut events = Vec::new();
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        i += 1;
        decoder.feed(&rest[..n]);
        rest = &rest[n..];
        loop {
            match decoder.next_event() {
                Ok(Some(e)) => events.push(e),
                Ok(None) => break,
                Err(e) => return (events, Some(e)),
            }
        }
    }
    (events, None)
}

pub fn decode(bytes: &[u8]) -> (Vec<Event>, Option<DecodeError>) {
    decode_chunked(&mut Decoder::new(), bytes, &[usize::MAX])
}

/// Decodes a stream made of HEADER + `body`, returning the first error.
pub fn error_of(body: &str) -> DecodeError {
    let (_, err) = decode(format!("{HEADER}{body}").as_bytes());
    err.unwrap_or_else(|| panic!("no error for {body}"))
}

/// The stanzas of a stream made of HEADER + `body`, which must decode without error.
pub fn stanzas_of(body: &str) -> Vec<minidom::Element> {
    let (events, err) = decode(format!("{HEADER}{body}").as_bytes());
    assert!(err.is_none(), "unexpected error {err:?} for {body}");
    events
        .into_iter()
        .filter_map(|e| match e {
            Event::Stanza(s) => Some(s),
            _ => None,
        })
        .collect()
}
