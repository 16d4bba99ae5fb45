//! XEP-0484 FAST tokens: one row per user, client and slot; a save replaces the client's rows
//! at once.

use crate::database::{backend, corrupt};
use crate::Database;
use rusqlite::params;
use xmppkit_jid::BareJid;
use xmppkit_server::{StoreError, StoredToken, TokenSlots, TokenStore};
use xmppkit_stanza::datetime::DateTime;

const STORE: &str = "tokens";

/// The FAST tokens in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteTokens {
    pub(crate) db: Database,
}

impl TokenStore for SqliteTokens {
    fn get(&self, user: &BareJid, agent: &str) -> Result<TokenSlots, StoreError> {
        let conn = self.db.lock();
        let mut select = conn
            .prepare_cached(
                "SELECT slot, token, mechanism, expiry, count FROM fast_tokens \
                 WHERE user = ?1 AND agent = ?2",
            )
            .map_err(backend(STORE))?;
        let rows = select
            .query_map(params![user.as_str(), agent], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(backend(STORE))?;
        let mut slots = TokenSlots::default();
        for row in rows {
            let (slot, token, mechanism, expiry, count) = row.map_err(backend(STORE))?;
            let expiry = DateTime::from_unix(expiry, 0)
                .ok_or_else(|| corrupt(STORE, format!("expiry {expiry}")))?;
            let stored = Some(StoredToken {
                token,
                mechanism,
                expiry,
                count: u32::try_from(count).unwrap_or(u32::MAX),
            });
            match slot.as_str() {
                "current" => slots.current = stored,
                _ => slots.new = stored,
            }
        }
        Ok(slots)
    }

    fn put(&mut self, user: &BareJid, agent: &str, slots: TokenSlots) -> Result<(), StoreError> {
        let mut conn = self.db.writer().map_err(backend(STORE))?;
        let tx = conn.savepoint().map_err(backend(STORE))?;
        tx.execute(
            "DELETE FROM fast_tokens WHERE user = ?1 AND agent = ?2",
            params![user.as_str(), agent],
        )
        .map_err(backend(STORE))?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO fast_tokens (user, agent, slot, token, mechanism, expiry, count) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(backend(STORE))?;
            for (slot, token) in [("current", &slots.current), ("new", &slots.new)] {
                if let Some(t) = token {
                    insert
                        .execute(params![
                            user.as_str(),
                            agent,
                            slot,
                            t.token,
                            t.mechanism,
                            t.expiry.0.timestamp(),
                            i64::from(t.count)
                        ])
                        .map_err(backend(STORE))?;
                }
            }
        }
        tx.commit().map_err(backend(STORE))
    }

    fn delete_user(&mut self, user: &BareJid) -> Result<(), StoreError> {
        let conn = self.db.writer().map_err(backend(STORE))?;
        conn.execute("DELETE FROM fast_tokens WHERE user = ?1", [user.as_str()])
            .map(drop)
            .map_err(backend(STORE))
    }
}
