//! Blocklists (XEP-0191): one row per blocked JID; a save replaces the user's rows, written
//! behind.

use crate::database::{backend, corrupt};
use crate::Database;
use std::collections::BTreeSet;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_server::{BlockingStore, StoreError};

const STORE: &str = "blocking";

/// The blocklists in a [`Database`].
#[derive(Debug, Clone)]
pub struct PgBlocking {
    pub(crate) db: Database,
}

impl BlockingStore for PgBlocking {
    fn load(&mut self, user: &BareJid) -> Result<BTreeSet<Jid>, StoreError> {
        let owner = user.to_string();
        let rows = self
            .db
            .worker
            .call(move |c| c.query("SELECT jid FROM blocklist WHERE owner = $1", &[&owner]))
            .map_err(backend(STORE))?;
        rows.iter()
            .map(|row| {
                let text: String = row.get(0);
                text.parse::<Jid>()
                    .map_err(|e| corrupt(STORE, format!("`{text}`: {e}")))
            })
            .collect()
    }

    fn save(&mut self, user: &BareJid, list: &BTreeSet<Jid>) -> Result<(), StoreError> {
        let owner = user.to_string();
        let jids: Vec<String> = list.iter().map(Jid::to_string).collect();
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute("DELETE FROM blocklist WHERE owner = $1", &[&owner])?;
                tx.execute(
                    "INSERT INTO blocklist (owner, jid) SELECT $1, unnest($2::text[])",
                    &[&owner, &jids],
                )?;
                Ok(())
            }))
            .map(drop)
            .map_err(backend(STORE))
    }
}
