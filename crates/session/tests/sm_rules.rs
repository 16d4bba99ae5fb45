//! XEP-0198 rules the server session enforces, driven with raw client bytes: `<enable/>` before
//! bind or twice, `<r/>` without stream management (§3, §4), the resumption time negotiated down
//! to the server's maximum (§5), and a stream resumed only by its own account.

mod common;
use common::*;
use std::sync::Arc;
use std::time::{Duration, Instant};
use xmppkit_session::*;
use xmppkit_stanza::DefinedCondition;

const HEADER: &str = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";
const UNEXPECTED: &str = "<failed xmlns='urn:xmpp:sm:3'><unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>";

/// A server session with juliet authenticated (PLAIN, no TLS) and nothing bound yet.
fn authenticated(now: Instant) -> ServerSession {
    let mut config = server_config(ServerTls::Unavailable);
    config.allow_plain_without_tls = true;
    let mut n = 0;
    let random: Random = Box::new(move || {
        n += 1;
        format!("r{n}")
    });
    let mut server = ServerSession::new(config, Arc::new(users()), random, now);
    server.handle_input(HEADER.as_bytes(), now);
    server.handle_input(
        b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMA==</auth>",
        now,
    );
    server.handle_input(HEADER.as_bytes(), now);
    output(&mut server);
    server
}

fn output(server: &mut ServerSession) -> String {
    let mut out = Vec::new();
    while let Some(bytes) = server.poll_transmit() {
        out.extend_from_slice(&bytes);
    }
    String::from_utf8(out).unwrap()
}

fn bind(server: &mut ServerSession, now: Instant) {
    server.handle_input(
        b"<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
        now,
    );
    while let Some(event) = server.poll_event() {
        if let ServerEvent::BindRequest { .. } = event {
            server.bind("balcony");
        }
    }
    assert!(server.jid().is_some());
    output(server);
}

#[test]
fn enable_is_refused_before_bind_and_twice_and_acks_need_sm() {
    let now = Instant::now();
    let mut server = authenticated(now);
    server.handle_input(b"<enable xmlns='urn:xmpp:sm:3'/>", now);
    assert_eq!(output(&mut server), UNEXPECTED, "§3: enable before bind");
    bind(&mut server, now);
    server.handle_input(b"<r xmlns='urn:xmpp:sm:3'/>", now);
    assert_eq!(
        output(&mut server),
        UNEXPECTED,
        "no SM yet: nothing to acknowledge"
    );
    server.handle_input(b"<enable xmlns='urn:xmpp:sm:3'/>", now);
    assert_eq!(output(&mut server), "<enabled xmlns='urn:xmpp:sm:3'/>");
    server.handle_input(b"<enable xmlns='urn:xmpp:sm:3'/>", now);
    assert_eq!(output(&mut server), UNEXPECTED, "enabled twice");
    server.handle_input(
        b"<message to='romeo@example.com'><body>hi</body></message><r xmlns='urn:xmpp:sm:3'/>",
        now,
    );
    assert_eq!(output(&mut server), "<a xmlns='urn:xmpp:sm:3' h='1'/>");
    assert!(server.sm_enabled());
}

#[test]
fn resumption_time_is_the_smaller_of_both_wishes() {
    for (asked, granted) in [("60", 60), ("86400", 300)] {
        let now = Instant::now();
        let mut server = authenticated(now);
        bind(&mut server, now);
        let enable = format!("<enable xmlns='urn:xmpp:sm:3' resume='true' max='{asked}'/>");
        server.handle_input(enable.as_bytes(), now);
        let enabled = output(&mut server);
        assert!(enabled.contains(&format!("max='{granted}'")), "{enabled}");
        let detached = server.detach(now).expect("resumable");
        assert_eq!(detached.expires, now + Duration::from_secs(granted));
    }
}

#[test]
fn a_stream_is_resumed_only_by_its_own_account() {
    // Juliet's stream is detached on one server...
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Off);
    client.resource = Some("balcony".into());
    let mut juliet = Pair::new(client, server_config(ServerTls::Unavailable));
    juliet.drive();
    juliet.cut().unwrap();
    let juliets_id = juliet
        .server_events
        .iter()
        .find_map(|e| match e {
            ServerEvent::SmEnabled { id } => id.clone(),
            _ => None,
        })
        .unwrap();
    let juliets = juliet.table.take(&juliets_id).unwrap();
    // ...and Romeo, logged in as himself, asks to resume it with its id.
    let mut romeo = Pair::new(
        client_config("romeo", "jul13t", TlsPolicy::Off),
        server_config(ServerTls::Unavailable),
    );
    romeo.drive();
    let mut token = romeo.cut().unwrap();
    romeo.table.take(&token.id).unwrap();
    token.id = juliets_id.clone();
    romeo.table.insert(juliets);
    romeo.reconnect(Some(token));
    assert!(romeo.client_events.contains(&ClientEvent::ResumeFailed {
        condition: Some(DefinedCondition::ItemNotFound)
    }));
    assert!(romeo.client.is_online(), "a new session instead");
    assert!(
        romeo
            .client
            .jid()
            .unwrap()
            .to_string()
            .starts_with("romeo@"),
        "never juliet's"
    );
    assert!(
        romeo.table.take(&juliets_id).is_some(),
        "juliet's stream is kept for her"
    );
}
