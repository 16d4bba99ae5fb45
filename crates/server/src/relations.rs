//! What the pubsub engine (PEP and components) learns from the server: presence subscriptions
//! and roster groups from the rosters, and who to notify (XEP-0163 §4), found in O(the owner's
//! subscribers) through the per-account resource index, for the subscribers this shard serves;
//! others (on another shard or server) are notified at their bare JIDs, and their servers hand
//! the notification to their available resources (RFC 6121 §8.5.2.1.1, `headline`).

use crate::config::Config;
use crate::resources::Resources;
use crate::roster::Roster;
use std::collections::HashMap;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_pubsub::Relations;

/// A read-only view of rosters and resources.
pub(crate) struct View<'a> {
    pub resources: &'a Resources,
    pub rosters: &'a HashMap<BareJid, Roster>,
    pub config: &'a Config,
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
    /// `+notify` are not read yet: every namespace is wanted): full JIDs where this shard
    /// serves the subscriber, the bare JID where another shard or server does.
    fn interested(&self, owner: &BareJid, _namespace: &str) -> Vec<Jid> {
        let subscribers = self
            .rosters
            .get(owner)
            .into_iter()
            .flat_map(Roster::subscribers);
        let mut interested = Vec::new();
        for user in std::iter::once(owner).chain(subscribers) {
            let jid = Jid::from(user.clone());
            let here = user.domain() == self.config.domain.domain()
                && self
                    .config
                    .shards
                    .elsewhere(&self.config.domain, &jid)
                    .is_none();
            if here {
                interested.extend(self.resources.available(user).into_iter().map(Jid::from));
            } else {
                interested.push(jid);
            }
        }
        interested
    }
}
