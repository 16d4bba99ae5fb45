//! The client side of an XMPP c2s stream (RFC 6120 §4–§7, XEP-0199): stream open, STARTTLS,
//! SASL, restart, resource binding, then stanzas, IQ tracking and keepalive. Every transition is in
//! [`ClientSession::on_element`] and the functions it calls, in protocol order.

use crate::config::{ClientConfig, TlsPolicy};
use crate::error::SessionError;
use crate::features::{element, mechanisms, sasl_data, sasl_element, with_attr, PING};
use crate::hook::StreamHook;
use crate::iq_tracker::IqTracker;
use crate::scram::{ScramClient, ScramHash};
use crate::transport::Transport;
use bytes::Bytes;
use minidom::Element;
use std::collections::VecDeque;
use std::time::Instant;
use xmppkit_codec::{Decoder, Event, StreamHeader};
use xmppkit_jid::FullJid;
use xmppkit_stanza::{ns, Iq, IqPayload, Stanza, StreamError, StreamErrorCondition};

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
    /// A top-level element that is not a stanza and that no hook handled.
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
    Binding {
        id: String,
    },
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
    hook: Option<Box<dyn StreamHook>>,
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
            authenticated: false,
            features: None,
            events: VecDeque::new(),
            iqs: IqTracker::default(),
            next_id: 0,
            deadline: None,
            last_received: now,
            ping: None,
            jid: None,
            hook: None,
            config,
        };
        session.open_stream(now);
        session
    }

    /// Adds a stream hook (stream management plugs in here).
    pub fn set_hook(&mut self, hook: Box<dyn StreamHook>) {
        self.hook = Some(hook);
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
        if matches!(self.state, State::TlsHandshake) {
            self.tls_active = true;
            self.transport.decoder.restart_discarding();
            self.open_stream(now);
        }
    }

    /// Time passed: fires negotiation, IQ and ping timeouts, and sends a ping when idle.
    pub fn handle_timeout(&mut self, now: Instant) {
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
                self.fail_with(
                    Some(StreamError::new(StreamErrorCondition::ConnectionTimeout)),
                    SessionError::Timeout("a ping answer"),
                );
                return;
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
                self.transport.send(&ping);
            }
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let negotiation = self
            .deadline
            .filter(|_| !matches!(self.state, State::Online | State::Closed));
        [negotiation, self.iqs.next_deadline(), self.ping_due()]
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

    /// Sends a stanza (message, presence or iq).
    pub fn send(&mut self, stanza: Element) -> Result<(), SendError> {
        if !self.is_online() {
            return Err(SendError::NotOnline);
        }
        if !Stanza::is_stanza(&stanza) {
            return Err(SendError::NotAStanza(stanza.name().to_owned()));
        }
        if let Some(hook) = &mut self.hook {
            hook.on_sent(&stanza);
        }
        self.transport.send(&stanza);
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

    /// Sends a non-stanza top-level element (for hooks such as stream management).
    pub fn send_nonza(&mut self, element: Element) {
        self.transport.send(&element);
    }

    /// Closes the stream (RFC 6120 §4.4): our closing tag goes out; [`ClientEvent::Closed`] comes
    /// when the server's arrives.
    pub fn close(&mut self, now: Instant) {
        if matches!(self.state, State::Closed | State::Closing) {
            return;
        }
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
            State::Binding { id }
                if el.is("iq", ns::CLIENT) && el.attr("id") == Some(id.as_str()) =>
            {
                self.on_bind_result(el)
            }
            State::Online => {
                self.state = State::Online;
                self.on_online_element(el);
            }
            State::Closing => {
                // Stanzas still in flight while we close are delivered.
                self.state = State::Closing;
                if Stanza::is_stanza(&el) {
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
            return self.start_sasl(&features);
        }
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

    /// RFC 6120 §6.4.1–6.4.2: the strongest mechanism both accept, and the initial response.
    fn start_sasl(&mut self, features: &Element) {
        let offered = mechanisms(features);
        let plain_ok = self.tls_active || self.config.allow_plain_without_tls;
        let username = self
            .config
            .jid
            .node()
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default();
        let choice = self
            .config
            .mechanisms
            .iter()
            .copied()
            .filter(|m| offered.iter().any(|o| o == m))
            .find(|m| *m != "PLAIN" || plain_ok);
        let (sasl, name, initial) = match choice {
            Some("SCRAM-SHA-256") | Some("SCRAM-SHA-1") => {
                let hash = if choice == Some("SCRAM-SHA-1") {
                    ScramHash::Sha1
                } else {
                    ScramHash::Sha256
                };
                let client = ScramClient::new(hash, &username, &self.config.password, &self.nonce);
                let initial = client.first_message();
                (
                    Sasl::Scram {
                        client: Box::new(client),
                        verified: false,
                        sent_final: false,
                    },
                    hash.mechanism(),
                    initial,
                )
            }
            Some("PLAIN") => {
                let initial = format!("\0{username}\0{}", self.config.password).into_bytes();
                (Sasl::Plain, "PLAIN", initial)
            }
            _ => return self.fail_with(None, SessionError::NoCommonMechanism { offered }),
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
                        let features = self
                            .features
                            .clone()
                            .unwrap_or_else(|| element("features", ns::STREAMS));
                        let replies = self
                            .hook
                            .as_mut()
                            .map(|h| h.on_online(&features))
                            .unwrap_or_default();
                        for reply in replies {
                            self.transport.send(&reply);
                        }
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

    /// Online: IQ answers, pings from the server, stanzas, and elements for the hook.
    fn on_online_element(&mut self, el: Element) {
        if !Stanza::is_stanza(&el) {
            let handled = self.hook.as_mut().and_then(|h| h.on_nonza(&el));
            match handled {
                Some(replies) => replies.iter().for_each(|r| self.transport.send(r)),
                None => self.events.push_back(ClientEvent::Nonza(el)),
            }
            return;
        }
        let replies = self
            .hook
            .as_mut()
            .map(|h| h.on_received(&el))
            .unwrap_or_default();
        for reply in replies {
            self.transport.send(&reply);
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
                    let reply: Element = iq.result(None).into();
                    self.transport.send(&reply);
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
        self.state = State::Closed;
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
            State::Sasl(..) => "authentication",
            State::Binding { .. } => "resource binding",
            State::Online => "online",
            State::Closing => "the server's closing tag",
            State::Closed => "closed",
        }
    }
}
