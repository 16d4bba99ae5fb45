//! What one idle connection holds on the heap, split by who holds it (issue #17): rustls's server
//! connection after a TLS 1.3 handshake and one exchange of application data (TLS's own share),
//! our `ServerSession` after SCRAM, bind and stream management (the session), and the `Server`
//! engine's entry for the bound resource. Each is measured over 1,000 connections driven in
//! memory, as the net bytes a counting allocator saw allocated and not freed, with the peer side
//! dropped first. The example server's RSS per idle connection (`tests/load/run.sh`) adds the
//! task, the socket's registration and the allocator's own overhead; the kernel's share is
//! printed by `examples/load --idle`.
//!
//! `cargo bench --bench idle`; results in docs/benchmarks.md.

use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;
use xmppkit::jid::BareJid;
use xmppkit::server::{Config, MemoryAccounts, Now, Server, Stores};
use xmppkit::session::{
    ClientConfig, ClientSession, MemoryCredentials, ServerConfig, ServerEvent, ServerSession,
    ServerTls, TlsPolicy,
};
use xmppkit::stanza::datetime::DateTime;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const CONNECTIONS: usize = 1_000;

/// Heap bytes allocated and not freed since `region` started.
fn held(region: &Region<System>) -> isize {
    let change = region.change();
    change.bytes_allocated as isize - change.bytes_deallocated as isize + change.bytes_reallocated
}

fn per_connection(bytes: isize) -> f64 {
    bytes as f64 / CONNECTIONS as f64 / 1024.0
}

/// Moves TLS records from one side to the other until neither has anything to write.
fn shuttle(client: &mut rustls::ClientConnection, server: &mut rustls::ServerConnection) {
    loop {
        let mut moved = false;
        let mut buf = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() {
            server.read_tls(&mut buf.as_slice()).unwrap();
            server.process_new_packets().unwrap();
            moved = true;
        }
        buf.clear();
        while server.wants_write() {
            server.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() {
            client.read_tls(&mut buf.as_slice()).unwrap();
            client.process_new_packets().unwrap();
            moved = true;
        }
        if !moved {
            return;
        }
    }
}

/// TLS's own share: rustls server connections, handshaken, one small message each way.
fn tls() -> f64 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
    let server_config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)
            .unwrap(),
    );
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let client_config = Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );
    let region = Region::new(GLOBAL);
    let mut servers = Vec::with_capacity(CONNECTIONS);
    let mut clients = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let name = "localhost".try_into().unwrap();
        let mut client = rustls::ClientConnection::new(client_config.clone(), name).unwrap();
        let mut server = rustls::ServerConnection::new(server_config.clone()).unwrap();
        shuttle(&mut client, &mut server);
        assert!(!server.is_handshaking());
        client.writer().write_all(b"<presence/>").unwrap();
        shuttle(&mut client, &mut server);
        let mut got = [0u8; 11];
        server.reader().read_exact(&mut got).unwrap();
        server.writer().write_all(b"<r/>").unwrap();
        shuttle(&mut client, &mut server);
        servers.push(server);
        clients.push(client);
    }
    drop(clients);
    let bytes = held(&region);
    drop(servers);
    per_connection(bytes)
}

/// Our session: logged in over SCRAM-SHA-256, bound, stream management enabled, nothing queued;
/// as the login left it, and after `release_buffers` (what the example server calls before it
/// waits for the socket).
fn session() -> (f64, f64) {
    let now = Instant::now();
    let mut users = MemoryCredentials::default();
    users.add_user("juliet", "r0m30", b"salt", 4096);
    let users = Arc::new(users);
    let region = Region::new(GLOBAL);
    let mut servers = Vec::with_capacity(CONNECTIONS);
    for i in 0..CONNECTIONS {
        let mut config = ServerConfig::new(BareJid::new("example.com").unwrap());
        config.tls = ServerTls::Unavailable;
        let mut n = 0;
        let random = Box::new(move || {
            n += 1;
            format!("r{i}-{n}")
        });
        let mut server = ServerSession::new(config, users.clone(), random, now);
        let mut client_config =
            ClientConfig::new(BareJid::new("juliet@example.com").unwrap(), "r0m30");
        client_config.tls = TlsPolicy::Off;
        let mut client = ClientSession::new(client_config, format!("nonce{i}"), now);
        loop {
            let mut moved = false;
            while let Some(bytes) = client.poll_transmit() {
                server.handle_input(&bytes, now);
                moved = true;
            }
            while let Some(bytes) = server.poll_transmit() {
                client.handle_input(&bytes, now);
                moved = true;
            }
            while let Some(event) = server.poll_event() {
                match event {
                    ServerEvent::BindRequest { .. } => server.bind(&format!("r{i}")),
                    ServerEvent::ResumeRequest { .. } => server.refuse_resume(None),
                    _ => {}
                }
                moved = true;
            }
            while client.poll_event().is_some() {
                moved = true;
            }
            if !moved {
                break;
            }
        }
        assert!(client.is_online());
        servers.push(server);
    }
    let busy = held(&region);
    for server in &mut servers {
        server.release_buffers();
    }
    let idle = held(&region);
    drop(servers);
    (per_connection(busy), per_connection(idle))
}

/// The engine's entry for a bound resource (the resource index, the connection's accounting).
fn engine() -> f64 {
    let utc = DateTime::from_unix(1_700_000_000, 0).unwrap();
    let now = || Now {
        instant: Instant::now(),
        utc,
    };
    let stores = Stores::memory(Arc::new(MemoryAccounts::default()));
    let random = Box::new(|bytes: &mut [u8]| bytes.fill(7));
    let mut server = Server::new(
        Config::new(BareJid::new("example.com").unwrap()),
        stores,
        random,
        now(),
    );
    // One session, reused: only what the engine keeps is measured.
    let first = server.connect(None);
    let config = server.session_config(first);
    let mut session = ServerSession::new(
        config,
        server.credentials(),
        Box::new(|| "x".into()),
        Instant::now(),
    );
    let region = Region::new(GLOBAL);
    for i in 0..CONNECTIONS {
        let conn = server.connect(None);
        let user: BareJid = format!("user{i}@example.com").parse().unwrap();
        let jid = user.with_resource_str("r").unwrap();
        for event in [
            ServerEvent::Authenticated {
                user,
                mechanism: "SCRAM-SHA-256",
            },
            ServerEvent::Online { jid },
        ] {
            server.handle_event(conn, &mut session, event, now());
        }
        while server.poll_output().is_some() {}
    }
    per_connection(held(&region))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!("heap held per idle connection, {CONNECTIONS} connections:");
    println!(
        "  rustls ServerConnection (TLS 1.3, handshaken): {:.2} KiB",
        tls()
    );
    let (busy, idle) = session();
    println!("  ServerSession (SCRAM, bound, XEP-0198 on):     {busy:.2} KiB, {idle:.2} KiB after release_buffers");
    println!(
        "  Server engine entry (bound resource):          {:.2} KiB",
        engine()
    );
}
