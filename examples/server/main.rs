//! `server`: an XMPP server that only wires xmppkit's crates to sockets: tokio accepts
//! connections, tokio-rustls does STARTTLS, one `ServerSession` runs per connection, and
//! `xmppkit_server::Server` engines (with MUC and PubSub plugged in as components) do
//! everything else: one per shard (`--shards N`, a thread each, the accounts split by bare
//! JID, `shard.rs`). Settings come from a TOML file (`--config`) and flags; `tracing` logs.
//!
//! ```sh
//! cargo run --example server        # localhost on 127.0.0.1:5222, state in xmppkit.db
//! cargo run --example server -- --config server.toml
//! cargo run --example server -- --store sqlite:/var/lib/xmppkit.db adduser dave@localhost --password secret
//! cargo run --example server -- --store postgres://xmpp@127.0.0.1/chat
//! cargo run --example server -- --store memory --users users.toml
//! cargo run --example server -- --shards 2      # two engines, on two threads
//! cargo run --example server -- --s2s-listen 127.0.0.1:5269 --federation-host b.localhost=127.0.0.1:5270
//! cargo run --example server -- --component-listen 127.0.0.1:5347 --component bot.localhost=secret
//! ```
//!
//! State is kept where `--store` says (`store.rs`): by default on the embedded SQLite store in
//! `xmppkit.db`, which starts with demo accounts alice, bob and carol (password `pass`) when it
//! has none and no accounts file is given. The admin commands (`admin.rs`) change the store's
//! accounts; an accounts file (`--users`) adds its missing accounts at start.

mod admin;
mod component;
mod config;
mod connection;
mod federation;
mod link_socket;
mod mesh;
mod reader;
mod shard;
mod store;
mod tcp;
mod tls;

use std::cell::RefCell;
use std::collections::HashMap;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Notify};
use xmppkit::muc::{MamHook, ReadStateHook, Service, ServiceConfig};
use xmppkit::pubsub::{Engine, PubSubConfig};
use xmppkit::server::{
    AccountError, Config, ConnId, LinkFailure, LinkId, Now, Output, PubSubComponent, Server, Shards,
};
use xmppkit::stanza::datetime::DateTime;

/// What the hub tells a connection.
pub enum ToConnection {
    /// Send this stanza, serialized by the engine (it may wait a while, and bytes cost a
    /// twentieth of a tree); report its size as written afterwards.
    Stanza(xmppkit::sm::Queued, usize),
    /// Close the stream, with this error if any.
    Close(Option<xmppkit::stanza::StreamError>),
}

/// What the hub tells a server-to-server link's or an external component's task.
pub enum ToLink {
    /// Send this stanza.
    Stanza(minidom::Element),
    /// Authenticate another of our domains on this stream as the link `link` (XEP-0220 §3).
    AddSender(LinkId, String),
    /// Close the stream of this link (for a domain multiplexed on another's stream: stop using
    /// it for that domain).
    Close(LinkId),
}

/// One shard's engine and its connections' channels; every call into the engine is followed
/// by `dispatch`.
pub struct Hub {
    /// The engine.
    pub server: Server,
    /// The database, when the store has one.
    pub db: Option<store::Db>,
    /// The other shards.
    pub mesh: mesh::Mesh,
    conns: HashMap<ConnId, (mpsc::UnboundedSender<ToConnection>, Rc<Notify>)>,
    /// Server-to-server links and external components.
    pub links: HashMap<LinkId, mpsc::UnboundedSender<ToLink>>,
    /// Federation's sockets, TLS and DNS.
    pub net: Option<Arc<federation::Net>>,
    /// This hub, for the link tasks it starts.
    pub me: std::rc::Weak<RefCell<Hub>>,
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

    /// A new connection of this shard, and its place here.
    pub fn attach(hub: &Rc<RefCell<Hub>>, peer: std::net::SocketAddr) -> connection::Link {
        let (tx, rx) = mpsc::unbounded_channel();
        let closing = Rc::new(Notify::new());
        let mut h = hub.borrow_mut();
        let conn = h.server.connect(Some(peer.ip()));
        h.conns.insert(conn, (tx, closing.clone()));
        connection::Link {
            conn,
            hub: hub.clone(),
            rx,
            closing,
        }
    }

    /// A link's task ended: what it did not send goes back to the engine, then the links it
    /// carried (one, or a stream's pairs the other way, XEP-0288).
    pub fn end_links(
        &mut self,
        links: &[LinkId],
        mut rx: mpsc::UnboundedReceiver<ToLink>,
        failure: Option<LinkFailure>,
    ) {
        for link in links {
            self.links.remove(link);
        }
        rx.close();
        let mut unsent = Vec::new();
        while let Ok(message) = rx.try_recv() {
            if let ToLink::Stanza(stanza) = message {
                unsent.push(stanza);
            }
        }
        let now = now();
        self.server.link_returned(unsent, now);
        for link in links {
            self.server.link_closed(*link, failure, now);
        }
        self.dispatch();
        if let Err(e) = self.commit() {
            tracing::error!("{e}");
        }
    }

    /// Hands the engine's outputs to the connections and the other shards.
    pub fn dispatch(&mut self) {
        while let Some(output) = self.server.poll_output() {
            let (conn, message) = match output {
                Output::Dial { link, from, domain } => {
                    federation::dial(self, link, from, domain);
                    continue;
                }
                Output::Multiplex { link, on, from } => {
                    let carrier = self.links.get(&on).cloned();
                    match carrier {
                        Some(tx) if tx.send(ToLink::AddSender(link, from)).is_ok() => {
                            self.links.insert(link, tx);
                        }
                        _ => self
                            .server
                            .link_closed(link, Some(LinkFailure::NotFound), now()),
                    }
                    continue;
                }
                Output::Transmit { link, stanza } => {
                    let sent = match self.links.get(&link) {
                        Some(tx) => tx.send(ToLink::Stanza(stanza)).map_err(|e| e.0),
                        None => Err(ToLink::Stanza(stanza)),
                    };
                    if let Err(ToLink::Stanza(stanza)) = sent {
                        self.server.link_returned(vec![stanza], now());
                    }
                    continue;
                }
                Output::CloseLink { link } => {
                    if let Some(tx) = self.links.get(&link) {
                        let _ = tx.send(ToLink::Close(link));
                    }
                    continue;
                }
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
                Output::Forward { shard, stanza } => {
                    if let Some(stanza) = self.mesh.forward(shard as usize, stanza) {
                        self.server.handle_not_forwarded(stanza, now());
                    }
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
        serve(settings)
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}\nusage: server [--config FILE] [--domain D] [--listen ADDR]... [--store sqlite:PATH | --store memory] [--users FILE] [--shards N] [--max-connections N] [--max-stanza BYTES] [--rate BYTES_PER_SECOND] [--max-queued BYTES] [--registration] [--no-mam] [--s2s-listen ADDR]... [--s2s-direct-tls-listen ADDR]... [--federation-host DOMAIN=ADDR]... [--federation-ca FILE] [--federation-dns IP:PORT] [--federation-timeout SECONDS] [--s2s-tls required|optional] [--no-federation] [--no-bidi] [--component-listen ADDR]... [--component DOMAIN=SECRET]... [adduser JID | deluser JID | passwd JID | users] [--password P]");
            ExitCode::FAILURE
        }
    }
}

/// Builds the shards' engines, starts a thread for each, and runs the listeners and Ctrl-C on
/// this one.
fn serve(settings: config::Settings) -> Result<(), String> {
    let count = settings.shards();
    let domain = &settings.domain;
    let muc_domain = format!("conference.{domain}");
    let pubsub_domain = format!("pubsub.{domain}");
    let mut placement = Shards::new(count as u32, 0);
    // The services run on the first shard.
    for service in [&muc_domain, &pubsub_domain] {
        placement.services.insert(service.to_lowercase(), 0);
    }
    // External components connect to the first shard.
    for component in settings.components.secrets.keys() {
        placement.services.insert(component.to_lowercase(), 0);
    }
    let choice = settings.store()?;
    let mut opened = store::open(&choice)?;
    let mut servers = Vec::new();
    for this in 0..count {
        let mut config = Config::new(
            domain
                .parse()
                .map_err(|e| format!("domain {domain}: {e}"))?,
        );
        config.offline_limit = settings.limits.offline_messages;
        config.max_queued_bytes = settings.limits.max_queued_bytes;
        config.registration = settings.registration();
        config.auth_failures = settings.limits.auth_failures();
        if !settings.login.fast {
            config.fast = None;
        }
        config.archive = settings.services.mam;
        config.federation = settings.federation.policy();
        if settings.services.muc {
            config.room_domains = vec![muc_domain.to_lowercase()];
        }
        config.shards = Shards {
            this: this as u32,
            ..placement.clone()
        };
        let stores = opened.stores_for(&config.shards)?;
        servers.push(Server::new(config, stores, Box::new(random_bytes), now()));
    }
    let server = &mut servers[0];
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
    if settings.services.muc {
        let hooks = (
            MamHook(xmppkit::mam::Mam::new(
                opened.rooms_archive.take().ok_or("the rooms' archive")?,
                Default::default(),
            )),
            {
                let (archive, positions) =
                    opened.room_reads.take().ok_or("the rooms' read state")?;
                ReadStateHook {
                    state: xmppkit::read_markers::ReadState::new(positions),
                    archive,
                }
            },
        );
        let muc_config = ServiceConfig {
            create: xmppkit::muc::CreatePolicy::Domains(vec![domain.clone()]),
            ..ServiceConfig::default()
        };
        let jid = muc_domain
            .parse()
            .map_err(|e| format!("{muc_domain}: {e}"))?;
        let service = Service::new(jid, muc_config, hooks)
            .with_store(opened.rooms.take().ok_or("the rooms")?)
            .map_err(|e| format!("{choice}: {e}"))?;
        server.add_component(muc_domain.clone(), Box::new(service));
    }
    if settings.services.pubsub {
        let pubsub_config = PubSubConfig {
            create: xmppkit::pubsub::CreatePolicy::Domains(vec![domain.clone()]),
            ..PubSubConfig::default()
        };
        let engine = Engine::new(opened.nodes.take().ok_or("the nodes")?, pubsub_config);
        server.add_component(pubsub_domain.clone(), Box::new(PubSubComponent(engine)));
    }
    let (chain, key) = tls::certificate(&settings, &[domain.clone(), muc_domain, pubsub_domain])?;
    let acceptor = tls::acceptor(chain.clone(), key.clone_key())?;
    let s2s_tls = tls::s2s(chain, key, settings.federation.ca.as_deref())?;
    let net = Arc::new(federation::Net::new(&settings, s2s_tls));
    // From here on the writes of a turn share one commit (the accounts above each had theirs).
    if let Some(db) = &opened.db {
        db.group();
    }
    let (links, receivers) = mesh::Links::new(count);
    let open = Arc::new(AtomicUsize::new(0));
    let mut threads = Vec::new();
    for (server, inbox) in servers.into_iter().zip(receivers) {
        let mesh = mesh::Mesh::new(server.config().shards.clone(), links.clone());
        let shard = shard::Shard {
            server,
            db: opened.db.clone(),
            mesh,
            settings: settings.clone(),
            acceptor: acceptor.clone(),
            open: open.clone(),
            net: net.clone(),
        };
        let name = format!("shard-{}", shard.mesh.this());
        let thread = std::thread::Builder::new()
            .name(name)
            .spawn(move || shard.run(inbox))
            .map_err(|e| format!("starting a shard: {e}"))?;
        threads.push(thread);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let inboxes = &links.inboxes;
    runtime.block_on(listen(&settings, &choice, demo, inboxes, &open))?;
    for inbox in inboxes {
        let _ = inbox.send(mesh::ToShard::Shutdown);
    }
    for thread in threads {
        let _ = thread.join();
    }
    Ok(())
}

/// Accepts connections and hands each to a shard, the same for one address (so that its
/// failed logins are counted in one place); the connection moves to its user's shard once
/// authenticated. Returns at Ctrl-C.
async fn listen(
    settings: &config::Settings,
    choice: &store::Choice,
    demo: bool,
    inboxes: &[mpsc::UnboundedSender<mesh::ToShard>],
    open: &Arc<AtomicUsize>,
) -> Result<(), String> {
    let domain = &settings.domain;
    // Accepting waits while the shards catch up (the kernel's backlog holds the rest).
    let (accepted_tx, mut accepted) = mpsc::channel(1024);
    for address in &settings.listen {
        let listener = TcpListener::bind(address)
            .await
            .map_err(|e| format!("{address}: {e}"))?;
        tracing::info!("listening on {address} for {domain}");
        let tx = accepted_tx.clone();
        tokio::spawn(async move {
            while let Ok(pair) = listener.accept().await {
                // Stanzas are small and often come a few in a row: Nagle's algorithm would hold
                // the second until the client's delayed acknowledgement of the first (40 ms).
                let _ = pair.0.set_nodelay(true);
                if tx.send(pair).await.is_err() {
                    break;
                }
            }
        });
    }
    // Other servers and external components are served by the first shard.
    let first = inboxes.first().cloned();
    let others = [
        (&settings.federation.listen, "other servers", Some(false)),
        (
            &settings.federation.direct_tls_listen,
            "other servers (direct TLS)",
            Some(true),
        ),
        (&settings.components.listen, "components", None),
    ];
    for (addresses, what, server) in others {
        for address in addresses {
            let listener = TcpListener::bind(address)
                .await
                .map_err(|e| format!("{address}: {e}"))?;
            tracing::info!("listening on {address} for {what}");
            println!("listening on {address} for {what}");
            let first = first.clone();
            tokio::spawn(async move {
                while let Ok((tcp, peer)) = listener.accept().await {
                    let _ = tcp.set_nodelay(true);
                    let Ok(tcp) = tcp.into_std() else { continue };
                    let message = match server {
                        Some(direct) => mesh::ToShard::AcceptServer(tcp, peer, direct),
                        None => mesh::ToShard::AcceptComponent(tcp, peer),
                    };
                    if first
                        .as_ref()
                        .is_none_or(|inbox| inbox.send(message).is_err())
                    {
                        break;
                    }
                }
            });
        }
    }
    let address = settings.listen.first().map_or("", String::as_str);
    println!(
        "xmppkit serving {domain} on {}, state in {choice}",
        settings.listen.join(", ")
    );
    if inboxes.len() > 1 {
        println!("{} shards, a thread each", inboxes.len());
    }
    if demo {
        println!("demo accounts alice@{domain}, bob@{domain}, carol@{domain}, password \"pass\"");
    }
    println!(
        "try: cargo run --example client -- --jid alice@{domain} --password pass \
         --server {address} --insecure-tls send bob@{domain} hello"
    );
    loop {
        tokio::select! {
            Some((tcp, peer)) = accepted.recv() => {
                if open.load(Ordering::Relaxed) >= settings.limits.max_connections {
                    continue;
                }
                let Ok(tcp) = tcp.into_std() else { continue };
                open.fetch_add(1, Ordering::Relaxed);
                let shard = shard::of_address(peer.ip(), inboxes.len());
                if inboxes[shard].send(mesh::ToShard::Accept(tcp, peer)).is_err() {
                    open.fetch_sub(1, Ordering::Relaxed);
                }
            }
            _ = tokio::signal::ctrl_c() => {
                tracing::info!("shutting down");
                return Ok(());
            }
        }
    }
}
