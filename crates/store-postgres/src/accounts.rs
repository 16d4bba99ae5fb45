//! Accounts (the [`AccountStore`] of `xmppkit-server`, and the sessions' [`CredentialStore`]):
//! one row per account and one per SCRAM hash; passwords are never stored (RFC 5802 §3).
//! Creating, rekeying and deleting answer whether the account existed, so they wait for the
//! database; they are rare. Whether an account exists, asked for every stanza to a local
//! account, is answered from the names this process has seen exist (a deletion by another
//! process is seen at its next login attempt, which reads the keys).

use crate::Database;
use postgres::GenericClient;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use xmppkit_server::{AccountError, AccountStore};
use xmppkit_session::scram::{ScramHash, ScramKeys};
use xmppkit_session::{CredentialError, CredentialStore};

/// The accounts in a [`Database`].
#[derive(Debug, Clone)]
pub struct PgAccounts {
    pub(crate) db: Database,
    /// Names known to exist.
    pub(crate) known: Arc<Mutex<HashSet<String>>>,
}

impl PgAccounts {
    fn known(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn insert_keys(
    tx: &mut impl GenericClient,
    user: &str,
    keys: &[ScramKeys; 2],
) -> Result<(), postgres::Error> {
    for k in keys {
        tx.execute(
            "INSERT INTO scram_keys (username, hash, salt, iterations, stored_key, server_key) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username, hash) DO UPDATE SET \
             salt = excluded.salt, iterations = excluded.iterations, \
             stored_key = excluded.stored_key, server_key = excluded.server_key",
            &[
                &user,
                &k.hash.mechanism(),
                &k.salt,
                &(k.iterations as i64 as i32),
                &k.stored_key,
                &k.server_key,
            ],
        )?;
    }
    Ok(())
}

impl CredentialStore for PgAccounts {
    fn scram_keys(
        &self,
        username: &str,
        hash: ScramHash,
    ) -> Result<Option<ScramKeys>, CredentialError> {
        let user = username.to_owned();
        let row = self
            .db
            .worker
            .call(move |c| {
                c.query_opt(
                    "SELECT salt, iterations, stored_key, server_key FROM scram_keys \
                     WHERE username = $1 AND hash = $2",
                    &[&user, &hash.mechanism()],
                )
            })
            .map_err(|e| CredentialError::Unavailable(e.to_string()))?;
        Ok(row.map(|row| ScramKeys {
            hash,
            salt: row.get(0),
            iterations: row.get::<_, i32>(1) as u32,
            stored_key: row.get(2),
            server_key: row.get(3),
        }))
    }
}

/// What a synchronous account change found.
enum Found {
    Done,
    Exists,
    Missing,
}

impl PgAccounts {
    fn change(
        &self,
        user: &str,
        f: impl FnOnce(&mut postgres::Transaction<'_>, &str) -> Result<Found, postgres::Error>
            + Send
            + 'static,
    ) -> Result<(), AccountError> {
        let name = user.to_owned();
        let found = self
            .db
            .worker
            .call(move |c| {
                let mut tx = c.transaction()?;
                let found = f(&mut tx, &name)?;
                tx.commit()?;
                Ok(found)
            })
            .map_err(AccountError::Storage)?;
        match found {
            Found::Done => Ok(()),
            Found::Exists => Err(AccountError::Exists(user.to_owned())),
            Found::Missing => Err(AccountError::NotFound(user.to_owned())),
        }
    }
}

impl AccountStore for PgAccounts {
    fn create(&self, user: &str, keys: [ScramKeys; 2]) -> Result<(), AccountError> {
        self.change(user, move |tx, user| {
            let inserted = tx.execute(
                "INSERT INTO accounts (username) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&user],
            )?;
            if inserted == 0 {
                return Ok(Found::Exists);
            }
            insert_keys(tx, user, &keys)?;
            Ok(Found::Done)
        })?;
        self.known().insert(user.to_owned());
        Ok(())
    }

    fn set_keys(&self, user: &str, keys: [ScramKeys; 2]) -> Result<(), AccountError> {
        self.change(user, move |tx, user| {
            if tx
                .query_opt("SELECT 1 FROM accounts WHERE username = $1", &[&user])?
                .is_none()
            {
                return Ok(Found::Missing);
            }
            tx.execute("DELETE FROM scram_keys WHERE username = $1", &[&user])?;
            insert_keys(tx, user, &keys)?;
            Ok(Found::Done)
        })
    }

    fn delete(&self, user: &str) -> Result<(), AccountError> {
        self.known().remove(user);
        self.change(user, |tx, user| {
            match tx.execute("DELETE FROM accounts WHERE username = $1", &[&user])? {
                0 => Ok(Found::Missing),
                _ => Ok(Found::Done),
            }
        })
    }

    fn exists(&self, user: &str) -> bool {
        if self.known().contains(user) {
            return true;
        }
        let found = self
            .scram_keys(user, ScramHash::Sha256)
            .is_ok_and(|keys| keys.is_some());
        if found {
            self.known().insert(user.to_owned());
        }
        found
    }

    fn users(&self) -> Vec<String> {
        self.db
            .worker
            .call(|c| c.query("SELECT username FROM accounts ORDER BY username", &[]))
            .map(|rows| rows.iter().map(|r| r.get(0)).collect())
            .unwrap_or_default()
    }
}
