//! One stream-managed stream (XEP-0198 §4): both counters, the unacknowledged queue, and when to
//! ask the peer for an acknowledgement. The sessions feed it every stanza in and out and every
//! `urn:xmpp:sm:3` element; it answers with what to send.

use crate::config::SmConfig;
use crate::counter::{AckError, Inbox, Outbox};
use crate::payload::Nonza;
use crate::Queued;
use minidom::Element;
use std::time::Instant;

/// What a timer did.
#[derive(Debug, Clone, PartialEq)]
pub enum Tick {
    /// Nothing due.
    Idle,
    /// Send this `<r/>`.
    Send(Element),
    /// An acknowledgement request went unanswered for the configured time: the link is dead.
    Dead,
}

/// The counting state of one stream in one role.
///
/// ```
/// use std::time::Instant;
/// use minidom::Element;
/// use xmppkit_sm::{Nonza, SmConfig, SmStream};
///
/// let now = Instant::now();
/// let mut sm = SmStream::new(SmConfig { request_every: 2, ..SmConfig::default() });
/// let msg = || Element::builder("message", "jabber:client").build();
/// assert_eq!(sm.sent(msg(), now), None);
/// assert_eq!(sm.sent(msg(), now), Some(Nonza::Request.into())); // second stanza: ask
/// sm.handle(Nonza::Ack { h: 1 }, now).unwrap();
/// assert_eq!(sm.unacked().count(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SmStream {
    config: SmConfig,
    outbox: Outbox,
    inbox: Inbox,
    /// Stanzas sent since the last `<r/>`.
    since_request: u32,
    /// When the oldest unacknowledged stanza was sent (reset by each ack that leaves some).
    waiting_since: Option<Instant>,
    /// When the outstanding `<r/>` went out.
    requested_at: Option<Instant>,
}

impl SmStream {
    /// Counting from zero both ways (right after `<enable/>` / `<enabled/>`).
    pub fn new(config: SmConfig) -> Self {
        SmStream {
            config,
            outbox: Outbox::default(),
            inbox: Inbox::default(),
            since_request: 0,
            waiting_since: None,
            requested_at: None,
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &SmConfig {
        &self.config
    }

    /// Frees the outbox's memory when every stanza was acknowledged (an idle stream).
    pub fn release_buffers(&mut self) {
        self.outbox.release_buffers();
    }

    /// A stanza went out; returns an `<r/>` to send after it when one is due by count.
    pub fn sent(&mut self, stanza: Element, now: Instant) -> Option<Element> {
        self.sent_queued(Queued::new(&stanza), now)
    }

    /// [`sent`](Self::sent), with the bytes that were written.
    pub fn sent_queued(&mut self, stanza: Queued, now: Instant) -> Option<Element> {
        self.outbox.push_queued(stanza);
        self.waiting_since.get_or_insert(now);
        self.since_request += 1;
        let due = self.config.request_every > 0 && self.since_request >= self.config.request_every;
        due.then(|| self.request(now))
    }

    /// A stanza for the peer while no connection is up (a detached session on the server, a
    /// resumption token on the client): counted as sent and queued, so it goes out on resumption
    /// or comes back as unacknowledged if the stream is never resumed.
    pub fn queue(&mut self, stanza: Element) {
        self.outbox.push(stanza);
    }

    /// [`queue`](Self::queue), for a stanza serialized already.
    pub fn queue_queued(&mut self, stanza: Queued) {
        self.outbox.push_queued(stanza);
    }

    /// The stanzas sent and not acknowledged, as the bytes written, oldest first: what a resumed
    /// stream sends again.
    pub fn unacked_queued(&self) -> impl Iterator<Item = &Queued> {
        self.outbox.unacked_queued()
    }

    /// A stanza came in and was handled.
    pub fn received(&mut self) {
        self.inbox.handled_one();
    }

    /// Our handled count (`h` of our `<a/>`, `<resume/>` and `<resumed/>`).
    pub fn h(&self) -> u32 {
        self.inbox.h()
    }

    /// The stanzas sent and not acknowledged, oldest first.
    pub fn unacked(&self) -> impl Iterator<Item = &Element> {
        self.outbox.unacked()
    }

    /// Takes the unacknowledged stanzas out.
    pub fn take_unacked(&mut self) -> Vec<Element> {
        self.waiting_since = None;
        self.requested_at = None;
        self.outbox.take_unacked()
    }

    /// `<r/>` or `<a/>` from the peer: returns what to send back (an `<a/>` for an `<r/>`). An `h`
    /// above what was sent is an error ([`AckError::stream_error`] is the stream error to close
    /// with, §4); other elements are ignored here (negotiation belongs to the session).
    pub fn handle(&mut self, nonza: Nonza, now: Instant) -> Result<Option<Element>, AckError> {
        match nonza {
            Nonza::Request => Ok(Some(Nonza::Ack { h: self.h() }.into())),
            Nonza::Ack { h } => {
                self.ack(h, now)?;
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    /// The peer handled `h` stanzas (from `<a/>`, `<resumed/>` or `<failed/>`).
    pub fn ack(&mut self, h: u32, now: Instant) -> Result<usize, AckError> {
        let acked = self.outbox.ack(h)?;
        self.requested_at = None;
        self.waiting_since = (!self.outbox.is_empty()).then_some(now);
        Ok(acked.len())
    }

    /// The next time [`handle_timeout`](Self::handle_timeout) has something to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.requested_at {
            Some(at) => Some(at + self.config.ack_timeout),
            None => self.waiting_since.map(|t| t + self.config.request_after),
        }
    }

    /// Fires the request and dead-link timers.
    pub fn handle_timeout(&mut self, now: Instant) -> Tick {
        match self.poll_timeout() {
            Some(due) if now >= due => {
                if self.requested_at.is_some() {
                    Tick::Dead
                } else {
                    Tick::Send(self.request(now))
                }
            }
            _ => Tick::Idle,
        }
    }

    /// What to send before our closing tag: an `<a/>` so the peer knows what arrived, and an
    /// `<r/>` when some of ours are still unacknowledged.
    pub fn before_close(&self) -> Vec<Element> {
        let mut out = vec![Nonza::Ack { h: self.h() }.into()];
        if !self.outbox.is_empty() {
            out.push(Nonza::Request.into());
        }
        out
    }

    /// A new connection took over (§5): the timers restart from `now`.
    pub fn restart_timers(&mut self, now: Instant) {
        self.requested_at = None;
        self.since_request = 0;
        self.waiting_since = (!self.outbox.is_empty()).then_some(now);
    }

    fn request(&mut self, now: Instant) -> Element {
        self.since_request = 0;
        self.requested_at.get_or_insert(now);
        Nonza::Request.into()
    }
}
