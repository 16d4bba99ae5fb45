//! Where nodes live: a node (configuration, affiliations, subscriptions, items) as plain data,
//! the [`NodeStore`] trait the engine works through, and [`MemoryStore`].

use crate::config::NodeConfig;
use crate::{Affiliation, Subscription};
use minidom::Element;
use std::collections::{BTreeMap, HashMap, VecDeque};
use xmppkit_jid::route::belongs_to;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_stanza::data_forms::DataForm;
use xmppkit_stanza::datetime::DateTime;

/// A stored item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItem {
    /// Its id, unique in the node.
    pub id: String,
    /// Who published it (full JID as sent).
    pub publisher: Jid,
    /// The payload.
    pub payload: Option<Element>,
    /// When.
    pub stamp: DateTime,
}

/// A subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sub {
    /// The subscribed JID (bare or full, as asked).
    pub jid: Jid,
    /// Its id, unique in the node.
    pub subid: String,
    /// Its state.
    pub state: Subscription,
    /// The options submitted, if any.
    pub options: Option<DataForm>,
}

/// A leaf node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The node id.
    pub id: String,
    /// Its configuration.
    pub config: NodeConfig,
    /// Affiliations other than `none`, by bare JID.
    pub affiliations: BTreeMap<BareJid, Affiliation>,
    /// Subscriptions, in the order they were made.
    pub subscriptions: Vec<Sub>,
    /// Items, oldest first (only when `persist_items`).
    pub items: VecDeque<StoredItem>,
    /// The last item published (kept even when items are not persisted).
    pub last: Option<StoredItem>,
}

impl Node {
    /// A new node owned by `owner`.
    pub fn new(id: impl Into<String>, config: NodeConfig, owner: BareJid) -> Self {
        Node {
            id: id.into(),
            config,
            affiliations: BTreeMap::from([(owner, Affiliation::Owner)]),
            subscriptions: Vec::new(),
            items: VecDeque::new(),
            last: None,
        }
    }

    /// `who`'s affiliation.
    pub fn affiliation(&self, who: &BareJid) -> Affiliation {
        self.affiliations
            .get(who)
            .copied()
            .unwrap_or(Affiliation::None)
    }

    /// The owners.
    pub fn owners(&self) -> impl Iterator<Item = &BareJid> {
        self.affiliations
            .iter()
            .filter(|(_, a)| **a == Affiliation::Owner)
            .map(|(j, _)| j)
    }

    /// The subscriptions whose JID has `who` as bare JID.
    pub fn subscriptions_of<'a>(&'a self, who: &'a BareJid) -> impl Iterator<Item = &'a Sub> {
        self.subscriptions
            .iter()
            .filter(move |s| belongs_to(&s.jid, who))
    }

    /// The item with `id`.
    pub fn item(&self, id: &str) -> Option<&StoredItem> {
        self.items.iter().find(|i| i.id == id)
    }
}

/// A storage failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("node storage failed: {0}")]
pub struct StoreError(pub String);

/// The nodes of every service the engine serves (a pubsub component, or each user's PEP
/// service), by service JID and node id.
pub trait NodeStore {
    /// The node.
    fn node(&self, service: &BareJid, node: &str) -> Option<&Node>;
    /// The node, to change.
    fn node_mut(&mut self, service: &BareJid, node: &str) -> Option<&mut Node>;
    /// Adds a node (its id is free).
    fn insert(&mut self, service: &BareJid, node: Node) -> Result<(), StoreError>;
    /// Removes a node.
    fn remove(&mut self, service: &BareJid, node: &str) -> Option<Node>;
    /// The nodes of a service, by id.
    fn nodes<'a>(&'a self, service: &BareJid) -> Box<dyn Iterator<Item = &'a Node> + 'a>;
    /// How many nodes a service has.
    fn count(&self, service: &BareJid) -> usize;
    /// Makes every change since the last flush durable: nodes inserted, removed, or handed out
    /// by [`node_mut`](Self::node_mut). The engine calls it before answering each request that
    /// may change nodes, and answers `internal-server-error` when it fails. A store that keeps
    /// nothing (like [`MemoryStore`]) has nothing to do.
    fn flush(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// A boxed store is a store, so a server can hold any store behind one type.
impl<S: NodeStore + ?Sized> NodeStore for Box<S> {
    fn node(&self, service: &BareJid, node: &str) -> Option<&Node> {
        (**self).node(service, node)
    }
    fn node_mut(&mut self, service: &BareJid, node: &str) -> Option<&mut Node> {
        (**self).node_mut(service, node)
    }
    fn insert(&mut self, service: &BareJid, node: Node) -> Result<(), StoreError> {
        (**self).insert(service, node)
    }
    fn remove(&mut self, service: &BareJid, node: &str) -> Option<Node> {
        (**self).remove(service, node)
    }
    fn nodes<'a>(&'a self, service: &BareJid) -> Box<dyn Iterator<Item = &'a Node> + 'a> {
        (**self).nodes(service)
    }
    fn count(&self, service: &BareJid) -> usize {
        (**self).count(service)
    }
    fn flush(&mut self) -> Result<(), StoreError> {
        (**self).flush()
    }
}

/// Every node in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    services: HashMap<BareJid, BTreeMap<String, Node>>,
}

impl NodeStore for MemoryStore {
    fn node(&self, service: &BareJid, node: &str) -> Option<&Node> {
        self.services.get(service)?.get(node)
    }

    fn node_mut(&mut self, service: &BareJid, node: &str) -> Option<&mut Node> {
        self.services.get_mut(service)?.get_mut(node)
    }

    fn insert(&mut self, service: &BareJid, node: Node) -> Result<(), StoreError> {
        self.services
            .entry(service.clone())
            .or_default()
            .insert(node.id.clone(), node);
        Ok(())
    }

    fn remove(&mut self, service: &BareJid, node: &str) -> Option<Node> {
        self.services.get_mut(service)?.remove(node)
    }

    fn nodes<'a>(&'a self, service: &BareJid) -> Box<dyn Iterator<Item = &'a Node> + 'a> {
        match self.services.get(service) {
            Some(nodes) => Box::new(nodes.values()),
            None => Box::new(std::iter::empty()),
        }
    }

    fn count(&self, service: &BareJid) -> usize {
        self.services.get(service).map_or(0, BTreeMap::len)
    }
}
