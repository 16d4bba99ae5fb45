//! Accounts (the [`AccountStore`] of `xmppkit-server`, and the sessions' [`CredentialStore`]):
//! one row per account and one per SCRAM hash; passwords are never stored (RFC 5802 §3).

use crate::Database;
use rusqlite::{params, OptionalExtension};
use xmppkit_server::{AccountError, AccountStore};
use xmppkit_session::scram::{ScramHash, ScramKeys};
use xmppkit_session::{CredentialError, CredentialStore};

/// The accounts in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteAccounts {
    pub(crate) db: Database,
}

fn hash_name(hash: ScramHash) -> &'static str {
    hash.mechanism()
}

fn storage(e: rusqlite::Error) -> AccountError {
    AccountError::Storage(e.to_string())
}

fn insert_keys(
    tx: &rusqlite::Connection,
    user: &str,
    keys: &[ScramKeys; 2],
) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO scram_keys (user, hash, salt, iterations, stored_key, server_key) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for k in keys {
        insert.execute(params![
            user,
            hash_name(k.hash),
            k.salt,
            k.iterations,
            k.stored_key,
            k.server_key
        ])?;
    }
    Ok(())
}

impl CredentialStore for SqliteAccounts {
    fn scram_keys(
        &self,
        username: &str,
        hash: ScramHash,
    ) -> Result<Option<ScramKeys>, CredentialError> {
        let unavailable = |e: rusqlite::Error| CredentialError::Unavailable(e.to_string());
        let conn = self.db.lock();
        let mut select = conn
            .prepare_cached(
                "SELECT salt, iterations, stored_key, server_key FROM scram_keys \
                 WHERE user = ?1 AND hash = ?2",
            )
            .map_err(unavailable)?;
        select
            .query_row(params![username, hash_name(hash)], |r| {
                Ok(ScramKeys {
                    hash,
                    salt: r.get(0)?,
                    iterations: r.get(1)?,
                    stored_key: r.get(2)?,
                    server_key: r.get(3)?,
                })
            })
            .optional()
            .map_err(unavailable)
    }
}

impl AccountStore for SqliteAccounts {
    fn create(&self, user: &str, keys: [ScramKeys; 2]) -> Result<(), AccountError> {
        let mut conn = self.db.writer().map_err(storage)?;
        let tx = conn.savepoint().map_err(storage)?;
        let inserted = tx
            .execute(
                "INSERT INTO accounts (user) VALUES (?1) ON CONFLICT DO NOTHING",
                [user],
            )
            .map_err(storage)?;
        if inserted == 0 {
            return Err(AccountError::Exists(user.to_owned()));
        }
        insert_keys(&tx, user, &keys).map_err(storage)?;
        tx.commit().map_err(storage)
    }

    fn set_keys(&self, user: &str, keys: [ScramKeys; 2]) -> Result<(), AccountError> {
        let mut conn = self.db.writer().map_err(storage)?;
        let tx = conn.savepoint().map_err(storage)?;
        let exists = tx
            .query_row("SELECT 1 FROM accounts WHERE user = ?1", [user], |_| Ok(()))
            .optional()
            .map_err(storage)?
            .is_some();
        if !exists {
            return Err(AccountError::NotFound(user.to_owned()));
        }
        tx.execute("DELETE FROM scram_keys WHERE user = ?1", [user])
            .map_err(storage)?;
        insert_keys(&tx, user, &keys).map_err(storage)?;
        tx.commit().map_err(storage)
    }

    fn delete(&self, user: &str) -> Result<(), AccountError> {
        let deleted = self
            .db
            .writer()
            .map_err(storage)?
            .execute("DELETE FROM accounts WHERE user = ?1", [user])
            .map_err(storage)?;
        match deleted {
            0 => Err(AccountError::NotFound(user.to_owned())),
            _ => Ok(()),
        }
    }

    fn users(&self) -> Vec<String> {
        let conn = self.db.lock();
        let Ok(mut select) = conn.prepare_cached("SELECT user FROM accounts ORDER BY user") else {
            return Vec::new();
        };
        select
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .unwrap_or_default()
    }
}
