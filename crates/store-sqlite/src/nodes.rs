//! PubSub and PEP nodes (XEP-0060, XEP-0163): a [`WorkingSet`] loaded whole at open, its
//! changed nodes written in one transaction at each flush, before the engine answers. Columns
//! hold the text of [`NodeText`], the same in every store.

use crate::database::{backend, corrupt};
use crate::Database;
use rusqlite::params;
use xmppkit_jid::BareJid;
use xmppkit_pubsub::{NodeText, NodeWriter, StoredNodes, WorkingSet};
use xmppkit_server::StoreError;

const STORE: &str = "pubsub";

/// The PubSub and PEP nodes in a [`Database`].
pub type SqliteNodes = StoredNodes<SqliteNodeWriter>;

/// Writes a [`SqliteNodes`]'s changes.
#[derive(Debug)]
pub struct SqliteNodeWriter {
    db: Database,
}

/// The nodes of the services `wanted` picks, loaded from `db`.
pub(crate) fn load(
    db: Database,
    wanted: impl Fn(&BareJid) -> bool,
) -> Result<SqliteNodes, StoreError> {
    let set = {
        let conn = db.lock();
        let mut select = conn
            .prepare(
                "SELECT service, node, item FROM pubsub_items ORDER BY service, node, position",
            )
            .map_err(backend(STORE))?;
        let items = select
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(backend(STORE))?
            .collect::<Result<Vec<(String, String, String)>, _>>()
            .map_err(backend(STORE))?;
        let mut select = conn
            .prepare(
                "SELECT service, node, config, affiliations, subscriptions, last FROM pubsub_nodes",
            )
            .map_err(backend(STORE))?;
        let nodes = select
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    NodeText {
                        config: r.get(2)?,
                        affiliations: r.get(3)?,
                        subscriptions: r.get(4)?,
                        last: r.get(5)?,
                        items: Vec::new(),
                    },
                ))
            })
            .map_err(backend(STORE))?
            .collect::<Result<Vec<(String, String, NodeText)>, _>>()
            .map_err(backend(STORE))?;
        WorkingSet::from_rows(nodes, items, wanted).map_err(|e| corrupt(STORE, e))?
    };
    Ok(StoredNodes::new(set, SqliteNodeWriter { db }))
}

impl SqliteNodeWriter {
    fn write_all(&self, changes: &[(BareJid, String, Option<NodeText>)]) -> Result<(), StoreError> {
        let mut conn = self.db.writer().map_err(backend(STORE))?;
        let tx = conn.savepoint().map_err(backend(STORE))?;
        for (service, id, text) in changes {
            let (s, n) = (service.as_str(), id.as_str());
            tx.execute(
                "DELETE FROM pubsub_items WHERE service = ?1 AND node = ?2",
                [s, n],
            )
            .map_err(backend(STORE))?;
            let Some(text) = text else {
                tx.execute(
                    "DELETE FROM pubsub_nodes WHERE service = ?1 AND node = ?2",
                    [s, n],
                )
                .map_err(backend(STORE))?;
                continue;
            };
            tx.execute(
                "INSERT OR REPLACE INTO pubsub_nodes \
                 (service, node, config, affiliations, subscriptions, last) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    s,
                    n,
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
                    .execute(params![s, n, position as i64, item])
                    .map_err(backend(STORE))?;
            }
        }
        tx.commit().map_err(backend(STORE))
    }
}

impl NodeWriter for SqliteNodeWriter {
    fn write(
        &mut self,
        changes: Vec<(BareJid, String, Option<NodeText>)>,
    ) -> Result<(), xmppkit_pubsub::StoreError> {
        self.write_all(&changes)
            .map_err(|e| xmppkit_pubsub::StoreError(e.to_string()))
    }
}
