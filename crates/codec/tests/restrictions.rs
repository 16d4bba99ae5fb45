//! Every RFC 6120 §11 restriction and every limit, each answered with its stream error, and memory
//! that stays bounded whatever arrives.

mod common;
use common::*;
use xmppkit_codec::{DecodeErrorKind, Decoder, Limits, StreamErrorCondition as C};

fn condition(body: &str) -> C {
    error_of(body).condition()
}

#[test]
fn restricted_xml_rfc6120_11_1() {
    assert_eq!(condition("<!-- a comment -->"), C::RestrictedXml);
    assert_eq!(
        condition("<message><!-- inside --></message>"),
        C::RestrictedXml
    );
    assert_eq!(condition("<?php echo 1 ?>"), C::RestrictedXml);
    assert_eq!(condition("<message><?pi x?></message>"), C::RestrictedXml);
    assert_eq!(condition("<!DOCTYPE x>"), C::RestrictedXml);
    assert_eq!(
        condition("<message><body>&nbsp;</body></message>"),
        C::RestrictedXml
    );
    assert_eq!(condition("<message id='&custom;'/>"), C::RestrictedXml);
    // A DTD before the stream header.
    let (_, err) = decode(b"<!DOCTYPE stream [<!ENTITY x 'y'>]><stream:stream/>");
    assert_eq!(err.unwrap().condition(), C::RestrictedXml);
    // The XML declaration anywhere but at the start.
    assert_eq!(condition("<?xml version='1.0'?>"), C::RestrictedXml);
}

#[test]
fn billion_laughs_is_refused_before_any_expansion() {
    let doc = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>\
        <!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>\
        <!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]>\
        <stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\
        <message><body>&lol3;</body></message>";
    let (events, err) = decode(doc.as_bytes());
    assert!(events.is_empty());
    let err = err.unwrap();
    assert_eq!(err.condition(), C::RestrictedXml);
    assert_eq!(err.offset, 21, "refused at the `<!DOCTYPE`");
    // The same entity used inside a stream that declared nothing.
    assert_eq!(
        condition("<message><body>&lol3;</body></message>"),
        C::RestrictedXml
    );
}

#[test]
fn not_well_formed() {
    for body in [
        "<message></iq>",
        "<message><body></message></body>",
        "<message a='1' a='2'/>",
        "<message a='<'/>",
        "<message a=1/>",
        "<message><body>&#0;</body></message>",
        "<message><body>&#xFFFF;</body></message>",
        "<message><body>\u{1}</body></message>",
        "<message id='&#x1;'/>",
        "<1message/>",
        "</stream:stream><message/>",
        "</stream:wrong>",
        "<message xmlns:p='urn:x' xmlns:q='urn:x' p:a='1' q:a='2'/>",
        "<message xmlns:p=''/>",
        "<message xmlns='urn:a' xmlns='urn:a'/>",
        "<message xmlns:p='urn:a' xmlns:p='urn:b'/>",
        "<message xmlns:xml='urn:not-xml'/>",
        "<message xmlns:xmlns='urn:x'/>",
    ] {
        assert_eq!(condition(body), C::NotWellFormed, "{body}");
    }
}

#[test]
fn bad_namespace_prefix() {
    assert_eq!(condition("<x:message/>"), C::BadNamespacePrefix);
    assert_eq!(condition("<message x:a='1'/>"), C::BadNamespacePrefix);
    assert_eq!(
        condition("<message><p:body xmlns:q='urn:q'/></message>"),
        C::BadNamespacePrefix
    );
}

#[test]
fn encodings() {
    assert_eq!(
        condition("<message><body>\u{0}</body></message>"),
        C::NotWellFormed
    );
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"<message><body>\xC3\x28</body></message>");
    let (_, err) = decode(&bytes);
    assert_eq!(err.unwrap().condition(), C::UnsupportedEncoding);
    let (_, err) = decode(b"<?xml version='1.0' encoding='ISO-8859-1'?><stream:stream/>");
    assert_eq!(err.unwrap().condition(), C::UnsupportedEncoding);
    // UTF-16 little-endian byte-order mark.
    let (_, err) = decode(b"\xFF\xFE<\x00");
    assert_eq!(err.unwrap().condition(), C::UnsupportedEncoding);
}

#[test]
fn stream_header_namespaces() {
    let (_, err) = decode(b"<stream:stream xmlns='jabber:client' xmlns:stream='urn:wrong'>");
    assert_eq!(err.unwrap().condition(), C::InvalidNamespace);
    let (_, err) = decode(
        b"<stream:stream xmlns='urn:wrong' xmlns:stream='http://etherx.jabber.org/streams'>",
    );
    assert_eq!(err.unwrap().condition(), C::InvalidNamespace);
    let (_, err) = decode(b"<stream:stream xmlns='jabber:client'>");
    assert_eq!(err.unwrap().condition(), C::BadNamespacePrefix);
    // A c2s listener that accepts only jabber:client.
    let mut d = Decoder::new().with_namespaces(["jabber:client"]);
    let (_, err) = decode_chunked(
        &mut d,
        b"<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>",
        &[9],
    );
    assert_eq!(err.unwrap().condition(), C::InvalidNamespace);
}

#[test]
fn bad_format() {
    assert_eq!(condition("hello<message/>"), C::BadFormat);
    assert_eq!(condition("<![CDATA[x]]>"), C::BadFormat);
}

#[test]
fn errors_are_sticky() {
    let mut d = Decoder::new();
    d.feed(b"<!-- -->");
    let first = d.next_event().unwrap_err();
    d.feed(HEADER.as_bytes());
    assert_eq!(d.next_event().unwrap_err(), first);
}

#[test]
fn ten_megabyte_stanza_is_refused_at_the_limit() {
    let mut d = Decoder::new();
    d.feed(HEADER.as_bytes());
    assert!(d.next_event().unwrap().is_some());
    d.feed(b"<message><body>");
    let chunk = vec![b'a'; 64 * 1024];
    let mut fed = 0;
    let err = loop {
        d.feed(&chunk);
        fed += chunk.len();
        match d.next_event() {
            Ok(None) => {}
            Ok(Some(e)) => panic!("unexpected {e:?}"),
            Err(e) => break e,
        }
        assert!(fed < 10 * 1024 * 1024, "10 MB accepted");
    };
    assert_eq!(err.condition(), C::PolicyViolation);
    assert_eq!(
        err.kind,
        DecodeErrorKind::StanzaTooLarge { limit: 256 * 1024 }
    );
    assert_eq!(err.offset, (HEADER.len() + 256 * 1024) as u64);
    // Refused within one chunk of the limit: memory stayed bounded.
    assert!(fed <= 256 * 1024 + chunk.len());
    assert!(d.buffered() <= 256 * 1024 + 2 * chunk.len());
}

#[test]
fn a_huge_tag_or_attribute_is_refused_too() {
    let limits = Limits {
        max_stanza_bytes: 1000,
        ..Limits::default()
    };
    for body in [
        format!("<message to='{}'/>", "a".repeat(2000)),
        format!("<message {}/>", "a".repeat(2000)),
        format!("<{}/>", "a".repeat(2000)),
    ] {
        let mut d = Decoder::new().with_limits(limits);
        let (_, err) = decode_chunked(&mut d, format!("{HEADER}{body}").as_bytes(), &[100]);
        assert_eq!(
            err.unwrap().kind,
            DecodeErrorKind::StanzaTooLarge { limit: 1000 }
        );
    }
    // The stream header is bounded by the same limit.
    let mut d = Decoder::new().with_limits(limits);
    let (_, err) = decode_chunked(
        &mut d,
        format!("<stream:stream a='{}'", "b".repeat(5000)).as_bytes(),
        &[64],
    );
    assert_eq!(err.unwrap().condition(), C::PolicyViolation);
}

#[test]
fn depth_limit() {
    let limits = Limits {
        max_depth: 4,
        ..Limits::default()
    };
    let ok = "<a><b><c><d/></c></b></a>";
    let deep = "<a><b><c><d><e/></d></c></b></a>";
    let mut d = Decoder::new().with_limits(limits);
    let (events, err) = decode_chunked(&mut d, format!("{HEADER}{ok}").as_bytes(), &[usize::MAX]);
    assert!(err.is_none() && events.len() == 2);
    let mut d = Decoder::new().with_limits(limits);
    let (_, err) = decode_chunked(&mut d, format!("{HEADER}{deep}").as_bytes(), &[usize::MAX]);
    assert_eq!(err.unwrap().kind, DecodeErrorKind::TooDeep { limit: 4 });
    // The default limit stops a 100,000-deep nesting without recursion trouble.
    let bomb = "<a>".repeat(100_000);
    assert_eq!(error_of(&bomb).condition(), C::PolicyViolation);
}

#[test]
fn attribute_limit() {
    let limits = Limits {
        max_attributes: 3,
        ..Limits::default()
    };
    let mut d = Decoder::new().with_limits(limits);
    let (_, err) = decode_chunked(
        &mut d,
        format!("{HEADER}<message a='1' b='2' c='3' d='4'/>").as_bytes(),
        &[usize::MAX],
    );
    assert_eq!(
        err.unwrap().kind,
        DecodeErrorKind::TooManyAttributes { limit: 3 }
    );
}

#[test]
fn error_offsets_point_at_the_fault() {
    let err = error_of("<message><body>ok</body><!-- x --></message>");
    assert_eq!(
        err.offset as usize,
        HEADER.len() + "<message><body>ok</body>".len()
    );
    let err = error_of("<presence/>\u{1}");
    assert_eq!(err.offset as usize, HEADER.len() + "<presence/>".len());
}

#[test]
fn stray_markup_in_text() {
    assert_eq!(condition("<x>&</x>"), C::NotWellFormed);
    assert_eq!(condition("<x>a & b</x>"), C::NotWellFormed);
}
