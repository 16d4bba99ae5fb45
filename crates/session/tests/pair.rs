//! Client and server sessions driven against each other in memory, for every negotiation path and
//! failure, with the same results under random chunking of every byte stream.

mod common;
use common::*;
use minidom::Element;
use proptest::prelude::*;
use std::time::Duration;
use xmppkit_session::bind::ConflictPolicy;
use xmppkit_session::*;
use xmppkit_stanza::{
    DefinedCondition, ErrorType, Iq, IqPayload, Message, StanzaError, StreamError,
    StreamErrorCondition,
};

fn el(s: &str) -> Element {
    s.parse().unwrap()
}

fn login(client: ClientConfig, server: ServerConfig) -> Pair {
    let mut pair = Pair::new(client, server);
    pair.drive();
    pair
}

fn mechanism(pair: &Pair) -> Option<&'static str> {
    pair.client_events.iter().find_map(|e| match e {
        ClientEvent::Authenticated { mechanism } => Some(*mechanism),
        _ => None,
    })
}

fn assert_online(pair: &Pair, jid: &str) {
    assert!(
        pair.client.is_online(),
        "client not online: {:?} / {:?}",
        pair.client_events,
        pair.server_events
    );
    assert_eq!(pair.client.jid().unwrap().to_string(), jid);
    assert_eq!(pair.server.jid().unwrap().to_string(), jid);
    assert!(pair.server_events.contains(&ServerEvent::Online {
        jid: jid.parse().unwrap()
    }));
}

#[test]
fn starttls_then_scram_sha_256_then_bind() {
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Required);
    client.resource = Some("balcony".into());
    let pair = login(client, server_config(ServerTls::Required));
    assert_online(&pair, "juliet@example.com/balcony");
    assert_eq!(pair.client_events[0], ClientEvent::StartTls);
    assert_eq!(mechanism(&pair), Some("SCRAM-SHA-256"));
    assert!(pair.server_events.contains(&ServerEvent::StartTls));
}

#[test]
fn each_mechanism() {
    for (offered, expected) in [
        (vec!["SCRAM-SHA-1"], "SCRAM-SHA-1"),
        (vec!["PLAIN"], "PLAIN"),
        (
            vec!["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"],
            "SCRAM-SHA-256",
        ),
    ] {
        let mut server = server_config(ServerTls::Required);
        server.mechanisms = offered;
        let pair = login(
            client_config("romeo", "jul13t", TlsPolicy::Required),
            server,
        );
        assert_eq!(mechanism(&pair), Some(expected));
        assert!(pair.client.is_online());
        // Without a requested resource, the server chose one.
        assert!(pair
            .client
            .jid()
            .unwrap()
            .to_string()
            .starts_with("romeo@example.com/"));
    }
}

#[test]
fn client_mechanism_preference_is_honoured() {
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Required);
    client.mechanisms = vec!["SCRAM-SHA-1"];
    let pair = login(client, server_config(ServerTls::Required));
    assert_eq!(mechanism(&pair), Some("SCRAM-SHA-1"));
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Required);
    client.mechanisms = vec!["PLAIN", "SCRAM-SHA-256"];
    let pair = login(client, server_config(ServerTls::Required));
    assert_eq!(mechanism(&pair), Some("PLAIN"));
}

#[test]
fn plain_is_never_used_in_the_clear_unless_allowed() {
    let mut server = server_config(ServerTls::Unavailable);
    server.mechanisms = vec!["PLAIN"];
    server.allow_plain_without_tls = true;
    let pair = login(
        client_config("juliet", "r0m30", TlsPolicy::Opportunistic),
        server.clone(),
    );
    assert!(
        matches!(pair.client_failure(), Some(SessionError::NoCommonMechanism { offered }) if offered == &["PLAIN"])
    );
    assert!(!pair.client.is_online());

    let mut client = client_config("juliet", "r0m30", TlsPolicy::Opportunistic);
    client.allow_plain_without_tls = true;
    let pair = login(client, server);
    assert_eq!(mechanism(&pair), Some("PLAIN"));
    assert!(pair.client.is_online());
}

#[test]
fn server_does_not_offer_plain_in_the_clear() {
    let mut server = server_config(ServerTls::Unavailable);
    server.mechanisms = vec!["PLAIN"];
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Off);
    client.allow_plain_without_tls = true;
    let pair = login(client, server);
    assert!(
        matches!(pair.client_failure(), Some(SessionError::NoCommonMechanism { offered }) if offered.is_empty())
    );
}

#[test]
fn wrong_password_is_not_authorized() {
    for mechanisms in [vec!["SCRAM-SHA-256"], vec!["SCRAM-SHA-1"], vec!["PLAIN"]] {
        let mut server = server_config(ServerTls::Required);
        server.mechanisms = mechanisms.clone();
        let pair = login(
            client_config("juliet", "wrong", TlsPolicy::Required),
            server,
        );
        assert!(
            matches!(pair.client_failure(), Some(SessionError::AuthFailed { condition, .. }) if condition == "not-authorized"),
            "{mechanisms:?}: {:?}",
            pair.client_events
        );
        assert!(pair.server.jid().is_none());
    }
    // An unknown user fails the same way (no user enumeration).
    let pair = login(
        client_config("mercutio", "r0m30", TlsPolicy::Required),
        server_config(ServerTls::Required),
    );
    assert!(
        matches!(pair.client_failure(), Some(SessionError::AuthFailed { condition, .. }) if condition == "not-authorized")
    );
}

/// Accounts that cannot be read (a database that is down).
struct Unavailable;

impl CredentialStore for Unavailable {
    fn scram_keys(
        &self,
        _: &str,
        _: xmppkit_session::scram::ScramHash,
    ) -> Result<Option<xmppkit_session::scram::ScramKeys>, CredentialError> {
        Err(CredentialError::Unavailable("connection refused".into()))
    }
}

#[test]
fn accounts_that_cannot_be_read_are_a_temporary_auth_failure() {
    // RFC 6120 §6.5.12: not `not-authorized` (the password may be right), and the attempt is
    // not counted as a failed one.
    for mechanisms in [vec!["SCRAM-SHA-256"], vec!["SCRAM-SHA-1"], vec!["PLAIN"]] {
        let mut server = server_config(ServerTls::Required);
        server.mechanisms = mechanisms.clone();
        let mut pair = Pair::with_credentials(
            client_config("juliet", "r0m30", TlsPolicy::Required),
            server,
            std::sync::Arc::new(Unavailable),
        );
        pair.drive();
        assert!(
            matches!(pair.client_failure(), Some(SessionError::AuthFailed { condition, .. }) if condition == "temporary-auth-failure"),
            "{mechanisms:?}: {:?}",
            pair.client_events
        );
        assert!(pair.server.jid().is_none());
        assert!(pair
            .server_events
            .iter()
            .any(|e| matches!(e, ServerEvent::CredentialsUnavailable(_))));
        assert!(!pair
            .server_events
            .iter()
            .any(|e| matches!(e, ServerEvent::AuthFailed { .. })));
    }
}

/// The lookup as an effect out and a result in: the exchange waits at it, then goes on.
fn deferred_login(mechanism: &'static str, password: &str) -> Pair {
    let mut server = server_config(ServerTls::Required);
    server.mechanisms = vec![mechanism];
    server.deferred_credentials = true;
    let mut pair = Pair::new(
        client_config("juliet", password, TlsPolicy::Required),
        server,
    );
    pair.drive();
    let asked: Vec<_> = pair
        .server_events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::CredentialsNeeded { username, hash } => Some((username.clone(), *hash)),
            _ => None,
        })
        .collect();
    let expected = match mechanism {
        "SCRAM-SHA-1" => xmppkit_session::scram::ScramHash::Sha1,
        _ => xmppkit_session::scram::ScramHash::Sha256,
    };
    assert_eq!(asked, [("juliet".to_owned(), expected)], "{mechanism}");
    // Nothing more happens until the answer comes.
    assert!(!pair.client.is_online());
    assert!(pair.server.jid().is_none());
    let keys = users().scram_keys("juliet", expected);
    pair.server.credentials_loaded(keys, pair.now);
    pair.drive();
    pair
}

#[test]
fn deferred_credentials_wait_for_the_application() {
    for name in ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"] {
        let pair = deferred_login(name, "r0m30");
        assert_online(&pair, "juliet@example.com/rnd1");
        assert_eq!(mechanism(&pair), Some(name));
        let pair = deferred_login(name, "wrong");
        assert!(
            matches!(pair.client_failure(), Some(SessionError::AuthFailed { condition, .. }) if condition == "not-authorized"),
            "{name}: {:?}",
            pair.client_events
        );
    }
    // A store failure brought in is a temporary failure; an answer nobody waits for is ignored.
    let mut server = server_config(ServerTls::Required);
    server.deferred_credentials = true;
    let mut pair = Pair::new(
        client_config("juliet", "r0m30", TlsPolicy::Required),
        server,
    );
    pair.drive();
    pair.server.credentials_loaded(
        Err(CredentialError::Unavailable("timeout".into())),
        pair.now,
    );
    pair.drive();
    assert!(
        matches!(pair.client_failure(), Some(SessionError::AuthFailed { condition, .. }) if condition == "temporary-auth-failure")
    );
    pair.server.credentials_loaded(Ok(None), pair.now);
    pair.drive();
    assert!(pair.server.jid().is_none());
}

#[test]
fn tls_required_but_not_offered() {
    let pair = login(
        client_config("juliet", "r0m30", TlsPolicy::Required),
        server_config(ServerTls::Unavailable),
    );
    assert_eq!(pair.client_failure(), Some(&SessionError::TlsRequired));
    // Opportunistic goes on without it.
    let pair = login(
        client_config("juliet", "r0m30", TlsPolicy::Opportunistic),
        server_config(ServerTls::Unavailable),
    );
    assert!(pair.client.is_online());
}

#[test]
fn server_requiring_tls_refuses_auth_in_the_clear() {
    // A client that ignores the required STARTTLS gets no mechanisms at all.
    let pair = login(
        client_config("juliet", "r0m30", TlsPolicy::Off),
        server_config(ServerTls::Required),
    );
    assert!(matches!(
        pair.client_failure(),
        Some(SessionError::NoCommonMechanism { .. })
    ));
}

#[test]
fn bind_conflict_policies() {
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Required);
    client.resource = Some("balcony".into());
    // Refuse.
    let mut pair = Pair::new(client.clone(), server_config(ServerTls::Required));
    pair.taken = vec!["balcony".into()];
    pair.policy = ConflictPolicy::Refuse;
    pair.drive();
    match pair.client_failure() {
        Some(SessionError::BindFailed(e)) => {
            assert_eq!(e.condition, DefinedCondition::Conflict);
            assert_eq!(e.type_, ErrorType::Cancel);
        }
        other => panic!("{other:?}"),
    }
    // Replace: the new session gets the resource (closing the old one is the router's job).
    let mut pair = Pair::new(client.clone(), server_config(ServerTls::Required));
    pair.taken = vec!["balcony".into()];
    pair.policy = ConflictPolicy::Replace;
    pair.drive();
    assert_online(&pair, "juliet@example.com/balcony");
    // Random suffix.
    let mut pair = Pair::new(client, server_config(ServerTls::Required));
    pair.taken = vec!["balcony".into()];
    pair.policy = ConflictPolicy::RandomSuffix;
    pair.drive();
    assert_online(&pair, "juliet@example.com/balcony.rnd1");
}

#[test]
fn invalid_resource_gets_bad_request() {
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Required);
    // Valid XML, but private-use characters are prohibited by resourceprep.
    client.resource = Some("bal\u{E000}cony".into());
    let mut pair = Pair::new(client, server_config(ServerTls::Required));
    pair.drive();
    match pair.client_failure() {
        Some(SessionError::BindFailed(e)) => assert_eq!(e.condition, DefinedCondition::BadRequest),
        other => panic!("{other:?} {:?}", pair.client_events),
    }
}

fn online_pair() -> Pair {
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Required);
    client.resource = Some("balcony".into());
    let pair = login(client, server_config(ServerTls::Required));
    assert!(pair.client.is_online());
    pair
}

#[test]
fn stanzas_flow_and_from_is_stamped() {
    let mut pair = online_pair();
    // A forged from is overwritten with the session's full JID (RFC 6120 §8.1.2.1).
    pair.client
        .send(el("<message xmlns='jabber:client' to='romeo@example.com' from='tybalt@example.com' type='chat'><body>hi</body></message>"))
        .unwrap();
    pair.drive();
    let stanzas = pair.server_stanzas();
    assert_eq!(stanzas.len(), 1);
    assert_eq!(stanzas[0].attr("from"), Some("juliet@example.com/balcony"));
    assert_eq!(stanzas[0].attr("to"), Some("romeo@example.com"));
    // Server to client.
    let message: Element =
        Message::chat("juliet@example.com/balcony".parse().unwrap(), "hello").into();
    pair.server.send(message.clone());
    pair.drive();
    assert_eq!(pair.client_stanzas(), vec![&message]);
}

#[test]
fn bad_stanzas_get_stanza_errors() {
    let mut pair = online_pair();
    pair.client
        .send(el(
            "<message xmlns='jabber:client' to='@@bad' id='m1'><body>x</body></message>",
        ))
        .unwrap();
    pair.client
        .send(el("<iq xmlns='jabber:client' type='get' id='q1'/>"))
        .unwrap();
    pair.client
        .send(el(
            "<presence xmlns='jabber:client' type='sleeping' id='p1'/>",
        ))
        .unwrap();
    pair.drive();
    assert!(
        pair.server_stanzas().is_empty(),
        "nothing invalid is routed"
    );
    let errors: Vec<(String, DefinedCondition)> = pair
        .client_stanzas()
        .iter()
        .map(|s| {
            assert_eq!(s.attr("type"), Some("error"));
            assert_eq!(s.attr("to"), Some("juliet@example.com/balcony"));
            let e = StanzaError::try_from(s.get_child("error", "jabber:client").unwrap().clone())
                .unwrap();
            (s.attr("id").unwrap().to_owned(), e.condition)
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("m1".into(), DefinedCondition::JidMalformed),
            ("q1".into(), DefinedCondition::BadRequest),
            ("p1".into(), DefinedCondition::BadRequest),
        ]
    );
    assert!(
        pair.client.is_online(),
        "stanza errors do not end the stream"
    );
}

#[test]
fn stanza_before_authentication_is_not_authorized() {
    let mut pair = Pair::new(
        client_config("juliet", "r0m30", TlsPolicy::Off),
        server_config(ServerTls::Unavailable),
    );
    // The client's header, then a raw message before any SASL.
    while let Some(b) = pair.client.poll_transmit() {
        pair.server.handle_input(&b, pair.now);
    }
    pair.server.handle_input(
        b"<message to='romeo@example.com'><body>sneaky</body></message>",
        pair.now,
    );
    let mut out = Vec::new();
    while let Some(b) = pair.server.poll_transmit() {
        out.extend_from_slice(&b);
    }
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("<not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"),
        "{out}"
    );
    assert!(out.ends_with("</stream:stream>"));
    assert!(matches!(
        pair.server.poll_event(),
        Some(ServerEvent::Failed(SessionError::Protocol(_)))
    ));
}

#[test]
fn iq_response_and_timeout() {
    let mut pair = online_pair();
    let query = el("<query xmlns='jabber:iq:version'/>");
    let id = pair
        .client
        .send_iq(
            Iq::get("", Some("example.com".parse().unwrap()), query.clone()),
            pair.now,
        )
        .unwrap();
    pair.drive();
    // The server application answers.
    let request = Iq::try_from(pair.server_stanzas()[0].clone()).unwrap();
    assert_eq!(request.id, id);
    let result: Element = request
        .result(Some(el(
            "<query xmlns='jabber:iq:version'><name>xmppkit</name></query>",
        )))
        .into();
    pair.server.send(result);
    pair.drive();
    match pair.client_events.last() {
        Some(ClientEvent::IqResponse(Iq {
            id: got,
            payload: IqPayload::Result(Some(q)),
            ..
        })) => {
            assert_eq!(got, &id);
            assert_eq!(
                q.get_child("name", "jabber:iq:version").unwrap().text(),
                "xmppkit"
            );
        }
        other => panic!("{other:?}"),
    }
    // Unanswered: a timeout event after the configured 30 s, not before.
    let id2 = pair
        .client
        .send_iq(Iq::get("", None, query), pair.now)
        .unwrap();
    pair.drive();
    pair.advance(Duration::from_secs(29));
    assert!(!pair
        .client_events
        .iter()
        .any(|e| matches!(e, ClientEvent::IqTimeout { .. })));
    pair.advance(Duration::from_secs(1));
    assert!(pair
        .client_events
        .contains(&ClientEvent::IqTimeout { id: id2.clone() }));
    // A late answer is then just a stanza, not a second response.
    let late: Element = Iq {
        from: None,
        to: Some("juliet@example.com/balcony".parse().unwrap()),
        id: id2,
        lang: None,
        payload: IqPayload::Result(None),
    }
    .into();
    pair.server.send(late);
    pair.drive();
    assert!(matches!(
        pair.client_events.last(),
        Some(ClientEvent::Stanza(_))
    ));
}

#[test]
fn idle_client_pings_and_fails_when_unanswered() {
    let mut pair = online_pair();
    let ping_at = pair.client.poll_timeout().unwrap();
    assert_eq!(ping_at, pair.now + Duration::from_secs(60));
    pair.advance(Duration::from_secs(60));
    let ping = pair
        .server_stanzas()
        .last()
        .copied()
        .cloned()
        .expect("a ping reached the server");
    assert!(ping.has_child("ping", "urn:xmpp:ping"));
    // Answered: the session stays up and the answer is not surfaced.
    let reply: Element = Iq::try_from(ping).unwrap().result(None).into();
    pair.server.send(reply);
    pair.drive();
    assert!(pair.client.is_online());
    assert!(!pair
        .client_events
        .iter()
        .any(|e| matches!(e, ClientEvent::IqResponse(_))));
    // Next ping unanswered: the client gives up with a timeout.
    pair.advance(Duration::from_secs(60));
    pair.advance(Duration::from_secs(30));
    assert_eq!(
        pair.client_failure(),
        Some(&SessionError::Timeout("a ping answer"))
    );
    assert!(!pair.client.is_online());
}

#[test]
fn client_answers_server_pings() {
    let mut pair = online_pair();
    pair.server.send(el("<iq xmlns='jabber:client' type='get' id='s1' to='juliet@example.com/balcony' from='example.com'><ping xmlns='urn:xmpp:ping'/></iq>"));
    pair.drive();
    let answer = pair.server_stanzas().last().copied().cloned().unwrap();
    assert_eq!(answer.attr("type"), Some("result"));
    assert_eq!(answer.attr("id"), Some("s1"));
    assert!(pair.client_stanzas().is_empty());
}

#[test]
fn stream_errors_both_ways() {
    // Server to client: conflict (another session took the resource).
    let mut pair = online_pair();
    pair.server
        .close_with_error(StreamError::new(StreamErrorCondition::Conflict));
    pair.drive();
    assert!(
        matches!(pair.client_failure(), Some(SessionError::Stream(e)) if e.condition == StreamErrorCondition::Conflict)
    );
    // see-other-host is surfaced with the host.
    let mut pair = online_pair();
    pair.server
        .close_with_error(StreamError::see_other_host("other.example.com:5222"));
    pair.drive();
    assert!(pair
        .client_events
        .contains(&ClientEvent::SeeOtherHost("other.example.com:5222".into())));
    // Client to server: XML the codec refuses.
    let mut pair = online_pair();
    pair.server
        .handle_input(b"<message><!-- no --></message>", pair.now);
    pair.drive();
    assert!(
        matches!(pair.server_failure(), Some(SessionError::Decode(e)) if e.condition() == StreamErrorCondition::RestrictedXml)
    );
    assert!(
        matches!(pair.client_failure(), Some(SessionError::Stream(e)) if e.condition == StreamErrorCondition::RestrictedXml)
    );
}

#[test]
fn clean_close_both_ways() {
    let mut pair = online_pair();
    pair.client.close(pair.now);
    pair.drive();
    assert!(pair.server_events.contains(&ServerEvent::Closed));
    assert_eq!(pair.client_events.last(), Some(&ClientEvent::Closed));
    let mut pair = online_pair();
    pair.server.close(pair.now);
    pair.drive();
    assert_eq!(pair.client_events.last(), Some(&ClientEvent::Closed));
    assert_eq!(pair.server_events.last(), Some(&ServerEvent::Closed));
}

#[test]
fn negotiation_timeout() {
    // The server application never answers the bind request: with RFC 6120 binding the client
    // waits for the bind result, with SASL2 and Bind 2 for the success that carries it.
    for (sasl2, step) in [(false, "resource binding"), (true, "authentication")] {
        let mut client = client_config("juliet", "r0m30", TlsPolicy::Required);
        client.sasl2 = sasl2;
        let mut pair = Pair::new(client, server_config(ServerTls::Required));
        pair.auto_bind = false;
        pair.drive();
        pair.advance(Duration::from_secs(31));
        assert_eq!(pair.client_failure(), Some(&SessionError::Timeout(step)));
        assert_eq!(
            pair.server_failure(),
            Some(&SessionError::Timeout("stream negotiation"))
        );
    }
}

#[test]
fn too_many_failed_attempts_close_the_stream() {
    // Drive the server by hand: three wrong PLAIN attempts.
    let mut server = server_config(ServerTls::Unavailable);
    server.allow_plain_without_tls = true;
    let mut pair = Pair::new(client_config("juliet", "r0m30", TlsPolicy::Off), server);
    while let Some(b) = pair.client.poll_transmit() {
        pair.server.handle_input(&b, pair.now);
    }
    for _ in 0..3 {
        pair.server.handle_input(b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAB3cm9uZw==</auth>", pair.now);
    }
    let mut out = Vec::new();
    while let Some(b) = pair.server.poll_transmit() {
        out.extend_from_slice(&b);
    }
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out.matches("<not-authorized/>").count(), 3, "{out}");
    assert!(out.contains("<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"));
}

#[test]
fn the_configured_stanza_limit_ends_the_stream_with_policy_violation() {
    let mut server = server_config(ServerTls::Unavailable);
    server.allow_plain_without_tls = true;
    server.limits.max_stanza_bytes = 1000;
    let mut pair = Pair::new(client_config("juliet", "r0m30", TlsPolicy::Off), server);
    pair.drive();
    let small = "<message xmlns='jabber:client' to='romeo@example.com'><body>hi</body></message>";
    pair.server.handle_input(small.as_bytes(), pair.now);
    assert!(pair.server_failure().is_none());
    let big = format!(
        "<message xmlns='jabber:client' to='romeo@example.com'><body>{}</body></message>",
        "x".repeat(2000)
    );
    pair.server.handle_input(big.as_bytes(), pair.now);
    let mut out = Vec::new();
    while let Some(b) = pair.server.poll_transmit() {
        out.extend_from_slice(&b);
    }
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"),
        "{out}"
    );
}

fn scenario(chunks: Vec<usize>) -> (Vec<ClientEvent>, Vec<ServerEvent>) {
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Required);
    client.resource = Some("balcony".into());
    let mut pair = Pair::new(client, server_config(ServerTls::Required));
    pair.chunks = chunks;
    pair.drive();
    pair.client
        .send(el(
            "<message xmlns='jabber:client' to='romeo@example.com'><body>héllo ✓</body></message>",
        ))
        .unwrap();
    pair.server.send(el(
        "<presence xmlns='jabber:client' from='romeo@example.com/orchard'/>",
    ));
    pair.drive();
    pair.client.close(pair.now);
    pair.drive();
    (pair.client_events, pair.server_events)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The whole life of a session gives the same events however the bytes are cut.
    #[test]
    fn same_events_under_any_chunking(chunks in proptest::collection::vec(1usize..64, 1..8)) {
        let whole = scenario(vec![usize::MAX]);
        let online = whole.0.iter().any(|e| matches!(e, ClientEvent::Online { .. }));
        prop_assert!(online);
        prop_assert_eq!(scenario(chunks), whole);
    }
}
