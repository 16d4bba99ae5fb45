//! Arbitrary client bytes against a server session, before authentication or once online: the
//! session must never panic, must answer with bytes that are a well-formed stream, and must end
//! in at most one failure. Online, stream management is enabled first, so `<r/>`, `<a/>` and
//! their counts are explored too; at the end the connection is dropped (detach).
#![no_main]

#[path = "common/written_stream.rs"]
mod written_stream;

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use std::time::Instant;
use xmppkit_session::*;

const HEADER: &[u8] = b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";

fuzz_target!(|input: (bool, Vec<u8>)| {
    let (online, data) = input;
    let now = Instant::now();
    let mut users = MemoryCredentials::default();
    users.add_user("juliet", "r0m30", b"salt", 1);
    let mut config = ServerConfig::new("example.com".parse().unwrap());
    config.tls = ServerTls::Unavailable;
    config.allow_plain_without_tls = true;
    let mut n = 0u32;
    let mut server = ServerSession::new(config, Arc::new(users), Box::new(move || { n += 1; format!("r{n}") }), now);
    server.handle_input(HEADER, now);
    if online {
        // PLAIN juliet/r0m30, restart, bind.
        server.handle_input(b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMA==</auth>", now);
        server.handle_input(HEADER, now);
        server.handle_input(b"<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>", now);
        while let Some(event) = server.poll_event() {
            if let ServerEvent::BindRequest { .. } = event {
                server.bind("phone");
            }
        }
        assert!(server.jid().is_some());
        server.handle_input(b"<enable xmlns='urn:xmpp:sm:3' resume='true'/>", now);
        assert!(server.sm_enabled());
    }
    server.handle_input(&data, now);
    let mut failures = 0;
    while let Some(event) = server.poll_event() {
        match event {
            ServerEvent::Failed(_) => failures += 1,
            ServerEvent::ResumeRequest { .. } => server.refuse_resume(None),
            _ => {}
        }
    }
    assert!(failures <= 1);
    let _ = server.detach(now);
    written_stream::assert_well_formed(&mut server);
});
