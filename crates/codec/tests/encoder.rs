//! Encoder output: exact bytes for spec-shaped stanzas, and the round trip
//! decode(encode(x)) == x for generated elements.

mod common;
use bytes::BytesMut;
use common::*;
use minidom::Element;
use proptest::prelude::*;
use xmppkit_codec::{ns, Decoder, Encoder, Event, StreamHeader};

#[test]
fn header_is_one_buffer_with_all_attributes() {
    let mut out = BytesMut::new();
    let mut header = StreamHeader::server("im.example.com", "t7AMCin9zjMNwQKDnplntZPIDEI=");
    header.to = Some("juliet@im.example.com".into());
    header.lang = Some("en".into());
    Encoder::new().header(&header, &mut out);
    assert_eq!(
        std::str::from_utf8(&out).unwrap(),
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
         xmlns:stream='http://etherx.jabber.org/streams' from='im.example.com' \
         to='juliet@im.example.com' id='t7AMCin9zjMNwQKDnplntZPIDEI=' version='1.0' xml:lang='en'>"
    );
    // And it decodes back to the same header.
    let mut d = Decoder::new();
    d.feed(&out);
    assert_eq!(d.next_event().unwrap(), Some(Event::StreamOpen(header)));
}

#[test]
fn no_redundant_namespace_declarations() {
    let stanza = stanzas_of(
        "<message to='romeo@example.net' type='chat'><body>hi</body>\
         <active xmlns='http://jabber.org/protocol/chatstates'/>\
         <x xmlns='urn:x'><y><z xmlns='jabber:client'/></y></x></message>",
    )
    .remove(0);
    let mut out = BytesMut::new();
    Encoder::new().stanza(&stanza, &mut out);
    assert_eq!(
        std::str::from_utf8(&out).unwrap(),
        "<message to='romeo@example.net' type='chat'><body>hi</body>\
         <active xmlns='http://jabber.org/protocol/chatstates'/>\
         <x xmlns='urn:x'><y><z xmlns='jabber:client'/></y></x></message>"
    );
}

#[test]
fn stream_elements_get_the_stream_prefix() {
    let features = Element::builder("features", ns::STREAMS)
        .append(Element::builder("bind", ns::BIND).build())
        .build();
    let mut out = BytesMut::new();
    Encoder::new().stanza(&features, &mut out);
    assert_eq!(
        &out[..],
        b"<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
    );
}

#[test]
fn namespaced_attributes_and_escaping() {
    let stanza = stanzas_of(
        "<message xml:lang='fr' xmlns:x='urn:x' x:a='1 &amp; &apos;2&apos;' b='tab&#x9;nl&#xA;'>\
         <body>&lt;&amp;&gt; \r\n</body></message>",
    )
    .remove(0);
    let mut out = BytesMut::new();
    Encoder::new().stanza(&stanza, &mut out);
    let again = stanzas_of(std::str::from_utf8(&out).unwrap()).remove(0);
    assert_eq!(again, stanza);
    assert_eq!(again.attr("b"), Some("tab\tnl\n"));
    assert_eq!(again.attr_ns("urn:x", "a"), Some("1 & '2'"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn decode_of_encode_is_identity(e in arb_element()) {
        let mut out = BytesMut::new();
        let mut encoder = Encoder::new();
        encoder.header(&StreamHeader::client("example.com"), &mut out);
        encoder.stanza(&e, &mut out);
        let mut d = Decoder::new();
        d.feed(&out);
        prop_assert!(matches!(d.next_event().unwrap(), Some(Event::StreamOpen(_))));
        let decoded = match d.next_event() {
            Ok(Some(Event::Stanza(s))) => s,
            other => return Err(TestCaseError::fail(format!("{other:?} for {}", String::from_utf8_lossy(&out)))),
        };
        prop_assert_eq!(normalize(decoded), normalize(e));
    }
}
