//! Offline messages (XEP-0160) as serialized stanzas, numbered by the table's own sequence, so
//! the engine removes only what it handed on. Stores and removals are written behind; a count
//! or a list sees them, being queued after them.

use crate::database::{backend, corrupt};
use crate::Database;
use minidom::Element;
use xmppkit_jid::BareJid;
use xmppkit_server::{OfflineStore, StoreError};

const STORE: &str = "offline";

/// The offline messages in a [`Database`].
#[derive(Debug, Clone)]
pub struct PgOffline {
    pub(crate) db: Database,
}

impl OfflineStore for PgOffline {
    fn count(&self, user: &BareJid) -> Result<usize, StoreError> {
        let owner = user.to_string();
        self.db
            .worker
            .call(move |c| c.query_one("SELECT COUNT(*) FROM offline WHERE owner = $1", &[&owner]))
            .map(|row| row.get::<_, i64>(0) as usize)
            .map_err(backend(STORE))
    }

    fn push(&mut self, user: &BareJid, message: Element) -> Result<(), StoreError> {
        let owner = user.to_string();
        let stanza = xmppkit_codec::to_string(&message);
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute(
                    "INSERT INTO offline (owner, stanza) VALUES ($1, $2)",
                    &[&owner, &stanza],
                )
                .map(drop)
            }))
            .map(drop)
            .map_err(backend(STORE))
    }

    fn list(&self, user: &BareJid) -> Result<Vec<(u64, Element)>, StoreError> {
        let owner = user.to_string();
        let rows = self
            .db
            .worker
            .call(move |c| {
                c.query(
                    "SELECT seq, stanza FROM offline WHERE owner = $1 ORDER BY seq",
                    &[&owner],
                )
            })
            .map_err(backend(STORE))?;
        rows.iter()
            .map(|row| {
                let seq = row.get::<_, i64>(0) as u64;
                let text: String = row.get(1);
                let message = text
                    .parse::<Element>()
                    .map_err(|e| corrupt(STORE, format!("message {seq}: {e}")))?;
                Ok((seq, message))
            })
            .collect()
    }

    fn remove_through(&mut self, user: &BareJid, seq: u64) -> Result<(), StoreError> {
        let owner = user.to_string();
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute(
                    "DELETE FROM offline WHERE owner = $1 AND seq <= $2",
                    &[&owner, &(seq as i64)],
                )
                .map(drop)
            }))
            .map(drop)
            .map_err(backend(STORE))
    }

    fn delete(&mut self, user: &BareJid) -> Result<(), StoreError> {
        let owner = user.to_string();
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute("DELETE FROM offline WHERE owner = $1", &[&owner])
                    .map(drop)
            }))
            .map(drop)
            .map_err(backend(STORE))
    }
}
