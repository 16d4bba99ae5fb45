//! Helpers shared by the codec tests (included with `mod common;`).
#![allow(dead_code)]

use minidom::Element;
use proptest::prelude::*;
use xmppkit_codec::{DecodeError, Decoder, Event, RawEvent};

pub const HEADER: &str = "<?xml version='1.0'?><stream:stream from='juliet@im.example.com' \
    to='im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams'>";

/// Feeds `bytes` in the given chunk sizes (cycled), collecting events until the first error.
///
/// The same bytes also go through a copy of the decoder's raw path ([`Decoder::next_raw`]), which
/// must accept and refuse exactly what the tree path does, with the same error, and whose
/// stanzas must build the same trees: every codec test checks both paths.
pub fn decode_chunked(
    decoder: &mut Decoder,
    bytes: &[u8],
    sizes: &[usize],
) -> (Vec<Event>, Option<DecodeError>) {
    let mut raw = decoder.clone();
    let tree = decode_tree(decoder, bytes, sizes);
    let (raw_events, raw_err) = decode_raw(&mut raw, bytes, sizes);
    assert_eq!(
        raw_err,
        tree.1,
        "the raw path's error differs on {:?}",
        String::from_utf8_lossy(bytes)
    );
    assert_eq!(
        raw_events.len(),
        tree.0.len(),
        "the raw path's events differ"
    );
    for (raw, event) in raw_events.iter().zip(&tree.0) {
        match (raw, event) {
            (RawEvent::Stanza(raw), Event::Stanza(element)) => {
                // Each child's tree from its bytes alone (before the stanza's tree is built and
                // cached) is the tree path's child.
                for child in element.children() {
                    let ns = child.ns();
                    assert_eq!(
                        raw.child_element(child.name(), &ns).as_ref(),
                        element.get_child(child.name(), ns.as_str()),
                        "child {} of {raw:?}",
                        child.name()
                    );
                }
                assert_eq!(raw.element().unwrap(), element, "raw {raw:?}");
                assert_eq!(raw.name(), element.name());
                assert_eq!(raw.ns(), element.ns());
                for (child, element) in raw.children().zip(element.children()) {
                    assert_eq!(
                        (child.name(), child.ns()),
                        (element.name(), element.ns().as_str())
                    );
                }
                assert_eq!(raw.children().count(), element.children().count());
                for (which, name) in [
                    (xmppkit_codec::Routing::To, "to"),
                    (xmppkit_codec::Routing::From, "from"),
                    (xmppkit_codec::Routing::Id, "id"),
                    (xmppkit_codec::Routing::Type, "type"),
                ] {
                    assert_eq!(
                        raw.attr(which).as_deref(),
                        element.attr(name),
                        "{name} of {raw:?}"
                    );
                }
            }
            (RawEvent::StreamOpen(a), Event::StreamOpen(b)) => assert_eq!(a, b),
            (RawEvent::Whitespace, Event::Whitespace)
            | (RawEvent::StreamClose, Event::StreamClose) => {}
            other => panic!("the raw path gave another event: {other:?}"),
        }
    }
    tree
}

fn decode_raw(
    decoder: &mut Decoder,
    bytes: &[u8],
    sizes: &[usize],
) -> (Vec<RawEvent>, Option<DecodeError>) {
    feed_and_collect(decoder, bytes, sizes, Decoder::next_raw)
}

fn decode_tree(
    decoder: &mut Decoder,
    bytes: &[u8],
    sizes: &[usize],
) -> (Vec<Event>, Option<DecodeError>) {
    feed_and_collect(decoder, bytes, sizes, Decoder::next_event)
}

/// Feeds the chunks, collecting what `next` yields after each until the first error.
fn feed_and_collect<E>(
    decoder: &mut Decoder,
    bytes: &[u8],
    sizes: &[usize],
    next: impl Fn(&mut Decoder) -> Result<Option<E>, DecodeError>,
) -> (Vec<E>, Option<DecodeError>) {
    let mut events = Vec::new();
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        i += 1;
        decoder.feed(&rest[..n]);
        rest = &rest[n..];
        loop {
            match next(decoder) {
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

/// Generated elements: names, namespaces, attributes and text drawn from awkward alphabets.
pub fn arb_element() -> impl Strategy<Value = Element> {
    let name = "[a-z][a-z0-9_.-]{0,8}";
    let ns = prop_oneof![
        Just("jabber:client".to_string()),
        Just("urn:x".to_string()),
        Just(String::new()),
        "urn:[a-z]{1,5}"
    ];
    let text = "[a-zé€😀 <>&'\"\t\n\r]{0,12}";
    let attrs = proptest::collection::btree_map(name, text, 0..4);
    let leaf = (name, ns.clone(), attrs.clone(), text).prop_map(|(n, ns, attrs, t)| {
        let mut e = Element::builder(n, ns).build();
        for (k, v) in attrs {
            e.set_attr(
                minidom::rxml::Namespace::NONE,
                k.as_str().try_into().unwrap(),
                v,
            );
        }
        if !t.is_empty() {
            e.append_text_node(t);
        }
        e
    });
    leaf.prop_recursive(4, 32, 4, move |inner| {
        (
            "[a-z]{1,6}",
            ns.clone(),
            proptest::collection::vec(inner, 1..4),
        )
            .prop_map(|(n, ns, children)| {
                let mut e = Element::builder(n, ns).build();
                for c in children {
                    e.append_child(c);
                }
                e
            })
    })
}

/// Adjacent text nodes merge on the wire; compare with them merged.
pub fn normalize(e: Element) -> Element {
    let mut out = Element::builder(e.name(), e.ns()).build();
    for ((ns, k), v) in e.attrs() {
        out.set_attr(ns.clone(), k.clone(), v.clone());
    }
    for node in e.nodes() {
        match node {
            minidom::Node::Element(c) => {
                out.append_child(normalize(c.clone()));
            }
            minidom::Node::Text(t) => out.append_text(t.clone()),
        }
    }
    out
}
