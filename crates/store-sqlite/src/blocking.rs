//! Blocklists (XEP-0191): one row per blocked JID; a save replaces the user's rows at once.

use crate::database::{backend, corrupt};
use crate::Database;
use std::collections::BTreeSet;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_server::{BlockingStore, StoreError};

const STORE: &str = "blocking";

/// The blocklists in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteBlocking {
    pub(crate) db: Database,
}

impl BlockingStore for SqliteBlocking {
    fn load(&mut self, user: &BareJid) -> Result<BTreeSet<Jid>, StoreError> {
        let conn = self.db.lock();
        let mut select = conn
            .prepare_cached("SELECT jid FROM blocklist WHERE user = ?1")
            .map_err(backend(STORE))?;
        let rows = select
            .query_map([user.as_str()], |r| r.get::<_, String>(0))
            .map_err(backend(STORE))?;
        rows.map(|row| {
            let text = row.map_err(backend(STORE))?;
            text.parse::<Jid>()
                .map_err(|e| corrupt(STORE, format!("`{text}`: {e}")))
        })
        .collect()
    }

    fn save(&mut self, user: &BareJid, list: &BTreeSet<Jid>) -> Result<(), StoreError> {
        let mut conn = self.db.writer().map_err(backend(STORE))?;
        let tx = conn.savepoint().map_err(backend(STORE))?;
        tx.execute("DELETE FROM blocklist WHERE user = ?1", [user.as_str()])
            .map_err(backend(STORE))?;
        {
            let mut insert = tx
                .prepare_cached("INSERT INTO blocklist (user, jid) VALUES (?1, ?2)")
                .map_err(backend(STORE))?;
            for jid in list {
                insert
                    .execute([user.as_str(), &jid.to_string()])
                    .map_err(backend(STORE))?;
            }
        }
        tx.commit().map_err(backend(STORE))
    }
}
