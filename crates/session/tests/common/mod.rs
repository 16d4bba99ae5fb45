//! `Pair`: a client and a server session driven against each other in memory, with simulated time
//! and byte streams cut into chunks of chosen sizes (the quinn-proto test model).
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use xmppkit_jid::BareJid;
use xmppkit_session::bind::{decide, BindDecision, ConflictPolicy};
use xmppkit_session::*;
use xmppkit_sm::{DetachedSessions, Expired, Resumption};
use xmppkit_stanza::{DefinedCondition, StanzaError};

pub const DOMAIN: &str = "example.com";

pub fn users() -> MemoryCredentials {
    let mut users = MemoryCredentials::default();
    users.add_user("juliet", "r0m30", b"juliet-salt", 4096);
    users.add_user("romeo", "jul13t", b"romeo-salt", 4096);
    users
}

pub fn server_config(tls: ServerTls) -> ServerConfig {
    let mut c = ServerConfig::new(BareJid::new(DOMAIN).unwrap());
    c.tls = tls;
    c
}

pub fn client_config(user: &str, password: &str, tls: TlsPolicy) -> ClientConfig {
    let mut c = ClientConfig::new(BareJid::new(&format!("{user}@{DOMAIN}")).unwrap(), password);
    c.tls = tls;
    c
}

/// What a man in the middle does to the bytes it carries.
pub type Rewrite = Box<dyn FnMut(&[u8]) -> Vec<u8>>;

pub struct Pair {
    pub client: ClientSession,
    pub server: ServerSession,
    pub now: Instant,
    pub client_events: Vec<ClientEvent>,
    pub server_events: Vec<ServerEvent>,
    /// Chunk sizes, cycled, for every byte stream in both directions.
    pub chunks: Vec<usize>,
    chunk_index: usize,
    pub policy: ConflictPolicy,
    /// Resources already bound by other (imaginary) sessions of the same user.
    pub taken: Vec<String>,
    /// Whether bind requests are answered automatically.
    pub auto_bind: bool,
    client_tls: bool,
    server_tls: bool,
    random_counter: u64,
    client_config: ClientConfig,
    server_config: ServerConfig,
    /// Shared by every server session of this pair, so ids never repeat.
    random: Arc<AtomicU64>,
    /// The server's detached sessions; resume requests are answered from here.
    pub table: DetachedSessions,
    /// Detached sessions that expired, with what they hand back.
    pub expired: Vec<Expired>,
    /// Bytes the network still carries before it breaks (`None`: never).
    pub budget: Option<usize>,
    /// Whether the budget ran out: every byte since was lost.
    pub broken: bool,
    /// Whether both sessions free their idle buffers after every chunk they take in, as an
    /// application does whenever a connection waits for its socket.
    pub release_buffers: bool,
    /// What each side's TLS connection can bind to once "established" (RFC 5802 §6).
    pub client_bindings: xmppkit_session::scram::ChannelBindings,
    pub server_bindings: xmppkit_session::scram::ChannelBindings,
    /// A man in the middle: rewrites what the server sends before the client sees it.
    pub rewrite: Option<Rewrite>,
    /// How many times the client sent and then had to wait for the server: round trips.
    pub client_flights: usize,
}

impl Pair {
    pub fn new(client: ClientConfig, server: ServerConfig) -> Self {
        Pair::with_credentials(client, server, Arc::new(users()))
    }

    /// A pair whose server reads accounts from `credentials`.
    pub fn with_credentials(
        client: ClientConfig,
        server: ServerConfig,
        credentials: Arc<dyn CredentialStore>,
    ) -> Self {
        let now = Instant::now();
        let counter = Arc::new(AtomicU64::new(0));
        Pair {
            client: ClientSession::new(client.clone(), "cnonce", now),
            server: ServerSession::new(server.clone(), credentials, random(&counter), now),
            client_config: client,
            server_config: server,
            random: counter,
            table: DetachedSessions::default(),
            expired: Vec::new(),
            budget: None,
            broken: false,
            release_buffers: false,
            client_bindings: Default::default(),
            server_bindings: Default::default(),
            rewrite: None,
            client_flights: 0,
            now,
            client_events: Vec::new(),
            server_events: Vec::new(),
            chunks: vec![usize::MAX],
            chunk_index: 0,
            policy: ConflictPolicy::Refuse,
            taken: Vec::new(),
            auto_bind: true,
            client_tls: false,
            server_tls: false,
            random_counter: 0,
        }
    }

    fn next_chunk(&mut self) -> usize {
        let n = self.chunks[self.chunk_index % self.chunks.len()].max(1);
        self.chunk_index += 1;
        match &mut self.budget {
            Some(budget) => {
                let n = n.min(*budget);
                *budget -= n;
                if n == 0 {
                    self.broken = true;
                }
                n
            }
            None => n,
        }
    }

    /// The connection breaks now: the client loses it (and keeps its resumption token), the
    /// server detaches the session into `table`. Returns the client's token.
    pub fn cut(&mut self) -> Option<Resumption> {
        self.broken = true;
        let resumption = self.client.connection_lost(self.now);
        if let Some(detached) = self.server.detach(self.now) {
            self.table.insert(detached);
        }
        self.drive();
        resumption
    }

    /// A new connection with fresh sessions on both ends; the client resumes when given a token.
    pub fn reconnect(&mut self, resumption: Option<Resumption>) {
        self.budget = None;
        self.broken = false;
        let client = ClientSession::new(self.client_config.clone(), "cnonce2", self.now);
        self.client = match resumption {
            Some(r) => client.resuming(r),
            None => client,
        };
        self.server = ServerSession::new(
            self.server_config.clone(),
            Arc::new(users()),
            random(&self.random),
            self.now,
        );
        self.drive();
    }

    /// Time passes for the detached sessions too.
    pub fn expire_detached(&mut self, by: Duration) {
        self.now += by;
        let expired = self.table.handle_timeout(self.now);
        self.expired.extend(expired);
    }

    /// Moves bytes and handles events until neither side has anything more to say.
    pub fn drive(&mut self) {
        loop {
            let mut moved = false;
            let mut flight = false;
            while let Some(bytes) = self.client.poll_transmit() {
                flight = true;
                let mut rest = &bytes[..];
                while !rest.is_empty() && !self.broken {
                    let n = self.next_chunk().min(rest.len());
                    self.server.handle_input(&rest[..n], self.now);
                    if self.release_buffers {
                        self.server.release_buffers();
                    }
                    rest = &rest[n..];
                }
                moved = true;
            }
            self.client_flights += usize::from(flight);
            while let Some(bytes) = self.server.poll_transmit() {
                let bytes = match &mut self.rewrite {
                    Some(rewrite) => bytes::Bytes::from(rewrite(&bytes)),
                    None => bytes,
                };
                let mut rest = &bytes[..];
                while !rest.is_empty() && !self.broken {
                    let n = self.next_chunk().min(rest.len());
                    self.client.handle_input(&rest[..n], self.now);
                    if self.release_buffers {
                        self.client.release_buffers();
                    }
                    rest = &rest[n..];
                }
                moved = true;
            }
            while let Some(event) = self.server.poll_event() {
                moved = true;
                match &event {
                    ServerEvent::StartTls => self.server_tls = true,
                    ServerEvent::BindRequest { resource } if self.auto_bind => {
                        let taken = self.taken.clone();
                        self.random_counter += 1;
                        let r = self.random_counter;
                        match decide(
                            self.policy,
                            resource.as_deref(),
                            |x| taken.iter().any(|t| t == x),
                            || format!("rnd{r}"),
                        ) {
                            BindDecision::Bind(resource)
                            | BindDecision::BindReplacing(resource) => self.server.bind(&resource),
                            BindDecision::Refuse => self
                                .server
                                .refuse_bind(StanzaError::new(DefinedCondition::Conflict)),
                        }
                    }
                    ServerEvent::ResumeRequest { previd, .. } => match self.table.take(previd) {
                        Some(detached) => {
                            if let Err(detached) = self.server.resume(detached, self.now) {
                                self.table.insert(*detached);
                                self.server.refuse_resume(None);
                            }
                        }
                        None => self.server.refuse_resume(self.table.expired_h(previd)),
                    },
                    _ => {}
                }
                self.server_events.push(event);
            }
            while let Some(event) = self.client.poll_event() {
                moved = true;
                if event == ClientEvent::StartTls {
                    self.client_tls = true;
                }
                self.client_events.push(event);
            }
            if self.client_tls && self.server_tls {
                // Both sides asked for TLS: pretend the handshake happened.
                self.client_tls = false;
                self.server_tls = false;
                self.server
                    .tls_established_with(self.server_bindings.clone(), self.now);
                self.client
                    .tls_established_with(self.client_bindings.clone(), self.now);
                moved = true;
            }
            if !moved {
                break;
            }
        }
    }

    /// Advances simulated time and fires both sides' timers.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.client.handle_timeout(self.now);
        self.server.handle_timeout(self.now);
        self.drive();
    }

    pub fn client_failure(&self) -> Option<&SessionError> {
        self.client_events.iter().find_map(|e| match e {
            ClientEvent::Failed(e) => Some(e),
            _ => None,
        })
    }

    pub fn server_failure(&self) -> Option<&SessionError> {
        self.server_events.iter().find_map(|e| match e {
            ServerEvent::Failed(e) => Some(e),
            _ => None,
        })
    }

    pub fn server_stanzas(&self) -> Vec<&minidom::Element> {
        self.server_events
            .iter()
            .filter_map(|e| match e {
                ServerEvent::Stanza(s) => Some(s.element().expect("a valid stanza")),
                _ => None,
            })
            .collect()
    }

    pub fn client_stanzas(&self) -> Vec<&minidom::Element> {
        self.client_events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Stanza(s) => Some(s),
                _ => None,
            })
            .collect()
    }
}

fn random(counter: &Arc<AtomicU64>) -> Random {
    let counter = Arc::clone(counter);
    Box::new(move || format!("srv{}", counter.fetch_add(1, Ordering::Relaxed) + 1))
}
