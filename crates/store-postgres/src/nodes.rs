//! PubSub and PEP nodes (XEP-0060, XEP-0163): a [`WorkingSet`] loaded whole at open; at each
//! flush the changed nodes go behind as one write (their rows replaced), durable with the
//! writes around them. Columns hold the text of [`NodeText`], as in every store.

use crate::database::{backend, corrupt};
use crate::Database;
use xmppkit_jid::BareJid;
use xmppkit_pubsub::{NodeText, NodeWriter, StoredNodes, WorkingSet};
use xmppkit_server::StoreError;

const STORE: &str = "pubsub";

/// The PubSub and PEP nodes in a [`Database`].
pub type PgNodes = StoredNodes<PgNodeWriter>;

/// Writes a [`PgNodes`]'s changes, behind.
#[derive(Debug)]
pub struct PgNodeWriter {
    db: Database,
}

type Rows = (Vec<postgres::Row>, Vec<postgres::Row>);

/// The nodes of the services `wanted` picks, loaded from `db`.
pub(crate) fn load(db: Database, wanted: impl Fn(&BareJid) -> bool) -> Result<PgNodes, StoreError> {
    let (items, nodes): Rows = db
        .worker
        .call(|c| {
            let items = c.query(
                "SELECT service, node, item FROM pubsub_items ORDER BY service, node, position",
                &[],
            )?;
            let nodes = c.query(
                "SELECT service, node, config, affiliations, subscriptions, last FROM pubsub_nodes",
                &[],
            )?;
            Ok((items, nodes))
        })
        .map_err(backend(STORE))?;
    let items = items.iter().map(|r| (r.get(0), r.get(1), r.get(2)));
    let nodes = nodes.iter().map(|r| {
        let text = NodeText {
            config: r.get(2),
            affiliations: r.get(3),
            subscriptions: r.get(4),
            last: r.get(5),
            items: Vec::new(),
        };
        (r.get(0), r.get(1), text)
    });
    let set = WorkingSet::from_rows(nodes, items, wanted).map_err(|e| corrupt(STORE, e))?;
    Ok(StoredNodes::new(set, PgNodeWriter { db }))
}

impl NodeWriter for PgNodeWriter {
    fn write(
        &mut self,
        changes: Vec<(BareJid, String, Option<NodeText>)>,
    ) -> Result<(), xmppkit_pubsub::StoreError> {
        let changes: Vec<(String, String, Option<NodeText>)> = changes
            .into_iter()
            .map(|(service, id, text)| (service.to_string(), id, text))
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
            .map(drop)
            .map_err(|e| xmppkit_pubsub::StoreError(format!("the pubsub store failed: {e}")))
    }
}
