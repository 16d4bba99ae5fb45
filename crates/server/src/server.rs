//! The `Server` engine: its state, how it is built, and the session events it is fed (RFC 6120
//! §7 binding with the conflict policy, XEP-0198 detach, resume and expiry, the end of a
//! connection). Routing, presence, rosters and the server's own answers are in their own files
//! as further `impl Server` blocks.

use crate::accounts::AccountStore;
use crate::blocking::BlockingStore;
use crate::components::Component;
use crate::config::{Config, ResourceConflict};
use crate::links::{LinkId, Links};
use crate::offline::OfflineStore;
use crate::rate::Windows;
use crate::resources::{ConnId, Resource, Resources};
use crate::roster::{Roster, RosterStore};
use crate::store::StoreError;
use minidom::Element;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;
use xmppkit_jid::{BareJid, FullJid, Jid};
use xmppkit_mam::{Archive, Mam, MamConfig};
use xmppkit_pubsub::{Engine, NodeStore, PubSubConfig};
use xmppkit_read_markers::{EntryPropsStore, PositionStore, ReadState};
use xmppkit_session::{CredentialStore, ServerConfig, ServerEvent, ServerSession};
use xmppkit_sm::{DetachedSession, DetachedSessions, Queued};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::{DefinedCondition, Outgoing, StanzaError, StreamError, StreamErrorCondition};

/// The time, read by the application: the monotonic clock for timers, the wall clock for
/// stamps (delays, archive ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Monotonic time.
    pub instant: Instant,
    /// Wall-clock time, UTC.
    pub utc: DateTime,
}

/// What the server asks the application to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Send `stanza` on connection `conn` (`ServerSession::send_queued`), then call
    /// [`Server::handle_written`] with `size` once its bytes went to the socket.
    Deliver {
        /// The connection.
        conn: ConnId,
        /// The stanza, addressed and serialized for a `jabber:client` stream (a fan-out's
        /// copies share one serialization); `stanza.element()` parses it back.
        stanza: Queued,
        /// Its size as the server counted it (its bytes).
        size: usize,
    },
    /// Close connection `conn`: with this stream error (`ServerSession::close_with_error`), or
    /// cleanly. Stanzas for it that were not given to its session yet go back through
    /// [`Server::handle_returned`], before the session's last event.
    Close {
        /// The connection.
        conn: ConnId,
        /// The stream error, if any.
        error: Option<StreamError>,
    },
    /// Hand `stanza` to shard `shard` of this domain ([`Config::shards`](crate::Config)): its
    /// recipient's account or service is served there. That shard takes it with
    /// [`Server::handle_forwarded`]; stanzas for one shard must arrive in the order given.
    Forward {
        /// The shard.
        shard: u32,
        /// The stanza, or a fan-out's copies for that shard's recipients.
        stanza: Outgoing,
    },
    /// Open a server-to-server link from our domain `from` to the remote `domain` (resolve it,
    /// connect, run an `xmppkit_s2s::Initiating` stream), then call [`Server::link_up`] when
    /// it authenticated or [`Server::link_closed`] when it failed or ended.
    Dial {
        /// The link's id.
        link: LinkId,
        /// Our sending domain (the server's, or a component's).
        from: String,
        /// The remote domain.
        domain: String,
    },
    /// Authenticate our domain `from` on the stream of link `on`, already authenticated to the
    /// same remote domain (XEP-0220 §3, `Initiating::add_sender`), as link `link`: then
    /// [`Server::link_up`], or [`Server::link_closed`] when refused or when that stream ends.
    Multiplex {
        /// The new link (the pair `from` → the remote domain).
        link: LinkId,
        /// The link whose stream carries it.
        on: LinkId,
        /// Our sending domain.
        from: String,
    },
    /// Send `stanza` (in `jabber:client`; the stream renames it) on a server-to-server link or
    /// to an external component.
    Transmit {
        /// The link.
        link: LinkId,
        /// The stanza.
        stanza: Element,
    },
    /// Close a link (idle, or not set up in time); call [`Server::link_closed`] when it is.
    CloseLink {
        /// The link.
        link: LinkId,
    },
    /// A store failed (for the operator's log). The engine went on: what could not be written
    /// holds in memory until the next successful write of the same state, and what could not be
    /// loaded is not written back over the stored state.
    StoreFailed(StoreError),
}

/// Fresh random bytes (SCRAM salts, generated resources): the engine has no RNG.
pub type RandomBytes = Box<dyn FnMut(&mut [u8]) + Send>;

/// Where the server keeps what outlives a session.
pub struct Stores {
    /// Accounts (also the sessions' credentials).
    pub accounts: Arc<dyn AccountStore>,
    /// Rosters.
    pub rosters: Box<dyn RosterStore>,
    /// Offline messages.
    pub offline: Box<dyn OfflineStore>,
    /// Blocklists.
    pub blocking: Box<dyn BlockingStore>,
    /// Users' message archives (XEP-0313).
    pub archive: Box<dyn Archive + Send>,
    /// Users' PEP nodes (XEP-0163).
    pub pep: Box<dyn NodeStore + Send>,
    /// XEP-0484 FAST tokens.
    pub tokens: Box<dyn crate::fast::TokenStore>,
    /// Read positions (issue #19: `urn:xmpp:unread`, XEP-0490).
    pub positions: Box<dyn PositionStore>,
    /// Inbox entry properties (MongooseIM's inbox: box, mute, marked unread).
    pub entry_props: Box<dyn EntryPropsStore>,
}

impl Stores {
    /// Everything in memory, with these accounts.
    pub fn memory(accounts: Arc<dyn AccountStore>) -> Self {
        Stores {
            accounts,
            rosters: Box::new(crate::MemoryRosters::default()),
            offline: Box::new(crate::MemoryOffline::default()),
            blocking: Box::new(crate::MemoryBlocking::default()),
            archive: Box::new(xmppkit_mam::MemoryArchive::default()),
            pep: Box::new(xmppkit_pubsub::MemoryStore::default()),
            tokens: Box::new(crate::fast::MemoryTokens::default()),
            positions: Box::new(xmppkit_read_markers::MemoryPositions::default()),
            entry_props: Box::new(xmppkit_read_markers::MemoryEntryProps::default()),
        }
    }
}

/// One connection, as the server sees it.
#[derive(Debug, Default)]
pub(crate) struct Conn {
    pub peer: Option<IpAddr>,
    /// The account, once authenticated.
    pub user: Option<BareJid>,
    /// The bound resource, while this connection holds it.
    pub jid: Option<FullJid>,
    /// Bytes handed out for it and not yet written.
    pub queued: usize,
    /// A close was asked for: nothing more is delivered to it.
    pub closing: bool,
    /// While closing after an overflow, oldest first: what its session reports unacknowledged,
    /// what the application hands back unwritten, and what arrived meanwhile.
    pub unacked: Vec<Element>,
    pub returned: Vec<Element>,
    pub held: Vec<Queued>,
    pub held_bytes: usize,
}

/// The sans-IO server: feed it session events and stanzas, drain [`Server::poll_output`].
pub struct Server {
    pub(crate) config: Config,
    pub(crate) accounts: Arc<dyn AccountStore>,
    pub(crate) roster_store: Box<dyn RosterStore>,
    /// The working set of rosters (written through to the store on every change).
    pub(crate) rosters: HashMap<BareJid, Roster>,
    pub(crate) offline: Box<dyn OfflineStore>,
    pub(crate) blocking_store: Box<dyn BlockingStore>,
    pub(crate) tokens: Box<dyn crate::fast::TokenStore>,
    /// Users whose roster or blocklist failed to load: their working copy is never saved.
    pub(crate) unloaded: HashSet<BareJid>,
    /// The working set of blocklists.
    pub(crate) blocklists: HashMap<BareJid, BTreeSet<Jid>>,
    pub(crate) resources: Resources,
    pub(crate) conns: HashMap<ConnId, Conn>,
    pub(crate) detached: DetachedSessions,
    /// Bytes queued in each detached session since it detached, by resumption id.
    pub(crate) detached_bytes: HashMap<String, usize>,
    pub(crate) components: HashMap<String, Box<dyn Component>>,
    pub(crate) mam: Mam<Box<dyn Archive + Send>>,
    pub(crate) pep: Engine<Box<dyn NodeStore + Send>>,
    pub(crate) read_state: ReadState<Box<dyn PositionStore>>,
    pub(crate) entry_props: Box<dyn EntryPropsStore>,
    pub(crate) random: RandomBytes,
    pub(crate) outputs: VecDeque<Output>,
    /// Server-to-server links and external components.
    pub(crate) links: Links,
    /// XEP-0077: when each address created its recent accounts.
    pub(crate) registrations: Windows,
    /// When each address failed to log in recently.
    pub(crate) auth_failures: Windows,
    next_conn: u64,
    next_id: u64,
    pub(crate) now: Now,
}

impl Server {
    /// A server for `config`, keeping its state in `stores`.
    pub fn new(config: Config, stores: Stores, random: RandomBytes, now: Now) -> Self {
        let pep_config = PubSubConfig {
            create: xmppkit_pubsub::CreatePolicy::Domains(vec![config.domain.to_string()]),
            ..PubSubConfig::default()
        };
        Server {
            accounts: stores.accounts,
            roster_store: stores.rosters,
            rosters: HashMap::new(),
            offline: stores.offline,
            blocking_store: stores.blocking,
            tokens: stores.tokens,
            blocklists: HashMap::new(),
            resources: Resources::default(),
            conns: HashMap::new(),
            detached: DetachedSessions::default(),
            detached_bytes: HashMap::new(),
            components: HashMap::new(),
            mam: Mam::new(stores.archive, MamConfig::default()),
            pep: Engine::new(stores.pep, pep_config),
            read_state: ReadState::new(stores.positions),
            entry_props: stores.entry_props,
            random,
            outputs: VecDeque::new(),
            links: Links::default(),
            unloaded: HashSet::new(),
            registrations: Windows::default(),
            auth_failures: Windows::default(),
            next_conn: 0,
            next_id: 0,
            now,
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The accounts, to hand to each `ServerSession` as its credentials.
    pub fn credentials(&self) -> Arc<dyn CredentialStore> {
        self.accounts.clone()
    }

    /// The stream features a `ServerSession` should offer besides bind and stream management
    /// (roster versioning, pre-approval), for `ServerConfig::features`.
    pub fn stream_features(&self) -> Vec<Element> {
        let mut features = vec![Element::builder("ver", crate::roster::NS_VERSIONING).build()];
        if self.config.pre_approval {
            features.push(Element::builder("sub", crate::roster::NS_PRE_APPROVAL).build());
        }
        features
    }

    /// Serves `component` at `domain` (e.g. MUC at `conference.example.org`).
    pub fn add_component(&mut self, domain: impl Into<String>, component: Box<dyn Component>) {
        let domain = domain.into();
        // Keyed as JIDs print their domains (prepared: lower case).
        let key = domain.parse::<BareJid>().map_or(domain, |j| j.to_string());
        self.components.insert(key, component);
    }

    /// How many resources are bound (detached ones included).
    pub fn bound(&self) -> usize {
        self.resources.count()
    }

    /// A new connection from `peer`; feed its session's events with this id.
    pub fn connect(&mut self, peer: Option<IpAddr>) -> ConnId {
        self.next_conn += 1;
        let id = ConnId(self.next_conn);
        self.conns.insert(
            id,
            Conn {
                peer,
                ..Conn::default()
            },
        );
        id
    }

    /// The next thing to do.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// A stanza another shard of this domain forwarded ([`Output::Forward`]): routed here as it
    /// would have been there, its sender's side done already.
    pub fn handle_forwarded(&mut self, stanza: Outgoing, now: Now) {
        self.now = now;
        self.route_outgoing(stanza);
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let links = self.links.next_deadline();
        match (self.detached.poll_timeout(), links) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Time passed: detached sessions past their time go offline, and their unacknowledged
    /// messages are delivered elsewhere or stored.
    pub fn handle_timeout(&mut self, now: Now) {
        self.now = now;
        for expired in self.detached.handle_timeout(now.instant) {
            self.resource_gone(&expired.jid);
            self.handle_undelivered(expired.unacked);
        }
        self.links_timeout(now);
        if let Some(limit) = self.config.registration {
            self.registrations.prune(limit.window, now.instant);
        }
        if let Some(limit) = self.config.auth_failures {
            self.auth_failures.prune(limit.window, now.instant);
        }
    }

    /// `size` bytes of what was delivered to `conn` went to its socket.
    pub fn handle_written(&mut self, conn: ConnId, size: usize) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        c.queued = c.queued.saturating_sub(size);
        let drained = c.queued == 0;
        let jid = c.jid.clone();
        if let Some(jid) = jid.filter(|_| drained) {
            if self.resources.get(&jid).is_some_and(|r| r.flushing_offline) {
                self.flush_offline(&jid);
            }
        }
    }

    /// An event of `conn`'s session. The server answers bind and resume requests on `session`
    /// itself; `StartTls`, `CredentialsNeeded` (a deferred account lookup: answer with
    /// `session.credentials_loaded`, the keys from [`Server::credentials`]) and the XEP-0388
    /// task events (with `ServerConfig::sasl2_tasks` set on the session's configuration) are the
    /// application's and are handed back.
    pub fn handle_event(
        &mut self,
        conn: ConnId,
        session: &mut ServerSession,
        event: ServerEvent,
        now: Now,
    ) -> Option<ServerEvent> {
        self.now = now;
        match event {
            ServerEvent::StartTls => return Some(ServerEvent::StartTls),
            // The application looks the account up (off the engine) and answers the session.
            event @ ServerEvent::CredentialsNeeded { .. } => return Some(event),
            // XEP-0388 tasks (a second factor, ...) are the application's policy.
            event @ (ServerEvent::TasksNeeded { .. } | ServerEvent::Sasl2Task { .. }) => {
                return Some(event)
            }
            ServerEvent::AuthFailed { .. } => self.auth_failed(conn, session),
            ServerEvent::CredentialsUnavailable(e) => {
                self.outputs
                    .push_back(Output::StoreFailed(StoreError::Backend {
                        store: "accounts",
                        reason: e.to_string(),
                    }))
            }
            ServerEvent::Authenticated { user, .. } => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.user = Some(user);
                }
            }
            ServerEvent::BindRequest { resource } => self.bind(conn, session, resource),
            ServerEvent::Online { jid } | ServerEvent::Resumed { jid, .. } => {
                self.online(conn, jid)
            }
            ServerEvent::Stanza(stanza) => {
                if let Some(from) = self.conns.get(&conn).and_then(|c| c.jid.clone()) {
                    self.route_stanza(&from, stanza);
                }
            }
            ServerEvent::SmEnabled { id } => {
                let jid = self.conns.get(&conn).and_then(|c| c.jid.clone());
                if let Some(r) = jid.and_then(|j| self.resources.get_mut(&j)) {
                    r.sm_id = id;
                }
            }
            ServerEvent::ResumeRequest { previd, .. } => self.resume(conn, session, &previd),
            ServerEvent::Unacknowledged(stanzas) => match self.conns.get_mut(&conn) {
                Some(c) if c.closing => c.unacked.extend(stanzas),
                _ => self.handle_undelivered(stanzas),
            },
            ServerEvent::Register(iq) => self.register_before_auth(conn, session, iq),
            ServerEvent::FastTokensNeeded {
                username,
                agent,
                mechanism,
                count,
            } => self.fast_tokens_needed(session, &username, &agent, mechanism, count),
            ServerEvent::FastLogin(login) => self.fast_login(session, login),
            ServerEvent::CarbonsEnabled => {
                let jid = self.conns.get(&conn).and_then(|c| c.jid.clone());
                if let Some(r) = jid.and_then(|j| self.resources.get_mut(&j)) {
                    r.carbons = true;
                }
            }
            ServerEvent::Nonza(_) => {}
            ServerEvent::Closed | ServerEvent::Failed(_) => self.connection_ended(conn),
        }
        None
    }

    /// The settings of a session for `conn`, as this server wants them: its domain, the stream
    /// features it offers (roster versioning, pre-approval), registration when open, and
    /// authentication refused up front for an address that failed too often. The application
    /// sets TLS and limits on top.
    pub fn session_config(&mut self, conn: ConnId) -> ServerConfig {
        let mut config = ServerConfig::new(self.config.domain.clone());
        config.features = self.stream_features();
        config.fast = self.config.fast.is_some();
        config.registration = self.config.registration.is_some();
        let peer = self.conns.get(&conn).and_then(|c| c.peer);
        if let (Some(peer), Some(limit)) = (peer, self.config.auth_failures) {
            config.auth_throttled = self.auth_failures.reached(peer, limit, self.now.instant);
        }
        config
    }

    /// A failed login on `conn`: counted for its address; past the limit, the rest of this
    /// stream's attempts are refused too.
    fn auth_failed(&mut self, conn: ConnId, session: &mut ServerSession) {
        let (Some(peer), Some(limit)) = (
            self.conns.get(&conn).and_then(|c| c.peer),
            self.config.auth_failures,
        ) else {
            return;
        };
        self.auth_failures.record(peer, self.now.instant);
        if self.auth_failures.reached(peer, limit, self.now.instant) {
            session.throttle_auth();
        }
    }

    /// `conn`'s link died without a closing tag: a resumable session is kept detached
    /// (XEP-0198 §5), anything else goes offline. Its session's last events are handled here.
    pub fn handle_disconnect(&mut self, conn: ConnId, session: &mut ServerSession, now: Now) {
        self.now = now;
        if self.conns.get(&conn).is_some_and(|c| c.closing) {
            // Closed by the server: ended for good, whatever the session could resume.
            session.close_with_error(StreamError::new(StreamErrorCondition::ConnectionTimeout));
        } else if let Some(detached) = session.detach(now.instant) {
            self.detach(conn, detached);
        }
        while let Some(event) = session.poll_event() {
            self.handle_event(conn, session, event, now);
        }
        self.connection_ended(conn);
        self.conns.remove(&conn);
    }

    /// `conn` authenticated as a user another shard serves ([`Config::shards`](crate::Config))
    /// and moves there before it binds: forgotten here without a trace (the new shard gets a
    /// fresh [`Server::connect`] and the `Authenticated` event). A connection that bound
    /// already ends as [`Server::handle_disconnect`] would end it.
    pub fn release(&mut self, conn: ConnId) {
        if self.conns.get(&conn).is_some_and(|c| c.jid.is_some()) {
            self.connection_ended(conn);
        }
        self.conns.remove(&conn);
    }

    /// RFC 6120 §7.7.2.2: a resource another session holds is taken over or refused.
    fn bind(&mut self, conn: ConnId, session: &mut ServerSession, resource: Option<String>) {
        let Some(user) = self.conns.get(&conn).and_then(|c| c.user.clone()) else {
            return;
        };
        let resource = resource.unwrap_or_else(|| self.random_hex(8));
        if let Ok(jid) = user.with_resource_str(&resource) {
            if let Some(existing) = self.resources.get(&jid) {
                if self.config.conflict == ResourceConflict::Refuse {
                    return session.refuse_bind(
                        StanzaError::new(DefinedCondition::Conflict)
                            .with_text("en", "this resource is in use"),
                    );
                }
                let (old_conn, sm_id) = (existing.conn, existing.sm_id.clone());
                match old_conn {
                    Some(old) => self.close(
                        old,
                        Some(StreamError::new(StreamErrorCondition::Conflict).with_text(
                            Some("en"),
                            "replaced by a new session for the same resource",
                        )),
                    ),
                    None => {
                        if let Some(mut d) = sm_id.and_then(|id| self.detached.take(&id)) {
                            self.detached_bytes.remove(&d.id);
                            self.resource_gone(&jid);
                            self.handle_undelivered(d.stream.take_unacked());
                        }
                    }
                }
                self.resource_gone(&jid);
            }
        }
        session.bind(&resource);
    }

    fn online(&mut self, conn: ConnId, jid: FullJid) {
        let user = jid.to_bare();
        self.load_roster(&user);
        let resource = self.resources.get_mut(&jid);
        match resource {
            // Resumed: the same resource, on this connection now.
            Some(r) => {
                // The resumption id stays the stream's (XEP-0198 §5).
                if let Some(id) = &r.sm_id {
                    self.detached_bytes.remove(id);
                }
                r.conn = Some(conn);
            }
            None => {
                self.resources.insert(
                    &jid,
                    Resource {
                        conn: Some(conn),
                        ..Resource::default()
                    },
                );
            }
        }
        if let Some(c) = self.conns.get_mut(&conn) {
            c.jid = Some(jid);
        }
    }

    /// XEP-0198 §5: the detached session of `previd`, if it is the client's own and still kept.
    fn resume(&mut self, conn: ConnId, session: &mut ServerSession, previd: &str) {
        match self.detached.take(previd) {
            Some(detached) => {
                if let Err(back) = session.resume(detached, self.now.instant) {
                    self.detached.insert(*back);
                    session.refuse_resume(None);
                }
            }
            None => {
                // The stream is still held by a connection the server has not seen die yet
                // (the client moved networks): that one ends now, and what it had not
                // delivered goes to the client's new resource or offline storage. The client
                // binds afresh.
                let user = self.conns.get(&conn).and_then(|c| c.user.clone());
                let old = user.and_then(|user| {
                    self.resources
                        .of(&user)
                        .find(|(_, r)| r.sm_id.as_deref() == Some(previd))
                        .and_then(|(_, r)| r.conn)
                });
                if let Some(old) = old.filter(|old| *old != conn) {
                    let error = StreamError::new(StreamErrorCondition::Conflict)
                        .with_text(Some("en"), "the client reconnected");
                    self.close(old, Some(error));
                }
                session.refuse_resume(self.detached.expired_h(previd));
            }
        }
    }

    fn detach(&mut self, conn: ConnId, detached: DetachedSession) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.jid = None;
        }
        if let Some(r) = self.resources.get_mut(&detached.jid) {
            r.conn = None;
            r.sm_id = Some(detached.id.clone());
        }
        self.detached_bytes.insert(detached.id.clone(), 0);
        self.detached.insert(detached);
    }

    /// Stanzas the application had for `conn` and never gave to its session (its queue when
    /// the engine asked to close it). Hand them back before the session's last event.
    pub fn handle_returned(&mut self, conn: ConnId, stanzas: Vec<Element>) {
        match self.conns.get_mut(&conn) {
            Some(c) if c.closing => c.returned.extend(stanzas),
            _ => self.handle_undelivered(stanzas),
        }
    }

    /// A connection ended for good: its resource (if it still holds it) goes offline, and what
    /// a closing connection held is rerouted, oldest first.
    fn connection_ended(&mut self, conn: ConnId) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let jid = c.jid.take();
        let pending: Vec<Element> = [
            std::mem::take(&mut c.unacked),
            std::mem::take(&mut c.returned),
            std::mem::take(&mut c.held)
                .into_iter()
                .map(Queued::into_element)
                .collect(),
        ]
        .concat();
        c.held_bytes = 0;
        if let Some(jid) = jid {
            if self
                .resources
                .get(&jid)
                .is_some_and(|r| r.conn == Some(conn))
            {
                self.resource_gone(&jid);
            }
        }
        self.handle_undelivered(pending);
    }

    /// Asks the application to close `conn`; nothing more is delivered to it.
    pub(crate) fn close(&mut self, conn: ConnId, error: Option<StreamError>) {
        if let Some(c) = self.conns.get_mut(&conn) {
            if !c.closing {
                c.closing = true;
                self.outputs.push_back(Output::Close { conn, error });
            }
        }
    }

    /// Ctrl-C: components say goodbye (MUC rooms send 332), then every stream is closed with
    /// `system-shutdown`.
    pub fn shutdown(&mut self) {
        let mut out = Vec::new();
        for component in self.components.values_mut() {
            component.shutdown(&mut out);
        }
        for outgoing in out {
            self.route_outgoing(outgoing);
        }
        let links: Vec<LinkId> = self.links.links.keys().copied().collect();
        for link in links {
            self.outputs.push_back(Output::CloseLink { link });
        }
        let conns: Vec<ConnId> = self.conns.keys().copied().collect();
        for conn in conns {
            self.close(
                conn,
                Some(StreamError::new(StreamErrorCondition::SystemShutdown)),
            );
        }
    }

    /// `user`'s roster, loaded into the working set.
    pub(crate) fn load_roster(&mut self, user: &BareJid) -> &mut Roster {
        if !self.rosters.contains_key(user) {
            let roster = match self.roster_store.load(user) {
                Ok(roster) => roster,
                Err(e) => self.load_failed(user, e),
            };
            self.rosters.insert(user.clone(), roster);
        }
        self.rosters.get_mut(user).expect("just loaded")
    }

    /// Writes `user`'s roster through to the store.
    pub(crate) fn save_roster(&mut self, user: &BareJid) {
        if self.unloaded.contains(user) {
            return;
        }
        if let Some(roster) = self.rosters.get(user) {
            if let Err(e) = self.roster_store.save(user, roster) {
                self.outputs.push_back(Output::StoreFailed(e));
            }
        }
    }

    /// `user`'s blocklist, loaded into the working set.
    pub(crate) fn blocklist(&mut self, user: &BareJid) -> &BTreeSet<Jid> {
        if !self.blocklists.contains_key(user) {
            let list = match self.blocking_store.load(user) {
                Ok(list) => list,
                Err(e) => self.load_failed(user, e),
            };
            self.blocklists.insert(user.clone(), list);
        }
        &self.blocklists[user]
    }

    /// Writes `user`'s blocklist through to the store.
    pub(crate) fn save_blocklist(&mut self, user: &BareJid) {
        if self.unloaded.contains(user) {
            return;
        }
        let list = self.blocklists.get(user).cloned().unwrap_or_default();
        if let Err(e) = self.blocking_store.save(user, &list) {
            self.outputs.push_back(Output::StoreFailed(e));
        }
    }

    /// A load failed: reported, and `user`'s working copy starts empty and is never saved, so
    /// the stored state survives for when the store is back (after a restart).
    fn load_failed<T: Default>(&mut self, user: &BareJid, error: StoreError) -> T {
        self.outputs.push_back(Output::StoreFailed(error));
        self.unloaded.insert(user.clone());
        T::default()
    }

    /// A fresh id for pushes and archive entries (a counter with the wall clock: no RNG).
    pub(crate) fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("{}-{}", self.now.utc.0.timestamp_micros(), self.next_id)
    }

    pub(crate) fn random_hex(&mut self, n: usize) -> String {
        let mut bytes = vec![0u8; n];
        (self.random)(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}
