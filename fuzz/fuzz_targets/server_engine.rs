//! Arbitrary bytes from a logged-in user, through its session, into the `Server` engine, with a
//! second user online: the engine must never panic, every output must go to a known connection,
//! and what waits for each connection must stay under the configured bound (roster sets,
//! blocking commands, registration and subscription stanzas, presence and routing included).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use std::time::Instant;
use xmppkit_server::*;
use xmppkit_session::{ServerConfig, ServerSession, ServerTls};
use xmppkit_stanza::datetime::DateTime;

const HEADER: &[u8] = b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";

fn login(server: &mut Server, now: Now, plain: &[u8]) -> (ConnId, ServerSession) {
    let mut config = ServerConfig::new("example.com".parse().unwrap());
    config.tls = ServerTls::Unavailable;
    config.allow_plain_without_tls = true;
    let mut n = 0u32;
    let mut session = ServerSession::new(config, server.credentials(), Box::new(move || { n += 1; format!("r{n}") }), now.instant);
    let conn = server.connect(None);
    for input in [HEADER, plain, HEADER, b"<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq><presence/>"] {
        session.handle_input(input, now.instant);
        while let Some(event) = session.poll_event() {
            server.handle_event(conn, &mut session, event, now);
        }
    }
    (conn, session)
}

fuzz_target!(|data: Vec<u8>| {
    let now = Now { instant: Instant::now(), utc: DateTime::from_unix(1_700_000_000, 0).unwrap() };
    let mut config = Config::new("example.com".parse().unwrap());
    config.scram_iterations = 1;
    config.max_queued_bytes = 64 * 1024;
    let stores = Stores::memory(Arc::new(MemoryAccounts::default()));
    let mut server = Server::new(config, stores, Box::new(|b| b.fill(1)), now);
    server.create_account("juliet", "r0m30").unwrap();
    server.create_account("romeo", "r0m30").unwrap();
    // PLAIN juliet/r0m30 and romeo/r0m30.
    let (juliet, mut js) = login(&mut server, now, b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMA==</auth>");
    let (romeo, _rs) = login(&mut server, now, b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AHJvbWVvAHIwbTMw</auth>");
    js.handle_input(&data, now.instant);
    while let Some(event) = js.poll_event() {
        server.handle_event(juliet, &mut js, event, now);
    }
    let mut queued = [0usize; 2];
    while let Some(output) = server.poll_output() {
        if let Output::Deliver { conn, size, .. } = output {
            assert!(conn == juliet || conn == romeo);
            let i = usize::from(conn == romeo);
            queued[i] += size;
            assert!(queued[i] <= 64 * 1024);
        }
    }
    server.handle_disconnect(juliet, &mut js, now);
    while server.poll_output().is_some() {}
});
