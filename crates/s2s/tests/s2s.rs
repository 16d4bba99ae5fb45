//! Server-to-server streams driven against each other in memory: STARTTLS, SASL EXTERNAL with
//! a certificate, dialback with the Authoritative Server's answer, and each refusal RFC 6120 and
//! XEP-0220 name (a bad key, a spoofed `from`, an unknown host, stanzas before authentication).

use minidom::Element;
use xmppkit_s2s::*;

fn config(domain: &str, tls: S2sTls) -> S2sConfig {
    let mut c = S2sConfig::new(domain, DialbackSecret::new(format!("secret of {domain}")));
    c.tls = tls;
    c
}

/// Shuttles bytes; "TLS" starts on both sides when both asked for it, with `certified` the
/// names the receiving side's check of the initiating certificate found.
fn shuttle(out: &mut Initiating, inc: &mut Receiving, certified: &[&str]) {
    let (mut out_tls, mut inc_tls) = (false, false);
    for _ in 0..8 {
        while let Some(b) = out.poll_transmit() {
            inc.handle_input(&b);
        }
        while let Some(b) = inc.poll_transmit() {
            out.handle_input(&b);
        }
        out_tls |= take(out, |e| matches!(e, InitiatingEvent::StartTls));
        inc_tls |= take_in(inc, |e| matches!(e, ReceivingEvent::StartTls));
        if out_tls && inc_tls {
            inc.tls_established(
                certified
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<String>>(),
            );
            out.tls_established();
            (out_tls, inc_tls) = (false, false);
        }
    }
}

fn take(out: &mut Initiating, pred: impl Fn(&InitiatingEvent) -> bool) -> bool {
    let mut kept = Vec::new();
    let mut found = false;
    while let Some(e) = out.poll_event() {
        if !found && pred(&e) {
            found = true;
        } else {
            kept.push(e);
        }
    }
    // Re-queue by driving nothing: tests read the remaining events through `events`.
    EVENTS_OUT.with(|q| q.borrow_mut().extend(kept));
    found
}

fn take_in(inc: &mut Receiving, pred: impl Fn(&ReceivingEvent) -> bool) -> bool {
    let mut kept = Vec::new();
    let mut found = false;
    while let Some(e) = inc.poll_event() {
        if !found && pred(&e) {
            found = true;
        } else {
            kept.push(e);
        }
    }
    EVENTS_IN.with(|q| q.borrow_mut().extend(kept));
    found
}

thread_local! {
    static EVENTS_OUT: std::cell::RefCell<Vec<InitiatingEvent>> = const { std::cell::RefCell::new(Vec::new()) };
    static EVENTS_IN: std::cell::RefCell<Vec<ReceivingEvent>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn out_events() -> Vec<InitiatingEvent> {
    EVENTS_OUT.with(|q| std::mem::take(&mut *q.borrow_mut()))
}

fn in_events() -> Vec<ReceivingEvent> {
    EVENTS_IN.with(|q| std::mem::take(&mut *q.borrow_mut()))
}

fn message(from: &str, to: &str) -> Element {
    format!("<message xmlns='jabber:client' from='{from}' to='{to}'><body>hi</body></message>")
        .parse()
        .unwrap()
}

fn refused(events: &[ReceivingEvent]) -> Option<&'static str> {
    events.iter().find_map(|e| match e {
        ReceivingEvent::Closed(Some(LinkError::ToPeer(e))) => Some(e.condition.name()),
        _ => None,
    })
}

/// Dialback end to end over STARTTLS, with the verify question answered by a.example's own
/// receiving side.
fn dialback_link(key_secret: &str) -> (Initiating, Receiving, Vec<ReceivingEvent>) {
    let mut out = Initiating::new(config("a.example", S2sTls::Required), "b.example");
    let mut inc = Receiving::new(config("b.example", S2sTls::Required), "id-77".into());
    shuttle(&mut out, &mut inc, &[]);
    let events = in_events();
    let Some(ReceivingEvent::VerifyDialback {
        originating,
        receiving,
        stream_id,
        key,
    }) = events.into_iter().next()
    else {
        panic!("no verify request")
    };
    assert_eq!(
        (originating.as_str(), receiving.as_str()),
        ("a.example", "b.example")
    );
    // The authoritative side: a.example with `key_secret`.
    let mut verifier = Initiating::verifier(config("b.example", S2sTls::Off), "a.example");
    let mut authority = Receiving::new(
        S2sConfig {
            tls: S2sTls::Off,
            ..S2sConfig::new("a.example", DialbackSecret::new(key_secret))
        },
        "id-78".into(),
    );
    verifier.verify(&originating, &stream_id, &key);
    shuttle(&mut verifier, &mut authority, &[]);
    let valid = out_events()
        .into_iter()
        .chain(std::iter::from_fn(|| verifier.poll_event()))
        .find_map(|e| match e {
            InitiatingEvent::Verified {
                valid,
                stream_id: id,
                ..
            } if id == stream_id => Some(valid),
            _ => None,
        });
    inc.dialback_result(&originating, &receiving, valid.expect("an answer"));
    shuttle(&mut out, &mut inc, &[]);
    (out, inc, in_events())
}

#[test]
fn dialback_over_starttls_authenticates_and_carries_stanzas() {
    let (mut out, mut inc, events) = dialback_link("secret of a.example");
    assert!(events.contains(&ReceivingEvent::Authenticated {
        domain: "a.example".into()
    }));
    assert!(out_events().contains(&InitiatingEvent::Authenticated));
    out.send(message("juliet@a.example/x", "romeo@b.example"))
        .unwrap();
    shuttle(&mut out, &mut inc, &[]);
    assert_eq!(
        in_events(),
        vec![ReceivingEvent::Stanza(message(
            "juliet@a.example/x",
            "romeo@b.example"
        ))]
    );
}

#[test]
fn a_key_that_does_not_verify_closes_the_stream() {
    let (mut out, _inc, events) = dialback_link("another secret");
    assert!(matches!(
        events.last(),
        Some(ReceivingEvent::Closed(Some(LinkError::DialbackRefused(_))))
    ));
    let closed = out_events().into_iter().any(|e| {
        matches!(e, InitiatingEvent::Closed(Some(LinkError::DialbackRefused(ref why))) if why == "invalid")
    });
    assert!(closed);
    assert!(out
        .send(message("juliet@a.example/x", "romeo@b.example"))
        .is_err());
}

#[test]
fn a_certificate_for_the_domain_authenticates_with_sasl_external() {
    let mut out = Initiating::new(config("a.example", S2sTls::Required), "b.example");
    let mut inc = Receiving::new(config("b.example", S2sTls::Required), "id-1".into());
    shuttle(&mut out, &mut inc, &["a.example"]);
    assert_eq!(
        in_events(),
        vec![ReceivingEvent::Authenticated {
            domain: "a.example".into()
        }]
    );
    assert!(out_events().contains(&InitiatingEvent::Authenticated));
    out.send(message("a.example", "b.example")).unwrap();
    shuttle(&mut out, &mut inc, &["a.example"]);
    assert!(matches!(in_events()[..], [ReceivingEvent::Stanza(_)]));
}

#[test]
fn a_certificate_for_another_domain_falls_back_to_dialback() {
    let mut out = Initiating::new(config("a.example", S2sTls::Required), "b.example");
    let mut inc = Receiving::new(config("b.example", S2sTls::Required), "id-1".into());
    shuttle(&mut out, &mut inc, &["evil.example"]);
    assert!(matches!(
        in_events()[..],
        [ReceivingEvent::VerifyDialback { .. }]
    ));
}

#[test]
fn a_peer_that_claims_another_domain_is_invalid_from() {
    let (_out, mut inc, _) = dialback_link("secret of a.example");
    let _ = out_events();
    // The stream authenticated a.example; a stanza from c.example is spoofed. Written raw, as
    // our own sender would never write it.
    inc.handle_input(
        b"<message from='mallory@c.example' to='romeo@b.example'><body>x</body></message>",
    );
    assert_eq!(refused(&in_events_of(&mut inc)), Some("invalid-from"));
    let sent = String::from_utf8(inc.poll_transmit().unwrap().to_vec()).unwrap();
    assert!(sent.contains("<invalid-from "), "{sent}");
}

fn in_events_of(inc: &mut Receiving) -> Vec<ReceivingEvent> {
    std::iter::from_fn(|| inc.poll_event()).collect()
}

#[test]
fn a_stream_to_a_domain_not_served_is_host_unknown() {
    let mut out = Initiating::new(config("a.example", S2sTls::Off), "c.example");
    let mut inc = Receiving::new(config("b.example", S2sTls::Off), "id-1".into());
    shuttle(&mut out, &mut inc, &[]);
    assert_eq!(refused(&in_events()), Some("host-unknown"));
    assert!(out_events()
        .iter()
        .any(|e| matches!(e, InitiatingEvent::Closed(Some(LinkError::FromPeer(_))))));
}

#[test]
fn stanzas_before_authentication_are_not_authorized() {
    let mut inc = Receiving::new(config("b.example", S2sTls::Off), "id-1".into());
    inc.handle_input(b"<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' from='a.example' to='b.example' version='1.0'><message from='x@a.example' to='y@b.example'/>");
    assert_eq!(refused(&in_events_of(&mut inc)), Some("not-authorized"));
}

#[test]
fn dialback_before_required_tls_is_a_policy_violation() {
    let mut inc = Receiving::new(config("b.example", S2sTls::Required), "id-1".into());
    inc.handle_input(b"<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' xmlns:stream='http://etherx.jabber.org/streams' from='a.example' to='b.example' version='1.0'><db:result from='a.example' to='b.example'>abc</db:result>");
    assert_eq!(refused(&in_events_of(&mut inc)), Some("policy-violation"));
}

#[test]
fn an_initiator_that_requires_tls_leaves_a_server_without_it() {
    let mut out = Initiating::new(config("a.example", S2sTls::Required), "b.example");
    let mut inc = Receiving::new(config("b.example", S2sTls::Off), "id-1".into());
    shuttle(&mut out, &mut inc, &[]);
    assert!(out_events().contains(&InitiatingEvent::Closed(Some(LinkError::TlsRequired))));
}

/// XEP-0185 §3's example, and the authoritative answers of XEP-0220 §2.3 on the wire.
#[test]
fn verify_questions_are_answered_with_the_xep_0185_key() {
    let secret = DialbackSecret::new("s3cr3tf0rd14lb4ck");
    let key = secret.key("xmpp.example.com", "example.org", "D60000229F");
    assert_eq!(
        key,
        "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643"
    );
    let mut authority = Receiving::new(
        S2sConfig {
            tls: S2sTls::Off,
            ..S2sConfig::new("example.org", secret)
        },
        "X".into(),
    );
    authority.handle_input(b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:server' xmlns:db='jabber:server:dialback' to='example.org' from='xmpp.example.com' version='1.0'>");
    let _header = authority.poll_transmit();
    authority.handle_input(b"<db:verify from='xmpp.example.com' id='D60000229F' to='example.org'>37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643</db:verify>");
    let answer = String::from_utf8(authority.poll_transmit().unwrap().to_vec()).unwrap();
    assert!(
        answer.contains("type='valid'") && answer.contains("id='D60000229F'"),
        "{answer}"
    );
    assert!(
        answer.contains("from='example.org'") && answer.contains("to='xmpp.example.com'"),
        "{answer}"
    );
    authority.handle_input(
        b"<db:verify from='xmpp.example.com' id='D60000229F' to='example.org'>0000</db:verify>",
    );
    let answer = String::from_utf8(authority.poll_transmit().unwrap().to_vec()).unwrap();
    assert!(answer.contains("type='invalid'"), "{answer}");
}

/// RFC 2782 / XEP-0368 ordering: priority first, direct TLS first on a tie, weights share the
/// first place, `.` withdraws a service.
#[test]
fn srv_candidates_follow_priority_weight_and_direct_tls() {
    let srv = |priority, weight, port, target: &str| SrvRecord {
        priority,
        weight,
        port,
        target: target.into(),
    };
    let xmpps = [srv(10, 0, 5270, "tls.example.org.")];
    let xmpp = [
        srv(10, 0, 5269, "plain.example.org."),
        srv(5, 0, 5269, "first.example.org."),
    ];
    let found = candidates("example.org", &xmpps, &xmpp, &mut || 0);
    let hosts: Vec<_> = found
        .iter()
        .map(|c| (c.host.as_str(), c.direct_tls))
        .collect();
    assert_eq!(
        hosts,
        vec![
            ("first.example.org", false),
            ("tls.example.org", true),
            ("plain.example.org", false)
        ]
    );
    // Weights: with a random number past the first record's share, the second goes first.
    let heavy = [srv(1, 1, 1, "light"), srv(1, 9, 2, "heavy")];
    assert_eq!(candidates("d", &[], &heavy, &mut || 5)[0].host, "heavy");
    assert_eq!(candidates("d", &[], &heavy, &mut || 1)[0].host, "light");
    // "." alone: the service is not offered (no fallback to the domain).
    assert!(candidates("d", &[], &[srv(0, 0, 0, ".")], &mut || 0).is_empty());
}

/// XEP-0368: TLS from the first byte, so no STARTTLS step; the certificate, given before the
/// first bytes, proves the domain for SASL EXTERNAL.
#[test]
fn direct_tls_skips_starttls_and_authenticates_with_the_certificate() {
    let mut out_config = config("a.example", S2sTls::Required);
    out_config.direct_tls = true;
    let mut in_config = config("b.example", S2sTls::Required);
    in_config.direct_tls = true;
    let mut out = Initiating::new(out_config, "b.example");
    let mut inc =
        Receiving::new(in_config, "id-9".into()).with_certificate(vec!["a.example".to_string()]);
    let header = String::from_utf8(out.poll_transmit().unwrap().to_vec()).unwrap();
    inc.handle_input(header.as_bytes());
    let features = String::from_utf8(inc.poll_transmit().unwrap().to_vec()).unwrap();
    assert!(!features.contains("starttls"), "{features}");
    assert!(
        features.contains("<mechanism>EXTERNAL</mechanism>"),
        "{features}"
    );
    out.handle_input(features.as_bytes());
    shuttle(&mut out, &mut inc, &[]);
    assert!(in_events().contains(&ReceivingEvent::Authenticated {
        domain: "a.example".into()
    }));
    assert!(out_events().contains(&InitiatingEvent::Authenticated));
}

/// XEP-0288: once the pair is authenticated, the receiving side sends back on the same stream,
/// only from its domain to the initiating one; the initiating side refuses anything else.
#[test]
fn a_bidirectional_stream_carries_the_inverse_pair_only() {
    let (mut out, mut inc, events) = dialback_link("secret of a.example");
    let _ = out_events();
    assert!(out.is_bidirectional());
    assert!(events.contains(&ReceivingEvent::Reverse {
        local: "b.example".into(),
        remote: "a.example".into()
    }));
    inc.send(message("romeo@b.example/x", "juliet@a.example"))
        .unwrap();
    // Not a pair of this stream: handed back, nothing written.
    let other = message("romeo@b.example/x", "tybalt@c.example");
    assert_eq!(inc.send(other.clone()), Err(other));
    shuttle(&mut out, &mut inc, &[]);
    assert_eq!(
        out_events(),
        vec![InitiatingEvent::Stanza(message(
            "romeo@b.example/x",
            "juliet@a.example"
        ))]
    );
    // A forged stanza back, from a domain the stream never authenticated.
    out.handle_input(
        b"<message from='mallory@c.example' to='juliet@a.example'><body>x</body></message>",
    );
    let closed = std::iter::from_fn(|| out.poll_event()).any(|e| {
        matches!(e, InitiatingEvent::Closed(Some(LinkError::ToPeer(ref e))) if e.condition.name() == "invalid-from")
    });
    assert!(closed);
}

#[test]
fn without_bidi_nothing_goes_back() {
    let mut out_config = config("a.example", S2sTls::Off);
    out_config.bidi = false;
    let mut out = Initiating::new(out_config, "b.example");
    let mut inc = Receiving::new(config("b.example", S2sTls::Off), "id-1".into());
    shuttle(&mut out, &mut inc, &[]);
    let Some(ReceivingEvent::VerifyDialback {
        originating,
        receiving,
        ..
    }) = in_events().into_iter().next()
    else {
        panic!()
    };
    inc.dialback_result(&originating, &receiving, true);
    shuttle(&mut out, &mut inc, &[]);
    assert!(!out.is_bidirectional());
    assert!(!in_events()
        .iter()
        .any(|e| matches!(e, ReceivingEvent::Reverse { .. })));
    let back = message("romeo@b.example/x", "juliet@a.example");
    assert_eq!(inc.send(back.clone()), Err(back));
}

/// XEP-0220 §3: another of our domains authenticated on the same stream with its own key; a
/// domain whose key does not verify is refused with `<forbidden/>` while the stream and its
/// other pairs go on (§2.4: there are other valid pairs).
#[test]
fn another_sender_domain_is_multiplexed_on_the_stream() {
    let (mut out, mut inc, _) = dialback_link("secret of a.example");
    let _ = out_events();
    out.add_sender("conference.a.example");
    out.add_sender("evil.example");
    shuttle(&mut out, &mut inc, &[]);
    let asked: Vec<_> = in_events()
        .into_iter()
        .filter_map(|e| match e {
            ReceivingEvent::VerifyDialback {
                originating,
                receiving,
                stream_id,
                key,
            } => Some((originating, receiving, stream_id, key)),
            _ => None,
        })
        .collect();
    assert_eq!(asked.len(), 2);
    let authority = S2sConfig {
        domains: vec!["a.example".into(), "conference.a.example".into()],
        tls: S2sTls::Off,
        ..S2sConfig::new("a.example", DialbackSecret::new("secret of a.example"))
    };
    for (originating, receiving, stream_id, key) in asked {
        let valid = authority.domains.contains(&originating)
            && authority
                .secret
                .verifies(&key, &receiving, &originating, &stream_id);
        inc.dialback_result(&originating, &receiving, valid);
    }
    shuttle(&mut out, &mut inc, &[]);
    let events = out_events();
    assert!(
        events.contains(&InitiatingEvent::SenderAdded {
            domain: "conference.a.example".into()
        }),
        "{events:?}"
    );
    assert!(
        events.contains(&InitiatingEvent::SenderRefused {
            domain: "evil.example".into(),
            why: "forbidden".into()
        }),
        "{events:?}"
    );
    out.send(message(
        "lobby@conference.a.example/alice",
        "romeo@b.example",
    ))
    .unwrap();
    let refused = message("x@evil.example", "romeo@b.example");
    assert_eq!(out.send(refused.clone()), Err(refused));
    shuttle(&mut out, &mut inc, &[]);
    let events = in_events();
    assert!(events.contains(&ReceivingEvent::Authenticated {
        domain: "conference.a.example".into()
    }));
    assert!(
        matches!(events.last(), Some(ReceivingEvent::Stanza(_))),
        "{events:?}"
    );
}

/// XEP-0344 §2.4: a dialback key whose domain the TLS certificate already proves is accepted
/// without asking the authoritative server (the peer chose dialback, e.g. for another reason
/// than its certificate).
#[test]
fn a_dialback_key_the_certificate_proves_needs_no_verification() {
    let mut inc = Receiving::new(config("b.example", S2sTls::Required), "id-5".into());
    inc.handle_input(b"<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' xmlns:stream='http://etherx.jabber.org/streams' from='a.example' to='b.example' version='1.0'><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    assert!(in_events_of(&mut inc).contains(&ReceivingEvent::StartTls));
    inc.tls_established(vec!["a.example".to_string()]);
    inc.handle_input(b"<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' xmlns:stream='http://etherx.jabber.org/streams' from='a.example' to='b.example' version='1.0'><db:result from='a.example' to='b.example'>anything</db:result>");
    let events = in_events_of(&mut inc);
    assert!(
        events.contains(&ReceivingEvent::Authenticated {
            domain: "a.example".into()
        }),
        "{events:?}"
    );
    assert!(!events
        .iter()
        .any(|e| matches!(e, ReceivingEvent::VerifyDialback { .. })));
    let mut out = Vec::new();
    while let Some(b) = inc.poll_transmit() {
        out.extend_from_slice(&b);
    }
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("<db:result from='b.example' to='a.example' type='valid'/>"),
        "{out}"
    );
}
