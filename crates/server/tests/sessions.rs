//! What the server does with sessions: the RFC 6120 §7.7.2.2 conflict policies, XEP-0198
//! resumption through the server's detached table, XEP-0077 registration on and off with its
//! rate limit, account administration, and the bound on what waits for a reader that stopped.

mod common;
use common::*;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use xmppkit_server::ResourceConflict;
use xmppkit_session::ClientEvent;

fn failed_with(w: &World, i: usize) -> Option<String> {
    w.clients[i].events.iter().find_map(|e| match e {
        ClientEvent::Failed(e) => Some(e.to_string()),
        _ => None,
    })
}

#[test]
fn a_second_bind_of_the_same_resource_replaces_the_first_by_default() {
    let mut w = World::new(|_| {});
    let old = w.login("alice", "phone", 0);
    let new = w.login("alice", "phone", 0);
    assert!(w.clients[new].session.is_online());
    let error = failed_with(&w, old).expect("the old session is closed");
    assert!(error.contains("conflict"), "{error}");
    // Messages go to the new session.
    let bob = w.login("bob", "b", 0);
    w.send(
        bob,
        "<message to='alice@example.com/phone' type='chat'><body>hi</body></message>",
    );
    assert_eq!(w.bodies(new), ["hi"]);
    assert_eq!(w.server.bound(), 2);
}

#[test]
fn with_the_refuse_policy_the_new_bind_gets_conflict() {
    let mut w = World::new(|c| c.conflict = ResourceConflict::Refuse);
    let old = w.login("alice", "phone", 0);
    let new = w.open("alice", "pass", Some("phone"), None);
    w.run();
    assert!(!w.clients[new].session.is_online());
    assert!(w.clients[old].session.is_online());
    assert!(failed_with(&w, old).is_none());
}

#[test]
fn a_cut_resumable_session_keeps_its_messages_and_expires_to_offline_storage() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    let bob = w.login("bob", "b", 0);
    w.take(alice);
    w.cut(alice);
    // While detached, the resource stays bound; what is sent to it waits in its stream.
    w.send(
        bob,
        "<message to='alice@example.com/a' type='chat'><body>while away</body></message>",
    );
    assert_eq!(w.server.bound(), 2);
    // Past the resumption window the session expires and the message is stored.
    w.advance(Duration::from_secs(400));
    assert_eq!(w.server.bound(), 1);
    let again = w.login("alice", "a2", 0);
    assert_eq!(w.bodies(again), ["while away"]);
}

/// Sends `stream` bytes to a fresh server session from `peer`, handing its events to the
/// server; returns what the session wrote.
fn raw(w: &mut World, peer: Option<IpAddr>, stream: &str) -> String {
    use xmppkit_session::ServerSession;
    let conn = w.server.connect(peer);
    let mut session = ServerSession::new(
        w.session_config(conn),
        w.server.credentials(),
        Box::new(|| "id".into()),
        w.now.instant,
    );
    session.handle_input(stream.as_bytes(), w.now.instant);
    while let Some(event) = session.poll_event() {
        w.server.handle_event(conn, &mut session, event, w.now);
    }
    let mut out = Vec::new();
    while let Some(b) = session.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8(out).unwrap()
}

const HEADER: &str = "<stream:stream to='example.com' xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

fn register(w: &mut World, peer: Option<IpAddr>, name: &str) -> String {
    raw(
        w,
        peer,
        &format!("{HEADER}<iq type='set' id='r'><query xmlns='jabber:iq:register'><username>{name}</username><password>pw</password></query></iq>"),
    )
}

#[test]
fn resuming_a_stream_the_server_still_holds_ends_the_old_connection_without_loss() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    let bob = w.login("bob", "b", 0);
    w.take(alice);
    // Alice's phone changes networks: what Bob sends now goes to the old connection, which
    // nobody reads any more.
    w.clients[alice].paused = true;
    w.send(
        bob,
        "<message to='alice@example.com/a' type='chat'><body>into the void</body></message>",
    );
    let again = w.reconnect(alice);
    // The resumption fails (the server had not seen the old link die) and the client binds
    // afresh; the old connection is closed, its message rerouted.
    assert!(w.clients[again].session.is_online());
    assert!(w.clients[again]
        .events
        .iter()
        .any(|e| matches!(e, ClientEvent::ResumeFailed { .. })));
    assert_eq!(w.server.bound(), 2);
    w.presence(again, 0);
    assert_eq!(w.bodies(again), ["into the void"]);
}

#[test]
fn registration_is_off_by_default() {
    let mut w = World::new(|_| {});
    let answer = register(&mut w, None, "dave");
    assert!(!answer.contains("iq-register"), "{answer}");
    assert!(
        answer.contains("not-authorized"),
        "a stanza before auth: {answer}"
    );
    assert_eq!(w.server.users(), ["alice", "bob", "carol"]);
}

#[test]
fn registration_when_on_is_offered_checked_and_rate_limited() {
    let mut w = World::new(|c| {
        c.registration = Some(xmppkit_server::RateLimit {
            count: 2,
            window: Duration::from_secs(60),
        })
    });
    let peer = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let form = raw(
        &mut w,
        peer,
        &format!("{HEADER}<iq type='get' id='f'><query xmlns='jabber:iq:register'/></iq>"),
    );
    assert!(
        form.contains("<register xmlns='http://jabber.org/features/iq-register'/>"),
        "{form}"
    );
    assert!(
        form.contains("<username/>") && form.contains("<password/>"),
        "{form}"
    );
    let answers: Vec<String> = ["dave", "dave", "erin", "frank"]
        .iter()
        .map(|name| register(&mut w, peer, name))
        .collect();
    assert!(answers[0].contains("type='result'"), "{}", answers[0]);
    assert!(answers[1].contains("<conflict"), "{}", answers[1]);
    assert!(answers[2].contains("type='result'"), "{}", answers[2]);
    assert!(
        answers[3].contains("<resource-constraint"),
        "{}",
        answers[3]
    );
    let missing = raw(
        &mut w,
        None,
        &format!("{HEADER}<iq type='set' id='r'><query xmlns='jabber:iq:register'><username>gina</username></query></iq>"),
    );
    assert!(missing.contains("<not-acceptable"), "{missing}");
    assert_eq!(w.server.users(), ["alice", "bob", "carol", "dave", "erin"]);
    // The new account logs in.
    let dave = w.open("dave", "pw", Some("d"), None);
    w.run();
    assert!(w.clients[dave].session.is_online());
    // After the window, the address may register again.
    w.advance(Duration::from_secs(61));
    assert!(register(&mut w, peer, "frank").contains("type='result'"));
}

#[test]
fn account_administration_closes_the_sessions_of_a_deleted_account() {
    let mut w = World::new(|_| {});
    let carol = w.login("carol", "c", 0);
    assert!(
        w.server.create_account("Carol", "x").is_err(),
        "prepared to carol: exists"
    );
    assert!(w.server.create_account("bad@name", "x").is_err());
    w.server.change_password("carol", "new").unwrap();
    let login = w.open("carol", "new", Some("n"), None);
    w.run();
    assert!(w.clients[login].session.is_online());
    w.server.delete_account("carol").unwrap();
    w.run();
    let error = failed_with(&w, carol).expect("closed");
    assert!(error.contains("not-authorized"), "{error}");
    assert_eq!(w.server.users(), ["alice", "bob"]);
}

#[test]
fn a_reader_that_stops_is_closed_at_the_bound_and_nothing_is_lost() {
    let mut w = World::new(|c| c.max_queued_bytes = 20_000);
    let alice = w.login("alice", "a", 0);
    let bob = w.login("bob", "b", 0);
    w.take(bob);
    w.clients[bob].paused = true;
    let body = "x".repeat(1000);
    for n in 0..100 {
        w.send(alice, &format!("<message id='{n}' to='bob@example.com' type='chat'><body>{n} {body}</body></message>"));
        let waiting: usize = w.clients[bob].backlog.iter().map(|(_, s)| *s).sum();
        assert!(waiting <= 20_000, "{waiting} bytes wait for bob");
    }
    // Bob was closed with a stream error; the sender was never held back or refused.
    assert!(w.clients[bob].backlog.is_empty());
    assert_eq!(w.server.bound(), 1, "bob's resource is gone");
    let mut written = Vec::new();
    while let Some(b) = w.clients[bob].server_side.poll_transmit() {
        written.extend_from_slice(&b);
    }
    assert!(String::from_utf8_lossy(&written).contains("<policy-violation"));
    assert!(w
        .take(alice)
        .iter()
        .all(|s| s.attr("type") != Some("error")));
    // Everything he did not get is stored: his next login receives all 100 exactly once and
    // in order, under the same bound.
    w.clients[bob].gone = true;
    let again = w.login("bob", "again", 0);
    let numbers: Vec<usize> = w
        .bodies(again)
        .iter()
        .map(|b| b.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(numbers, (0..100).collect::<Vec<_>>());
    assert!(w.clients[again].session.is_online());
}

#[test]
fn an_address_that_keeps_failing_to_log_in_is_refused_for_a_while_others_are_not() {
    let mut w = World::new(|c| {
        c.auth_failures = Some(xmppkit_server::RateLimit {
            count: 3,
            window: Duration::from_secs(60),
        })
    });
    let guesser = Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)));
    for _ in 0..3 {
        let i = w.open("alice", "wrong", Some("r"), guesser);
        w.run();
        let failed = failed_with(&w, i).expect("a wrong password fails");
        assert!(failed.contains("not-authorized"), "{failed}");
    }
    // The right password from the same address is not even checked now (RFC 6120 §6.5.12).
    let i = w.open("alice", "pass", Some("r"), guesser);
    w.run();
    assert!(!w.clients[i].session.is_online());
    let failed = failed_with(&w, i).expect("refused");
    assert!(failed.contains("temporary-auth-failure"), "{failed}");
    // Alice herself, from her own address, is not locked out.
    let home = Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1)));
    let j = w.open("alice", "pass", Some("home"), home);
    w.run();
    assert!(w.clients[j].session.is_online());
    // Once the window has passed, the address may try again.
    w.advance(Duration::from_secs(61));
    let k = w.open("alice", "pass", Some("r"), guesser);
    w.run();
    assert!(w.clients[k].session.is_online(), "{:?}", failed_with(&w, k));
}
