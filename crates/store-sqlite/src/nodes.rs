//! PubSub and PEP nodes (XEP-0060, XEP-0163): a [`WorkingSet`] loaded whole at open, its
//! changed nodes written in one transaction at [`NodeStore::flush`], before the engine answers.
//! Columns hold the text of [`NodeText`], the same in every store.

use crate::database::{backend, corrupt};
use crate::Database;
use rusqlite::params;
use std::collections::HashMap;
use xmppkit_jid::BareJid;
use xmppkit_pubsub::{Node, NodeStore, NodeText, WorkingSet};
use xmppkit_server::StoreError;

const STORE: &str = "pubsub";

/// The PubSub and PEP nodes in a [`Database`].
#[derive(Debug)]
pub struct SqliteNodes {
    db: Database,
    nodes: WorkingSet,
}

impl SqliteNodes {
    pub(crate) fn load(
        db: Database,
        wanted: fn(&BareJid) -> bool,
    ) -> Result<SqliteNodes, StoreError> {
        let mut nodes = WorkingSet::default();
        {
            let conn = db.lock();
            let mut items: HashMap<(String, String), Vec<String>> = HashMap::new();
            let mut select = conn
                .prepare(
                    "SELECT service, node, item FROM pubsub_items ORDER BY service, node, position",
                )
                .map_err(backend(STORE))?;
            let rows = select
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(backend(STORE))?;
            for row in rows {
                let (service, node, item): (String, String, String) =
                    row.map_err(backend(STORE))?;
                items.entry((service, node)).or_default().push(item);
            }
            let mut select = conn
                .prepare("SELECT service, node, config, affiliations, subscriptions, last FROM pubsub_nodes")
                .map_err(backend(STORE))?;
            let rows = select
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        NodeText {
                            config: r.get(2)?,
                            affiliations: r.get(3)?,
                            subscriptions: r.get(4)?,
                            last: r.get(5)?,
                            items: Vec::new(),
                        },
                    ))
                })
                .map_err(backend(STORE))?;
            for row in rows {
                let (service, id, mut text) = row.map_err(backend(STORE))?;
                text.items = items
                    .remove(&(service.clone(), id.clone()))
                    .unwrap_or_default();
                let node = text.read(id).map_err(|e| corrupt(STORE, e))?;
                let service = BareJid::new(&service)
                    .map_err(|e| corrupt(STORE, format!("service `{service}`: {e}")))?;
                if wanted(&service) {
                    nodes.load(&service, node).map_err(|e| corrupt(STORE, e))?;
                }
            }
        }
        Ok(SqliteNodes { db, nodes })
    }

    fn write(&mut self) -> Result<(), StoreError> {
        let mut conn = self.db.writer().map_err(backend(STORE))?;
        let tx = conn.savepoint().map_err(backend(STORE))?;
        for (service, id, node) in self.nodes.changes() {
            let s = service.as_str();
            tx.execute(
                "DELETE FROM pubsub_items WHERE service = ?1 AND node = ?2",
                [s, id],
            )
            .map_err(backend(STORE))?;
            let Some(node) = node else {
                tx.execute(
                    "DELETE FROM pubsub_nodes WHERE service = ?1 AND node = ?2",
                    [s, id],
                )
                .map_err(backend(STORE))?;
                continue;
            };
            let text = NodeText::of(node);
            tx.execute(
                "INSERT OR REPLACE INTO pubsub_nodes \
                 (service, node, config, affiliations, subscriptions, last) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    s,
                    id,
                    text.config,
                    text.affiliations,
                    text.subscriptions,
                    text.last
                ],
            )
            .map_err(backend(STORE))?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO pubsub_items (service, node, position, item) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(backend(STORE))?;
            for (position, item) in text.items.iter().enumerate() {
                insert
                    .execute(params![s, id, position as i64, item])
                    .map_err(backend(STORE))?;
            }
        }
        tx.commit().map_err(backend(STORE))
    }
}

impl NodeStore for SqliteNodes {
    fn node(&self, service: &BareJid, node: &str) -> Option<&Node> {
        self.nodes.node(service, node)
    }

    fn node_mut(&mut self, service: &BareJid, node: &str) -> Option<&mut Node> {
        self.nodes.node_mut(service, node)
    }

    fn insert(&mut self, service: &BareJid, node: Node) -> Result<(), xmppkit_pubsub::StoreError> {
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

    fn flush(&mut self) -> Result<(), xmppkit_pubsub::StoreError> {
        if !self.nodes.has_changes() {
            return Ok(());
        }
        // Marks stay until a write succeeds: a failed flush is retried by the next one.
        self.write()
            .map_err(|e| xmppkit_pubsub::StoreError(e.to_string()))?;
        self.nodes.clear_changes();
        Ok(())
    }
}
