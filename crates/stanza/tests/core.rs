//! RFC 6120 / RFC 6121 examples as test vectors for the core stanzas and errors, the error cases,
//! and round trips of generated stanzas.

use minidom::Element;
use proptest::prelude::*;
use xmppkit_stanza::*;

fn el(s: &str) -> Element {
    s.parse().unwrap()
}

#[test]
fn rfc6120_8_3_1_error_reply_example() {
    // RFC 6120 §8.3.1: an iq set to an unknown payload answered with service-unavailable.
    let request = el(
        "<iq xmlns='jabber:client' from='juliet@im.example.com/balcony' id='oq2kv29n' \
        to='romeo@example.net' type='get'><query xmlns='jabber:iq:roster'/></iq>",
    );
    let iq = Iq::try_from(request.clone()).unwrap();
    let reply: Element = iq
        .error(StanzaError::new(DefinedCondition::ServiceUnavailable))
        .into();
    let expected = el("<iq xmlns='jabber:client' from='romeo@example.net' id='oq2kv29n' \
        to='juliet@im.example.com/balcony' type='error'><query xmlns='jabber:iq:roster'/>\
        <error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
    assert_eq!(reply, expected);
    // The generic helper gives the same reply from the raw element.
    let generic = error_reply(
        &request,
        &StanzaError::new(DefinedCondition::ServiceUnavailable),
    )
    .unwrap();
    assert_eq!(generic, expected);
    // And never answers an error with an error.
    assert!(error_reply(&expected, &StanzaError::new(DefinedCondition::BadRequest)).is_none());
}

#[test]
fn rfc6120_8_3_2_error_with_text_and_app_condition() {
    // RFC 6120 §8.3.2 syntax example, with an application-specific condition.
    let error = el("<error xmlns='jabber:client' type='modify' by='example.net'>\
        <bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
        <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>Some special application diagnostic information!</text>\
        <too-many-parameters xmlns='http://example.org/ns'/></error>");
    let parsed = StanzaError::try_from(error.clone()).unwrap();
    assert_eq!(parsed.type_, ErrorType::Modify);
    assert_eq!(parsed.by.as_ref().unwrap().as_str(), "example.net");
    assert_eq!(parsed.condition, DefinedCondition::BadRequest);
    assert_eq!(
        parsed.texts,
        vec![(
            Some("en".into()),
            "Some special application diagnostic information!".into()
        )]
    );
    assert!(parsed
        .app_specific
        .as_ref()
        .unwrap()
        .is("too-many-parameters", "http://example.org/ns"));
    assert_eq!(Element::from(parsed), error);
}

#[test]
fn all_defined_conditions_round_trip() {
    let names = [
        "bad-request",
        "conflict",
        "feature-not-implemented",
        "forbidden",
        "gone",
        "internal-server-error",
        "item-not-found",
        "jid-malformed",
        "not-acceptable",
        "not-allowed",
        "not-authorized",
        "policy-violation",
        "recipient-unavailable",
        "redirect",
        "registration-required",
        "remote-server-not-found",
        "remote-server-timeout",
        "resource-constraint",
        "service-unavailable",
        "subscription-required",
        "undefined-condition",
        "unexpected-request",
    ];
    for name in names {
        let condition = DefinedCondition::from_name(name, None).unwrap();
        assert_eq!(condition.name(), name);
        let err = StanzaError::new(condition);
        assert_eq!(
            StanzaError::try_from(Element::from(err.clone())).unwrap(),
            err
        );
    }
    // RFC 6120 §8.3.3.5: gone and redirect carry the new address.
    let gone = el("<error xmlns='jabber:client' type='cancel'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>\
        xmpp:romeo@afterlife.example.net</gone></error>");
    assert_eq!(
        StanzaError::try_from(gone).unwrap().condition,
        DefinedCondition::Gone(Some("xmpp:romeo@afterlife.example.net".into()))
    );
    assert!(DefinedCondition::from_name("no-such-thing", None).is_none());
}

#[test]
fn stanza_error_problems_are_reported() {
    let no_type = el("<error xmlns='jabber:client'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>");
    assert!(StanzaError::try_from(no_type).is_err());
    let no_condition = el("<error xmlns='jabber:client' type='cancel'/>");
    assert!(matches!(
        StanzaError::try_from(no_condition),
        Err(ParseError::MissingChild { .. })
    ));
    let foreign = el("<error xmlns='urn:other' type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>");
    assert!(matches!(
        StanzaError::try_from(foreign),
        Err(ParseError::WrongElement { .. })
    ));
    let s2s = el("<error xmlns='jabber:server' type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>");
    assert_eq!(
        StanzaError::try_from(s2s).unwrap().condition,
        DefinedCondition::Conflict
    );
    let unknown = el("<error xmlns='jabber:client' type='cancel'><nope xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>");
    assert!(matches!(
        StanzaError::try_from(unknown),
        Err(ParseError::BadContent { .. })
    ));
}

#[test]
fn rfc6121_messages() {
    // RFC 6121 §5.2.5 thread example, and §5.2.3 multiple bodies by language.
    let m = Message::try_from(el("<message xmlns='jabber:client' from='juliet@example.com/balcony' \
        id='ktx72v49' to='romeo@example.net' type='chat' xml:lang='en'>\
        <subject>I implore you!</subject><subject xml:lang='cs'>Úpěnlivě prosím!</subject>\
        <body>Wherefore art thou, Romeo?</body><body xml:lang='cs'>Proč se jmenuješ Romeo?</body>\
        <thread parent='e0ffe42b28561960c6b12b944a092794b9683a38'>0e3141cd80894871a68e6fe6b1ec56fa</thread></message>")).unwrap();
    assert_eq!(m.lang.as_deref(), Some("en"));
    assert_eq!(m.body(), Some("Wherefore art thou, Romeo?"));
    assert_eq!(
        m.bodies[1],
        (Some("cs".into()), "Proč se jmenuješ Romeo?".into())
    );
    assert_eq!(m.subject(), Some("I implore you!"));
    let thread = m.thread.as_ref().unwrap();
    assert_eq!(thread.id, "0e3141cd80894871a68e6fe6b1ec56fa");
    assert_eq!(
        thread.parent.as_deref(),
        Some("e0ffe42b28561960c6b12b944a092794b9683a38")
    );
    assert_eq!(Message::try_from(Element::from(m.clone())).unwrap(), m);
    // §5.2.2: an unknown type is taken as normal.
    let odd = Message::try_from(el("<message xmlns='jabber:client' type='bogus'/>")).unwrap();
    assert_eq!(odd.type_, MessageType::Normal);
    // An error message needs its error.
    assert!(Message::try_from(el("<message xmlns='jabber:client' type='error'/>")).is_err());
    // Bad addresses are errors that name the attribute.
    let err = Message::try_from(el("<message xmlns='jabber:client' to='@bad'/>")).unwrap_err();
    assert!(
        matches!(
            err,
            ParseError::BadAttribute {
                attribute: "to",
                ..
            }
        ),
        "{err}"
    );
    // Other elements are not messages.
    assert!(Message::try_from(el("<message xmlns='urn:other'/>")).is_err());
}

#[test]
fn rfc6121_presences() {
    // RFC 6121 §4.7 example (show, status in two languages, priority).
    let p = Presence::try_from(el("<presence xmlns='jabber:client' from='romeo@example.net/orchard' xml:lang='en'>\
        <show>dnd</show><status>Wooing Juliet</status><status xml:lang='cs'>Dvořím se Julii</status>\
        <priority>1</priority></presence>")).unwrap();
    assert_eq!(p.type_, PresenceType::Available);
    assert_eq!(p.show, Some(Show::Dnd));
    assert_eq!(p.statuses.len(), 2);
    assert_eq!(p.priority, 1);
    assert_eq!(Presence::try_from(Element::from(p.clone())).unwrap(), p);
    // §3.1.1 subscription request.
    let sub = Presence::try_from(el(
        "<presence xmlns='jabber:client' id='xk3h1v69' to='juliet@example.com' type='subscribe'/>",
    ))
    .unwrap();
    assert_eq!(sub.type_, PresenceType::Subscribe);
    // go-sendxmpp's initial presence: an empty <show/> and <status/> mean plain available.
    let empty = Presence::try_from(el(
        "<presence xmlns='jabber:client'><show/><status/></presence>",
    ))
    .unwrap();
    assert_eq!((empty.type_, empty.show), (PresenceType::Available, None));
    for bad in [
        "<presence xmlns='jabber:client' type='bogus'/>",
        "<presence xmlns='jabber:client'><show>sleeping</show></presence>",
        "<presence xmlns='jabber:client'><priority>128</priority></presence>",
        "<presence xmlns='jabber:client'><priority>1</priority><priority>2</priority></presence>",
    ] {
        assert!(Presence::try_from(el(bad)).is_err(), "{bad}");
    }
    assert_eq!(
        Presence::try_from(el(
            "<presence xmlns='jabber:client'><priority>-128</priority></presence>"
        ))
        .unwrap()
        .priority,
        -128
    );
}

#[test]
fn rfc6120_iq_rules() {
    // §8.2.3: id required; get/set exactly one child; result at most one.
    for bad in [
        "<iq xmlns='jabber:client' type='get'><ping xmlns='urn:xmpp:ping'/></iq>",
        "<iq xmlns='jabber:client' id='1'><ping xmlns='urn:xmpp:ping'/></iq>",
        "<iq xmlns='jabber:client' id='1' type='get'/>",
        "<iq xmlns='jabber:client' id='1' type='set'><a xmlns='x'/><b xmlns='x'/></iq>",
        "<iq xmlns='jabber:client' id='1' type='result'><a xmlns='x'/><b xmlns='x'/></iq>",
        "<iq xmlns='jabber:client' id='1' type='error'/>",
        "<iq xmlns='jabber:client' id='1' type='fetch'><a xmlns='x'/></iq>",
    ] {
        assert!(Iq::try_from(el(bad)).is_err(), "{bad}");
    }
    // §7.6.1 bind result.
    let result = Iq::try_from(el("<iq xmlns='jabber:client' id='tn281v37' type='result'>\
        <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>juliet@im.example.com/4db06f06-1ea4-11dc-aca3-000bcd821bfb</jid></bind></iq>")).unwrap();
    assert!(matches!(&result.payload, IqPayload::Result(Some(b)) if b.name() == "bind"));
    let empty = Iq::try_from(el("<iq xmlns='jabber:client' id='1' type='result'/>")).unwrap();
    assert_eq!(empty.payload, IqPayload::Result(None));
    assert_eq!(Iq::try_from(Element::from(result.clone())).unwrap(), result);
    // jabber:server stanzas parse too, and serialize back in their namespace.
    let s2s = el("<iq xmlns='jabber:server' id='1' type='get' from='a.example' to='b.example'><ping xmlns='urn:xmpp:ping'/></iq>");
    let iq = Iq::try_from(s2s.clone()).unwrap();
    assert_eq!(iq.to_element_in("jabber:server"), s2s);
}

#[test]
fn stream_errors() {
    // RFC 6120 §4.9.4 example: an application-specific condition with text.
    let e = el("<stream:error xmlns:stream='http://etherx.jabber.org/streams'>\
        <not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
        <text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>Some special application diagnostic information!</text>\
        <escape-your-data xmlns='http://example.org/ns'/></stream:error>");
    let parsed = StreamError::try_from(e.clone()).unwrap();
    assert_eq!(parsed.condition, StreamErrorCondition::NotWellFormed);
    assert_eq!(
        parsed.text.as_ref().unwrap().1,
        "Some special application diagnostic information!"
    );
    assert!(parsed.app_specific.is_some());
    assert_eq!(Element::from(parsed), e);
    for &condition in StreamErrorCondition::ALL {
        let err = StreamError::new(condition);
        assert_eq!(
            StreamError::try_from(Element::from(err.clone())).unwrap(),
            err
        );
    }
}

#[test]
fn decode_errors_become_stream_errors() {
    let mut decoder = xmppkit_codec::Decoder::new();
    decoder.feed(b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'><!--x-->");
    decoder.next_event().unwrap();
    let err = decoder.next_event().unwrap_err();
    let stream_error = StreamError::from(&err);
    assert_eq!(stream_error.condition, StreamErrorCondition::RestrictedXml);
    assert!(
        stream_error
            .text
            .as_ref()
            .unwrap()
            .1
            .ends_with("at byte 85"),
        "{stream_error:?}"
    );
}

fn arb_jid() -> impl Strategy<Value = xmppkit_jid::Jid> {
    (
        "[a-z]{1,8}",
        "[a-z]{1,8}\\.(com|net)",
        proptest::option::of("[A-Za-z0-9 ]{1,8}"),
    )
        .prop_filter_map("valid", |(n, d, r)| {
            let s = match r {
                Some(r) => format!("{n}@{d}/{}", r.trim()),
                None => format!("{n}@{d}"),
            };
            s.parse().ok()
        })
}

fn arb_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 éü€😀<>&'\"]{0,20}"
}

prop_compose! {
    fn arb_message()(
        from in proptest::option::of(arb_jid()),
        to in proptest::option::of(arb_jid()),
        id in proptest::option::of("[a-z0-9-]{1,12}"),
        type_ in prop_oneof![Just(MessageType::Chat), Just(MessageType::Groupchat), Just(MessageType::Headline), Just(MessageType::Normal)],
        bodies in proptest::collection::vec((proptest::option::of("en|cs|fr"), arb_text()), 0..3),
        thread in proptest::option::of(("[a-f0-9]{4,12}", proptest::option::of("[a-f0-9]{4}"))),
    ) -> Message {
        Message {
            from, to, id, type_, bodies,
            thread: thread.map(|(id, parent)| Thread { id, parent }),
            ..Default::default()
        }
    }
}

prop_compose! {
    fn arb_presence()(
        to in proptest::option::of(arb_jid()),
        type_ in prop_oneof![Just(PresenceType::Available), Just(PresenceType::Unavailable), Just(PresenceType::Subscribe), Just(PresenceType::Probe)],
        show in proptest::option::of(prop_oneof![Just(Show::Away), Just(Show::Chat), Just(Show::Dnd), Just(Show::Xa)]),
        statuses in proptest::collection::vec((proptest::option::of("en|de"), arb_text()), 0..3),
        priority in any::<i8>(),
    ) -> Presence {
        Presence { to, type_, show, statuses, priority, ..Default::default() }
    }
}

/// Through the wire: encode with the codec, decode with the codec, parse.
fn through_the_wire(element: Element) -> Element {
    let mut out = bytes::BytesMut::new();
    let mut encoder = xmppkit_codec::Encoder::new();
    encoder.header(
        &xmppkit_codec::StreamHeader::client("example.com"),
        &mut out,
    );
    encoder.stanza(&element, &mut out);
    let mut decoder = xmppkit_codec::Decoder::new();
    decoder.feed(&out);
    decoder.next_event().unwrap();
    match decoder.next_event().unwrap() {
        Some(xmppkit_codec::Event::Stanza(s)) => s,
        other => panic!("{other:?}"),
    }
}

proptest! {
    #[test]
    fn message_round_trip(m in arb_message()) {
        prop_assert_eq!(Message::try_from(through_the_wire(m.clone().into())).unwrap(), m);
    }

    #[test]
    fn presence_round_trip(p in arb_presence()) {
        prop_assert_eq!(Presence::try_from(through_the_wire(p.clone().into())).unwrap(), p);
    }

    #[test]
    fn iq_round_trip(id in "[a-z0-9]{1,10}", to in proptest::option::of(arb_jid()), kind in 0u8..4, text in arb_text()) {
        let mut query = Element::builder("query", "urn:example").build();
        if !text.is_empty() {
            query.append_text_node(text);
        }
        let iq = Iq::get(id.clone(), to.clone(), query.clone());
        let iq = match kind {
            0 => iq,
            1 => Iq::set(id, to, query),
            2 => iq.result(Some(query)),
            _ => iq.error(StanzaError::new(DefinedCondition::ItemNotFound).with_text("en", "gone")),
        };
        prop_assert_eq!(Iq::try_from(through_the_wire(iq.clone().into())).unwrap(), iq);
    }
}
