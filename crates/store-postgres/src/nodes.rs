//! PubSub and PEP nodes (XEP-0060, XEP-0163): a [`WorkingSet`] loaded whole at open; at
//! [`NodeStore::flush`] the changed nodes go behind as one write (their rows replaced), durable
//! with the writes around them. Columns hold the text of [`NodeText`], as in every store.

use crate::database::{backend, corrupt};
use crate::Database;
use std::collections::HashMap;
use xmppkit_jid::BareJid;
use xmppkit_pubsub::{Node, NodeStore, NodeText, WorkingSet};
use xmppkit_server::StoreError;

const STORE: &str = "pubsub";

/// The PubSub and PEP nodes in a [`Database`].
#[derive(Debug)]
pub struct PgNodes {
    db: Database,
    nodes: WorkingSet,
}

type Rows = (Vec<postgres::Row>, Vec<postgres::Row>);

impl PgNodes {
    pub(crate) fn load(db: Database, wanted: fn(&BareJid) -> bool) -> Result<PgNodes, StoreError> {
        let (item_rows, node_rows): Rows = db
            .worker
            .call(|c| {
                let items = c.query(
                    "SELECT service, node, item FROM pubsub_items ORDER BY service, node, position",
                    &[],
                )?;
                let nodes = c.query(
                    "SELECT service, node, config, affiliations, subscriptions, last \
                     FROM pubsub_nodes",
                    &[],
                )?;
                Ok((items, nodes))
            })
            .map_err(backend(STORE))?;
        let mut items: HashMap<(String, String), Vec<String>> = HashMap::new();
        for row in item_rows {
            items
                .entry((row.get(0), row.get(1)))
                .or_default()
                .push(row.get(2));
        }
        let mut nodes = WorkingSet::default();
        for row in node_rows {
            let (service, id): (String, String) = (row.get(0), row.get(1));
            let text = NodeText {
                config: row.get(2),
                affiliations: row.get(3),
                subscriptions: row.get(4),
                last: row.get(5),
                items: items
                    .remove(&(service.clone(), id.clone()))
                    .unwrap_or_default(),
            };
            let node = text.read(id).map_err(|e| corrupt(STORE, e))?;
            let service = BareJid::new(&service)
                .map_err(|e| corrupt(STORE, format!("service `{service}`: {e}")))?;
            if wanted(&service) {
                nodes.load(&service, node).map_err(|e| corrupt(STORE, e))?;
            }
        }
        Ok(PgNodes { db, nodes })
    }
}

impl NodeStore for PgNodes {
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
        let changes: Vec<(String, String, Option<NodeText>)> = self
            .nodes
            .changes()
            .map(|(service, id, node)| (service.to_string(), id.to_owned(), node.map(NodeText::of)))
            .collect();
        self.db
            .worker
            .write(Box::new(move |tx| {
                for (service, id, text) in &changes {
                    tx.execute(
                        "DELETE FROM pubsub_items WHERE service = $1 AND node = $2",
                        &[service, id],
                    )?;
                    let Some(text) = text else {
                        tx.execute(
                            "DELETE FROM pubsub_nodes WHERE service = $1 AND node = $2",
                            &[service, id],
                        )?;
                        continue;
                    };
                    tx.execute(
                        "INSERT INTO pubsub_nodes \
                         (service, node, config, affiliations, subscriptions, last) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (service, node) DO UPDATE SET \
                         config = excluded.config, affiliations = excluded.affiliations, \
                         subscriptions = excluded.subscriptions, last = excluded.last",
                        &[
                            service,
                            id,
                            &text.config,
                            &text.affiliations,
                            &text.subscriptions,
                            &text.last,
                        ],
                    )?;
                    tx.execute(
                        "INSERT INTO pubsub_items (service, node, position, item) \
                         SELECT $1, $2, (n - 1)::integer, item \
                         FROM unnest($3::text[]) WITH ORDINALITY AS t(item, n)",
                        &[service, id, &text.items],
                    )?;
                }
                Ok(())
            }))
            .map_err(|e| xmppkit_pubsub::StoreError(format!("the pubsub store failed: {e}")))?;
        self.nodes.clear_changes();
        Ok(())
    }
}
