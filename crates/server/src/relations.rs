//! What the pubsub engine (PEP and components) learns from the server: presence subscriptions
//! and roster groups from the rosters, and who to notify (XEP-0163 §4), found in O(the owner's
//! subscribers) through the per-account resource index.

use crate::resources::Resources;
use crate::roster::Roster;
use std::collections::HashMap;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_pubsub::Relations;

/// A read-only view of rosters and resources.
pub(crate) struct View<'a> {
    pub resources: &'a Resources,
    pub rosters: &'a HashMap<BareJid, Roster>,
}

impl Relations for View<'_> {
    fn presence_subscribed(&self, owner: &BareJid, contact: &BareJid) -> bool {
        self.rosters
            .get(owner)
            .and_then(|r| r.items.get(contact))
            .is_some_and(|i| i.state.from)
    }

    fn roster_groups(&self, owner: &BareJid, contact: &BareJid) -> Vec<String> {
        self.rosters
            .get(owner)
            .and_then(|r| r.items.get(contact))
            .map(|i| i.groups.clone())
            .unwrap_or_default()
    }

    /// The owner's available resources and its subscribers' (entity capabilities and
    /// `+notify` are not read yet: every namespace is wanted).
    fn interested(&self, owner: &BareJid, _namespace: &str) -> Vec<Jid> {
        let subscribers = self
            .rosters
            .get(owner)
            .into_iter()
            .flat_map(Roster::subscribers);
        std::iter::once(owner)
            .chain(subscribers)
            .flat_map(|user| self.resources.available(user))
            .map(Jid::from)
            .collect()
    }
}
