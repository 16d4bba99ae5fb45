//! The nodes a database-backed [`NodeStore`] holds in memory: the engine reads nodes by
//! reference, so a store keeps them all here, loaded at open, and marks every node inserted,
//! removed or handed out for change; at [`NodeStore::flush`] it writes the marked ones and
//! clears the marks (kept when the write fails, so the next flush retries them). A database
//! supplies only the loading rows and a [`NodeWriter`]; [`StoredNodes`] is the rest.

use crate::saved::{NodeText, Unreadable};
use crate::store::{MemoryStore, Node, NodeStore, StoreError};
use std::collections::{BTreeSet, HashMap};
use xmppkit_jid::BareJid;

/// Nodes in memory with change marks.
#[derive(Debug, Default)]
pub struct WorkingSet {
    nodes: MemoryStore,
    dirty: BTreeSet<(BareJid, String)>,
}

impl WorkingSet {
    /// The nodes of the services `wanted` picks, from a store's rows: each node's columns (its
    /// `items` left empty) by (service, node), and each item by (service, node) oldest first.
    pub fn from_rows(
        nodes: impl IntoIterator<Item = (String, String, NodeText)>,
        items: impl IntoIterator<Item = (String, String, String)>,
        wanted: impl Fn(&BareJid) -> bool,
    ) -> Result<WorkingSet, Unreadable> {
        let mut by_node: HashMap<(String, String), Vec<String>> = HashMap::new();
        for (service, node, item) in items {
            by_node.entry((service, node)).or_default().push(item);
        }
        let mut set = WorkingSet::default();
        for (service, id, mut text) in nodes {
            let jid = BareJid::new(&service).map_err(|e| Unreadable {
                what: "service",
                reason: format!("`{service}`: {e}"),
            })?;
            if !wanted(&jid) {
                continue;
            }
            text.items = by_node.remove(&(service, id.clone())).unwrap_or_default();
            let node = text.read(id)?;
            set.load(&jid, node).map_err(|e| Unreadable {
                what: "node",
                reason: e.to_string(),
            })?;
        }
        Ok(set)
    }

    /// Adds a node read from storage, unmarked.
    pub fn load(&mut self, service: &BareJid, node: Node) -> Result<(), StoreError> {
        self.nodes.insert(service, node)
    }

    /// Whether anything changed since the last [`clear_changes`](Self::clear_changes).
    pub fn has_changes(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// Each changed node: its service, its id, and its columns now (`None`: removed).
    pub fn changes(&self) -> Vec<(BareJid, String, Option<NodeText>)> {
        self.dirty
            .iter()
            .map(|(service, id)| {
                let text = self.nodes.node(service, id).map(NodeText::of);
                (service.clone(), id.clone(), text)
            })
            .collect()
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

/// Where a [`StoredNodes`] writes its changes: a database's half of a node store.
pub trait NodeWriter {
    /// Writes the changed nodes (service, node id, columns; `None`: removed), all or none.
    fn write(
        &mut self,
        changes: Vec<(BareJid, String, Option<NodeText>)>,
    ) -> Result<(), StoreError>;
}

/// A [`NodeStore`] on a database: the nodes in a [`WorkingSet`], their changes written by `W`
/// at each [`flush`](NodeStore::flush) (kept marked when the write fails, so the next flush
/// retries them).
#[derive(Debug)]
pub struct StoredNodes<W> {
    nodes: WorkingSet,
    writer: W,
}

impl<W: NodeWriter> StoredNodes<W> {
    /// The nodes `nodes`, written by `writer`.
    pub fn new(nodes: WorkingSet, writer: W) -> Self {
        StoredNodes { nodes, writer }
    }

    /// The writer.
    pub fn writer(&self) -> &W {
        &self.writer
    }

    /// The writer, for changing its settings.
    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.writer
    }
}

impl<W: NodeWriter> NodeStore for StoredNodes<W> {
    fn node(&self, service: &BareJid, node: &str) -> Option<&Node> {
        self.nodes.node(service, node)
    }

    fn node_mut(&mut self, service: &BareJid, node: &str) -> Option<&mut Node> {
        self.nodes.node_mut(service, node)
    }

    fn insert(&mut self, service: &BareJid, node: Node) -> Result<(), StoreError> {
        self.nodes.insert(service, node)
    }

    fn remove(&mut self, service: &BareJid, node: &str) -> Option<Node> {
        self.nodes.remove(service, node)
    }

    fn nodes<'a>(&'a self, service: &BareJid) -> Box<dyn Iterator<Item = &'a Node> + 'a> {
        self.nodes.nodes(service)
    }

    fn count(&self, service: &BareJid) -> usize {
        self.nodes.count(service)
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        if !self.nodes.has_changes() {
            return Ok(());
        }
        self.writer.write(self.nodes.changes())?;
        self.nodes.clear_changes();
        Ok(())
    }
}
