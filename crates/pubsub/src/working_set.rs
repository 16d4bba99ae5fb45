//! The nodes a database-backed [`NodeStore`] holds in memory: the engine reads nodes by
//! reference, so a store keeps them all here, loaded at open, and marks every node inserted,
//! removed or handed out for change; at [`NodeStore::flush`] it writes the marked ones and
//! clears the marks (kept when the write fails, so the next flush retries them).

use crate::store::{MemoryStore, Node, NodeStore, StoreError};
use std::collections::BTreeSet;
use xmppkit_jid::BareJid;

/// Nodes in memory with change marks.
#[derive(Debug, Default)]
pub struct WorkingSet {
    nodes: MemoryStore,
    dirty: BTreeSet<(BareJid, String)>,
}

impl WorkingSet {
    /// Adds a node read from storage, unmarked.
    pub fn load(&mut self, service: &BareJid, node: Node) -> Result<(), StoreError> {
        self.nodes.insert(service, node)
    }

    /// Whether anything changed since the last [`clear_changes`](Self::clear_changes).
    pub fn has_changes(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// Each changed node: its service, its id, and what it is now (`None`: removed).
    pub fn changes(&self) -> impl Iterator<Item = (&BareJid, &str, Option<&Node>)> {
        self.dirty
            .iter()
            .map(|(service, id)| (service, id.as_str(), self.nodes.node(service, id)))
    }

    /// Forgets the marks: the changes are written.
    pub fn clear_changes(&mut self) {
        self.dirty.clear();
    }

    /// A node, for reading.
    pub fn node(&self, service: &BareJid, node: &str) -> Option<&Node> {
        self.nodes.node(service, node)
    }

    /// A node, for changing: marked.
    pub fn node_mut(&mut self, service: &BareJid, node: &str) -> Option<&mut Node> {
        let found = self.nodes.node_mut(service, node)?;
        self.dirty.insert((service.clone(), node.to_owned()));
        Some(found)
    }

    /// A new node: marked.
    pub fn insert(&mut self, service: &BareJid, node: Node) -> Result<(), StoreError> {
        self.dirty.insert((service.clone(), node.id.clone()));
        self.nodes.insert(service, node)
    }

    /// Removes a node: marked.
    pub fn remove(&mut self, service: &BareJid, node: &str) -> Option<Node> {
        let removed = self.nodes.remove(service, node)?;
        self.dirty.insert((service.clone(), node.to_owned()));
        Some(removed)
    }

    /// The nodes of `service`.
    pub fn nodes<'a>(&'a self, service: &BareJid) -> Box<dyn Iterator<Item = &'a Node> + 'a> {
        self.nodes.nodes(service)
    }

    /// How many nodes `service` has.
    pub fn count(&self, service: &BareJid) -> usize {
        self.nodes.count(service)
    }
}
