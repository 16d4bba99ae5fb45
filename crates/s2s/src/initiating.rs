//! The initiating side of a server-to-server stream (RFC 6120 §4.2, jabber:server): open the
//! stream to the remote domain, STARTTLS, then authenticate with SASL EXTERNAL when the peer
//! offers it (our certificate, XEP-0178) or else with Server Dialback (XEP-0220 §2.1). The same
//! machine, built with [`Initiating::verifier`], is the Receiving Server's stream to an
//! Authoritative Server that only asks `db:verify` questions (XEP-0220 §2.3).

use crate::dialback::{element, NS_DIALBACK};
use crate::features::{external_auth, Offered, NS_BIDI};
use crate::{LinkError, S2sConfig, S2sTls};
use minidom::Element;
use std::collections::VecDeque;
use xmppkit_codec::{
    ns, with_content_ns, Decoder, Event, StreamErrorCondition, StreamHeader, Wire,
};
use xmppkit_stanza::StreamError;

/// What an initiating stream reports.
#[derive(Debug, Clone, PartialEq)]
pub enum InitiatingEvent {
    /// The peer said `<proceed/>`: start TLS on the socket (verifying the peer's certificate
    /// as the policy says), then call [`Initiating::tls_established`].
    StartTls,
    /// The stream is authenticated for our domain: stanzas may be sent.
    Authenticated,
    /// The Authoritative Server's answer to a [`Initiating::verify`] question.
    Verified {
        /// The domain whose key was checked (the Originating Server's).
        originating: String,
        /// Our domain, which received the key.
        receiving: String,
        /// The stream id the key was made for.
        stream_id: String,
        /// Whether the key is the authoritative server's.
        valid: bool,
    },
    /// A stanza the peer sent back on this stream (XEP-0288), in `jabber:client`: from the
    /// remote domain to ours, the inverse of the pair this stream authenticated.
    Stanza(Element),
    /// Another of our domains ([`Initiating::add_sender`]) may now send on this stream.
    SenderAdded {
        /// Our domain.
        domain: String,
    },
    /// The peer refused another of our domains on this stream (its dialback key, XEP-0220
    /// §2.4, or a dialback error, §2.5); the stream goes on for the others.
    SenderRefused {
        /// Our domain.
        domain: String,
        /// Why: `invalid` or the error condition.
        why: String,
    },
    /// The stream ended.
    Closed(Option<LinkError>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Header,
    Features,
    Proceed,
    Tls,
    Sasl,
    Dialback,
    Online,
    Closed,
}

/// Our stream to a remote server.
///
/// ```
/// use xmppkit_s2s::*;
/// let mut config = S2sConfig::new("a.example", DialbackSecret::new("s"));
/// config.tls = S2sTls::Off;
/// let link = Initiating::new(config, "b.example");
/// assert!(!link.is_online());
/// ```
pub struct Initiating {
    wire: Wire,
    config: S2sConfig,
    local: String,
    remote: String,
    authenticate: bool,
    tls_on: bool,
    external_tried: bool,
    sasl_done: bool,
    offered: Offered,
    stream_id: String,
    step: Step,
    verifies: Vec<Element>,
    /// XEP-0288 was turned on.
    bidi: bool,
    /// Our other domains on this stream (XEP-0220 §3 multiplexing): authenticated, and asked.
    senders: Vec<String>,
    asked: Vec<String>,
    events: VecDeque<InitiatingEvent>,
}

impl Initiating {
    /// A stream from our first configured domain to `remote`, to authenticate and send stanzas
    /// on; its header is ready to be written.
    pub fn new(config: S2sConfig, remote: impl Into<String>) -> Self {
        Self::start(config, remote.into(), true)
    }

    /// A stream to `remote` that only carries `db:verify` questions (XEP-0220 §2.3), without
    /// authenticating.
    pub fn verifier(config: S2sConfig, remote: impl Into<String>) -> Self {
        Self::start(config, remote.into(), false)
    }

    fn start(config: S2sConfig, remote: String, authenticate: bool) -> Self {
        let local = config.domains.first().cloned().unwrap_or_default();
        let mut link = Initiating {
            wire: Wire::new(Decoder::new().with_namespaces([ns::SERVER])),
            tls_on: config.direct_tls,
            config,
            local,
            remote,
            authenticate,
            external_tried: false,
            sasl_done: false,
            offered: Offered::default(),
            stream_id: String::new(),
            step: Step::Header,
            verifies: Vec::new(),
            bidi: false,
            senders: Vec::new(),
            asked: Vec::new(),
            events: VecDeque::new(),
        };
        link.send_header();
        link
    }

    fn send_header(&mut self) {
        let header = StreamHeader {
            from: Some(self.local.clone()),
            to: Some(self.remote.clone()),
            version: Some("1.0".into()),
            ns: ns::SERVER.into(),
            prefixes: vec![("db".into(), NS_DIALBACK.into())],
            ..StreamHeader::default()
        };
        self.wire.header(&header);
    }

    /// The remote domain.
    pub fn remote(&self) -> &str {
        &self.remote
    }

    /// Whether the peer may send stanzas back on this stream (XEP-0288).
    pub fn is_bidirectional(&self) -> bool {
        self.bidi
    }

    /// Whether stanzas may be sent.
    pub fn is_online(&self) -> bool {
        self.step == Step::Online && self.authenticate
    }

    /// Asks the remote (the Authoritative Server for `originating`) whether `key`, which
    /// `originating` sent us on the stream `stream_id`, is its own (XEP-0220 §2.3). The answer
    /// comes as [`InitiatingEvent::Verified`].
    pub fn verify(&mut self, originating: &str, stream_id: &str, key: &str) {
        let receiving = self.local.clone();
        let question = element(
            "verify",
            &receiving,
            originating,
            Some(stream_id),
            None,
            Some(key),
        );
        match self.step {
            Step::Online => self.wire.send(&question),
            _ => self.verifies.push(question),
        }
    }

    /// Bytes read from the connection.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        self.wire.decoder.feed(bytes);
        while !matches!(self.step, Step::Closed | Step::Tls) {
            match self.wire.decoder.next_event() {
                Ok(None) => break,
                Ok(Some(event)) => self.handle_event(event),
                Err(e) => {
                    let error = StreamError::from(&e);
                    self.wire.send(&error.into());
                    self.finish(Some(LinkError::Decode(e)));
                }
            }
        }
    }

    /// TLS is up on the socket: the stream restarts (RFC 6120 §5.4.3.3).
    pub fn tls_established(&mut self) {
        if self.step != Step::Tls {
            return;
        }
        self.tls_on = true;
        self.wire.decoder.restart_discarding();
        self.send_header();
        self.step = Step::Header;
        // What arrived with the TLS records is read on the next handle_input.
    }

    fn handle_event(&mut self, event: Event) {
        let el = match event {
            Event::StreamOpen(header) if self.step == Step::Header => return self.opened(header),
            Event::Whitespace => return,
            Event::StreamClose => {
                let early = self.step != Step::Online;
                return self.finish(early.then_some(LinkError::Closed));
            }
            Event::Stanza(el) => el,
            Event::StreamOpen(_) => return self.refuse(StreamErrorCondition::InvalidXml),
        };
        if el.is("error", ns::STREAMS) {
            let error = StreamError::try_from(el).ok();
            return self.finish(error.map(LinkError::FromPeer));
        }
        if el.is("verify", NS_DIALBACK) {
            return self.verified(&el);
        }
        match self.step {
            Step::Features if el.is("features", ns::STREAMS) => self.features(&el),
            Step::Proceed if el.is("proceed", ns::TLS) => {
                self.step = Step::Tls;
                self.events.push_back(InitiatingEvent::StartTls);
            }
            Step::Proceed if el.is("failure", ns::TLS) => self.finish(Some(LinkError::TlsFailed)),
            Step::Sasl if el.is("success", ns::SASL) => {
                self.sasl_done = true;
                self.wire.decoder.restart();
                self.send_header();
                self.step = Step::Header;
            }
            Step::Sasl if el.is("failure", ns::SASL) => {
                self.external_tried = true;
                self.authenticate_by(self.offered.clone());
            }
            Step::Dialback | Step::Online if el.is("result", NS_DIALBACK) => self.result(&el),
            Step::Online if self.bidi && is_stanza(&el) => self.stanza(el),
            _ => self.refuse(StreamErrorCondition::UnsupportedStanzaType),
        }
    }

    fn opened(&mut self, header: StreamHeader) {
        self.stream_id = header.id.unwrap_or_default();
        if header.version.is_some() {
            self.step = Step::Features;
        } else {
            // A pre-RFC 3920 peer sends no features: dialback straight away.
            self.offered = Offered {
                dialback: true,
                ..Offered::default()
            };
            self.after_tls();
        }
    }

    fn features(&mut self, el: &Element) {
        let offered = Offered::read(el);
        if !self.tls_on && self.config.tls != S2sTls::Off && offered.starttls {
            self.wire
                .send(&Element::builder("starttls", ns::TLS).build());
            self.step = Step::Proceed;
            return;
        }
        if !self.tls_on && self.config.tls == S2sTls::Required {
            return self.finish(Some(LinkError::TlsRequired));
        }
        self.offered = offered;
        self.after_tls();
    }

    fn after_tls(&mut self) {
        if !self.authenticate || self.sasl_done {
            return self.online();
        }
        if self.offered.bidi && self.config.bidi && !self.bidi {
            // XEP-0288 §2: after TLS, before authentication.
            self.wire.send(&Element::builder("bidi", NS_BIDI).build());
            self.bidi = true;
        }
        self.authenticate_by(self.offered.clone());
    }

    /// XEP-0288 §3: stanzas back only from the remote domain to ours.
    fn stanza(&mut self, el: Element) {
        let domain = |name| {
            el.attr(name)
                .and_then(|v| v.parse::<xmppkit_jid::Jid>().ok())
                .map(|j| j.domain().to_string())
        };
        match (domain("from"), domain("to")) {
            (Some(from), Some(to)) if from == self.remote && to == self.local => {
                let el = with_content_ns(el, ns::SERVER, ns::CLIENT);
                self.events.push_back(InitiatingEvent::Stanza(el));
            }
            (Some(_), Some(_)) => self.refuse(StreamErrorCondition::InvalidFrom),
            _ => self.refuse(StreamErrorCondition::ImproperAddressing),
        }
    }

    fn authenticate_by(&mut self, offered: Offered) {
        let external = offered.mechanisms.iter().any(|m| m == "EXTERNAL");
        if self.tls_on && external && !self.external_tried {
            self.wire.send(&external_auth(&self.local));
            self.step = Step::Sasl;
        } else if offered.dialback {
            let key = self
                .config
                .secret
                .key(&self.remote, &self.local, &self.stream_id);
            let result = element("result", &self.local, &self.remote, None, None, Some(&key));
            self.wire.send(&result);
            self.step = Step::Dialback;
        } else {
            self.finish(Some(LinkError::NoAuthentication));
        }
    }

    fn result(&mut self, el: &Element) {
        let (from, to) = (el.attr("from"), el.attr("to"));
        if from != Some(&self.remote) {
            return self.refuse(StreamErrorCondition::InvalidXml);
        }
        let condition = || {
            el.get_child("error", ns::SERVER)
                .and_then(|e| e.children().next())
                .map_or_else(|| "error".to_owned(), |c| c.name().to_owned())
        };
        if to == Some(&self.local) && self.step == Step::Dialback {
            return match el.attr("type") {
                Some("valid") => self.online(),
                Some("invalid") => self.finish(Some(LinkError::DialbackRefused("invalid".into()))),
                Some("error") => self.finish(Some(LinkError::DialbackRefused(condition()))),
                _ => self.refuse(StreamErrorCondition::InvalidXml),
            };
        }
        let Some(at) = to.and_then(|to| self.asked.iter().position(|d| d == to)) else {
            return self.refuse(StreamErrorCondition::InvalidXml);
        };
        let domain = self.asked.remove(at);
        match el.attr("type") {
            Some("valid") => {
                self.senders.push(domain.clone());
                self.events
                    .push_back(InitiatingEvent::SenderAdded { domain });
            }
            Some("invalid") => self.events.push_back(InitiatingEvent::SenderRefused {
                domain,
                why: "invalid".into(),
            }),
            _ => {
                let why = condition();
                self.events
                    .push_back(InitiatingEvent::SenderRefused { domain, why });
            }
        }
    }

    /// XEP-0220 §3 (multiplexing): authenticates another of our domains on this stream with its
    /// own dialback key, once the stream is online; the answer comes as
    /// [`InitiatingEvent::SenderAdded`] or [`InitiatingEvent::SenderRefused`].
    pub fn add_sender(&mut self, domain: &str) {
        let known = domain == self.local
            || self.senders.iter().any(|d| d == domain)
            || self.asked.iter().any(|d| d == domain);
        if known || !self.authenticate || self.step == Step::Closed {
            return;
        }
        self.asked.push(domain.to_owned());
        if self.step == Step::Online {
            self.ask(domain);
        }
    }

    fn ask(&mut self, domain: &str) {
        let key = self
            .config
            .secret
            .key(&self.remote, domain, &self.stream_id);
        let result = element("result", domain, &self.remote, None, None, Some(&key));
        self.wire.send(&result);
    }

    fn online(&mut self) {
        self.step = Step::Online;
        for question in std::mem::take(&mut self.verifies) {
            self.wire.send(&question);
        }
        for domain in self.asked.clone() {
            self.ask(&domain);
        }
        if self.authenticate {
            self.events.push_back(InitiatingEvent::Authenticated);
        }
    }

    fn verified(&mut self, el: &Element) {
        let attr = |name| el.attr(name).unwrap_or_default().to_owned();
        self.events.push_back(InitiatingEvent::Verified {
            originating: attr("from"),
            receiving: attr("to"),
            stream_id: attr("id"),
            valid: el.attr("type") == Some("valid"),
        });
    }

    /// Sends a stanza (in `jabber:client`, as the server routes it). Returns it if the stream
    /// is not authenticated (yet, or any more), or its `from` is at none of the domains the
    /// stream authenticated.
    pub fn send(&mut self, stanza: Element) -> Result<(), Element> {
        let from = stanza
            .attr("from")
            .and_then(|f| f.parse::<xmppkit_jid::Jid>().ok())
            .map(|f| f.domain().to_string());
        let ours = from.is_some_and(|d| d == self.local || self.senders.contains(&d));
        if !self.is_online() || !ours {
            return Err(stanza);
        }
        self.wire
            .send(&with_content_ns(stanza, ns::CLIENT, ns::SERVER));
        Ok(())
    }

    /// Closes the stream (idle, or shutting down).
    pub fn close(&mut self) {
        self.finish(None);
    }

    fn refuse(&mut self, condition: StreamErrorCondition) {
        let error = StreamError::new(condition);
        self.wire.send(&error.clone().into());
        self.finish(Some(LinkError::ToPeer(error)));
    }

    fn finish(&mut self, reason: Option<LinkError>) {
        self.wire.close();
        if self.step != Step::Closed {
            self.step = Step::Closed;
            self.events.push_back(InitiatingEvent::Closed(reason));
        }
    }

    /// Bytes to write.
    pub fn poll_transmit(&mut self) -> Option<bytes::Bytes> {
        self.wire.poll_transmit()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<InitiatingEvent> {
        self.events.pop_front()
    }
}

fn is_stanza(el: &Element) -> bool {
    matches!(el.name(), "message" | "presence" | "iq") && el.has_ns(ns::SERVER)
}
