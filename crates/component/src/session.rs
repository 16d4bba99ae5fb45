//! The component's own side of XEP-0114: open a `jabber:component:accept` stream to the
//! component's domain, answer the server's stream id with the handshake, then send and receive
//! stanzas. What a bot or bridge written in Rust runs over its TCP connection to the server.

use crate::handshake::{handshake, handshake_digest, NS_ACCEPT};
use crate::ComponentError;
use minidom::Element;
use std::collections::VecDeque;
use xmppkit_codec::{ns, with_content_ns, Decoder, Event, StreamHeader, Wire};
use xmppkit_jid::BareJid;
use xmppkit_stanza::StreamError;

/// What the component's session reports.
#[derive(Debug, Clone, PartialEq)]
pub enum ComponentEvent {
    /// The server took the handshake: stanzas may flow.
    Online,
    /// A stanza for the component (in `jabber:client`, so that the `xmppkit-stanza` types and
    /// xmpp-parsers read it as they read any other).
    Stanza(Element),
    /// The stream ended.
    Closed(Option<ComponentError>),
}

/// Why a stanza could not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the component is not online (handshake not done, or the stream ended)")]
pub struct NotOnline;

#[derive(PartialEq)]
enum State {
    Header,
    Handshake,
    Online,
    Closed,
}

/// A component's connection to its server (XEP-0114), sans-IO: feed it what the socket reads,
/// write what [`poll_transmit`](Self::poll_transmit) gives.
pub struct ComponentSession {
    wire: Wire,
    domain: BareJid,
    secret: String,
    state: State,
    events: VecDeque<ComponentEvent>,
}

impl ComponentSession {
    /// A session for the component at `domain` with the shared `secret`; its stream header is
    /// ready to be written.
    pub fn new(domain: BareJid, secret: String) -> Self {
        let mut wire = Wire::new(Decoder::new().with_namespaces([ns::COMPONENT_ACCEPT]));
        let mut header = StreamHeader::client(domain.as_str());
        header.ns = NS_ACCEPT.into();
        header.version = None;
        wire.header(&header);
        ComponentSession {
            wire,
            domain,
            secret,
            state: State::Header,
            events: VecDeque::new(),
        }
    }

    /// The component's domain.
    pub fn domain(&self) -> &BareJid {
        &self.domain
    }

    /// Whether stanzas may be sent.
    pub fn is_online(&self) -> bool {
        self.state == State::Online
    }

    /// Bytes read from the connection.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        self.wire.decoder.feed(bytes);
        while self.state != State::Closed {
            match self.wire.decoder.next_event() {
                Ok(None) => break,
                Ok(Some(event)) => self.handle_event(event),
                Err(e) => {
                    self.wire.send(&StreamError::from(&e).into());
                    self.wire.close();
                    self.finish(Some(ComponentError::Decode(e)));
                }
            }
        }
    }

    fn handle_event(&mut self, event: Event) {
        match event {
            Event::StreamOpen(header) if self.state == State::Header => {
                let id = header.id.unwrap_or_default();
                let digest = handshake_digest(&id, &self.secret);
                self.wire.send(&handshake(Some(&digest)));
                self.state = State::Handshake;
            }
            Event::Stanza(el) if el.is("error", ns::STREAMS) => {
                let error = StreamError::try_from(el).ok();
                self.wire.close();
                self.finish(error.map(ComponentError::FromPeer));
            }
            Event::Stanza(el)
                if self.state == State::Handshake && el.is("handshake", NS_ACCEPT) =>
            {
                self.state = State::Online;
                self.events.push_back(ComponentEvent::Online);
            }
            Event::Stanza(el) if self.state == State::Online => {
                let el = with_content_ns(el, NS_ACCEPT, ns::CLIENT);
                self.events.push_back(ComponentEvent::Stanza(el));
            }
            Event::StreamClose => {
                self.wire.close();
                let early = self.state != State::Online;
                self.finish(early.then_some(ComponentError::ClosedEarly));
            }
            Event::Whitespace => {}
            _ => {
                let error =
                    StreamError::new(xmppkit_codec::StreamErrorCondition::UnsupportedStanzaType);
                self.wire.send(&error.clone().into());
                self.wire.close();
                self.finish(Some(ComponentError::ToPeer(error)));
            }
        }
    }

    /// Sends a stanza (built in `jabber:client` or the accept namespace); it needs `from` at
    /// the component's domain and a `to`, or the server ends the stream.
    pub fn send(&mut self, stanza: Element) -> Result<(), NotOnline> {
        if self.state != State::Online {
            return Err(NotOnline);
        }
        self.wire
            .send(&with_content_ns(stanza, ns::CLIENT, NS_ACCEPT));
        Ok(())
    }

    /// Closes the stream.
    pub fn close(&mut self) {
        self.wire.close();
        self.finish(None);
    }

    fn finish(&mut self, reason: Option<ComponentError>) {
        if self.state != State::Closed {
            self.state = State::Closed;
            self.events.push_back(ComponentEvent::Closed(reason));
        }
    }

    /// Bytes to write.
    pub fn poll_transmit(&mut self) -> Option<bytes::Bytes> {
        self.wire.poll_transmit()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ComponentEvent> {
        self.events.pop_front()
    }
}
