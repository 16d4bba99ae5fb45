//! SASL user names prepared as localparts (RFC 7622 §3.3, RFC 8265 §3.3 UsernameCaseMapped):
//! `Juliet` is the account `juliet` with PLAIN, SCRAM and SASL2 alike, and a name no account
//! can have (a symbol) fails like a wrong password. The server session is driven with the
//! client's bytes written out, since our client always sends its JID's prepared localpart.

mod common;
use base64::Engine;
use common::*;
use std::time::Instant;
use xmppkit_session::scram::{ScramClient, ScramHash};
use xmppkit_session::*;

const HEADER: &[u8] = b"<stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn server(sasl2: bool) -> (ServerSession, Instant) {
    let now = Instant::now();
    let mut config = server_config(ServerTls::Unavailable);
    config.allow_plain_without_tls = true;
    config.sasl2 = sasl2;
    let mut n = 0;
    let random = Box::new(move || {
        n += 1;
        format!("server-nonce-{n}")
    });
    let mut server = ServerSession::new(config, std::sync::Arc::new(users()), random, now);
    server.handle_input(HEADER, now);
    (server, now)
}

fn written(server: &mut ServerSession) -> String {
    let mut out = Vec::new();
    while let Some(bytes) = server.poll_transmit() {
        out.extend_from_slice(&bytes);
    }
    String::from_utf8(out).unwrap()
}

fn authenticated(server: &mut ServerSession) -> Option<String> {
    std::iter::from_fn(|| server.poll_event()).find_map(|e| match e {
        ServerEvent::Authenticated { user, .. } => Some(user.to_string()),
        _ => None,
    })
}

fn plain(name: &str, sasl2: bool) -> (Option<String>, String) {
    let (mut server, now) = server(sasl2);
    written(&mut server);
    let initial = b64(format!("\0{name}\0r0m30").as_bytes());
    let auth = if sasl2 {
        format!(
            "<authenticate xmlns='urn:xmpp:sasl:2' mechanism='PLAIN'>\
             <initial-response>{initial}</initial-response></authenticate>"
        )
    } else {
        format!("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{initial}</auth>")
    };
    server.handle_input(auth.as_bytes(), now);
    let out = written(&mut server);
    (authenticated(&mut server), out)
}

#[test]
fn plain_prepares_the_user_name() {
    for sasl2 in [false, true] {
        let (user, out) = plain("Juliet", sasl2);
        assert_eq!(user.as_deref(), Some("juliet@example.com"), "{out}");
        let (user, out) = plain("\u{265A}", sasl2);
        assert_eq!(user, None);
        assert!(out.contains("not-authorized"), "{out}");
    }
}

#[test]
fn scram_prepares_the_user_name_and_proves_with_it_as_sent() {
    let (mut server, now) = server(false);
    written(&mut server);
    // RFC 5802 §5.1: the name goes into the AuthMessage as the client wrote it.
    let mut client = ScramClient::new(ScramHash::Sha256, "JULIET", "r0m30", "client-nonce");
    let auth = format!(
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>{}</auth>",
        b64(&client.first_message())
    );
    server.handle_input(auth.as_bytes(), now);
    let out = written(&mut server);
    let challenge = out
        .split("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no challenge: {out}"));
    let first = base64::engine::general_purpose::STANDARD
        .decode(challenge)
        .unwrap();
    let final_message = client.handle_server_first(&first).unwrap();
    let response = format!(
        "<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</response>",
        b64(&final_message)
    );
    server.handle_input(response.as_bytes(), now);
    let out = written(&mut server);
    assert!(out.contains("<success"), "{out}");
    assert_eq!(
        authenticated(&mut server).as_deref(),
        Some("juliet@example.com")
    );
}
