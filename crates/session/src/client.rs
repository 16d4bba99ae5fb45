//! The client side of an XMPP c2s stream (RFC 6120 §4–§7, XEP-0199): stream open, STARTTLS,
//! SASL, restart, resource binding or XEP-0198 resumption, then stanzas, IQ tracking, keepalive and
//! stream management. Every transition is in [`ClientSession::on_element`] and the functions it
//! calls, in protocol order.

use crate::config::{ClientConfig, TlsPolicy};
use crate::error::SessionError;
use crate::features::{element, mechanisms, sasl_data, sasl_element, with_attr, PING};
use crate::iq_tracker::IqTracker;
use crate::scram::{ssdp_hash, CbType, ChannelBindings, ClientBinding, ScramClient, ScramHash};
use crate::transport::Transport;
use bytes::Bytes;
use minidom::Element;
use std::collections::VecDeque;
use std::time::Instant;
use xmppkit_codec::{Decoder, Event, StreamHeader};
use xmppkit_jid::FullJid;
use xmppkit_sm::{Nonza, Resumption, SmStream, Tick};
mod sasl2;
mod sm;
mod tasks;

pub use sasl2::ClientToken;

use xmppkit_stanza::{
    ns, DefinedCondition, Iq, IqPayload, Stanza, StreamError, StreamErrorCondition,
};

/// What happened on a client session.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// Upgrade the connection to TLS now, then call [`ClientSession::tls_established`].
    StartTls,
    /// SASL succeeded with this mechanism.
    Authenticated {
        /// The mechanism used.
        mechanism: &'static str,
    },
    /// The resource is bound: stanzas can be sent.
    Online {
        /// The full JID the server bound.
        jid: FullJid,
    },
    /// A stanza that is not the answer to one of our IQs.
    Stanza(Element),
    /// The answer (result or error) to an IQ sent with [`ClientSession::send_iq`].
    IqResponse(Iq),
    /// No answer came in time to the IQ with this id; it never will be reported again.
    IqTimeout {
        /// The request's id.
        id: String,
    },
    /// The server asked us to reconnect elsewhere (RFC 6120 §4.9.3.19).
    SeeOtherHost(String),
    /// Stream management (XEP-0198) is on; `resumable`: the stream can be resumed after a cut
    /// (get the token with [`ClientSession::connection_lost`]).
    SmEnabled {
        /// Whether the server granted resumption.
        resumable: bool,
    },
    /// The stream was resumed (XEP-0198 §5) instead of binding: the session is online again as
    /// `jid`, and the `resent` stanzas the server had not acknowledged were sent again.
    Resumed {
        /// The full JID of the resumed session.
        jid: FullJid,
        /// How many unacknowledged stanzas were sent again.
        resent: usize,
    },
    /// The server could not resume the stream (unknown or expired id); a new session is being
    /// bound. The stanzas that may be lost come in [`ClientEvent::Unacknowledged`].
    ResumeFailed {
        /// The server's condition, usually `item-not-found`.
        condition: Option<DefinedCondition>,
    },
    /// Stanzas sent under stream management that the server never acknowledged, oldest first:
    /// they may not have arrived. Reported once, when the stream ends without resumption.
    Unacknowledged(Vec<Element>),
    /// XEP-0484: the server issued a FAST token; keep it (as safely as a password) and give it
    /// in [`ClientConfig::fast_token`](crate::ClientConfig::fast_token) next time.
    FastToken(ClientToken),
    /// XEP-0484 §4.1: the server refused the FAST token (expired, revoked): forget it; the
    /// login goes on with the password.
    FastTokenRejected {
        /// The SASL condition.
        condition: String,
    },
    /// XEP-0388 §2.6.2: the mechanism succeeded (and was verified), and the server requires one
    /// of `tasks` (those of [`crate::ClientConfig::sasl2_tasks`] it offered, in its order)
    /// before the login completes: start one with [`ClientSession::sasl2_next`].
    Sasl2Continue {
        /// The tasks offered that the application can carry out.
        tasks: Vec<String>,
        /// The server's text for the user.
        text: Option<String>,
    },
    /// A `<challenge/>` of the running task: answer with [`ClientSession::sasl2_task_response`].
    Sasl2TaskChallenge {
        /// The task.
        task: String,
        /// The challenge's data.
        data: Vec<u8>,
    },
    /// A top-level element that is not a stanza and that the session does not handle.
    Nonza(Element),
    /// The stream closed cleanly (both closing tags exchanged, or the server's received).
    Closed,
    /// The session failed and is over; the stream was closed.
    Failed(SessionError),
}

/// A request the session cannot carry out now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Stanzas can be sent only once online.
    #[error("the session is not online")]
    NotOnline,
    /// The element is not a stanza.
    #[error("not a stanza: <{0}/>")]
    NotAStanza(String),
}

#[derive(Debug)]
enum Sasl {
    Scram {
        client: Box<ScramClient>,
        verified: bool,
        sent_final: bool,
    },
    Plain,
}

#[derive(Debug)]
enum State {
    /// Our header is sent; waiting for the server's.
    AwaitHeader,
    AwaitFeatures,
    AwaitProceed,
    /// The application is doing the TLS handshake.
    TlsHandshake,
    Sasl(Sasl, &'static str),
    /// A SASL2 exchange (XEP-0388).
    Sasl2(Box<sasl2::Sasl2Exchange>),
    Binding {
        id: String,
    },
    /// `<resume/>` sent instead of bind (XEP-0198 §5).
    Resuming(Box<Resumption>),
    Online,
    /// We sent our closing tag; waiting for the server's.
    Closing,
    Closed,
}

/// A sans-IO XMPP client session.
///
/// Drive it like this, after each call draining all three outputs:
///
/// ```
/// use std::time::Instant;
/// use xmppkit_jid::BareJid;
/// use xmppkit_session::{ClientConfig, ClientEvent, ClientSession};
///
/// let config = ClientConfig::new(BareJid::new("juliet@example.com").unwrap(), "secret");
/// let mut session = ClientSession::new(config, "random-nonce-from-your-rng", Instant::now());
/// // 1. write whatever it wants to send
/// while let Some(bytes) = session.poll_transmit() {
///     assert!(bytes.starts_with(b"<?xml version='1.0'?><stream:stream"));
///     // socket.write_all(&bytes)
/// }
/// // 2. act on its events (StartTls: upgrade the socket, then session.tls_established(now))
/// while let Some(event) = session.poll_event() { let _ = event; }
/// // 3. sleep until session.poll_timeout() or until bytes arrive, then call
/// //    session.handle_input(&bytes, now) or session.handle_timeout(now), and go to 1.
/// assert!(session.poll_timeout().is_some());
/// ```
pub struct ClientSession {
    config: ClientConfig,
    nonce: String,
    transport: Transport,
    state: State,
    tls_active: bool,
    /// What the TLS connection can bind to (RFC 5802 §6).
    bindings: ChannelBindings,
    /// The FAST token was refused on this connection: the password now.
    fast_failed: bool,
    /// SASL2 bound or resumed inline: the features that follow the success are not a step.
    sasl2_features_pending: bool,
    authenticated: bool,
    features: Option<Element>,
    events: VecDeque<ClientEvent>,
    iqs: IqTracker,
    next_id: u64,
    /// When the current negotiation step times out.
    deadline: Option<Instant>,
    last_received: Instant,
    ping: Option<String>,
    jid: Option<FullJid>,
    sm: Sm,
    /// A stream to resume instead of binding, until the server's features arrive.
    resumption: Option<Box<Resumption>>,
    /// The latest time the application gave us (for calls without `now`).
    now: Instant,
}

/// Stream management on this connection (XEP-0198 §3).
#[derive(Debug)]
enum Sm {
    Off,
    /// `<enable/>` sent: our stanzas count from here; the server's from `<enabled/>`.
    Enabling(SmStream),
    Enabled {
        stream: SmStream,
        /// The resumption id when resumable.
        id: Option<String>,
        location: Option<String>,
        max: Option<u32>,
    },
}

impl Sm {
    fn stream_mut(&mut self) -> Option<&mut SmStream> {
        match self {
            Sm::Off => None,
            Sm::Enabling(stream) | Sm::Enabled { stream, .. } => Some(stream),
        }
    }
}

impl std::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSession")
            .field("state", &self.state)
            .field("jid", &self.jid)
            .finish()
    }
}

impl ClientSession {
    /// Starts a session: the stream header is ready to be sent. `nonce` is a fresh random string
    /// for SCRAM (18 or more random bytes, base64-encoded, is plenty); the session has no RNG.
    pub fn new(config: ClientConfig, nonce: impl Into<String>, now: Instant) -> Self {
        let mut session = ClientSession {
            transport: Transport::new(Decoder::new().with_namespaces([ns::CLIENT])),
            nonce: nonce.into(),
            state: State::AwaitHeader,
            tls_active: false,
            bindings: ChannelBindings::default(),
            fast_failed: false,
            sasl2_features_pending: false,
            authenticated: false,
            features: None,
            events: VecDeque::new(),
            iqs: IqTracker::default(),
            next_id: 0,
            deadline: None,
            last_received: now,
            ping: None,
            jid: None,
            sm: Sm::Off,
            resumption: None,
            now,
            config,
        };
        session.open_stream(now);
        session
    }

    /// Resumes `resumption` (from [`connection_lost`](Self::connection_lost) on the previous
    /// connection) instead of binding a new resource, once authenticated (XEP-0198 §5).
    pub fn resuming(mut self, resumption: Resumption) -> Self {
        self.resumption = Some(Box::new(resumption));
        self
    }

    /// Whether stream management is on (stanzas are counted and acknowledged).
    pub fn sm_enabled(&self) -> bool {
        matches!(self.sm, Sm::Enabled { .. })
    }

    /// The stanzas sent under stream management and not acknowledged yet, oldest first.
    pub fn unacknowledged(&self) -> impl Iterator<Item = &Element> {
        let stream = match &self.sm {
            Sm::Off => None,
            Sm::Enabling(stream) | Sm::Enabled { stream, .. } => Some(stream),
        };
        stream.into_iter().flat_map(|s| s.unacked())
    }

    /// The connection is gone (read or write error, end of file, or an acknowledgement timeout):
    /// the session is over. When the stream is resumable, returns what a new session needs to
    /// resume it ([`ClientSession::resuming`]); otherwise the stanzas the server never acknowledged
    /// come as a last [`ClientEvent::Unacknowledged`].
    pub fn connection_lost(&mut self, now: Instant) -> Option<Resumption> {
        self.now = now;
        self.deadline = None;
        self.transport.closed_ours = true;
        let state = std::mem::replace(&mut self.state, State::Closed);
        if let State::Resuming(resumption) = state {
            return Some(*resumption);
        }
        if let Some(resumption) = self.resumption.take() {
            return Some(*resumption);
        }
        match std::mem::replace(&mut self.sm, Sm::Off) {
            Sm::Enabled {
                stream,
                id: Some(id),
                location,
                max,
            } if self.jid.is_some() => Some(Resumption {
                id,
                location,
                jid: self.jid.clone()?,
                expires: max.map(|m| now + std::time::Duration::from_secs(m.into())),
                stream,
            }),
            sm => {
                self.sm = sm;
                self.end_sm();
                None
            }
        }
    }

    /// The bound JID, once online.
    pub fn jid(&self) -> Option<&FullJid> {
        self.jid.as_ref()
    }

    /// Whether stanzas can be sent.
    pub fn is_online(&self) -> bool {
        matches!(self.state, State::Online)
    }

    /// Bytes received from the server.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) {
        if matches!(self.state, State::Closed | State::TlsHandshake) {
            return;
        }
        self.last_received = now;
        self.now = now;
        self.transport.decoder.feed(bytes);
        while !matches!(self.state, State::Closed | State::TlsHandshake) {
            match self.transport.decoder.next_event() {
                Ok(Some(event)) => self.on_event(event, now),
                Ok(None) => break,
                Err(e) => {
                    self.fail_with(Some(StreamError::from(&e)), SessionError::Decode(e));
                    break;
                }
            }
        }
    }

    /// The I/O layer finished the TLS handshake that [`ClientEvent::StartTls`] asked for: the stream
    /// restarts over TLS (RFC 6120 §5.4.3.3).
    pub fn tls_established(&mut self, now: Instant) {
        self.tls_established_with(ChannelBindings::default(), now)
    }

    /// [`tls_established`](Self::tls_established), with what the TLS connection can bind to:
    /// SCRAM `-PLUS` mechanisms are then chosen when the server offers them for a type the
    /// connection has (RFC 5802 §6, XEP-0440).
    pub fn tls_established_with(&mut self, bindings: ChannelBindings, now: Instant) {
        if matches!(self.state, State::TlsHandshake) {
            self.bindings = bindings;
            self.tls_active = true;
            self.transport.decoder.restart_discarding();
            self.open_stream(now);
        }
    }

    /// Time passed: fires negotiation, IQ and ping timeouts, sends a ping when idle, and asks for
    /// stream management acknowledgements.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        if let Some(deadline) = self.deadline {
            if now >= deadline && !matches!(self.state, State::Online | State::Closed) {
                let step = self.step_name();
                self.fail_with(
                    Some(StreamError::new(StreamErrorCondition::ConnectionTimeout)),
                    SessionError::Timeout(step),
                );
                return;
            }
        }
        for id in self.iqs.expire(now) {
            if self.ping.as_deref() == Some(id.as_str()) {
                return self.link_dead("a ping answer");
            }
            self.events.push_back(ClientEvent::IqTimeout { id });
        }
        if let Some(due) = self.ping_due() {
            if now >= due {
                let id = self.new_id();
                let ping = with_attr(
                    with_attr(element("iq", ns::CLIENT), "type", "get"),
                    "id",
                    id.clone(),
                );
                let mut ping = ping;
                ping.append_child(element("ping", PING));
                self.iqs.insert(id.clone(), now + self.config.timeouts.iq);
                self.ping = Some(id);
                self.write_stanza(ping);
            }
        }
        if !matches!(self.state, State::Online | State::Closing) {
            return;
        }
        match self.sm.stream_mut().map(|s| s.handle_timeout(now)) {
            Some(Tick::Send(request)) => self.transport.send(&request),
            Some(Tick::Dead) => self.link_dead("a stream management acknowledgement"),
            Some(Tick::Idle) | None => {}
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let negotiation = self
            .deadline
            .filter(|_| !matches!(self.state, State::Online | State::Closed));
        let sm = match (&self.state, &self.sm) {
            (State::Online | State::Closing, Sm::Enabled { stream, .. }) => stream.poll_timeout(),
            _ => None,
        };
        [negotiation, self.iqs.next_deadline(), self.ping_due(), sm]
            .into_iter()
            .flatten()
            .min()
    }

    /// Bytes to write to the server.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.transport.poll_transmit()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// Frees the memory an idle connection need not hold (as
    /// [`ServerSession::release_buffers`](crate::ServerSession::release_buffers)).
    pub fn release_buffers(&mut self) {
        self.transport.release_buffers();
        if self.events.is_empty() {
            self.events = std::collections::VecDeque::new();
        }
        if let Some(stream) = self.sm.stream_mut() {
            stream.release_buffers();
        }
    }

    /// Sends a stanza (message, presence or iq).
    pub fn send(&mut self, stanza: Element) -> Result<(), SendError> {
        if !self.is_online() {
            return Err(SendError::NotOnline);
        }
        if !Stanza::is_stanza(&stanza) {
            return Err(SendError::NotAStanza(stanza.name().to_owned()));
        }
        self.write_stanza(stanza);
        Ok(())
    }

    /// Sends an IQ request and tracks it: its answer comes as [`ClientEvent::IqResponse`], or
    /// [`ClientEvent::IqTimeout`] after the configured IQ timeout. An empty id is replaced by a
    /// fresh one. Returns the id.
    pub fn send_iq(&mut self, mut iq: Iq, now: Instant) -> Result<String, SendError> {
        if !self.is_online() {
            return Err(SendError::NotOnline);
        }
        if iq.id.is_empty() {
            iq.id = self.new_id();
        }
        let id = iq.id.clone();
        if iq.payload.is_request() {
            self.iqs.insert(id.clone(), now + self.config.timeouts.iq);
        }
        self.send(iq.into())?;
        Ok(id)
    }

    /// Sends a non-stanza top-level element (for extensions the session does not know).
    pub fn send_nonza(&mut self, element: Element) {
        self.transport.send(&element);
    }

    /// Closes the stream (RFC 6120 §4.4): our closing tag goes out; [`ClientEvent::Closed`] comes
    /// when the server's arrives.
    pub fn close(&mut self, now: Instant) {
        if matches!(self.state, State::Closed | State::Closing) {
            return;
        }
        self.now = now;
        self.flush_acks();
        self.transport.close();
        self.state = State::Closing;
        self.deadline = Some(now + self.config.timeouts.negotiation);
    }

    // ---- transitions ----

    fn open_stream(&mut self, now: Instant) {
        self.transport
            .send_header(&StreamHeader::client(self.config.jid.domain().as_str()));
        self.state = State::AwaitHeader;
        self.deadline = Some(now + self.config.timeouts.negotiation);
    }

    fn on_event(&mut self, event: Event, now: Instant) {
        match event {
            Event::StreamOpen(header) => match self.state {
                State::AwaitHeader => {
                    let major = header
                        .version
                        .as_deref()
                        .and_then(|v| v.split('.').next()?.parse::<u32>().ok());
                    if major.unwrap_or(0) < 1 {
                        let e = StreamError::new(StreamErrorCondition::UnsupportedVersion);
                        self.fail_with(
                            Some(e),
                            SessionError::Protocol(
                                "the server's stream version is below 1.0".into(),
                            ),
                        );
                        return;
                    }
                    self.state = State::AwaitFeatures;
                    self.deadline = Some(now + self.config.timeouts.negotiation);
                }
                _ => self.protocol_error("a second stream header"),
            },
            Event::Whitespace => {}
            Event::StreamClose => {
                self.transport.close();
                let clean = self.is_online_or_closing();
                self.state = State::Closed;
                self.end_sm();
                self.events.push_back(if clean {
                    ClientEvent::Closed
                } else {
                    ClientEvent::Failed(SessionError::Protocol(
                        "the server closed the stream during negotiation".into(),
                    ))
                });
            }
            Event::Stanza(element) => self.on_element(element, now),
        }
    }

    fn is_online_or_closing(&self) -> bool {
        matches!(self.state, State::Online | State::Closing)
    }

    /// Every top-level element, by state.
    fn on_element(&mut self, el: Element, now: Instant) {
        if el.is("error", ns::STREAMS) {
            return self.on_stream_error(el);
        }
        match std::mem::replace(&mut self.state, State::Closed) {
            State::AwaitFeatures if el.is("features", ns::STREAMS) => self.on_features(el, now),
            State::AwaitProceed if el.is("proceed", ns::TLS) => {
                self.state = State::TlsHandshake;
                self.deadline = Some(now + self.config.timeouts.negotiation);
                self.events.push_back(ClientEvent::StartTls);
            }
            State::AwaitProceed if el.is("failure", ns::TLS) => {
                self.fail_with(None, SessionError::TlsFailed)
            }
            State::Sasl(sasl, name) if el.has_ns(ns::SASL) => self.on_sasl(sasl, name, el, now),
            State::Sasl2(exchange) if el.has_ns(crate::sasl2::NS) => {
                self.on_sasl2(exchange, el, now)
            }
            State::Online if self.sasl2_features_pending && el.is("features", ns::STREAMS) => {
                // After a SASL2 success that bound or resumed: stream management when it was
                // not enabled inline and is offered here.
                self.state = State::Online;
                self.sasl2_features_pending = false;
                if matches!(self.sm, Sm::Off) {
                    self.features = Some(el);
                    self.enable_sm();
                }
            }
            State::Binding { id }
                if el.is("iq", ns::CLIENT) && el.attr("id") == Some(id.as_str()) =>
            {
                self.on_bind_result(el)
            }
            State::Resuming(resumption) if el.has_ns(xmppkit_sm::NS) => {
                self.on_resume_answer(*resumption, el, now)
            }
            State::Online => {
                self.state = State::Online;
                self.on_online_element(el);
            }
            State::Closing => {
                // Stanzas still in flight while we close are delivered and counted.
                self.state = State::Closing;
                if el.has_ns(xmppkit_sm::NS) {
                    self.on_sm_element(el);
                } else if Stanza::is_stanza(&el) {
                    if let Some(stream) = self.counting_stream() {
                        stream.received();
                    }
                    self.events.push_back(ClientEvent::Stanza(el));
                }
            }
            state => {
                self.state = state;
                self.protocol_error(&format!(
                    "unexpected <{}/> in {}",
                    el.name(),
                    self.step_name()
                ));
            }
        }
    }

    fn on_stream_error(&mut self, el: Element) {
        match StreamError::try_from(el) {
            Ok(error) => {
                if let (StreamErrorCondition::SeeOtherHost, Some(host)) =
                    (error.condition, &error.condition_text)
                {
                    self.events
                        .push_back(ClientEvent::SeeOtherHost(host.clone()));
                }
                self.fail_with(None, SessionError::Stream(error));
            }
            Err(e) => self.fail_with(
                None,
                SessionError::Protocol(format!("malformed stream error: {e}")),
            ),
        }
    }

    /// RFC 6120 §4.3.2: the features decide the next step: TLS, then SASL, then bind.
    fn on_features(&mut self, features: Element, now: Instant) {
        self.deadline = Some(now + self.config.timeouts.negotiation);
        let offers_tls = features.has_child("starttls", ns::TLS);
        if !self.tls_active && self.config.tls != TlsPolicy::Off && offers_tls {
            self.transport.send(&element("starttls", ns::TLS));
            self.state = State::AwaitProceed;
            return;
        }
        if !self.tls_active && self.config.tls == TlsPolicy::Required {
            return self.fail_with(
                Some(StreamError::new(StreamErrorCondition::PolicyViolation)),
                SessionError::TlsRequired,
            );
        }
        if !self.authenticated {
            let offer = crate::sasl2::Offer::read(&features).filter(|_| self.config.sasl2);
            return match offer {
                Some(offer) => {
                    self.start_sasl2(offer, &features);
                    self.features = Some(features);
                }
                None => self.start_sasl(&features),
            };
        }
        if let Some(resumption) = self.resumption.take() {
            if features.has_child("sm", xmppkit_sm::NS) {
                let resume = Nonza::Resume {
                    h: resumption.stream.h(),
                    previd: resumption.id.clone(),
                };
                self.transport.send(&resume.into());
                self.features = Some(features);
                self.state = State::Resuming(resumption);
                return;
            }
            self.resume_failed(*resumption, None);
        }
        self.start_bind(features);
    }

    /// RFC 6120 §7.5: ask for the configured resource, or for one the server chooses.
    fn start_bind(&mut self, features: Element) {
        if !features.has_child("bind", ns::BIND) {
            return self.protocol_error("the server offers no resource binding");
        }
        let id = self.new_id();
        let mut bind = element("bind", ns::BIND);
        if let Some(resource) = &self.config.resource {
            bind.append_child(
                Element::builder("resource", ns::BIND)
                    .append(resource.as_str())
                    .build(),
            );
        }
        let mut iq = with_attr(
            with_attr(element("iq", ns::CLIENT), "type", "set"),
            "id",
            id.clone(),
        );
        iq.append_child(bind);
        self.transport.send(&iq);
        self.features = Some(features);
        self.state = State::Binding { id };
    }

    /// The channel-binding type to use with a `-PLUS` mechanism: one the server advertised
    /// (XEP-0440) and this connection has, `tls-exporter` first. A server that does not say
    /// which types it takes gets no binding: guessing fails the login where the server binds to
    /// something else (ejabberd 23.01 offers `-PLUS` under TLS 1.3 but binds only `tls-unique`,
    /// which RFC 9266 leaves undefined there and rustls does not expose), and the flag `n` is
    /// honest about it.
    fn binding_type(&self, advertised: Option<&[String]>) -> Option<CbType> {
        let advertised = advertised?;
        self.bindings
            .types()
            .into_iter()
            .find(|kind| advertised.iter().any(|t| t == kind.name()))
    }

    /// The account's local part, the SASL user name.
    pub(super) fn username(&self) -> String {
        self.config
            .jid
            .node()
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default()
    }

    /// The strongest mechanism both accept from `offered` (PLAIN only with TLS or when
    /// allowed; `-PLUS` only with binding data the server takes): its name, what to say about
    /// channel binding (RFC 5802 §6) and its SCRAM hash (`None` for PLAIN).
    pub(super) fn choose_mechanism(
        &self,
        offered: &[String],
        features: &Element,
    ) -> Option<(&'static str, ClientBinding, Option<ScramHash>)> {
        let plain_ok = self.tls_active || self.config.allow_plain_without_tls;
        let advertised = crate::scram::advertised(features);
        let bind_to = self.binding_type(advertised.as_deref());
        let name = self
            .config
            .mechanisms
            .iter()
            .copied()
            .filter(|m| offered.iter().any(|o| o == m))
            .filter(|m| {
                ScramHash::from_mechanism(m).is_none_or(|(_, plus)| !plus || bind_to.is_some())
            })
            .find(|m| *m != "PLAIN" || plain_ok)?;
        let Some((hash, plus)) = ScramHash::from_mechanism(name) else {
            return (name == "PLAIN").then_some((name, ClientBinding::Unsupported, None));
        };
        let offered_plus = offered
            .iter()
            .any(|o| ScramHash::from_mechanism(o).is_some_and(|(_, p)| p));
        // Bind when we chose -PLUS; say `y` when we could bind but the server offered no
        // -PLUS (a server that did will refuse: a downgrade).
        let binding = match (plus, bind_to) {
            (true, Some(kind)) => {
                ClientBinding::Bound(kind, self.bindings.data(kind).unwrap_or_default().to_vec())
            }
            _ if !offered_plus && !self.bindings.is_empty() => ClientBinding::NotOffered,
            _ => ClientBinding::Unsupported,
        };
        Some((name, binding, Some(hash)))
    }

    /// RFC 6120 §6.4.1–6.4.2: the strongest mechanism both accept, and the initial response.
    fn start_sasl(&mut self, features: &Element) {
        let offered = mechanisms(features);
        let username = self.username();
        let (sasl, name, initial) = match self.choose_mechanism(&offered, features) {
            Some((name, binding, Some(hash))) => {
                let advertised = crate::scram::advertised(features);
                let client = ScramClient::new(hash, &username, &self.config.password, &self.nonce)
                    .with_binding(binding)
                    .with_ssdp(ssdp_hash(hash, &offered, advertised.as_deref()));
                let initial = client.first_message();
                (
                    Sasl::Scram {
                        client: Box::new(client),
                        verified: false,
                        sent_final: false,
                    },
                    name,
                    initial,
                )
            }
            Some((name, _, None)) => {
                let initial = format!("\0{username}\0{}", self.config.password).into_bytes();
                (Sasl::Plain, name, initial)
            }
            None => return self.fail_with(None, SessionError::NoCommonMechanism { offered }),
        };
        let auth = with_attr(sasl_element("auth", &initial), "mechanism", name);
        self.transport.send(&auth);
        self.state = State::Sasl(sasl, name);
    }

    /// RFC 6120 §6.4.3–6.4.6: challenges, then success (stream restart) or failure.
    fn on_sasl(&mut self, mut sasl: Sasl, name: &'static str, el: Element, now: Instant) {
        let Some(data) = sasl_data(&el) else {
            return self.fail_with(
                None,
                SessionError::Mechanism("SASL data is not base64".into()),
            );
        };
        match (el.name(), &mut sasl) {
            (
                "challenge",
                Sasl::Scram {
                    client,
                    verified,
                    sent_final,
                },
            ) => {
                let response = if !*sent_final {
                    *sent_final = true;
                    client.handle_server_first(&data)
                } else {
                    // Server-final sent as a challenge: verify it, answer empty.
                    client.handle_server_final(&data).map(|()| {
                        *verified = true;
                        Vec::new()
                    })
                };
                match response {
                    Ok(response) => {
                        self.transport.send(&sasl_element("response", &response));
                        self.state = State::Sasl(sasl, name);
                    }
                    Err(e) => {
                        self.transport.send(&element("abort", ns::SASL));
                        self.fail_with(None, SessionError::Mechanism(e.to_string()));
                    }
                }
            }
            ("success", _) => {
                if let Sasl::Scram {
                    client,
                    verified: false,
                    ..
                } = &mut sasl
                {
                    if let Err(e) = client.handle_server_final(&data) {
                        return self.fail_with(None, SessionError::Mechanism(e.to_string()));
                    }
                }
                self.authenticated = true;
                self.events
                    .push_back(ClientEvent::Authenticated { mechanism: name });
                self.transport.decoder.restart();
                self.open_stream(now);
            }
            ("failure", _) => {
                let condition = el
                    .children()
                    .find(|c| c.name() != "text")
                    .map_or("undefined", |c| c.name())
                    .to_owned();
                let text = el.get_child("text", ns::SASL).map(|t| t.text());
                self.fail_with(None, SessionError::AuthFailed { condition, text });
            }
            _ => self.protocol_error(&format!("unexpected SASL <{}/>", el.name())),
        }
    }

    /// RFC 6120 §7.6: the bound JID, or the bind error.
    fn on_bind_result(&mut self, el: Element) {
        match Iq::try_from(el) {
            Ok(Iq {
                payload: IqPayload::Result(Some(bind)),
                ..
            }) => {
                let jid = bind
                    .get_child("jid", ns::BIND)
                    .map(|j| j.text())
                    .unwrap_or_default();
                match jid.trim().parse::<FullJid>() {
                    Ok(jid) => {
                        self.jid = Some(jid.clone());
                        self.state = State::Online;
                        self.deadline = None;
                        self.events.push_back(ClientEvent::Online { jid });
                        self.enable_sm();
                    }
                    Err(e) => {
                        self.protocol_error(&format!("bind result without a valid full JID: {e}"))
                    }
                }
            }
            Ok(Iq {
                payload: IqPayload::Error(error, _),
                ..
            }) => self.fail_with(None, SessionError::BindFailed(*error)),
            Ok(_) => self.protocol_error("empty bind result"),
            Err(e) => self.protocol_error(&format!("malformed bind answer: {e}")),
        }
    }

    /// Online: IQ answers, pings from the server, stanzas, and stream management elements.
    fn on_online_element(&mut self, el: Element) {
        if el.has_ns(xmppkit_sm::NS) {
            return self.on_sm_element(el);
        }
        if !Stanza::is_stanza(&el) {
            self.events.push_back(ClientEvent::Nonza(el));
            return;
        }
        if let Some(stream) = self.counting_stream() {
            stream.received();
        }
        if el.name() == "iq" {
            let id = el.attr("id").unwrap_or_default().to_owned();
            let type_ = el.attr("type").unwrap_or_default();
            if matches!(type_, "result" | "error") && self.iqs.answer(&id) {
                if self.ping.as_deref() == Some(id.as_str()) {
                    self.ping = None;
                    return;
                }
                match Iq::try_from(el.clone()) {
                    Ok(iq) => self.events.push_back(ClientEvent::IqResponse(iq)),
                    Err(_) => self.events.push_back(ClientEvent::Stanza(el)),
                }
                return;
            }
            if type_ == "get" && el.get_child("ping", PING).is_some() {
                // XEP-0199 §4.2: answer a server ping.
                if let Ok(iq) = Iq::try_from(el.clone()) {
                    self.write_stanza(iq.result(None).into());
                    return;
                }
            }
        }
        self.events.push_back(ClientEvent::Stanza(el));
    }

    // ---- helpers ----

    fn protocol_error(&mut self, what: &str) {
        let error = StreamError::new(StreamErrorCondition::UnsupportedStanzaType)
            .with_text(Some("en"), what);
        self.fail_with(Some(error), SessionError::Protocol(what.to_owned()));
    }

    /// Ends the session: the stream error (if any), our closing tag, and the failure event.
    fn fail_with(&mut self, stream_error: Option<StreamError>, error: SessionError) {
        self.transport.abort(stream_error);
        if let State::Resuming(resumption) = std::mem::replace(&mut self.state, State::Closed) {
            self.resumption = Some(resumption);
        }
        if let Some(mut resumption) = self.resumption.take() {
            self.report_unacked(resumption.stream.take_unacked());
        }
        self.end_sm();
        self.deadline = None;
        self.events.push_back(ClientEvent::Failed(error));
    }

    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("xk{}", self.next_id)
    }

    fn ping_due(&self) -> Option<Instant> {
        match (&self.state, self.config.timeouts.ping_idle, &self.ping) {
            (State::Online, Some(idle), None) => Some(self.last_received + idle),
            _ => None,
        }
    }

    fn step_name(&self) -> &'static str {
        match self.state {
            State::AwaitHeader => "the stream header",
            State::AwaitFeatures => "stream features",
            State::AwaitProceed => "the STARTTLS answer",
            State::TlsHandshake => "the TLS handshake",
            State::Sasl(..) | State::Sasl2(_) => "authentication",
            State::Binding { .. } => "resource binding",
            State::Resuming(_) => "stream resumption",
            State::Online => "online",
            State::Closing => "the server's closing tag",
            State::Closed => "closed",
        }
    }
}
