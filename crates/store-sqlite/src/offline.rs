//! Offline messages (XEP-0160) as serialized stanzas, numbered by the table's own sequence, so
//! the engine removes only what it handed on.

use crate::database::{backend, corrupt};
use crate::Database;
use minidom::Element;
use rusqlite::params;
use xmppkit_jid::BareJid;
use xmppkit_server::{OfflineStore, StoreError};

const STORE: &str = "offline";

/// The offline messages in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteOffline {
    pub(crate) db: Database,
}

impl OfflineStore for SqliteOffline {
    fn count(&self, user: &BareJid) -> Result<usize, StoreError> {
        let conn = self.db.lock();
        let mut count = conn
            .prepare_cached("SELECT COUNT(*) FROM offline WHERE user = ?1")
            .map_err(backend(STORE))?;
        count
            .query_row([user.as_str()], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(backend(STORE))
    }

    fn push(&mut self, user: &BareJid, message: Element) -> Result<(), StoreError> {
        let conn = self.db.writer().map_err(backend(STORE))?;
        let mut insert = conn
            .prepare_cached("INSERT INTO offline (user, stanza) VALUES (?1, ?2)")
            .map_err(backend(STORE))?;
        insert
            .execute(params![user.as_str(), xmppkit_codec::to_string(&message)])
            .map(drop)
            .map_err(backend(STORE))
    }

    fn list(&self, user: &BareJid) -> Result<Vec<(u64, Element)>, StoreError> {
        let conn = self.db.lock();
        let mut select = conn
            .prepare_cached("SELECT seq, stanza FROM offline WHERE user = ?1 ORDER BY seq")
            .map_err(backend(STORE))?;
        let rows = select
            .query_map([user.as_str()], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?))
            })
            .map_err(backend(STORE))?;
        rows.map(|row| {
            let (seq, text) = row.map_err(backend(STORE))?;
            let message = text
                .parse::<Element>()
                .map_err(|e| corrupt(STORE, format!("message {seq}: {e}")))?;
            Ok((seq, message))
        })
        .collect()
    }

    fn remove_through(&mut self, user: &BareJid, seq: u64) -> Result<(), StoreError> {
        self.db
            .writer()
            .map_err(backend(STORE))?
            .execute(
                "DELETE FROM offline WHERE user = ?1 AND seq <= ?2",
                params![user.as_str(), seq as i64],
            )
            .map(drop)
            .map_err(backend(STORE))
    }

    fn delete(&mut self, user: &BareJid) -> Result<(), StoreError> {
        self.db
            .writer()
            .map_err(backend(STORE))?
            .execute("DELETE FROM offline WHERE user = ?1", [user.as_str()])
            .map(drop)
            .map_err(backend(STORE))
    }
}
