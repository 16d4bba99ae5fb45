//! The modern login through the server engine and real sessions (XEP-0388 SASL2, XEP-0386
//! Bind 2, XEP-0484 FAST): tokens issued, used with a wrong password, rotated when due, the
//! newer one retiring the older, expired ones refused with the password taking over, a password
//! change ending every token, replay counters and invalidation, and failed logins throttled
//! under SASL2 as under SASL.

mod common;
use common::*;
use std::time::Duration;
use xmppkit_session::sasl2::{Authenticate, FastUse, UserAgent};
use xmppkit_session::{ClientEvent, ClientToken, SessionError};

const DAY: Duration = Duration::from_secs(24 * 3600);

fn agent() -> UserAgent {
    UserAgent {
        id: Some("d4565fa7-4d72-4749-b3d3-740edbf87770".into()),
        software: Some("test".into()),
        device: None,
    }
}

/// A login of alice's installation with `password` and `token`; the client's events.
fn login(world: &mut World, password: &str, token: Option<&ClientToken>) -> Vec<ClientEvent> {
    let token = token.cloned();
    let i = world.open_with("alice", password, Some("phone"), None, |c| {
        c.user_agent = Some(agent());
        c.fast_token = token;
    });
    world.run();
    let events = world.clients[i].events.clone();
    world.cut(i);
    events
}

fn issued(events: &[ClientEvent]) -> Option<ClientToken> {
    events.iter().find_map(|e| match e {
        ClientEvent::FastToken(t) => Some(t.clone()),
        _ => None,
    })
}

fn mechanism(events: &[ClientEvent]) -> Option<&'static str> {
    events.iter().find_map(|e| match e {
        ClientEvent::Authenticated { mechanism } => Some(*mechanism),
        _ => None,
    })
}

fn online(events: &[ClientEvent]) -> bool {
    events
        .iter()
        .any(|e| matches!(e, ClientEvent::Online { .. }))
}

fn rejected(events: &[ClientEvent]) -> bool {
    events
        .iter()
        .any(|e| matches!(e, ClientEvent::FastTokenRejected { .. }))
}

#[test]
fn a_token_is_issued_then_logs_in_alone() {
    let mut world = World::new(|_| {});
    let first = login(&mut world, "pass", None);
    assert!(online(&first));
    assert_eq!(mechanism(&first), Some("SCRAM-SHA-256"));
    let token = issued(&first).expect("a token");
    // No TLS here, so no channel binding: the unbound mechanism.
    assert_eq!(token.mechanism, "HT-SHA-256-NONE");
    let again = login(&mut world, "wrong", Some(&token));
    assert!(online(&again), "{again:?}");
    assert_eq!(mechanism(&again), Some("HT-SHA-256-NONE"));
    assert!(issued(&again).is_none(), "not due for rotation yet");
}

#[test]
fn rotation_keeps_the_older_token_until_the_newer_is_used() {
    let mut world = World::new(|_| {});
    let old = issued(&login(&mut world, "pass", None)).unwrap();
    // 8 of 14 days later, less than 7 are left: the login rotates.
    world.advance(8 * DAY);
    let rotated = login(&mut world, "wrong", Some(&old));
    assert!(online(&rotated));
    let new = issued(&rotated).expect("a new token");
    assert_ne!(new.token, old.token);
    // The client may not have kept the new one: the old one still works (§3.5), and, still
    // due, brings yet another, which replaces the unused one (a SHOULD of §3.5).
    let again = login(&mut world, "wrong", Some(&old));
    assert!(online(&again));
    let newest = issued(&again).expect("another new token");
    assert!(
        rejected(&login(&mut world, "wrong", Some(&new))),
        "replaced"
    );
    // The newest, once used, retires the old one.
    assert!(online(&login(&mut world, "wrong", Some(&newest))));
    let stale = login(&mut world, "wrong", Some(&old));
    assert!(rejected(&stale) && !online(&stale), "{stale:?}");
}

#[test]
fn an_expired_token_is_refused_and_the_password_takes_over() {
    let mut world = World::new(|_| {});
    let token = issued(&login(&mut world, "pass", None)).unwrap();
    world.advance(15 * DAY);
    let events = login(&mut world, "pass", Some(&token));
    assert!(rejected(&events));
    assert!(online(&events), "the password, at once: {events:?}");
    assert_eq!(mechanism(&events), Some("SCRAM-SHA-256"));
    assert!(issued(&events).is_some(), "and a fresh token");
}

#[test]
fn a_password_change_or_an_account_deletion_ends_every_token() {
    let mut world = World::new(|_| {});
    let token = issued(&login(&mut world, "pass", None)).unwrap();
    world.server.change_password("alice", "new").unwrap();
    let events = login(&mut world, "wrong", Some(&token));
    assert!(rejected(&events) && !online(&events));
    let token = issued(&login(&mut world, "new", None)).unwrap();
    world.server.delete_account("alice").unwrap();
    world.server.create_account("alice", "new").unwrap();
    let events = login(&mut world, "wrong", Some(&token));
    assert!(rejected(&events) && !online(&events));
}

#[test]
fn a_client_without_an_installation_id_gets_no_token() {
    let mut world = World::new(|_| {});
    let i = world.open("alice", "pass", Some("phone"), None);
    world.run();
    assert!(world.clients[i].session.is_online());
    assert!(issued(&world.clients[i].events).is_none());
}

#[test]
fn without_fast_configured_none_is_offered() {
    let mut world = World::new(|c| c.fast = None);
    let events = login(&mut world, "pass", None);
    assert!(online(&events));
    assert!(issued(&events).is_none());
}

#[test]
fn failed_logins_are_throttled_under_sasl2_too() {
    let peer = Some("192.0.2.7".parse().unwrap());
    let mut world = World::new(|c| {
        c.auth_failures = Some(xmppkit_server::RateLimit {
            count: 2,
            window: Duration::from_secs(600),
        })
    });
    for _ in 0..2 {
        let i = world.open("alice", "wrong", None, peer);
        world.run();
        assert!(!world.clients[i].session.is_online());
    }
    // The right password from that address, within the window: temporarily refused.
    let i = world.open("alice", "pass", None, peer);
    world.run();
    let failure = world.clients[i].events.iter().find_map(|e| match e {
        ClientEvent::Failed(SessionError::AuthFailed { condition, .. }) => Some(condition.clone()),
        _ => None,
    });
    assert_eq!(failure.as_deref(), Some("temporary-auth-failure"));
    // From elsewhere the account is usable.
    let j = world.open("alice", "pass", None, Some("192.0.2.8".parse().unwrap()));
    world.run();
    assert!(world.clients[j].session.is_online());
}

/// A hand-written SASL2 `<authenticate/>` with a FAST token, straight to a server session and
/// the engine (what a client in TLS 0-RTT would send): everything the server wrote back.
fn token_login(world: &mut World, token: &ClientToken, fast: FastUse) -> String {
    use xmppkit_session::ht::HtMechanism;
    let initial = HtMechanism::from_name(&token.mechanism)
        .unwrap()
        .initial_response("alice", &token.token, &Default::default())
        .unwrap();
    let conn = world.server.connect(None);
    let config = world.session_config(conn);
    let mut session = xmppkit_session::ServerSession::new(
        config,
        world.server.credentials(),
        Box::new(|| "r".into()),
        world.now.instant,
    );
    let authenticate = Authenticate {
        mechanism: token.mechanism.clone(),
        initial_response: Some(initial),
        user_agent: Some(agent()),
        fast: Some(fast),
        ..Authenticate::default()
    };
    let input = format!(
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
         to='example.com' version='1.0'>{}",
        xmppkit_codec::to_string(&authenticate.element())
    );
    session.handle_input(input.as_bytes(), world.now.instant);
    let mut out = String::new();
    loop {
        let mut moved = false;
        while let Some(event) = session.poll_event() {
            world
                .server
                .handle_event(conn, &mut session, event, world.now);
            moved = true;
        }
        while let Some(bytes) = session.poll_transmit() {
            out.push_str(&String::from_utf8_lossy(&bytes));
            moved = true;
        }
        while world.server.poll_output().is_some() {}
        if !moved {
            break;
        }
    }
    out
}

#[test]
fn replayed_counters_are_refused() {
    let mut world = World::new(|_| {});
    let token = issued(&login(&mut world, "pass", None)).unwrap();
    let fast = |count: u32| FastUse {
        count: Some(count),
        invalidate: false,
    };
    assert!(token_login(&mut world, &token, fast(5)).contains("<success"));
    // The same count again (a replayed 0-RTT request), or a lower one: refused.
    for count in [5, 4] {
        let out = token_login(&mut world, &token, fast(count));
        assert!(
            out.contains("<failure") && out.contains("not-authorized"),
            "{count}: {out}"
        );
    }
    assert!(token_login(&mut world, &token, fast(6)).contains("<success"));
}

#[test]
fn a_token_can_be_invalidated_by_its_client() {
    let mut world = World::new(|_| {});
    let token = issued(&login(&mut world, "pass", None)).unwrap();
    let invalidate = FastUse {
        count: None,
        invalidate: true,
    };
    let out = token_login(&mut world, &token, invalidate);
    assert!(out.contains("<success"), "{out}");
    assert!(!out.contains("<token"), "no new token unless asked (§3.6)");
    let out = token_login(&mut world, &token, FastUse::default());
    assert!(out.contains("<failure"), "{out}");
}

/// The client's own counter (XEP-0484 §3.3): each use carries the next one, and a token stored
/// without its last counter (a client restored from an old copy) is refused, the password
/// taking over.
#[test]
fn the_client_counts_its_uses_and_a_repeated_count_is_refused() {
    let mut world = World::new(|_| {});
    let mut token = issued(&login(&mut world, "pass", None)).unwrap();
    assert_eq!(token.count, None, "a new token has been used by no one");
    let stale = token.clone();
    for expected in 1..=2 {
        assert_eq!(token.next_use(), expected);
        let events = login(&mut world, "wrong", Some(&token));
        assert_eq!(mechanism(&events), Some("HT-SHA-256-NONE"), "{events:?}");
        assert!(online(&events));
    }
    let mut stale = stale;
    stale.next_use();
    let events = login(&mut world, "pass", Some(&stale));
    assert!(rejected(&events), "{events:?}");
    assert!(online(&events), "with the password");
}
