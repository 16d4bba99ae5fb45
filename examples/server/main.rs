//! `server`: a small multi-user XMPP server that only wires xmppkit's sans-IO crates together —
//! the proof that the core embeds into a real server. tokio accepts connections, tokio-rustls
//! does STARTTLS (with a self-signed certificate made at start), one `ServerSession` runs per
//! connection, and one hub routes between sessions and the MUC and PubSub engines.
//!
//! ```sh
//! cargo run --example server -- --domain localhost --listen 127.0.0.1:5222 --users users.toml
//! ```
//!
//! `users.toml` holds one `name = "password"` line per account; salted SCRAM keys are computed
//! at load and the passwords are not kept. Everything else is in memory. Served so far: RFC 6121
//! delivery (highest-priority resources, offline storage for chats), rosters with presence
//! subscriptions and presence broadcast, disco and ping; stream management with resumption;
//! Message Carbons; MAM for users and rooms; MUC at `conference.<domain>` with the room read
//! markers; PubSub at `pubsub.<domain>` and PEP on user JIDs. Ctrl-C closes every stream.

mod connection;
mod hub;
mod roster;

use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use xmppkit::session::{CredentialStore, MemoryCredentials};

/// Command-line settings.
struct Args {
    domain: String,
    listen: String,
    users: Option<String>,
    limits: connection::Limits,
    max_connections: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        domain: "localhost".into(),
        listen: "127.0.0.1:5222".into(),
        users: None,
        limits: connection::Limits::default(),
        max_connections: 10_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--domain" => args.domain = value()?,
            "--listen" => args.listen = value()?,
            "--users" => args.users = Some(value()?),
            "--max-stanza" => {
                args.limits.max_stanza = value()?.parse().map_err(|e| format!("{arg}: {e}"))?
            }
            "--rate" => {
                args.limits.bytes_per_second =
                    value()?.parse().map_err(|e| format!("{arg}: {e}"))?
            }
            "--max-connections" => {
                args.max_connections = value()?.parse().map_err(|e| format!("{arg}: {e}"))?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// Reads `name = "password"` lines; `#` starts a comment.
fn load_users(text: &str) -> Result<MemoryCredentials, String> {
    let mut store = MemoryCredentials::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (name, password) = line
            .split_once('=')
            .ok_or(format!("line {}: expected name = \"password\"", n + 1))?;
        let password = password.trim().trim_matches('"');
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
        store.add_user(name.trim(), password, &salt, 4096);
    }
    Ok(store)
}

/// A self-signed certificate for `domain` and its subdomains.
fn tls_acceptor(domain: &str) -> Result<tokio_rustls::TlsAcceptor, String> {
    let names = vec![
        domain.to_owned(),
        format!("conference.{domain}"),
        format!("pubsub.{domain}"),
    ];
    let certified = rcgen::generate_simple_self_signed(names).map_err(|e| e.to_string())?;
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(|e| e.to_string())?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\nusage: server [--domain D] [--listen ADDR] [--users FILE] [--max-connections N] [--max-stanza BYTES] [--rate BYTES_PER_SECOND]");
            return ExitCode::FAILURE;
        }
    };
    tracing_subscriber::fmt().with_ansi(false).init();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let local = tokio::task::LocalSet::new();
    match local.block_on(&runtime, serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let users = match &args.users {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?,
        None => String::new(),
    };
    let credentials: Arc<dyn CredentialStore> = Arc::new(load_users(&users)?);
    let acceptor = tls_acceptor(&args.domain)?;
    let hub = Rc::new(RefCell::new(hub::Hub::new(&args.domain)?));
    let listener = TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("{}: {e}", args.listen))?;
    tracing::info!("listening on {} for {}", args.listen, args.domain);
    // Detached sessions expire on their own schedule.
    let ticking = hub.clone();
    tokio::task::spawn_local(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            ticking.borrow_mut().tick(std::time::Instant::now());
        }
    });
    let open = Rc::new(std::cell::Cell::new(0usize));
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, peer)) = accepted else { continue };
                if open.get() >= args.max_connections {
                    drop(tcp);
                    continue;
                }
                open.set(open.get() + 1);
                let (hub, credentials, acceptor, open) =
                    (hub.clone(), credentials.clone(), acceptor.clone(), open.clone());
                let domain = args.domain.clone();
                let limits = args.limits;
                tokio::task::spawn_local(async move {
                    if let Err(e) = connection::run(tcp, &domain, limits, hub, credentials, acceptor).await {
                        tracing::info!("{peer}: {e}");
                    }
                    open.set(open.get() - 1);
                });
            }
            _ = tokio::signal::ctrl_c() => {
                tracing::info!("shutting down");
                hub.borrow_mut().shutdown();
                // Give the connections a moment to write their closing tags.
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                return Ok(());
            }
        }
    }
}
