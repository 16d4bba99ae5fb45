//! XEP-0484 FAST tokens: one row per user, client and slot; a save replaces the client's rows,
//! written behind (a read waits for the writes queued before it).

use crate::database::{backend, corrupt};
use crate::Database;
use xmppkit_jid::BareJid;
use xmppkit_server::{StoreError, StoredToken, TokenSlots, TokenStore};
use xmppkit_stanza::datetime::DateTime;

const STORE: &str = "tokens";

/// The FAST tokens in a [`Database`].
#[derive(Debug, Clone)]
pub struct PgTokens {
    pub(crate) db: Database,
}

impl TokenStore for PgTokens {
    fn get(&self, user: &BareJid, agent: &str) -> Result<TokenSlots, StoreError> {
        let (owner, agent) = (user.to_string(), agent.to_owned());
        let rows = self
            .db
            .worker
            .call(move |c| {
                c.query(
                    "SELECT slot, token, mechanism, expiry, count FROM fast_tokens \
                     WHERE owner = $1 AND agent = $2",
                    &[&owner, &agent],
                )
            })
            .map_err(backend(STORE))?;
        let mut slots = TokenSlots::default();
        for row in rows {
            let slot: String = row.get(0);
            let expiry: i64 = row.get(3);
            let count: i64 = row.get(4);
            let stored = Some(StoredToken {
                token: row.get(1),
                mechanism: row.get(2),
                expiry: DateTime::from_unix(expiry, 0)
                    .ok_or_else(|| corrupt(STORE, format!("expiry {expiry}")))?,
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
        let (owner, agent) = (user.to_string(), agent.to_owned());
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute(
                    "DELETE FROM fast_tokens WHERE owner = $1 AND agent = $2",
                    &[&owner, &agent],
                )?;
                for (slot, token) in [("current", &slots.current), ("new", &slots.new)] {
                    if let Some(t) = token {
                        tx.execute(
                            "INSERT INTO fast_tokens (owner, agent, slot, token, mechanism, expiry, count) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            &[
                                &owner,
                                &agent,
                                &slot,
                                &t.token,
                                &t.mechanism,
                                &t.expiry.0.timestamp(),
                                &i64::from(t.count),
                            ],
                        )?;
                    }
                }
                Ok(())
            }))
            .map(drop)
            .map_err(backend(STORE))
    }

    fn delete_user(&mut self, user: &BareJid) -> Result<(), StoreError> {
        let owner = user.to_string();
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute("DELETE FROM fast_tokens WHERE owner = $1", &[&owner])?;
                Ok(())
            }))
            .map(drop)
            .map_err(backend(STORE))
    }
}
