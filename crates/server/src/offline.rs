//! Offline storage (XEP-0160, RFC 6121 §8.5.2.2.1): messages kept for a user with no available
//! resource, delivered with a `<delay/>` when the user comes online. A full store answers the
//! sender with an error; nothing is dropped silently.

use minidom::Element;
use std::collections::HashMap;
use xmppkit_jid::BareJid;

/// Where offline messages are kept.
pub trait OfflineStore: Send {
    /// How many messages wait for `user`.
    fn count(&self, user: &BareJid) -> usize;
    /// Keeps `message` for `user` (the engine checks the limit first).
    fn push(&mut self, user: &BareJid, message: Element);
    /// Takes every message waiting for `user`, oldest first.
    fn take(&mut self, user: &BareJid) -> Vec<Element>;
}

/// Offline messages in memory.
#[derive(Debug, Default)]
pub struct MemoryOffline {
    queues: HashMap<BareJid, Vec<Element>>,
}

impl OfflineStore for MemoryOffline {
    fn count(&self, user: &BareJid) -> usize {
        self.queues.get(user).map_or(0, Vec::len)
    }

    fn push(&mut self, user: &BareJid, message: Element) {
        self.queues.entry(user.clone()).or_default().push(message);
    }

    fn take(&mut self, user: &BareJid) -> Vec<Element> {
        self.queues.remove(user).unwrap_or_default()
    }
}
