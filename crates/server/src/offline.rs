//! Offline storage (XEP-0160, RFC 6121 §8.5.2.2.1): messages kept for a user with no available
//! resource, delivered with a `<delay/>` when the user comes online. A full store answers the
//! sender with an error; nothing is dropped silently.

use crate::store::StoreError;
use minidom::Element;
use std::collections::{HashMap, VecDeque};
use xmppkit_jid::BareJid;
use xmppkit_stanza::hints::Hint;
use xmppkit_stanza::{has_body, ns};

/// Whether a chat or normal message for a user with no available resource is kept for later
/// (RFC 6121 §8.5.2.2.1 with XEP-0334 and XEP-0160): one with a body, a `<store/>` hint, a
/// XEP-0333 chat marker or a XEP-0184 receipt (the sender's ticks the user sees when back); never
/// one with a `<no-store/>` hint, nor a XEP-0085 chat state alone (`no-permanent-store` allows
/// this temporary storage).
///
/// ```
/// use xmppkit_server::offline::worth_keeping;
/// let el = |xml: &str| xml.parse::<minidom::Element>().unwrap();
/// assert!(worth_keeping(&el("<message xmlns='jabber:client' type='chat'><body>hi</body></message>")));
/// assert!(!worth_keeping(&el("<message xmlns='jabber:client' type='chat'>\
///     <composing xmlns='http://jabber.org/protocol/chatstates'/></message>")));
/// ```
pub fn worth_keeping(message: &Element) -> bool {
    if !matches!(message.attr("type").unwrap_or("normal"), "chat" | "normal") {
        return false;
    }
    if Hint::NoStore.is_in(message) {
        return false;
    }
    has_body(message)
        || Hint::Store.is_in(message)
        || message.children().any(|c| c.has_ns(ns::CHAT_MARKERS))
        || message.has_child("received", ns::RECEIPTS)
}

/// Where offline messages are kept. Each message has a sequence number, increasing per user, so
/// that the engine removes only what it handed on: a crash between reading and delivering loses
/// nothing.
pub trait OfflineStore: Send {
    /// How many messages wait for `user`.
    fn count(&self, user: &BareJid) -> Result<usize, StoreError>;
    /// Keeps `message` for `user` (the engine checks the limit first).
    fn push(&mut self, user: &BareJid, message: Element) -> Result<(), StoreError>;
    /// Every message waiting for `user` with its sequence number, oldest first.
    fn list(&self, user: &BareJid) -> Result<Vec<(u64, Element)>, StoreError>;
    /// Removes `user`'s messages up to and including sequence number `seq`.
    fn remove_through(&mut self, user: &BareJid, seq: u64) -> Result<(), StoreError>;
    /// Removes all of `user`'s messages (the account was deleted).
    fn delete(&mut self, user: &BareJid) -> Result<(), StoreError>;
}

/// Offline messages in memory.
#[derive(Debug, Default)]
pub struct MemoryOffline {
    queues: HashMap<BareJid, VecDeque<(u64, Element)>>,
    next: u64,
}

impl OfflineStore for MemoryOffline {
    fn count(&self, user: &BareJid) -> Result<usize, StoreError> {
        Ok(self.queues.get(user).map_or(0, VecDeque::len))
    }

    fn push(&mut self, user: &BareJid, message: Element) -> Result<(), StoreError> {
        self.next += 1;
        let queue = self.queues.entry(user.clone()).or_default();
        queue.push_back((self.next, message));
        Ok(())
    }

    fn list(&self, user: &BareJid) -> Result<Vec<(u64, Element)>, StoreError> {
        Ok(self
            .queues
            .get(user)
            .map(|q| q.iter().cloned().collect())
            .unwrap_or_default())
    }

    fn remove_through(&mut self, user: &BareJid, seq: u64) -> Result<(), StoreError> {
        if let Some(queue) = self.queues.get_mut(user) {
            while queue.front().is_some_and(|(s, _)| *s <= seq) {
                queue.pop_front();
            }
            if queue.is_empty() {
                self.queues.remove(user);
            }
        }
        Ok(())
    }

    fn delete(&mut self, user: &BareJid) -> Result<(), StoreError> {
        self.queues.remove(user);
        Ok(())
    }
}
