//! The server side of an XMPP c2s stream (RFC 6120 §4–§8): features per stage, STARTTLS, SASL
//! against the application's [`CredentialStore`], resource binding through an application
//! decision or XEP-0198 resumption, then stanzas with their `from` stamped and, with stream
//! management, counted and acknowledged. Every transition is in
//! [`ServerSession::on_element`] and the functions it calls, in protocol order.

use crate::config::Timeouts;
use crate::credentials::CredentialStore;
use crate::error::SessionError;
use crate::features::{element, sasl_data, sasl_element, with_attr};
use crate::scram::{ssdp_hash, ChannelBindings, ScramError, ScramHash, ScramServer, ServerStep};
use crate::transport::Transport;
use bytes::Bytes;
use minidom::Element;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;
use xmppkit_codec::{Decoder, RawEvent, RawStanza, Routing, StreamHeader};
use xmppkit_jid::{BareJid, FullJid};
mod lookup;
mod sasl2;
mod sm;
mod tasks;

pub use sasl2::{FastLogin, FastToken, UsedToken};
pub use tasks::TaskStep;

use xmppkit_sm::{SmConfig, SmStream};
use xmppkit_stanza::{
    error_reply, ns, set_attr, DefinedCondition, ParseError, Stanza, StanzaError, StreamError,
    StreamErrorCondition,
};

/// `jabber:iq:register` (XEP-0077).
const NS_REGISTER: &str = "jabber:iq:register";
/// The stream feature of in-band registration (XEP-0077 §4).
const NS_REGISTER_FEATURE: &str = "http://jabber.org/features/iq-register";

/// Whether the server offers TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServerTls {
    /// STARTTLS is offered and must be used before anything else.
    #[default]
    Required,
    /// STARTTLS is offered; clients may go on without it.
    Optional,
    /// STARTTLS is not offered (no certificate; tests).
    Unavailable,
}

/// Server configuration.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The domain served.
    pub domain: BareJid,
    /// TLS offer.
    pub tls: ServerTls,
    /// Offer SASL PLAIN on unencrypted streams (never by default).
    pub allow_plain_without_tls: bool,
    /// SASL mechanisms offered, in order of preference (PLAIN only on TLS unless allowed above).
    pub mechanisms: Vec<&'static str>,
    /// Failed SASL attempts allowed before the stream is closed (RFC 6120 §6.4.5 says at least 2).
    pub max_auth_attempts: u32,
    /// Timers (negotiation only; the server does not ping).
    pub timeouts: Timeouts,
    /// XEP-0198 stream management offered after authentication (default: on, resumable for at
    /// most 5 minutes); `None` does not offer it. With resumption on, the application answers
    /// [`ServerEvent::ResumeRequest`] and calls [`ServerSession::detach`] when a connection ends.
    pub stream_management: Option<SmConfig>,
    /// Size and depth limits of what the client may send (RFC 6120 §13.12: a larger stanza ends
    /// the stream with `policy-violation`).
    pub limits: xmppkit_codec::Limits,
    /// Offer XEP-0077 in-band registration before authentication: requests come out as
    /// [`ServerEvent::Register`] (off by default).
    pub registration: bool,
    /// Stream features offered after authentication besides bind and stream management (e.g.
    /// roster versioning, RFC 6121 §2.6.1).
    pub features: Vec<Element>,
    /// Refuse every authentication with `temporary-auth-failure` (RFC 6120 §6.5.12): the
    /// client's address failed too often (see also [`ServerSession::throttle_auth`]).
    pub auth_throttled: bool,
    /// Offer XEP-0388 SASL2 beside RFC 6120 SASL (default: on).
    pub sasl2: bool,
    /// Offer XEP-0386 Bind 2 inside SASL2 (default: on).
    pub bind2: bool,
    /// Offer XEP-0484 FAST inside SASL2 (default: off): the application keeps the tokens,
    /// answering [`ServerEvent::FastTokensNeeded`] and [`ServerEvent::FastLogin`].
    pub fast: bool,
    /// Offer the SCRAM `-PLUS` mechanisms when the application gives channel-binding data with
    /// [`ServerSession::tls_established_with`] (default: on).
    pub channel_binding: bool,
    /// Send the XEP-0474 downgrade-protection hash in SCRAM (default: on).
    pub downgrade_protection: bool,
    /// Ask the application, when a SASL2 mechanism succeeded, which XEP-0388 tasks (a second
    /// factor, ...) the client must still complete ([`ServerEvent::TasksNeeded`]; default: off,
    /// the mechanism alone logs in).
    pub sasl2_tasks: bool,
    /// Look accounts up outside the session: SASL stops at the lookup with
    /// [`ServerEvent::CredentialsNeeded`] until [`ServerSession::credentials_loaded`] brings the
    /// keys (off by default: the [`CredentialStore`] is asked at once). For a store that does
    /// I/O (a database over the network), so that a login never blocks what drives the session.
    pub deferred_credentials: bool,
}

impl ServerConfig {
    /// The defaults for `domain`: TLS required, no PLAIN in the clear, 3 attempts.
    pub fn new(domain: BareJid) -> Self {
        ServerConfig {
            domain,
            tls: ServerTls::Required,
            allow_plain_without_tls: false,
            mechanisms: vec!["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"],
            max_auth_attempts: 3,
            timeouts: Timeouts::default(),
            stream_management: Some(SmConfig::default()),
            limits: xmppkit_codec::Limits::default(),
            registration: false,
            features: Vec::new(),
            auth_throttled: false,
            sasl2: true,
            bind2: true,
            fast: false,
            channel_binding: true,
            downgrade_protection: true,
            sasl2_tasks: false,
            deferred_credentials: false,
        }
    }
}

/// A source of fresh random strings (stream ids, SCRAM nonces): the session has no RNG.
pub type Random = Box<dyn FnMut() -> String + Send>;

/// What happened on a server session.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerEvent {
    /// Do the server side of the TLS handshake now, then call [`ServerSession::tls_established`].
    StartTls,
    /// An authentication attempt failed (wrong credentials or a malformed exchange): for
    /// counting failures per address.
    AuthFailed {
        /// The SASL condition sent (`not-authorized`, `malformed-request`).
        condition: &'static str,
    },
    /// With [`ServerConfig::deferred_credentials`]: look up `username`'s SCRAM keys for `hash`
    /// (off the caller's path, e.g. on a blocking thread) and answer with
    /// [`ServerSession::credentials_loaded`].
    CredentialsNeeded {
        /// The account's local part, as the client sent it.
        username: String,
        /// Whose keys (PLAIN asks for SCRAM-SHA-256's and checks the password against them).
        hash: ScramHash,
    },
    /// XEP-0484: a FAST login for `username` from client `agent` with `mechanism`: answer with
    /// [`ServerSession::fast_tokens_loaded`] (the tokens valid now).
    FastTokensNeeded {
        /// The account's local part, as the client sent it.
        username: String,
        /// The client installation (`<user-agent/>` id).
        agent: String,
        /// The FAST mechanism (`HT-SHA-256-NONE`, ...).
        mechanism: &'static str,
        /// The client's replay counter (XEP-0484 §3.4), when it sent one: only tokens that saw
        /// a lower one may match.
        count: Option<u32>,
    },
    /// XEP-0484: the login succeeded; deal with the client's tokens (the one used, a new one
    /// wanted or due) and answer with [`ServerSession::fast_done`].
    FastLogin(FastLogin),
    /// With [`ServerConfig::sasl2_tasks`]: the SASL2 mechanism succeeded for `user`, who is not
    /// logged in yet; answer with [`ServerSession::sasl2_tasks`] (the XEP-0388 tasks required,
    /// or none).
    TasksNeeded {
        /// The account.
        user: BareJid,
        /// The mechanism that succeeded.
        mechanism: &'static str,
    },
    /// A step of the XEP-0388 task the client picked: its `<initial-response/>` (`None` when it
    /// sent none) or its `<response/>` to a challenge. Answer with
    /// [`ServerSession::sasl2_task_step`].
    Sasl2Task {
        /// The task's name.
        task: String,
        /// What the client sent.
        data: Option<Vec<u8>>,
    },
    /// XEP-0386: Bind 2 enabled XEP-0280 carbons for the session just bound.
    CarbonsEnabled,
    /// The accounts could not be read (the store failed): the client was told
    /// `temporary-auth-failure` and may try again. Not a failed attempt.
    CredentialsUnavailable(crate::CredentialError),
    /// The client authenticated.
    Authenticated {
        /// The account.
        user: BareJid,
        /// The mechanism used.
        mechanism: &'static str,
    },
    /// The client asks to bind a resource; answer with [`ServerSession::bind`] or
    /// [`ServerSession::refuse_bind`] (see [`crate::bind::decide`]).
    BindRequest {
        /// The resource asked for, if any.
        resource: Option<String>,
    },
    /// The resource is bound.
    Online {
        /// The session's full JID.
        jid: FullJid,
    },
    /// A valid stanza from the client, with `from` set to its full JID (RFC 6120 §8.1.2.1): its
    /// bytes as received with `from` spliced in, and an index of what routing reads; the tree is
    /// built when asked for ([`RawStanza::element`]), and already was when checking it needed
    /// one (presence, iq, message errors).
    Stanza(RawStanza),
    /// Stream management (XEP-0198) is on. `id`: the resumption id when the stream is resumable;
    /// keep it to find this session when a new connection asks to resume it.
    SmEnabled {
        /// The resumption id, when resumable.
        id: Option<String>,
    },
    /// The client asks to resume the stream `previd` instead of binding (XEP-0198 §5). Find the
    /// session (a [`DetachedSession`](xmppkit_sm::DetachedSession) you kept, or a live one you
    /// [`detach`](ServerSession::detach)) and call [`ServerSession::resume`], or
    /// [`ServerSession::refuse_resume`] when it is unknown or expired.
    ResumeRequest {
        /// The resumption id.
        previd: String,
        /// How many of our stanzas the client handled.
        h: u32,
    },
    /// The stream was resumed: online again as `jid`, with `resent` unacknowledged stanzas sent
    /// again.
    Resumed {
        /// The session's full JID.
        jid: FullJid,
        /// How many stanzas were sent again.
        resent: usize,
    },
    /// Stanzas sent to this client under stream management and never acknowledged, oldest first:
    /// bounce them or store them offline (RFC 6121 §8.5.3, XEP-0198 §5). Reported once, when the
    /// stream ends without a way to resume it.
    Unacknowledged(Vec<Element>),
    /// A XEP-0077 `jabber:iq:register` IQ before authentication (offered when
    /// [`ServerConfig::registration`] is on): answer it with
    /// [`ServerSession::answer_registration`].
    Register(Element),
    /// A top-level element that is not a stanza and that the session does not handle.
    Nonza(Element),
    /// The stream closed cleanly.
    Closed,
    /// The session failed and is over; the stream was closed.
    Failed(SessionError),
}

#[derive(Debug)]
enum State {
    AwaitHeader,
    /// Features sent; waiting for the client's next step.
    Negotiating,
    TlsHandshake,
    /// A SCRAM exchange, with the mechanism's name (`-PLUS` or not).
    Scram(Box<ScramServer>, &'static str),
    /// SASL waits for the application's account lookup.
    AwaitCredentials(Box<lookup::Pending>),
    BindPending {
        id: String,
    },
    /// `<resume/>` received; the application looks the session up.
    ResumePending {
        previd: String,
        h: u32,
    },
    /// SASL2 with FAST: the application looks the client's tokens up.
    AwaitFastTokens(Box<sasl2::FastPending>),
    /// SASL2: authenticated, the application deals with the client's FAST tokens.
    Sasl2Wait,
    /// SASL2 with Bind 2: the application binds the resource.
    Sasl2Bind,
    /// SASL2: the mechanism succeeded, XEP-0388 tasks are pending.
    Sasl2Tasks(Box<tasks::Pending>),
    Online,
    Closing,
    Closed,
}

/// A sans-IO XMPP server session (one per client connection). Driven like
/// [`crate::ClientSession`]: feed input and time, drain `poll_transmit`, `poll_event` and
/// `poll_timeout`.
pub struct ServerSession {
    config: ServerConfig,
    credentials: Arc<dyn CredentialStore>,
    random: Random,
    transport: Transport,
    state: State,
    tls_active: bool,
    user: Option<BareJid>,
    jid: Option<FullJid>,
    failed_attempts: u32,
    events: VecDeque<ServerEvent>,
    deadline: Option<Instant>,
    sm: Sm,
    /// The latest time the application gave us (for calls without `now`).
    now: Instant,
    /// XEP-0198 acknowledgements written so far (`<a h/>`, `<resumed h/>`).
    acknowledgements: u64,
    /// What the TLS connection can bind to (RFC 5802 §6).
    bindings: ChannelBindings,
    /// A SASL2 login in progress (XEP-0388).
    sasl2: Option<Box<sasl2::Sasl2Login>>,
}

/// Stream management on this connection (XEP-0198 §3).
#[derive(Debug)]
enum Sm {
    Off,
    Enabled {
        stream: SmStream,
        /// The resumption id when resumable.
        id: Option<String>,
    },
}

impl std::fmt::Debug for ServerSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerSession")
            .field("state", &self.state)
            .field("jid", &self.jid)
            .finish()
    }
}

impl ServerSession {
    /// A session for a newly accepted connection.
    pub fn new(
        config: ServerConfig,
        credentials: Arc<dyn CredentialStore>,
        random: Random,
        now: Instant,
    ) -> Self {
        let limits = config.limits;
        ServerSession {
            deadline: Some(now + config.timeouts.negotiation),
            config,
            credentials,
            random,
            transport: Transport::new(
                Decoder::new()
                    .with_limits(limits)
                    .with_namespaces([ns::CLIENT]),
            ),
            state: State::AwaitHeader,
            tls_active: false,
            user: None,
            jid: None,
            failed_attempts: 0,
            events: VecDeque::new(),
            sm: Sm::Off,
            now,
            acknowledgements: 0,
            bindings: ChannelBindings::default(),
            sasl2: None,
        }
    }

    /// The client's full JID, once bound.
    pub fn jid(&self) -> Option<&FullJid> {
        self.jid.as_ref()
    }

    /// Bytes received from the client.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) {
        if matches!(self.state, State::Closed | State::TlsHandshake) {
            return;
        }
        self.now = now;
        self.transport.decoder.feed(bytes);
        while !matches!(self.state, State::Closed | State::TlsHandshake) {
            match self.transport.decoder.next_raw() {
                Ok(Some(event)) => self.on_event(event, now),
                Ok(None) => break,
                Err(e) => self.decode_failed(e),
            }
        }
    }

    /// The TLS handshake asked for by [`ServerEvent::StartTls`] is done.
    pub fn tls_established(&mut self, now: Instant) {
        self.tls_established_with(ChannelBindings::default(), now)
    }

    /// The TLS handshake is done, and this is what the connection can bind to: SCRAM `-PLUS`
    /// mechanisms are offered (with XEP-0440's list of types) when there is any.
    pub fn tls_established_with(&mut self, bindings: ChannelBindings, now: Instant) {
        if matches!(self.state, State::TlsHandshake) {
            self.bindings = bindings;
            self.tls_active = true;
            self.transport.decoder.restart_discarding();
            self.state = State::AwaitHeader;
            self.deadline = Some(now + self.config.timeouts.negotiation);
        }
    }

    /// Time passed: a client that does not finish negotiating in time is disconnected; under stream
    /// management, acknowledgements are requested.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        self.sm_timeout(now);
        if self.deadline.is_some_and(|d| now >= d)
            && !matches!(self.state, State::Online | State::Closed)
        {
            self.fail_with(
                Some(StreamError::new(StreamErrorCondition::ConnectionTimeout)),
                SessionError::Timeout("stream negotiation"),
            );
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let negotiation = self
            .deadline
            .filter(|_| !matches!(self.state, State::Online | State::Closed));
        negotiation.into_iter().chain(self.sm_poll_timeout()).min()
    }

    /// Bytes to write to the client.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.transport.poll_transmit()
    }

    /// How many XEP-0198 acknowledgements (`<a h/>`, `<resumed h/>`) the session has written
    /// so far. An application that holds output back until what it acknowledges is durable
    /// (nothing acknowledged may be lost) need wait only when this moved since its last write.
    pub fn acknowledgements(&self) -> u64 {
        self.acknowledgements
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// Frees the memory an idle connection need not hold: the input buffer once everything
    /// received was decoded, the output buffer once everything was taken, the drained event
    /// queue, an empty XEP-0198 outbox, and once bound the stream features it no longer offers. Call it when the connection goes idle (before waiting
    /// for the socket with nothing to write); the next input or output allocates again.
    pub fn release_buffers(&mut self) {
        self.transport.release_buffers();
        if matches!(self.state, State::Online) {
            // Offered during negotiation only: a bound session never sends features again.
            self.config.features = Vec::new();
            self.config.mechanisms = Vec::new();
        }
        if self.events.is_empty() {
            self.events = VecDeque::new();
        }
        if let Sm::Enabled { stream, .. } = &mut self.sm {
            stream.release_buffers();
        }
    }

    /// Binds `resource` after a [`ServerEvent::BindRequest`]. A resource that is not valid
    /// (resourceprep) is answered `bad-request` and the client may ask again (RFC 6120 §7.7.2.1).
    pub fn bind(&mut self, resource: &str) {
        if matches!(self.state, State::Sasl2Bind) {
            return self.bind_inline(resource);
        }
        let State::BindPending { id } = &self.state else {
            return;
        };
        let id = id.clone();
        let Some(user) = self.user.clone() else {
            return;
        };
        let jid = match user.with_resource_str(resource) {
            Ok(jid) => jid,
            Err(_) => return self.bind_error(&id, StanzaError::new(DefinedCondition::BadRequest)),
        };
        let mut bind = element("bind", ns::BIND);
        bind.append_child(
            Element::builder("jid", ns::BIND)
                .append(jid.to_string())
                .build(),
        );
        let mut iq = with_attr(
            with_attr(element("iq", ns::CLIENT), "type", "result"),
            "id",
            id,
        );
        iq.append_child(bind);
        self.transport.send(&iq);
        self.jid = Some(jid.clone());
        self.state = State::Online;
        self.deadline = None;
        self.events.push_back(ServerEvent::Online { jid });
    }

    /// From now on, every authentication attempt is refused with `temporary-auth-failure`.
    pub fn throttle_auth(&mut self) {
        self.config.auth_throttled = true;
    }

    /// Sends the answer to a [`ServerEvent::Register`] (before authentication, while the
    /// session negotiates; ignored otherwise).
    pub fn answer_registration(&mut self, reply: Element) {
        if matches!(self.state, State::Negotiating) && self.user.is_none() {
            self.transport.send(&reply);
        }
    }

    /// XEP-0386: the resource of a Bind 2 request; an invalid one leaves the session
    /// authenticated but unbound (the success says so, and offers resource binding).
    fn bind_inline(&mut self, resource: &str) {
        let jid = self
            .user
            .as_ref()
            .and_then(|u| u.with_resource_str(resource).ok());
        let Some(jid) = jid else {
            return self.sasl2_finish(false);
        };
        self.jid = Some(jid.clone());
        self.events.push_back(ServerEvent::Online { jid });
        self.sasl2_bound();
    }

    /// Refuses a bind request, e.g. with `conflict` (RFC 6120 §7.7.2.2) or `not-allowed`. A
    /// Bind 2 request refused leaves the session authenticated but unbound.
    pub fn refuse_bind(&mut self, error: StanzaError) {
        if matches!(self.state, State::Sasl2Bind) {
            return self.sasl2_finish(false);
        }
        if let State::BindPending { id } = &self.state {
            let id = id.clone();
            self.bind_error(&id, error);
        }
    }

    /// Sends a stanza to the client (once online).
    pub fn send(&mut self, stanza: Element) {
        if matches!(self.state, State::Online) {
            self.write_stanza(stanza);
        }
    }

    /// Sends a stanza serialized earlier for a `jabber:client` stream ([`Queued::new`]), e.g.
    /// when it waited in a queue as bytes rather than as a tree (once online).
    ///
    /// [`Queued::new`]: xmppkit_sm::Queued::new
    pub fn send_queued(&mut self, stanza: xmppkit_sm::Queued) {
        if matches!(self.state, State::Online) {
            let stream = match &mut self.sm {
                Sm::Enabled { stream, .. } => Some(stream),
                _ => None,
            };
            self.transport.send_serialized(stanza, stream, self.now);
        }
    }

    /// Sends a non-stanza top-level element (for extensions the session does not know).
    pub fn send_nonza(&mut self, element: Element) {
        self.transport.send(&element);
    }

    /// Closes the stream cleanly.
    pub fn close(&mut self, now: Instant) {
        if !matches!(self.state, State::Closed | State::Closing) {
            self.now = now;
            self.flush_acks();
            self.transport.close();
            self.state = State::Closing;
            self.deadline = Some(now + self.config.timeouts.negotiation);
        }
    }

    /// Closes the stream with a stream error (e.g. `conflict` when another session took the
    /// resource, `system-shutdown`).
    pub fn close_with_error(&mut self, error: StreamError) {
        if !matches!(self.state, State::Closed) {
            // What the client sent before is acknowledged first (XEP-0198 §4).
            self.flush_acks();
            let condition = error.condition;
            self.fail_with(
                Some(error),
                SessionError::Protocol(format!("closed by the server: {condition}")),
            );
        }
    }

    // ---- transitions ----

    fn on_event(&mut self, event: RawEvent, now: Instant) {
        match event {
            RawEvent::StreamOpen(header) => match self.state {
                State::AwaitHeader => self.on_header(header),
                _ => self.protocol_error(StreamErrorCondition::BadFormat, "a second stream header"),
            },
            RawEvent::Whitespace => {}
            RawEvent::StreamClose => {
                self.transport.close();
                self.state = State::Closed;
                self.end_sm();
                self.events.push_back(ServerEvent::Closed);
            }
            // Online, stanzas stay bytes; negotiation reads trees.
            RawEvent::Stanza(stanza) if matches!(self.state, State::Online | State::Closing) => {
                self.on_online_stanza(stanza)
            }
            RawEvent::Stanza(stanza) => match stanza.into_element() {
                Ok(element) => self.on_element(element, now),
                Err(e) => self.decode_failed(e),
            },
        }
    }

    /// The decoder refused the input: the stream error it names, then the end.
    fn decode_failed(&mut self, e: xmppkit_codec::DecodeError) {
        let stream_error = StreamError::from(&e);
        self.fail_with(Some(stream_error), SessionError::Decode(e));
    }

    /// RFC 6120 §4.7: answer the header, then send the features of this stage (§4.3.2).
    fn on_header(&mut self, header: StreamHeader) {
        let mut response = StreamHeader::server(self.config.domain.as_str(), (self.random)());
        response.to = header.from.clone();
        response.lang = Some(header.lang.clone().unwrap_or_else(|| "en".into()));
        self.transport.send_header(&response);
        let to_us = header
            .to
            .as_deref()
            .and_then(|to| to.parse::<BareJid>().ok())
            .is_some_and(|to| to == self.config.domain);
        if !to_us {
            let e = StreamError::new(StreamErrorCondition::HostUnknown);
            return self.fail_with(
                Some(e),
                SessionError::Protocol(format!("stream to {:?}", header.to)),
            );
        }
        if header
            .version
            .as_deref()
            .and_then(|v| v.split('.').next()?.parse::<u32>().ok())
            .unwrap_or(0)
            < 1
        {
            let e = StreamError::new(StreamErrorCondition::UnsupportedVersion);
            return self.fail_with(
                Some(e),
                SessionError::Protocol("client stream version below 1.0".into()),
            );
        }
        let mut features = element("features", ns::STREAMS);
        let tls_offered = !self.tls_active && self.config.tls != ServerTls::Unavailable;
        if tls_offered {
            let mut starttls = element("starttls", ns::TLS);
            if self.config.tls == ServerTls::Required {
                starttls.append_child(element("required", ns::TLS));
            }
            features.append_child(starttls);
        }
        let tls_needed = !self.tls_active && self.config.tls == ServerTls::Required;
        if self.user.is_none() && !tls_needed {
            let mut mechanisms = element("mechanisms", ns::SASL);
            for name in self.offered_mechanisms() {
                mechanisms
                    .append_child(Element::builder("mechanism", ns::SASL).append(name).build());
            }
            features.append_child(mechanisms);
            if self.binds() {
                features.append_child(crate::scram::feature(&self.bindings.types()));
            }
            if self.config.registration {
                features.append_child(element("register", NS_REGISTER_FEATURE));
            }
        }
        if self.user.is_none() && !tls_needed && self.config.sasl2 {
            features.append_child(self.sasl2_offer().element());
        }
        if self.user.is_some() {
            for feature in self.authenticated_features(true) {
                features.append_child(feature);
            }
        }
        self.transport.send(&features);
        self.state = State::Negotiating;
    }

    /// The features of an authenticated stream (RFC 6120 §4.3.2): resource binding while
    /// unbound, stream management while off, and the application's.
    fn authenticated_features(&self, unbound: bool) -> Vec<Element> {
        let mut features = Vec::new();
        if unbound {
            features.push(element("bind", ns::BIND));
            let mut session = element("session", "urn:ietf:params:xml:ns:xmpp-session");
            session.append_child(element("optional", "urn:ietf:params:xml:ns:xmpp-session"));
            features.push(session);
        }
        if self.config.stream_management.is_some() && !self.sm_enabled() {
            features.push(xmppkit_sm::payload::feature());
        }
        features.extend(self.config.features.iter().cloned());
        features
    }

    /// Every top-level element, by state.
    fn on_element(&mut self, el: Element, now: Instant) {
        match std::mem::replace(&mut self.state, State::Closed) {
            State::Online => {
                self.state = State::Online;
                self.on_online_tree(el);
            }
            State::Negotiating if el.is("starttls", ns::TLS) => self.on_starttls(),
            State::Negotiating if el.is("auth", ns::SASL) && self.user.is_none() => {
                self.on_auth(el, now)
            }
            State::Negotiating
                if el.is("authenticate", crate::sasl2::NS)
                    && self.user.is_none()
                    && self.config.sasl2 =>
            {
                self.on_authenticate(el, now)
            }
            State::Scram(server, mechanism) if el.is("response", self.sasl_ns()) => {
                self.on_response(*server, mechanism, el, now)
            }
            State::Scram(..) | State::AwaitCredentials(_) | State::AwaitFastTokens(_)
                if el.is("abort", self.sasl_ns()) =>
            {
                self.send_failure("aborted");
                self.state = State::Negotiating;
            }
            State::Sasl2Tasks(pending) => self.on_task_element(pending, el),
            State::Negotiating if self.user.is_some() && el.is("iq", ns::CLIENT) => {
                self.on_bind_request(el)
            }
            State::Negotiating
                if self.config.registration
                    && (self.tls_active || self.config.tls != ServerTls::Required)
                    && el.is("iq", ns::CLIENT)
                    && el.has_child("query", NS_REGISTER) =>
            {
                // XEP-0077 §3.1: registration before authentication, answered by the
                // application.
                self.state = State::Negotiating;
                self.events.push_back(ServerEvent::Register(el));
            }
            State::Negotiating if self.user.is_some() && el.has_ns(xmppkit_sm::NS) => {
                self.state = State::Negotiating;
                self.on_sm_before_bind(el)
            }
            State::Closing => {
                // What the client sent before it saw our closing tag is still delivered.
                self.state = State::Closing;
                self.on_online_tree(el);
            }
            State::Negotiating
            | State::Scram(..)
            | State::AwaitCredentials(_)
            | State::AwaitHeader
                if Stanza::is_stanza(&el) =>
            {
                // RFC 6120 §6.4.1 / §7.1: no stanzas before authentication and binding.
                let e = StreamError::new(StreamErrorCondition::NotAuthorized);
                self.fail_with(
                    Some(e),
                    SessionError::Protocol(format!("<{}/> before authentication", el.name())),
                );
            }
            State::BindPending { id } => {
                self.state = State::BindPending { id };
                self.protocol_error(
                    StreamErrorCondition::NotAuthorized,
                    "stanza before the resource is bound",
                );
            }
            state => {
                self.state = state;
                self.protocol_error(
                    StreamErrorCondition::UnsupportedStanzaType,
                    &format!("unexpected <{}/>", el.name()),
                );
            }
        }
    }

    /// RFC 6120 §5.4.2.3: proceed, then the application does TLS.
    fn on_starttls(&mut self) {
        if self.tls_active || self.config.tls == ServerTls::Unavailable {
            self.transport.send(&element("failure", ns::TLS));
            return self.fail_with(None, SessionError::TlsFailed);
        }
        self.transport.send(&element("proceed", ns::TLS));
        self.state = State::TlsHandshake;
        self.events.push_back(ServerEvent::StartTls);
    }

    /// RFC 6120 §6.4.2: the mechanism and the initial response.
    fn on_auth(&mut self, el: Element, now: Instant) {
        self.state = State::Negotiating;
        if !self.tls_active && self.config.tls == ServerTls::Required {
            self.send_failure("encryption-required");
            return;
        }
        if self.config.auth_throttled {
            // RFC 6120 §6.5.12: try again later; the credentials are not even looked at.
            self.send_failure("temporary-auth-failure");
            return;
        }
        let Some(data) = sasl_data(&el) else {
            self.send_failure("incorrect-encoding");
            return;
        };
        let mechanism = el.attr("mechanism").unwrap_or_default();
        let Some(offered) = self.offered_mechanisms().find(|m| *m == mechanism) else {
            self.send_failure("invalid-mechanism");
            return;
        };
        if offered == "PLAIN" {
            return self.on_plain(&data, now);
        }
        match ScramHash::from_mechanism(offered) {
            Some((hash, plus)) => self.scram_start(hash, plus, data),
            None => self.send_failure("invalid-mechanism"),
        }
    }

    /// RFC 4616: `[authzid] NUL authcid NUL passwd`.
    fn on_plain(&mut self, data: &[u8], now: Instant) {
        let mut parts = data.split(|b| *b == 0);
        let (Some(authzid), Some(user), Some(password), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            self.send_failure("malformed-request");
            return;
        };
        let (Ok(user), Ok(password)) = (std::str::from_utf8(user), std::str::from_utf8(password))
        else {
            self.send_failure("malformed-request");
            return;
        };
        let own_authzid = authzid.is_empty()
            || std::str::from_utf8(authzid).ok() == Some(&format!("{user}@{}", self.config.domain));
        if !own_authzid {
            self.send_failure("invalid-authzid");
            return;
        }
        self.plain_start(user.to_owned(), password.to_owned(), now);
    }

    fn on_response(
        &mut self,
        mut server: ScramServer,
        mechanism: &'static str,
        el: Element,
        now: Instant,
    ) {
        self.state = State::Negotiating;
        let Some(data) = self.sasl_in(&el) else {
            self.send_failure("incorrect-encoding");
            return;
        };
        match server.handle_client_final(&data) {
            Ok(ServerStep::Success { username, data }) => {
                self.authenticated(username, mechanism, &data, now)
            }
            Ok(ServerStep::Challenge(_)) => {
                self.auth_failed(ScramError::Malformed("unexpected step"))
            }
            Err(e) => self.auth_failed(e),
        }
    }

    /// RFC 6120 §6.4.6: success, then the stream restarts.
    fn authenticated(
        &mut self,
        username: String,
        mechanism: &'static str,
        data: &[u8],
        now: Instant,
    ) {
        let user = match self.config.domain.domain().with_node_str(&username) {
            Ok(user) => user,
            Err(_) => return self.auth_failed(ScramError::BadProof),
        };
        if self.sasl2.is_some() {
            // XEP-0388: no restart; tasks, then what was asked inline, then one success.
            return self.sasl2_mechanism_done(user, mechanism, data, now);
        }
        self.transport.send(&sasl_element("success", data));
        self.user = Some(user.clone());
        self.events
            .push_back(ServerEvent::Authenticated { user, mechanism });
        self.transport.decoder.restart();
        self.state = State::AwaitHeader;
        self.deadline = Some(now + self.config.timeouts.negotiation);
    }

    /// RFC 6120 §6.4.5: `not-authorized`, and after too many attempts the stream closes.
    fn auth_failed(&mut self, e: ScramError) {
        let condition = match e {
            ScramError::Malformed(_) | ScramError::NonceMismatch => "malformed-request",
            // A wrong proof, and channel binding refused (a connection that does not end where
            // the client's does, or a downgrade): RFC 6120 §6.5.10.
            _ => "not-authorized",
        };
        self.login_refused(condition, &e.to_string());
    }

    /// A failed login with `condition`; after too many the stream closes. `detail` says why,
    /// in the session's error.
    fn login_refused(&mut self, condition: &'static str, detail: &str) {
        self.failed_attempts += 1;
        self.send_failure(condition);
        self.events.push_back(ServerEvent::AuthFailed { condition });
        self.state = State::Negotiating;
        if self.failed_attempts >= self.config.max_auth_attempts {
            let error = StreamError::new(StreamErrorCondition::PolicyViolation)
                .with_text(Some("en"), "too many failed authentication attempts");
            self.fail_with(
                Some(error),
                SessionError::AuthFailed {
                    condition: condition.into(),
                    text: Some(detail.to_owned()),
                },
            );
        }
    }

    /// RFC 6120 §7.6.1: a bind request goes to the application; the legacy session request
    /// (RFC 3921 §3) is answered at once.
    fn on_bind_request(&mut self, el: Element) {
        self.state = State::Negotiating;
        let id = el.attr("id").unwrap_or_default().to_owned();
        if el.attr("type") != Some("set") || id.is_empty() {
            return self.protocol_error(
                StreamErrorCondition::NotAuthorized,
                "stanza before the resource is bound",
            );
        }
        if let Some(bind) = el.get_child("bind", ns::BIND) {
            let resource = bind
                .get_child("resource", ns::BIND)
                .map(|r| r.text().trim().to_owned())
                .filter(|r| !r.is_empty());
            self.state = State::BindPending { id };
            self.events.push_back(ServerEvent::BindRequest { resource });
        } else {
            self.protocol_error(
                StreamErrorCondition::NotAuthorized,
                "stanza before the resource is bound",
            );
        }
    }

    fn bind_error(&mut self, id: &str, error: StanzaError) {
        let mut iq = with_attr(
            with_attr(element("iq", ns::CLIENT), "type", "error"),
            "id",
            id,
        );
        iq.append_child(error.to_element(ns::CLIENT));
        self.transport.send(&iq);
        self.state = State::Negotiating;
    }

    /// Online, a tree (only the state machine's own paths give one): as its bytes.
    fn on_online_tree(&mut self, el: Element) {
        match RawStanza::from_element(&el, ns::CLIENT) {
            Ok(stanza) => self.on_online_stanza(stanza),
            Err(e) => self.decode_failed(e),
        }
    }

    /// Online: stamp `from`, validate, hand to the application (RFC 6120 §8.1.2.1, §8.3). The
    /// stanza stays bytes: `from` is spliced in, and a message (not an error) needs no tree to
    /// be checked, only a `to` that is a JID. Presence, iq and errors are checked as typed
    /// stanzas, whose tree then stays with the stanza.
    fn on_online_stanza(&mut self, stanza: RawStanza) {
        let Some(jid) = self.jid.clone() else { return };
        if stanza.ns() == xmppkit_sm::NS || !Stanza::is_stanza(&stanza) {
            let sm = stanza.ns() == xmppkit_sm::NS;
            return match stanza.into_element() {
                Ok(el) if sm => self.on_sm_element(el),
                Ok(el) => self.events.push_back(ServerEvent::Nonza(el)),
                Err(e) => self.decode_failed(e),
            };
        }
        // Every stanza counts as handled (XEP-0198 §4), also those answered with an error here.
        if let Sm::Enabled { stream, .. } = &mut self.sm {
            stream.received();
        }
        let stanza = stanza.with_attr(Routing::From, Some(jid.as_str()));
        let plain_message = stanza.name() == "message"
            && stanza.attr(Routing::Type).as_deref() != Some("error")
            && stanza
                .attr(Routing::To)
                .is_none_or(|to| to.parse::<xmppkit_jid::Jid>().is_ok());
        if !plain_message {
            let el = match stanza.element() {
                Ok(el) => el,
                Err(e) => return self.decode_failed(e),
            };
            if let Err(e) = Stanza::try_from(el.clone()) {
                let condition = match e {
                    ParseError::BadAttribute {
                        attribute: "to", ..
                    } => DefinedCondition::JidMalformed,
                    _ => DefinedCondition::BadRequest,
                };
                let error = StanzaError::new(condition).with_text("en", e.to_string());
                if let Some(mut reply) = error_reply(el, &error) {
                    // The reply goes back to the sender, whatever `to` said.
                    set_attr(&mut reply, "to", jid.to_string());
                    reply
                        .attrs_mut()
                        .retain(|ns, name, _| !(ns.is_none() && name.as_str() == "from"));
                    self.write_stanza(reply);
                }
                return;
            }
        }
        if stanza.name() == "iq"
            && stanza.attr(Routing::Type).as_deref() == Some("set")
            && stanza.has_child("session", "urn:ietf:params:xml:ns:xmpp-session")
        {
            let id = stanza.attr(Routing::Id).unwrap_or_default().into_owned();
            let result = with_attr(
                with_attr(element("iq", ns::CLIENT), "type", "result"),
                "id",
                id,
            );
            self.write_stanza(result);
            return;
        }
        self.events.push_back(ServerEvent::Stanza(stanza));
    }

    // ---- helpers ----

    /// The mechanisms offered on this stream: the `-PLUS` variant of each SCRAM one first when
    /// this connection has channel-binding data (RFC 5802 §6), PLAIN only with TLS or when
    /// explicitly allowed.
    pub(crate) fn offered_mechanisms(&self) -> impl Iterator<Item = &'static str> + '_ {
        let plain_ok = self.tls_active || self.config.allow_plain_without_tls;
        let plus = self.binds();
        let configured = || self.config.mechanisms.iter().copied();
        let with_binding = configured()
            .filter_map(|m| ScramHash::from_mechanism(m).filter(|(_, p)| !p))
            .filter(move |_| plus)
            .map(|(hash, _)| hash.plus_mechanism());
        with_binding.chain(configured().filter(move |m| *m != "PLAIN" || plain_ok))
    }

    /// Whether this stream offers channel binding: TLS with data from the application, and the
    /// configuration allows it.
    fn binds(&self) -> bool {
        self.config.channel_binding && self.tls_active && !self.bindings.is_empty()
    }

    /// The XEP-0474 hash of what this stream advertised, for `hash`'s exchange.
    pub(crate) fn ssdp(&self, hash: ScramHash) -> Option<String> {
        if !self.config.downgrade_protection {
            return None;
        }
        let mechanisms: Vec<&str> = self.offered_mechanisms().collect();
        let types: Vec<&str> = self.bindings.types().iter().map(|t| t.name()).collect();
        Some(ssdp_hash(
            hash,
            &mechanisms,
            self.binds().then_some(&types[..]),
        ))
    }

    pub(super) fn protocol_error(&mut self, condition: StreamErrorCondition, what: &str) {
        let error = StreamError::new(condition).with_text(Some("en"), what);
        self.fail_with(Some(error), SessionError::Protocol(what.to_owned()));
    }

    fn fail_with(&mut self, stream_error: Option<StreamError>, error: SessionError) {
        self.transport.abort(stream_error);
        self.state = State::Closed;
        self.end_sm();
        self.deadline = None;
        self.events.push_back(ServerEvent::Failed(error));
    }
}
