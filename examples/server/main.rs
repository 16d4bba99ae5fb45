//! `server`: an XMPP server that only wires xmppkit's crates to sockets: tokio accepts
//! connections, tokio-rustls does STARTTLS, one `ServerSession` runs per connection, and one
//! `xmppkit_server::Server` (with MUC and PubSub plugged in as components) does everything
//! else. Settings come from a TOML file (`--config`) and flags; `tracing` logs.
//!
//! ```sh
//! cargo run --example server        # localhost on 127.0.0.1:5222, state in xmppkit.db
//! cargo run --example server -- --config server.toml
//! cargo run --example server -- --store sqlite:/var/lib/xmppkit.db adduser dave@localhost --password secret
//! cargo run --example server -- --store postgres://xmpp@127.0.0.1/chat
//! cargo run --example server -- --store memory --users users.toml
//! ```
//!
//! State is kept where `--store` says (`store.rs`): by default on the embedded SQLite store in
//! `xmppkit.db`, which starts with demo accounts alice, bob and carol (password `pass`) when it
//! has none and no accounts file is given. The admin commands (`admin.rs`) change the store's
//! accounts; an accounts file (`--users`) adds its missing accounts at start.

mod admin;
mod config;
mod connection;
mod reader;
mod store;
mod tls;

use std::cell::RefCell;
use std::collections::HashMap;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Notify};
use xmppkit::muc::{MamHook, ReadMarkersHook, Service, ServiceConfig};
use xmppkit::pubsub::{Engine, PubSubConfig};
use xmppkit::server::{AccountError, Config, ConnId, Now, Output, PubSubComponent, Server};
use xmppkit::stanza::datetime::DateTime;

/// What the hub tells a connection.
pub enum ToConnection {
    /// Send this stanza, serialized by the engine (it may wait a while, and bytes cost a
    /// twentieth of a tree); report its size as written afterwards.
    Stanza(xmppkit::sm::Queued, usize),
    /// Close the stream, with this error if any.
    Close(Option<xmppkit::stanza::StreamError>),
}

/// The engine and the connections' channels; every call into the engine is followed by
/// `dispatch`.
pub struct Hub {
    /// The engine.
    pub server: Server,
    /// The database, when the store has one.
    pub db: Option<store::Db>,
    conns: HashMap<ConnId, (mpsc::UnboundedSender<ToConnection>, Rc<Notify>)>,
}

impl Hub {
    /// What a connection waits for before writing to its socket: the writes after `since`
    /// (an acknowledgement or a delivery depends on them). SQLite commits them here; other
    /// connections' tasks only run at the next `.await`, so what was handed to them waits for
    /// this too.
    pub fn durable(&self, since: u64) -> store::Pending {
        match &self.db {
            Some(db) => db.durable(since),
            None => store::Pending::Ready(Ok(())),
        }
    }

    /// Commits what the engine wrote outside a connection's turn (timers, a disconnect);
    /// PostgreSQL's writer needs nothing.
    pub fn commit(&self) -> Result<(), String> {
        match &self.db {
            Some(store::Db::Sqlite(db)) => db.commit().map_err(|e| e.to_string()),
            _ => Ok(()),
        }
    }

    /// Hands the engine's outputs to the connections.
    pub fn dispatch(&mut self) {
        while let Some(output) = self.server.poll_output() {
            let (conn, message) = match output {
                Output::Deliver { conn, stanza, size } => {
                    (conn, ToConnection::Stanza(stanza, size))
                }
                Output::Close { conn, error } => {
                    if let Some((_, closing)) = self.conns.get(&conn) {
                        closing.notify_one();
                    }
                    (conn, ToConnection::Close(error))
                }
                Output::StoreFailed(e) => {
                    tracing::error!("{e}");
                    continue;
                }
                // One shard (the default configuration): nothing is forwarded.
                Output::Forward { shard, .. } => {
                    tracing::error!("a stanza for shard {shard}, which this process does not run");
                    continue;
                }
            };
            let undelivered = match self.conns.get(&conn) {
                Some((tx, _)) => tx.send(message).err().map(|e| e.0),
                None => Some(message),
            };
            if let Some(ToConnection::Stanza(stanza, _)) = undelivered {
                self.server.handle_undelivered(vec![stanza.into_element()]);
            }
        }
    }
}

/// The clocks, read once.
pub fn now() -> Now {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    // Microseconds at most: some clients (slixmpp) cannot read nine fraction digits.
    let utc = DateTime::from_unix(since.as_secs() as i64, since.subsec_micros() * 1000)
        .expect("a valid time");
    Now {
        instant: Instant::now(),
        utc,
    }
}

/// Fresh random bytes from the OS.
pub fn random_bytes(bytes: &mut [u8]) {
    getrandom::fill(bytes).expect("the OS has randomness");
}

fn main() -> ExitCode {
    let run = || -> Result<(), String> {
        let (settings, command) = config::parse(std::env::args().skip(1).collect())?;
        if !command.is_empty() {
            return admin::run(&settings, command);
        }
        tracing_subscriber::fmt().with_ansi(false).init();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        tokio::task::LocalSet::new().block_on(&runtime, serve(settings))
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}\nusage: server [--config FILE] [--domain D] [--listen ADDR]... [--store sqlite:PATH | --store memory] [--users FILE] [--max-connections N] [--max-stanza BYTES] [--rate BYTES_PER_SECOND] [--max-queued BYTES] [--registration] [--no-mam] [adduser JID | deluser JID | passwd JID | users] [--password P]");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: config::Settings) -> Result<(), String> {
    let domain = &settings.domain;
    let mut config = Config::new(
        domain
            .parse()
            .map_err(|e| format!("domain {domain}: {e}"))?,
    );
    config.offline_limit = settings.limits.offline_messages;
    config.max_queued_bytes = settings.limits.max_queued_bytes;
    config.registration = settings.registration();
    config.auth_failures = settings.limits.auth_failures();
    config.archive = settings.services.mam;
    let choice = settings.store()?;
    let opened = store::open(&choice)?;
    let mut server = Server::new(config, opened.stores, Box::new(random_bytes), now());
    if let Some(path) = &settings.accounts {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        for (name, password) in config::read_accounts(&text)? {
            match server.create_account(&name, &password) {
                Ok(_) | Err(AccountError::Exists(_)) => {}
                Err(e) => return Err(format!("{path}: {e}")),
            }
        }
    }
    let demo = settings.accounts.is_none() && server.users().is_empty();
    if demo {
        for name in ["alice", "bob", "carol"] {
            server
                .create_account(name, "pass")
                .map_err(|e| format!("demo account {name}: {e}"))?;
        }
    }
    let muc_domain = format!("conference.{domain}");
    if settings.services.muc {
        let hooks = (
            MamHook(xmppkit::mam::Mam::new(
                opened.rooms_archive,
                Default::default(),
            )),
            ReadMarkersHook(xmppkit::read_markers::ReadMarkers::new(opened.read_markers)),
        );
        let muc_config = ServiceConfig {
            create: xmppkit::muc::CreatePolicy::Domains(vec![domain.clone()]),
            ..ServiceConfig::default()
        };
        let jid = muc_domain
            .parse()
            .map_err(|e| format!("{muc_domain}: {e}"))?;
        let service = Service::new(jid, muc_config, hooks)
            .with_store(opened.rooms)
            .map_err(|e| format!("{choice}: {e}"))?;
        server.add_component(muc_domain.clone(), Box::new(service));
    }
    if settings.services.pubsub {
        let pubsub_config = PubSubConfig {
            create: xmppkit::pubsub::CreatePolicy::Domains(vec![domain.clone()]),
            ..PubSubConfig::default()
        };
        let engine = Engine::new(opened.nodes, pubsub_config);
        server.add_component(
            format!("pubsub.{domain}"),
            Box::new(PubSubComponent(engine)),
        );
    }
    let acceptor = tls::acceptor(
        &settings,
        &[domain.clone(), muc_domain, format!("pubsub.{domain}")],
    )?;
    // From here on the writes of a turn share one commit (the accounts above each had theirs).
    if let Some(db) = &opened.db {
        db.group();
    }
    let hub = Rc::new(RefCell::new(Hub {
        server,
        db: opened.db,
        conns: HashMap::new(),
    }));
    let (accepted_tx, mut accepted) = mpsc::unbounded_channel();
    for address in &settings.listen {
        let listener = TcpListener::bind(address)
            .await
            .map_err(|e| format!("{address}: {e}"))?;
        tracing::info!("listening on {address} for {domain}");
        let tx = accepted_tx.clone();
        tokio::task::spawn_local(async move {
            while let Ok(pair) = listener.accept().await {
                let _ = tx.send(pair);
            }
        });
    }
    let address = settings.listen.first().map_or("", String::as_str);
    println!(
        "xmppkit serving {domain} on {}, state in {choice}",
        settings.listen.join(", ")
    );
    if demo {
        println!("demo accounts alice@{domain}, bob@{domain}, carol@{domain}, password \"pass\"");
    }
    println!(
        "try: cargo run --example client -- --jid alice@{domain} --password pass \
         --server {address} --insecure-tls send bob@{domain} hello"
    );
    // Detached sessions expire and registration windows pass on their own schedule.
    let ticking = hub.clone();
    tokio::task::spawn_local(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            let mut hub = ticking.borrow_mut();
            hub.server.handle_timeout(now());
            hub.dispatch();
            if let Err(e) = hub.commit() {
                tracing::error!("{e}");
            }
        }
    });
    let open = Rc::new(std::cell::Cell::new(0usize));
    loop {
        tokio::select! {
            Some((tcp, peer)) = accepted.recv() => {
                if open.get() >= settings.limits.max_connections {
                    continue;
                }
                open.set(open.get() + 1);
                let (tx, rx) = mpsc::unbounded_channel();
                let closing = Rc::new(Notify::new());
                let conn = {
                    let mut hub = hub.borrow_mut();
                    let conn = hub.server.connect(Some(peer.ip()));
                    hub.conns.insert(conn, (tx, closing.clone()));
                    conn
                };
                let link = connection::Link { conn, hub: hub.clone(), rx, closing };
                let (settings, acceptor, open) = (settings.clone(), acceptor.clone(), open.clone());
                tokio::task::spawn_local(async move {
                    if let Err(e) = connection::run(tcp, &settings, link, acceptor).await {
                        tracing::info!("{peer}: {e}");
                    }
                    open.set(open.get() - 1);
                });
            }
            _ = tokio::signal::ctrl_c() => {
                tracing::info!("shutting down");
                {
                    let mut h = hub.borrow_mut();
                    h.server.shutdown();
                    h.dispatch();
                    if let Some(Err(e)) = h.db.as_ref().map(store::Db::flush) {
                        tracing::error!("{e}");
                    }
                }
                // Give the connections a moment to write their closing tags.
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                return Ok(());
            }
        }
    }
}
