//! The acknowledgement arithmetic of XEP-0198 §4: handled counts modulo 2^32 in both directions,
//! and the queue of sent stanzas trimmed by each `<a h='…'/>`. Pure data, no timers.

use crate::Queued;
use minidom::Element;
use std::collections::VecDeque;
use thiserror::Error;

/// An acknowledgement the sender cannot accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum AckError {
    /// The peer acknowledged more stanzas than were sent (§4): answer with
    /// [`crate::payload::handled_count_too_high`] and close.
    #[error("acknowledged h={h} but only {sent} stanzas were sent")]
    HandledCountTooHigh {
        /// The `h` received.
        h: u32,
        /// Stanzas sent so far (modulo 2^32).
        sent: u32,
    },
}

impl AckError {
    /// The stream error to close with: `undefined-condition` with `<handled-count-too-high/>`.
    pub fn stream_error(&self) -> xmppkit_stanza::StreamError {
        let AckError::HandledCountTooHigh { h, sent } = *self;
        crate::payload::handled_count_too_high(h, sent)
    }
}

/// The stanzas this side sent, and which of them the peer has not acknowledged yet, each kept as
/// its bytes ([`Queued`]).
///
/// ```
/// use minidom::Element;
/// use xmppkit_sm::Outbox;
/// let mut out = Outbox::default();
/// for i in 0..3 {
///     out.push(Element::builder("message", "jabber:client").append(format!("{i}")).build());
/// }
/// let acked = out.ack(2).unwrap();
/// assert_eq!(acked.len(), 2);
/// assert_eq!(out.unacked().count(), 1);
/// assert!(out.ack(9).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    sent: u32,
    acked: u32,
    queue: VecDeque<Queued>,
}

impl Outbox {
    /// Frees the queue's memory when nothing waits for an acknowledgement.
    pub fn release_buffers(&mut self) {
        if self.queue.is_empty() {
            self.queue = VecDeque::new();
        }
    }

    /// Starts counting from `h` (0 on `enabled`; the peer's `h` when resuming).
    pub fn starting_at(h: u32) -> Self {
        Outbox {
            sent: h,
            acked: h,
            queue: VecDeque::new(),
        }
    }

    /// A stanza was sent (serialized here; [`push_queued`](Self::push_queued) takes the bytes
    /// that were written).
    pub fn push(&mut self, stanza: Element) {
        self.push_queued(Queued::new(&stanza));
    }

    /// A stanza was sent, as these bytes.
    pub fn push_queued(&mut self, stanza: Queued) {
        self.sent = self.sent.wrapping_add(1);
        self.queue.push_back(stanza);
    }

    /// The peer handled `h` stanzas: returns the ones this acknowledges for the first time, oldest
    /// first. A repeated `h` acknowledges nothing.
    pub fn ack(&mut self, h: u32) -> Result<Vec<Queued>, AckError> {
        let newly = h.wrapping_sub(self.acked) as usize;
        if newly > self.queue.len() {
            return Err(AckError::HandledCountTooHigh { h, sent: self.sent });
        }
        self.acked = h;
        Ok(self.queue.drain(..newly).collect())
    }

    /// The stanzas sent and not acknowledged, oldest first (parsed back from their bytes).
    pub fn unacked(&self) -> impl Iterator<Item = &Element> {
        self.queue.iter().map(Queued::element)
    }

    /// The stanzas sent and not acknowledged, as kept.
    pub fn unacked_queued(&self) -> impl Iterator<Item = &Queued> {
        self.queue.iter()
    }

    /// How many are not acknowledged.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether everything sent was acknowledged.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Stanzas sent, modulo 2^32.
    pub fn sent(&self) -> u32 {
        self.sent
    }

    /// The last `h` the peer reported.
    pub fn acked(&self) -> u32 {
        self.acked
    }

    /// Takes the unacknowledged stanzas out (to resend after resumption, or to report as possibly
    /// lost after a failed one).
    pub fn take_unacked(&mut self) -> Vec<Element> {
        self.acked = self.sent;
        self.queue.drain(..).map(Queued::into_element).collect()
    }
}

/// The stanzas this side has handled: the `h` it reports in `<a/>` and `<resume/>`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inbox {
    handled: u32,
}

impl Inbox {
    /// One more stanza handled.
    pub fn handled_one(&mut self) {
        self.handled = self.handled.wrapping_add(1);
    }

    /// The handled count, modulo 2^32.
    pub fn h(&self) -> u32 {
        self.handled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stanza(i: u64) -> Element {
        Element::builder("message", "jabber:client")
            .append(i.to_string())
            .build()
    }

    #[test]
    fn counts_wrap_at_2_pow_32() {
        let mut out = Outbox::starting_at(u32::MAX - 1);
        for i in 0..4 {
            out.push(stanza(i));
        }
        assert_eq!(out.sent(), 2);
        let trees = |q: Vec<Queued>| q.into_iter().map(Queued::into_element).collect::<Vec<_>>();
        assert_eq!(trees(out.ack(u32::MAX).unwrap()), vec![stanza(0)]);
        assert_eq!(trees(out.ack(1).unwrap()), vec![stanza(1), stanza(2)]);
        assert_eq!(
            trees(out.ack(1).unwrap()),
            vec![],
            "a repeated ack acknowledges nothing"
        );
        assert_eq!(
            out.ack(3),
            Err(AckError::HandledCountTooHigh { h: 3, sent: 2 })
        );
        let mut inbox = Inbox::default();
        for _ in 0..3 {
            inbox.handled_one();
        }
        assert_eq!(inbox.h(), 3);
    }

    proptest! {
        /// Whatever the start and the acknowledgement points, every stanza is acknowledged exactly
        /// once and in order, and nothing beyond what was sent can be.
        #[test]
        fn every_stanza_is_acknowledged_once_in_order(
            start in any::<u32>(),
            steps in proptest::collection::vec((0usize..5, 0usize..6), 1..40),
        ) {
            let mut out = Outbox::starting_at(start);
            let (mut pushed, mut acked_total) = (0u64, 0u64);
            let mut seen = Vec::new();
            for (push, ack) in steps {
                for _ in 0..push {
                    out.push(stanza(pushed));
                    pushed += 1;
                }
                let target = (acked_total + ack as u64).min(pushed);
                let h = start.wrapping_add(target as u32);
                seen.extend(out.ack(h).unwrap().into_iter().map(Queued::into_element));
                acked_total = target;
                prop_assert_eq!(out.len() as u64, pushed - acked_total);
                let too_high = start.wrapping_add(pushed as u32 + 1);
                prop_assert!(out.clone().ack(too_high).is_err());
            }
            prop_assert_eq!(seen, (0..acked_total).map(stanza).collect::<Vec<_>>());
        }
    }
}
