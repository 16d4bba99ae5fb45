//! The server's side of XEP-0114 (`jabber:component:accept`): the component opens a stream to
//! its own domain, proves the shared secret with `<handshake/>`, then exchanges stanzas whose
//! `from` must be at that domain (XEP-0114 §3).

use crate::handshake::{handshake, handshake_matches, NS_ACCEPT};
use crate::ComponentError;
use minidom::Element;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use xmppkit_codec::{
    ns, with_content_ns, Decoder, Event, StreamErrorCondition, StreamHeader, Wire,
};
use xmppkit_jid::{BareJid, Jid};
use xmppkit_stanza::StreamError;

/// What the accepting side reports.
#[derive(Debug, Clone, PartialEq)]
pub enum AcceptEvent {
    /// The handshake verified: route `domain` to this connection.
    Authenticated {
        /// The component's domain.
        domain: BareJid,
    },
    /// A stanza from the component, in `jabber:client` like every stanza the server routes;
    /// `from` is at the component's domain and `to` is present and a JID.
    Stanza(Element),
    /// The stream ended; stop routing to it.
    Closed(Option<ComponentError>),
}

enum State {
    Header,
    Handshake { domain: BareJid, secret: String },
    Online { domain: BareJid },
    Closed,
}

/// One component connection on the server's side.
///
/// ```
/// use std::{collections::HashMap, sync::Arc};
/// use xmppkit_component::{AcceptEvent, ComponentAccept, ComponentSession, ComponentEvent};
/// use xmppkit_jid::BareJid;
///
/// let secrets = Arc::new(HashMap::from([("bot.example.com".to_owned(), "s3cr3t".to_owned())]));
/// let mut server = ComponentAccept::new(secrets, "stream-1".into());
/// let domain = BareJid::new("bot.example.com").unwrap();
/// let mut component = ComponentSession::new(domain.clone(), "s3cr3t".into());
/// for _ in 0..3 {
///     while let Some(b) = component.poll_transmit() { server.handle_input(&b); }
///     while let Some(b) = server.poll_transmit() { component.handle_input(&b); }
/// }
/// assert_eq!(server.poll_event(), Some(AcceptEvent::Authenticated { domain }));
/// assert_eq!(component.poll_event(), Some(ComponentEvent::Online));
/// ```
pub struct ComponentAccept {
    wire: Wire,
    stream_id: String,
    secrets: Arc<HashMap<String, String>>,
    state: State,
    events: VecDeque<AcceptEvent>,
}

impl ComponentAccept {
    /// A connection to serve: `secrets` maps each component domain (lower case) to its shared
    /// secret; `stream_id` is fresh and unpredictable (the handshake hashes it).
    pub fn new(secrets: Arc<HashMap<String, String>>, stream_id: String) -> Self {
        ComponentAccept {
            wire: Wire::new(Decoder::new().with_namespaces([ns::COMPONENT_ACCEPT])),
            stream_id,
            secrets,
            state: State::Header,
            events: VecDeque::new(),
        }
    }

    /// The component's domain once authenticated.
    pub fn domain(&self) -> Option<&BareJid> {
        match &self.state {
            State::Online { domain } => Some(domain),
            _ => None,
        }
    }

    /// Bytes read from the connection.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        self.wire.decoder.feed(bytes);
        while !matches!(self.state, State::Closed) {
            match self.wire.decoder.next_event() {
                Ok(None) => break,
                Ok(Some(event)) => self.handle_event(event),
                Err(e) => {
                    let error = StreamError::from(&e);
                    self.fail(error, Some(ComponentError::Decode(e)));
                }
            }
        }
    }

    fn handle_event(&mut self, event: Event) {
        match (event, &self.state) {
            (Event::StreamOpen(header), State::Header) => self.opened(header),
            (Event::Stanza(el), State::Handshake { .. }) => self.handshake(el),
            (Event::Stanza(el), State::Online { .. }) => self.stanza(el),
            (Event::Whitespace, _) => {}
            (Event::StreamClose, _) => {
                self.wire.close();
                let early = !matches!(self.state, State::Online { .. });
                self.finish(early.then_some(ComponentError::ClosedEarly));
            }
            _ => self.refuse(StreamErrorCondition::NotAuthorized),
        }
    }

    fn opened(&mut self, header: StreamHeader) {
        let to = header.to.as_deref().unwrap_or_default();
        let mut reply = StreamHeader::server(to, self.stream_id.clone());
        reply.ns = NS_ACCEPT.into();
        reply.version = None;
        self.wire.header(&reply);
        let found = BareJid::new(to).ok().and_then(|domain| {
            let secret = self.secrets.get(domain.as_str())?.clone();
            Some((domain, secret))
        });
        match found {
            Some((domain, secret)) if domain.node().is_none() => {
                self.state = State::Handshake { domain, secret }
            }
            _ => self.refuse(StreamErrorCondition::HostUnknown),
        }
    }

    fn handshake(&mut self, el: Element) {
        let State::Handshake { domain, secret } = &self.state else {
            return;
        };
        if !el.is("handshake", NS_ACCEPT) || !handshake_matches(&el.text(), &self.stream_id, secret)
        {
            return self.refuse(StreamErrorCondition::NotAuthorized);
        }
        let domain = domain.clone();
        self.wire.send(&handshake(None));
        self.events.push_back(AcceptEvent::Authenticated {
            domain: domain.clone(),
        });
        self.state = State::Online { domain };
    }

    /// XEP-0114 §3: `from` and `to` required, `from` at the component's domain.
    fn stanza(&mut self, el: Element) {
        let State::Online { domain } = &self.state else {
            return;
        };
        if !matches!(el.name(), "message" | "presence" | "iq") || !el.has_ns(NS_ACCEPT) {
            return self.refuse(StreamErrorCondition::UnsupportedStanzaType);
        }
        let jid = |name| el.attr(name).map(str::parse::<Jid>);
        match (jid("from"), jid("to")) {
            (Some(Ok(from)), Some(Ok(_))) if from.domain() == domain.domain() => {
                let el = with_content_ns(el, NS_ACCEPT, ns::CLIENT);
                self.events.push_back(AcceptEvent::Stanza(el));
            }
            (Some(Ok(_)), Some(Ok(_))) => self.refuse(StreamErrorCondition::InvalidFrom),
            _ => self.refuse(StreamErrorCondition::ImproperAddressing),
        }
    }

    /// Sends a stanza (in `jabber:client`, as the server routes it) to the component.
    pub fn send(&mut self, stanza: Element) {
        if matches!(self.state, State::Online { .. }) {
            self.wire
                .send(&with_content_ns(stanza, ns::CLIENT, NS_ACCEPT));
        }
    }

    /// Closes the stream cleanly (the server shuts down, or the component is removed).
    pub fn close(&mut self) {
        self.wire.close();
        self.finish(None);
    }

    /// Ends the stream with a stream error (`conflict` when the domain is already connected,
    /// `system-shutdown`).
    pub fn close_with(&mut self, condition: StreamErrorCondition) {
        self.refuse(condition);
    }

    fn refuse(&mut self, condition: StreamErrorCondition) {
        let error = StreamError::new(condition);
        self.fail(error.clone(), Some(ComponentError::ToPeer(error)));
    }

    fn fail(&mut self, error: StreamError, reason: Option<ComponentError>) {
        if matches!(self.state, State::Header) {
            // RFC 6120 §4.9.1.1: a header before the error, even when theirs was bad.
            let mut reply = StreamHeader::server("", self.stream_id.clone());
            reply.from = None;
            reply.ns = NS_ACCEPT.into();
            self.wire.header(&reply);
        }
        self.wire.send(&error.into());
        self.wire.close();
        self.finish(reason);
    }

    fn finish(&mut self, reason: Option<ComponentError>) {
        if !matches!(self.state, State::Closed) {
            self.state = State::Closed;
            self.events.push_back(AcceptEvent::Closed(reason));
        }
    }

    /// Bytes to write to the connection.
    pub fn poll_transmit(&mut self) -> Option<bytes::Bytes> {
        self.wire.poll_transmit()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<AcceptEvent> {
        self.events.pop_front()
    }

    /// Whether the stream ended (close the connection once the bytes are written).
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }
}
