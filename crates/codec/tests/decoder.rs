//! Decoder behaviour on well-formed streams: RFC 6120 examples, namespaces, references, chunking,
//! restarts.

mod common;
use common::*;
use minidom::Element;
use proptest::prelude::*;
use xmppkit_codec::{ns, Decoder, Event, StreamHeader};

/// RFC 6120 §9.1 / §9.2 exchanges (client side of the stream), written out.
const RFC6120_CLIENT: &str = "<?xml version='1.0'?>\
<stream:stream from='juliet@im.example.com' to='im.example.com' version='1.0' xml:lang='en' \
 xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\n\
<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\n\
<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>\
biwsbj1qdWxpZXQscj1vTXNUQUF3QUFBQU1BQUFBTlAwVEFBQUFBQUJQVTBBQQ==</auth>\n\
<iq id='yhc13a95' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
<resource>balcony</resource></bind></iq>\n\
<message from='juliet@im.example.com/balcony' id='ju2ba41c' to='romeo@example.net' type='chat' xml:lang='en'>\
<body>Art thou not Romeo, and a Montague?</body></message>\n\
<presence/>\n\
</stream:stream>";

#[test]
fn rfc6120_client_stream() {
    let (events, err) = decode(RFC6120_CLIENT.as_bytes());
    assert!(err.is_none(), "{err:?}");
    let Event::StreamOpen(header) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(
        header,
        &StreamHeader {
            from: Some("juliet@im.example.com".into()),
            to: Some("im.example.com".into()),
            id: None,
            version: Some("1.0".into()),
            lang: Some("en".into()),
            ns: ns::CLIENT.into(),
            prefixes: vec![],
        }
    );
    let kinds: Vec<String> = events[1..]
        .iter()
        .map(|e| match e {
            Event::Stanza(s) => format!("{{{}}}{}", s.ns(), s.name()),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "Whitespace",
            "{urn:ietf:params:xml:ns:xmpp-tls}starttls",
            "Whitespace",
            "{urn:ietf:params:xml:ns:xmpp-sasl}auth",
            "Whitespace",
            "{jabber:client}iq",
            "Whitespace",
            "{jabber:client}message",
            "Whitespace",
            "{jabber:client}presence",
            "Whitespace",
            "StreamClose",
        ]
    );
    let Event::Stanza(message) = &events[8] else {
        panic!()
    };
    assert_eq!(message.attr("to"), Some("romeo@example.net"));
    assert_eq!(message.attr_ns(ns::XML, "lang"), Some("en"));
    let body = message.get_child("body", ns::CLIENT).unwrap();
    assert_eq!(body.text(), "Art thou not Romeo, and a Montague?");
    let Event::Stanza(iq) = &events[6] else {
        panic!()
    };
    let bind = iq.get_child("bind", ns::BIND).unwrap();
    assert_eq!(
        bind.get_child("resource", ns::BIND).unwrap().text(),
        "balcony"
    );
}

#[test]
fn server_features_with_stream_prefix() {
    // RFC 6120 §4.3.2 / §8 server side: stream:features is in the streams namespace.
    let server = "<stream:stream from='im.example.com' id='t7AMCin9zjMNwQKDnplntZPIDEI=' \
        to='juliet@im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams'><stream:features>\
        <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>\
        </stream:features>";
    let (events, err) = decode(server.as_bytes());
    assert!(err.is_none());
    let Event::StreamOpen(h) = &events[0] else {
        panic!()
    };
    assert_eq!(h.id.as_deref(), Some("t7AMCin9zjMNwQKDnplntZPIDEI="));
    let Event::Stanza(features) = &events[1] else {
        panic!()
    };
    assert!(features.is("features", ns::STREAMS));
    let starttls = features.get_child("starttls", ns::TLS).unwrap();
    assert!(starttls.get_child("required", ns::TLS).is_some());
}

#[test]
fn stream_error_element() {
    let stanzas = stanzas_of(
        "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
         <text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>oops</text></stream:error>",
    );
    assert!(stanzas[0].is("error", ns::STREAMS));
    assert!(stanzas[0].has_child("not-well-formed", ns::XMPP_STREAMS));
}

#[test]
fn prefixed_payloads_and_unknown_children_are_kept() {
    let stanzas = stanzas_of(
        "<message xmlns:x='urn:example:x' x:flag='1'><x:thing a='b'><x:deep/>text</x:thing>\
         <unknown xmlns='urn:example:y'/></message>",
    );
    let m = &stanzas[0];
    assert_eq!(m.attr_ns("urn:example:x", "flag"), Some("1"));
    let thing = m.get_child("thing", "urn:example:x").unwrap();
    assert_eq!(thing.attr("a"), Some("b"));
    assert!(thing.has_child("deep", "urn:example:x"));
    assert_eq!(thing.text(), "text");
    assert!(m.has_child("unknown", "urn:example:y"));
}

#[test]
fn references_and_cdata_are_resolved() {
    let stanzas = stanzas_of(
        "<message id='a&amp;b&#x20;&#65;' note='l1\nl2\tx'><body>&lt;3 &amp; &gt; &apos;&quot; \
         &#x1F600;&#233;<![CDATA[<raw> & stuff]]>\r\nend</body></message>",
    );
    let m = &stanzas[0];
    assert_eq!(m.attr("id"), Some("a&b A"));
    // Attribute-value normalization (XML 1.0 §3.3.3).
    assert_eq!(m.attr("note"), Some("l1 l2 x"));
    // End-of-line normalization (XML 1.0 §2.11).
    assert_eq!(
        m.get_child("body", ns::CLIENT).unwrap().text(),
        "<3 & > '\" 😀é<raw> & stuff\nend"
    );
}

#[test]
fn default_namespace_is_the_streams() {
    let server =
        "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' \
        xmlns:db='jabber:server:dialback' version='1.0'><db:result from='a' to='b'>key</db:result>\
        <message/>";
    let (events, err) = decode(server.as_bytes());
    assert!(err.is_none(), "{err:?}");
    let Event::Stanza(result) = &events[1] else {
        panic!()
    };
    assert!(result.is("result", "jabber:server:dialback"));
    let Event::Stanza(message) = &events[2] else {
        panic!()
    };
    assert!(message.is("message", ns::SERVER));
}

#[test]
fn byte_order_mark_is_skipped() {
    let (events, err) = decode(format!("\u{FEFF}{HEADER}<presence/>").as_bytes());
    assert!(err.is_none());
    assert_eq!(events.len(), 2);
}

#[test]
fn restart_keeps_pipelined_bytes_and_discarding_restart_drops_them() {
    let mut d = Decoder::new();
    d.feed(HEADER.as_bytes());
    d.feed(b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldABy</auth>");
    d.feed(HEADER.as_bytes());
    assert!(matches!(
        d.next_event().unwrap(),
        Some(Event::StreamOpen(_))
    ));
    assert!(matches!(d.next_event().unwrap(), Some(Event::Stanza(_))));
    d.restart();
    // The XML declaration is allowed again at the start of the new stream.
    assert!(matches!(
        d.next_event().unwrap(),
        Some(Event::StreamOpen(_))
    ));

    let mut d = Decoder::new();
    d.feed(HEADER.as_bytes());
    d.feed(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><message>injected</message>");
    assert!(matches!(
        d.next_event().unwrap(),
        Some(Event::StreamOpen(_))
    ));
    assert!(matches!(d.next_event().unwrap(), Some(Event::Stanza(_))));
    let dropped = d.restart_discarding();
    assert_eq!(dropped, "<message>injected</message>".len());
    assert_eq!(d.next_event().unwrap(), None);
    d.feed(HEADER.as_bytes());
    assert!(matches!(
        d.next_event().unwrap(),
        Some(Event::StreamOpen(_))
    ));
}

/// What go-sendxmpp (go-xmpp) writes: `</auth>\n`, then, after `<success/>`, the restarted
/// stream's `<?xml ...?>`. The newline belongs to the old stream (RFC 6120 §4.3.3 and §11.5:
/// the declaration opens the new stream), so the declaration is still at its start.
#[test]
fn whitespace_left_from_the_old_stream_may_precede_the_restarted_declaration() {
    let auth =
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldABy</auth>\n";
    let header = "<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
    // Up to the restart after `<auth/>`, with the bytes after it split at `split`.
    let restarted = |split: usize| {
        let mut d = Decoder::new();
        d.feed(header.as_bytes());
        d.feed(&auth.as_bytes()[..auth.len() - split]);
        assert!(matches!(
            d.next_event().unwrap(),
            Some(Event::StreamOpen(_))
        ));
        assert!(matches!(d.next_event().unwrap(), Some(Event::Stanza(_))));
        d.restart();
        d.feed(&auth.as_bytes()[auth.len() - split..]);
        d
    };
    for split in [0, 1] {
        let mut d = restarted(split);
        d.feed(b"\r\n ");
        assert_eq!(d.next_event().unwrap(), None);
        d.feed(header.as_bytes());
        assert!(
            matches!(d.next_event().unwrap(), Some(Event::StreamOpen(_))),
            "split {split}"
        );
    }
    // Whitespace before the declaration of the first stream is not XML (XML 1.0 §2.8), and
    // anything but whitespace before a restarted one is still refused.
    let mut d = Decoder::new();
    d.feed(format!(" {header}").as_bytes());
    assert!(d.next_event().is_err());
    let mut d = restarted(1);
    d.feed(format!("<!-- x --> {header}").as_bytes());
    assert!(d.next_event().is_err());
    let mut d = restarted(1);
    d.feed(format!("<x/> {header}").as_bytes());
    assert!(!matches!(d.next_event(), Ok(Some(Event::StreamOpen(_)))));
}

#[test]
fn decoded_elements_equal_minidom_parses() {
    let body = "<iq type='result' id='x'><query xmlns='http://jabber.org/protocol/disco#info'>\
        <identity category='client' type='pc' name='A &amp; B'/><feature var='urn:xmpp:ping'/>\
        </query></iq>";
    let ours = stanzas_of(body).remove(0);
    let theirs: Element = body
        .replacen("<iq ", "<iq xmlns='jabber:client' ", 1)
        .parse()
        .unwrap();
    assert_eq!(ours, theirs);
}

#[test]
fn fragments_mode() {
    let mut d = Decoder::fragments(ns::CLIENT);
    let (events, err) = decode_chunked(
        &mut d,
        b"<?xml version='1.0'?>\n<message/><iq xmlns='jabber:server'/>",
        &[3],
    );
    assert!(err.is_none(), "{err:?}");
    assert_eq!(events.len(), 3);
    assert!(matches!(&events[2], Event::Stanza(e) if e.is("iq", ns::SERVER)));
    d.finish().unwrap();
    d.feed(b"<message>");
    assert_eq!(d.next_event().unwrap(), None);
    assert!(d.finish().is_err());
}

fn corpus() -> String {
    let mut s = String::from(RFC6120_CLIENT.strip_suffix("</stream:stream>").unwrap());
    for i in 0..20 {
        s.push_str(&format!(
            "<message to='romeo@example.net' id='m{i}' type='chat'><body>héllo {i} &amp; ✓ \
             &#x1F600;</body><active xmlns='http://jabber.org/protocol/chatstates'/>\
             <stanza-id xmlns='urn:xmpp:sid:0' id='{i}' by='a@b'/><![CDATA[x]]></message> "
        ));
    }
    s.push_str("</stream:stream>");
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any chunking of a valid stream gives the same events.
    #[test]
    fn any_chunking_gives_the_same_events(sizes in proptest::collection::vec(1usize..40, 1..20)) {
        let bytes = corpus();
        let (whole, err) = decode(bytes.as_bytes());
        prop_assert!(err.is_none());
        let (chunked, err) = decode_chunked(&mut Decoder::new(), bytes.as_bytes(), &sizes);
        prop_assert!(err.is_none());
        // Whitespace runs may be reported more than once when split; stanzas never.
        let strip = |v: Vec<Event>| v.into_iter().filter(|e| *e != Event::Whitespace).collect::<Vec<_>>();
        prop_assert_eq!(strip(whole), strip(chunked));
    }
}

/// XEP-0220 §2.1: a server-to-server header declares the `db` prefix; the decoder reports it,
/// the encoder writes it back, and `db:`-prefixed elements decode in the dialback namespace.
#[test]
fn dialback_prefix_round_trips() {
    let header = StreamHeader {
        from: Some("capulet.example".into()),
        to: Some("montague.example".into()),
        version: Some("1.0".into()),
        ns: ns::SERVER.into(),
        prefixes: vec![("db".into(), "jabber:server:dialback".into())],
        ..StreamHeader::default()
    };
    let mut out = bytes::BytesMut::new();
    xmppkit_codec::Encoder::new().header(&header, &mut out);
    out.extend_from_slice(
        b"<db:result from='capulet.example' to='montague.example'>b4835385</db:result>",
    );
    let (events, err) = decode(&out);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(events[0], Event::StreamOpen(header));
    let Event::Stanza(result) = &events[1] else {
        panic!("{events:?}")
    };
    assert!(result.is("result", "jabber:server:dialback"));
    assert_eq!(result.text(), "b4835385");
}
