//! The table of bound resources (RFC 6120 §7): per account, each resource with its connection
//! (none while its XEP-0198 session is detached), availability and priority (RFC 6121 §4.7.2.3),
//! the last available presence (for probes), directed presences, and what it asked for
//! (carbons, roster, blocklist). Indexed by account, so that "the resources of this user" costs
//! the resources of that user only.

use minidom::Element;
use std::collections::{BTreeSet, HashMap};
use xmppkit_jid::{BareJid, FullJid, Jid};

/// A connection, as the application numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// One bound resource.
#[derive(Debug, Clone, Default)]
pub struct Resource {
    /// Its connection; `None` while detached, waiting for resumption.
    pub conn: Option<ConnId>,
    /// Whether it sent available presence (RFC 6121 §4.2).
    pub available: bool,
    /// Its presence priority.
    pub priority: i8,
    /// Its last available presence, for probes and new subscribers.
    pub presence: Option<Element>,
    /// Entities it sent directed presence to (RFC 6121 §4.6), told when it goes unavailable.
    pub directed: BTreeSet<Jid>,
    /// Message Carbons enabled (XEP-0280).
    pub carbons: bool,
    /// It asked for the roster: roster pushes go to it (RFC 6121 §2.1.6).
    pub roster_requested: bool,
    /// It asked for the blocklist: blocking pushes go to it (XEP-0191 §3.3).
    pub blocklist_requested: bool,
    /// Its resumption id under XEP-0198, when resumable.
    pub sm_id: Option<String>,
    /// Stored messages still to be handed to it, as its connection drains.
    pub flushing_offline: bool,
    /// Its connection is being closed (it could not keep up): it is chosen for nothing, and
    /// what is addressed to it is held, to be rerouted in order once the session ended.
    pub closing: bool,
}

/// One account's resources, sorted by name. An account has one or a few, so a sorted vector
/// (one allocation the size of its entries) rather than a tree map, whose first node alone
/// holds room for eleven: this was most of what an idle connection cost the engine.
type Bound = Vec<(String, Resource)>;

/// Every bound resource, by account.
#[derive(Debug, Default)]
pub struct Resources {
    users: HashMap<BareJid, Bound>,
}

/// Where `name` is (or would go) among `resources`.
fn position(resources: &Bound, name: &str) -> Result<usize, usize> {
    resources.binary_search_by(|(n, _)| n.as_str().cmp(name))
}

impl Resources {
    /// The resource `jid`, if bound.
    pub fn get(&self, jid: &FullJid) -> Option<&Resource> {
        let resources = self.users.get(&jid.to_bare())?;
        let at = position(resources, jid.resource().as_str()).ok()?;
        Some(&resources[at].1)
    }

    /// The resource `jid`, to change.
    pub fn get_mut(&mut self, jid: &FullJid) -> Option<&mut Resource> {
        let resources = self.users.get_mut(&jid.to_bare())?;
        let at = position(resources, jid.resource().as_str()).ok()?;
        Some(&mut resources[at].1)
    }

    /// Binds `jid`; returns the resource it replaces.
    pub fn insert(&mut self, jid: &FullJid, resource: Resource) -> Option<Resource> {
        let resources = self.users.entry(jid.to_bare()).or_default();
        let name = jid.resource().as_str();
        match position(resources, name) {
            Ok(at) => Some(std::mem::replace(&mut resources[at].1, resource)),
            Err(at) => {
                resources.reserve_exact(1);
                resources.insert(at, (name.to_owned(), resource));
                None
            }
        }
    }

    /// Unbinds `jid`.
    pub fn remove(&mut self, jid: &FullJid) -> Option<Resource> {
        let user = jid.to_bare();
        let resources = self.users.get_mut(&user)?;
        let at = position(resources, jid.resource().as_str()).ok()?;
        let (_, removed) = resources.remove(at);
        if resources.is_empty() {
            self.users.remove(&user);
        }
        Some(removed)
    }

    /// `user`'s resources.
    pub fn of<'a>(&'a self, user: &BareJid) -> impl Iterator<Item = (FullJid, &'a Resource)> + 'a {
        let user = user.clone();
        self.users
            .get(&user)
            .into_iter()
            .flatten()
            .filter_map(move |(name, r)| Some((user.with_resource_str(name).ok()?, r)))
    }

    /// `user`'s available resources.
    pub fn available(&self, user: &BareJid) -> Vec<FullJid> {
        self.of(user)
            .filter(|(_, r)| r.available && !r.closing)
            .map(|(j, _)| j)
            .collect()
    }

    /// RFC 6121 §8.5.2.1.1: the available resources of highest non-negative priority.
    pub fn best(&self, user: &BareJid) -> Vec<FullJid> {
        let candidates: Vec<(FullJid, i8)> = self
            .of(user)
            .filter(|(_, r)| r.available && !r.closing && r.priority >= 0)
            .map(|(j, r)| (j, r.priority))
            .collect();
        let best = candidates.iter().map(|(_, p)| *p).max();
        candidates
            .into_iter()
            .filter(|(_, p)| Some(*p) == best)
            .map(|(j, _)| j)
            .collect()
    }

    /// `user`'s resource whose connection is being closed, if any.
    pub fn closing(&self, user: &BareJid) -> Option<FullJid> {
        self.of(user).find(|(_, r)| r.closing).map(|(j, _)| j)
    }

    /// How many resources are bound.
    pub fn count(&self) -> usize {
        self.users.values().map(Vec::len).sum()
    }
}
