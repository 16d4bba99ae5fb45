//! XEP-0198 stream management between our client and server sessions: enabling, acknowledgement
//! requests by count and by time, the handled-count-too-high error, resumption with replay both
//! ways, failed resumption with the exact set of possibly lost stanzas, detached sessions that
//! expire, and a property test that cuts the connection anywhere (also inside a stanza).

mod common;
use common::*;
use minidom::Element;
use proptest::prelude::*;
use std::time::Duration;
use xmppkit_session::*;
use xmppkit_sm::{Nonza, SmConfig};
use xmppkit_stanza::{DefinedCondition, Message, StreamErrorCondition};

fn sm_config(request_every: u32) -> SmConfig {
    SmConfig {
        request_every,
        ..SmConfig::default()
    }
}

/// A logged-in pair with stream management on both sides (TLS off to keep the bytes readable).
fn online(request_every: u32) -> Pair {
    online_with(request_every, |_| {}, |_| {})
}

/// Like [`online`], with changes to either configuration (the login path chosen, for instance).
fn online_with(
    request_every: u32,
    client_change: impl FnOnce(&mut ClientConfig),
    server_change: impl FnOnce(&mut ServerConfig),
) -> Pair {
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Off);
    client.resource = Some("balcony".into());
    client.stream_management = Some(sm_config(request_every));
    let mut server = server_config(ServerTls::Unavailable);
    server.stream_management = Some(sm_config(request_every));
    client_change(&mut client);
    server_change(&mut server);
    let mut pair = Pair::new(client, server);
    pair.drive();
    assert!(pair.client.is_online(), "{:?}", pair.client_events);
    pair
}

fn msg(from_client: bool, i: usize) -> Element {
    let (to, body) = if from_client {
        ("romeo@example.com", format!("c{i}"))
    } else {
        ("juliet@example.com/balcony", format!("s{i}"))
    };
    Message::chat(to.parse().unwrap(), body).into()
}

fn body(e: &Element) -> String {
    e.get_child("body", "jabber:client")
        .map(|b| b.text())
        .unwrap_or_default()
}

fn bodies<'a>(elements: impl IntoIterator<Item = &'a Element>) -> Vec<String> {
    elements
        .into_iter()
        .map(body)
        .filter(|b| !b.is_empty())
        .collect()
}

/// The bodies reported as unacknowledged by the client.
fn client_unacked_events(pair: &Pair) -> Vec<String> {
    bodies(pair.client_events.iter().flat_map(|e| match e {
        ClientEvent::Unacknowledged(v) => v.as_slice(),
        _ => &[],
    }))
}

/// The bodies reported as unacknowledged by the server.
fn server_unacked_events(pair: &Pair) -> Vec<String> {
    bodies(pair.server_events.iter().flat_map(|e| match e {
        ServerEvent::Unacknowledged(v) => v.as_slice(),
        _ => &[],
    }))
}

#[test]
fn enabled_with_resumption_after_bind() {
    let pair = online(5);
    assert!(pair
        .client_events
        .contains(&ClientEvent::SmEnabled { resumable: true }));
    let id = pair.server_events.iter().find_map(|e| match e {
        ServerEvent::SmEnabled { id } => id.clone(),
        _ => None,
    });
    assert!(id.is_some(), "{:?}", pair.server_events);
    assert!(pair.client.sm_enabled() && pair.server.sm_enabled());
}

#[test]
fn not_enabled_when_the_server_does_not_offer_it() {
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Off);
    client.stream_management = Some(SmConfig::default());
    let mut server = server_config(ServerTls::Unavailable);
    server.stream_management = None;
    let mut pair = Pair::new(client, server);
    pair.drive();
    assert!(pair.client.is_online());
    assert!(!pair.client.sm_enabled());
    assert!(pair.cut().is_none(), "nothing to resume");
}

#[test]
fn acknowledgement_requested_after_every_nth_stanza() {
    let mut pair = online(3);
    for i in 0..2 {
        pair.client.send(msg(true, i)).unwrap();
    }
    pair.drive();
    assert_eq!(pair.client.unacknowledged().count(), 2, "no request yet");
    pair.client.send(msg(true, 2)).unwrap();
    pair.drive();
    assert_eq!(
        pair.client.unacknowledged().count(),
        0,
        "third stanza: <r/>, <a h='3'/>"
    );
    // And the other way round.
    for i in 0..3 {
        pair.server.send(msg(false, i));
    }
    pair.drive();
    assert_eq!(bodies(pair.client_stanzas()), ["s0", "s1", "s2"]);
    assert!(server_unacked_events(&pair).is_empty());
}

#[test]
fn acknowledgement_requested_after_a_while() {
    let mut pair = online(0);
    pair.client.send(msg(true, 0)).unwrap();
    pair.drive();
    assert_eq!(pair.client.unacknowledged().count(), 1);
    pair.advance(Duration::from_secs(4));
    assert_eq!(pair.client.unacknowledged().count(), 1, "not yet");
    pair.advance(Duration::from_secs(1));
    assert_eq!(
        pair.client.unacknowledged().count(),
        0,
        "after request_after (5 s)"
    );
    assert!(
        pair.client.poll_timeout().is_some(),
        "the ping timer remains"
    );
}

#[test]
fn a_dead_link_is_noticed_and_the_stream_stays_resumable() {
    let mut pair = online(0);
    pair.client.send(msg(true, 0)).unwrap();
    pair.broken = true; // everything from now on is lost
    pair.drive();
    pair.advance(Duration::from_secs(5)); // <r/> goes out, into the void
    pair.advance(Duration::from_secs(60)); // no <a/>: dead
    assert_eq!(
        pair.client_failure(),
        Some(&SessionError::Timeout(
            "a stream management acknowledgement"
        ))
    );
    let resumption = pair.cut().expect("resumable");
    assert_eq!(bodies(resumption.stream.unacked()), ["c0"]);
}

#[test]
fn an_unanswered_ping_keeps_a_resumable_stream_resumable() {
    let mut pair = online(0);
    pair.broken = true;
    pair.advance(Duration::from_secs(60)); // idle: a ping goes out, into the void
    pair.advance(Duration::from_secs(30)); // no answer
    assert_eq!(
        pair.client_failure(),
        Some(&SessionError::Timeout("a ping answer"))
    );
    let resumption = pair.cut().expect("still resumable");
    assert_eq!(resumption.stream.unacked().count(), 1, "the ping itself");

    // Without stream management the same timeout closes the stream with connection-timeout.
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Off);
    client.stream_management = None;
    let mut plain = Pair::new(client, server_config(ServerTls::Unavailable));
    plain.drive();
    plain.advance(Duration::from_secs(60)); // the ping reaches the server, which ignores it
    plain.advance(Duration::from_secs(30));
    assert_eq!(
        plain.client_failure(),
        Some(&SessionError::Timeout("a ping answer"))
    );
    let told = plain.server_events.iter().any(|e| {
        matches!(e, ServerEvent::Nonza(el)
            if el.name() == "error" && el.has_child("connection-timeout", "urn:ietf:params:xml:ns:xmpp-streams"))
    });
    assert!(told, "{:?}", plain.server_events);
    assert!(plain.cut().is_none());
}

#[test]
fn an_ack_of_unsent_stanzas_is_a_stream_error() {
    let mut pair = online(0);
    pair.server.send(msg(false, 0));
    pair.drive();
    // The client claims it handled 7 of the server's stanzas; the server sent 1.
    pair.client.send_nonza(Nonza::Ack { h: 7 }.into());
    pair.drive();
    assert!(matches!(
        pair.server_failure(),
        Some(SessionError::Protocol(_))
    ));
    match pair.client_failure() {
        Some(SessionError::Stream(error)) => {
            assert_eq!(error.condition, StreamErrorCondition::UndefinedCondition);
            let app = error.app_specific.as_ref().unwrap();
            assert!(app.is("handled-count-too-high", xmppkit_sm::NS));
            assert_eq!(app.attr("h"), Some("7"));
            assert_eq!(app.attr("send-count"), Some("1"));
        }
        other => panic!("{other:?}"),
    }
    // The stanza the client never acknowledged is handed back, not dropped.
    assert_eq!(server_unacked_events(&pair), ["s0"]);
}

#[test]
fn resumption_replays_what_was_not_acknowledged_both_ways() {
    let mut pair = online(0);
    pair.client.send(msg(true, 0)).unwrap();
    pair.server.send(msg(false, 0));
    pair.drive(); // both arrive, neither is acknowledged yet
    pair.budget = Some(0);
    pair.client.send(msg(true, 1)).unwrap(); // lost on the wire
    pair.server.send(msg(false, 1)); // lost on the wire
    pair.drive();
    let mut resumption = pair.cut().expect("resumable");
    // During the break both sides queue one more.
    resumption.stream.queue(msg(true, 2));
    let id = resumption.id.clone();
    pair.table.get_mut(&id).unwrap().stream.queue(msg(false, 2));
    pair.reconnect(Some(resumption));
    assert!(pair.client_events.contains(&ClientEvent::Resumed {
        jid: "juliet@example.com/balcony".parse().unwrap(),
        resent: 2,
    }));
    assert!(pair.server_events.contains(&ServerEvent::Resumed {
        jid: "juliet@example.com/balcony".parse().unwrap(),
        resent: 2,
    }));
    assert_eq!(bodies(pair.server_stanzas()), ["c0", "c1", "c2"]);
    assert_eq!(bodies(pair.client_stanzas()), ["s0", "s1", "s2"]);
    assert!(pair.table.is_empty());
    // A clean close acknowledges everything: nothing is reported lost on either side.
    pair.client.close(pair.now);
    pair.drive();
    assert_eq!(pair.client_events.last(), Some(&ClientEvent::Closed));
    assert!(client_unacked_events(&pair).is_empty());
    assert!(server_unacked_events(&pair).is_empty());
}

/// The same replay over every login path: RFC 6120 SASL then `<resume/>` after the restart
/// (XEP-0198 §5), SASL2 with the resumption inside `<authenticate/>` (XEP-0388 §2.4), and SASL2
/// without Bind 2, where enabling follows a legacy bind.
#[test]
fn resumption_replays_over_every_login_path() {
    type Change<T> = fn(&mut T);
    let paths: [(&str, Change<ClientConfig>, Change<ServerConfig>); 3] = [
        ("sasl", |c| c.sasl2 = false, |_| {}),
        ("sasl2", |_| {}, |_| {}),
        ("sasl2 without bind2", |_| {}, |s| s.bind2 = false),
    ];
    for (name, client_change, server_change) in paths {
        let mut pair = online_with(0, client_change, server_change);
        assert!(
            pair.client.sm_enabled() && pair.server.sm_enabled(),
            "{name}: {:?}",
            pair.client_events
        );
        pair.client.send(msg(true, 0)).unwrap();
        pair.server.send(msg(false, 0));
        pair.drive();
        pair.budget = Some(0);
        pair.client.send(msg(true, 1)).unwrap();
        pair.server.send(msg(false, 1));
        pair.drive();
        let resumption = pair.cut().expect("resumable");
        pair.reconnect(Some(resumption));
        let jid: xmppkit_jid::FullJid = "juliet@example.com/balcony".parse().unwrap();
        assert!(
            pair.client_events.contains(&ClientEvent::Resumed {
                jid: jid.clone(),
                resent: 1
            }),
            "{name}: {:?}",
            pair.client_events
        );
        assert!(
            pair.server_events
                .contains(&ServerEvent::Resumed { jid, resent: 1 }),
            "{name}: {:?}",
            pair.server_events
        );
        assert_eq!(bodies(pair.server_stanzas()), ["c0", "c1"], "{name}");
        assert_eq!(bodies(pair.client_stanzas()), ["s0", "s1"], "{name}");
        // A stream nobody knows: failed, reported, bound anew and enabled again.
        let resumption = pair.cut().unwrap();
        pair.table.take(&resumption.id).unwrap();
        pair.reconnect(Some(resumption));
        assert!(
            pair.client_events.contains(&ClientEvent::ResumeFailed {
                condition: Some(DefinedCondition::ItemNotFound)
            }),
            "{name}: {:?}",
            pair.client_events
        );
        assert!(
            pair.client.is_online() && pair.client.sm_enabled(),
            "{name}"
        );
    }
}

#[test]
fn resuming_an_unknown_stream_fails_reports_the_unacknowledged_and_binds_anew() {
    let mut pair = online(0);
    pair.client.send(msg(true, 0)).unwrap();
    pair.drive();
    let resumption = pair.cut().unwrap();
    let forgotten = pair.table.take(&resumption.id).unwrap(); // the server forgot it
    pair.reconnect(Some(resumption));
    assert!(pair.client_events.contains(&ClientEvent::ResumeFailed {
        condition: Some(DefinedCondition::ItemNotFound)
    }));
    // No h in <failed/>: c0 may or may not have arrived, so it is reported.
    assert_eq!(client_unacked_events(&pair), ["c0"]);
    assert!(pair.client.is_online(), "a new resource is bound");
    assert!(
        pair.client.sm_enabled(),
        "and stream management enabled again"
    );
    assert_eq!(bodies(forgotten.stream.unacked()), Vec::<String>::new());
}

#[test]
fn an_expired_session_hands_back_its_stanzas_and_its_h() {
    let mut pair = online(0);
    pair.client.send(msg(true, 0)).unwrap();
    pair.client.send(msg(true, 1)).unwrap();
    pair.server.send(msg(false, 0));
    pair.drive();
    pair.budget = Some(0);
    pair.server.send(msg(false, 1));
    pair.drive();
    let resumption = pair.cut().unwrap();
    pair.expire_detached(Duration::from_secs(299));
    assert!(pair.expired.is_empty(), "kept for max (300 s)");
    pair.expire_detached(Duration::from_secs(1));
    assert_eq!(pair.expired.len(), 1);
    assert_eq!(
        pair.expired[0].jid.to_string(),
        "juliet@example.com/balcony"
    );
    assert_eq!(bodies(&pair.expired[0].unacked), ["s0", "s1"]);
    // A late resume learns h=2: both of its stanzas arrived, none is reported lost.
    pair.reconnect(Some(resumption));
    assert!(pair.client_events.contains(&ClientEvent::ResumeFailed {
        condition: Some(DefinedCondition::ItemNotFound)
    }));
    assert!(client_unacked_events(&pair).is_empty());
    assert!(pair.client.is_online());
}

#[test]
fn without_resumption_the_server_hands_back_unacknowledged_stanzas_at_once() {
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Off);
    client.stream_management = Some(SmConfig {
        resume: false,
        request_every: 0,
        ..SmConfig::default()
    });
    let mut pair = Pair::new(client, server_config(ServerTls::Unavailable));
    pair.drive();
    assert!(pair
        .client_events
        .contains(&ClientEvent::SmEnabled { resumable: false }));
    pair.budget = Some(0);
    pair.server.send(msg(false, 0));
    pair.client.send(msg(true, 0)).unwrap();
    pair.drive();
    assert!(pair.cut().is_none());
    assert!(pair.table.is_empty());
    assert_eq!(server_unacked_events(&pair), ["s0"]);
    assert_eq!(client_unacked_events(&pair), ["c0"]);
}

#[test]
fn a_live_session_can_be_taken_over_by_a_resuming_connection() {
    let mut pair = online(0);
    pair.server.send(msg(false, 0));
    pair.drive();
    // The client thinks the link is dead; the server still has it open.
    let resumption = pair.client.connection_lost(pair.now).unwrap();
    let detached = pair.server.detach(pair.now).unwrap();
    assert_eq!(detached.id, resumption.id);
    pair.table.insert(detached);
    pair.reconnect(Some(resumption));
    assert!(pair.client.is_online());
    // s0 was never acknowledged, but <resume h='1'/> says it arrived: it is not sent again.
    assert!(pair.client_events.contains(&ClientEvent::Resumed {
        jid: "juliet@example.com/balcony".parse().unwrap(),
        resent: 0,
    }));
    assert_eq!(bodies(pair.client_stanzas()), ["s0"]);
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Client,
    Server,
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(prop_oneof![Just(Op::Client), Just(Op::Server)], 1..24)
}

/// Runs `script`, breaking the connection after `cut_at` bytes (counted over both directions);
/// what is scripted after the break is queued on the side that sends it. Returns the pair after
/// the cut, the client's token, and the bodies each side sent.
fn run_until_cut(
    script: &[Op],
    cut_at: usize,
    chunks: Vec<usize>,
    request_every: u32,
) -> (Pair, xmppkit_sm::Resumption, Vec<String>, Vec<String>) {
    let mut pair = online(request_every);
    pair.chunks = chunks;
    pair.budget = Some(cut_at);
    let (mut client_sent, mut server_sent) = (Vec::new(), Vec::new());
    let mut resumption = None;
    for (i, op) in script.iter().enumerate() {
        let stanza = msg(matches!(op, Op::Client), i);
        let body = body(&stanza);
        match (op, &mut resumption) {
            (Op::Client, None) => pair.client.send(stanza).unwrap(),
            (Op::Server, None) => pair.server.send(stanza),
            (Op::Client, Some(r)) => {
                let r: &mut xmppkit_sm::Resumption = r;
                r.stream.queue(stanza)
            }
            (Op::Server, Some(r)) => {
                let r: &xmppkit_sm::Resumption = r;
                let id = r.id.clone();
                pair.table.get_mut(&id).unwrap().stream.queue(stanza)
            }
        }
        if matches!(op, Op::Client) {
            client_sent.push(body)
        } else {
            server_sent.push(body)
        }
        if resumption.is_none() {
            pair.drive();
            if pair.broken {
                resumption = Some(pair.cut().expect("resumable"));
            }
        }
    }
    let resumption = resumption.unwrap_or_else(|| pair.cut().expect("resumable"));
    (pair, resumption, client_sent, server_sent)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Cut anywhere, resume: every stanza arrives exactly once, in order, both ways.
    #[test]
    fn cut_anywhere_then_resume_delivers_everything_once_in_order(
        script in ops(),
        cut_at in 0usize..4000,
        chunks in proptest::collection::vec(1usize..300, 1..4),
        request_every in 0u32..4,
    ) {
        let (mut pair, resumption, client_sent, server_sent) =
            run_until_cut(&script, cut_at, chunks, request_every);
        pair.reconnect(Some(resumption));
        prop_assert!(pair.client.is_online(), "{:?}", pair.client_events);
        let resumed = pair.client_events.iter().any(|e| matches!(e, ClientEvent::Resumed { .. }));
        prop_assert!(resumed);
        pair.client.close(pair.now);
        pair.drive();
        prop_assert_eq!(bodies(pair.server_stanzas()), client_sent);
        prop_assert_eq!(bodies(pair.client_stanzas()), server_sent);
        prop_assert!(client_unacked_events(&pair).is_empty());
        prop_assert!(server_unacked_events(&pair).is_empty());
    }

    /// Cut anywhere, let the session expire, try to resume: the client's "may be lost" report is
    /// exactly what the server never received; the server hands back every stanza the client did
    /// not acknowledge, so each one was either received or handed back, in order.
    #[test]
    fn cut_anywhere_then_failed_resume_reports_exactly_what_was_lost(
        script in ops(),
        cut_at in 0usize..4000,
        chunks in proptest::collection::vec(1usize..300, 1..4),
        request_every in 0u32..4,
    ) {
        let (mut pair, resumption, client_sent, server_sent) =
            run_until_cut(&script, cut_at, chunks, request_every);
        pair.expire_detached(Duration::from_secs(301));
        prop_assert_eq!(pair.expired.len(), 1);
        pair.reconnect(Some(resumption));
        prop_assert!(pair.client.is_online(), "{:?}", pair.client_events);
        let received_by_server = bodies(pair.server_stanzas());
        let reported = client_unacked_events(&pair);
        prop_assert!(client_sent.starts_with(&received_by_server));
        prop_assert_eq!(&reported, &client_sent[received_by_server.len()..].to_vec());

        let received_by_client = bodies(pair.client_stanzas());
        let handed_back = bodies(&pair.expired[0].unacked);
        prop_assert!(server_sent.starts_with(&received_by_client));
        prop_assert!(server_sent.ends_with(&handed_back));
        prop_assert!(received_by_client.len() + handed_back.len() >= server_sent.len());
    }
}

#[test]
fn stanzas_sent_serialized_are_counted_and_replayed_like_trees() {
    let mut pair = online(0);
    // What an application that queued the bytes (not the tree) hands to the session.
    pair.server
        .send_queued(xmppkit_sm::Queued::new(&msg(false, 0)));
    pair.drive();
    assert_eq!(bodies(pair.client_stanzas()), ["s0"]);
    pair.budget = Some(0);
    pair.server
        .send_queued(xmppkit_sm::Queued::new(&msg(false, 1))); // lost on the wire
    pair.drive();
    let resumption = pair.cut().expect("resumable");
    pair.reconnect(Some(resumption));
    // s0 was acknowledged when it arrived; s1, lost, is sent again from its bytes.
    assert!(pair.server_events.contains(&ServerEvent::Resumed {
        jid: "juliet@example.com/balcony".parse().unwrap(),
        resent: 1,
    }));
    assert_eq!(
        bodies(pair.client_stanzas()),
        ["s0", "s1"],
        "s1 replayed, s0 once"
    );
    pair.client.close(pair.now);
    pair.drive();
    assert!(server_unacked_events(&pair).is_empty());
}

/// Freeing idle buffers after every few bytes (mid-stanza included) changes nothing the peers
/// see: the stanzas arrive, in order, and the outboxes empty as acknowledgements come.
#[test]
fn releasing_idle_buffers_between_chunks_loses_nothing() {
    let mut pair = online(2);
    pair.release_buffers = true;
    pair.chunks = vec![7, 1, 13];
    for i in 0..5 {
        pair.client.send(msg(true, i)).unwrap();
        pair.server.send(msg(false, i));
    }
    pair.drive();
    assert_eq!(
        bodies(pair.server_stanzas()),
        ["c0", "c1", "c2", "c3", "c4"]
    );
    assert_eq!(
        bodies(pair.client_stanzas()),
        ["s0", "s1", "s2", "s3", "s4"]
    );
    assert_eq!(
        pair.client.unacknowledged().count(),
        1,
        "the fifth waits for an <r/>"
    );
    assert!(pair.client_failure().is_none() && pair.server_failure().is_none());
}

/// The server counts the acknowledgements it writes: one per `<r/>` it answers, none for the
/// client's own `<a/>`, so that an application can tell when its output acknowledges something.
#[test]
fn the_server_counts_the_acknowledgements_it_writes() {
    let mut pair = online(2);
    assert_eq!(pair.server.acknowledgements(), 0);
    pair.client.send(msg(true, 0)).unwrap();
    pair.drive();
    assert_eq!(pair.server.acknowledgements(), 0, "no <r/> yet");
    pair.client.send(msg(true, 1)).unwrap();
    pair.drive();
    assert_eq!(
        pair.server.acknowledgements(),
        1,
        "the second stanza brought an <r/>"
    );
    for i in 0..2 {
        pair.server.send(msg(false, i));
    }
    pair.drive();
    assert_eq!(
        pair.server.acknowledgements(),
        1,
        "the client's <a/> is not ours"
    );
}
