//! What a server needs to know about accounts to authenticate them: SCRAM keys (RFC 5802 §3), and
//! password checking for PLAIN derived from the same keys — no plaintext password store required.

use crate::scram::{ScramHash, ScramKeys};
use std::collections::HashMap;
use thiserror::Error;

/// An account lookup that could not be answered: the login is refused with
/// `temporary-auth-failure` (RFC 6120 §6.5.12) and may be tried again, rather than
/// `not-authorized` as for an account that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CredentialError {
    /// The store behind the accounts failed or did not answer in time.
    #[error("the account store is unavailable: {0}")]
    Unavailable(String),
}

/// The application's account database, as the server session sees it.
pub trait CredentialStore: Send + Sync {
    /// The SCRAM keys of `username` for `hash`, `None` when there is no such account.
    fn scram_keys(
        &self,
        username: &str,
        hash: ScramHash,
    ) -> Result<Option<ScramKeys>, CredentialError>;

    /// Whether `password` is `username`'s (for SASL PLAIN). The default derives SCRAM keys from the
    /// candidate password with the stored salt and compares them, so only keys need be stored.
    fn check_password(&self, username: &str, password: &str) -> Result<bool, CredentialError> {
        for hash in [ScramHash::Sha256, ScramHash::Sha1] {
            if let Some(keys) = self.scram_keys(username, hash)? {
                let derived = ScramKeys::derive(hash, password, &keys.salt, keys.iterations);
                if derived.stored_key == keys.stored_key {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

/// An in-memory store: usernames to their SCRAM-SHA-1 and SCRAM-SHA-256 keys. Passwords given to
/// [`add_user`](Self::add_user) are salted and hashed at once and not kept.
///
/// ```
/// use xmppkit_session::{CredentialStore, MemoryCredentials, scram::ScramHash};
/// let mut store = MemoryCredentials::default();
/// store.add_user("juliet", "romeo", b"some salt", 4096);
/// assert_eq!(store.check_password("juliet", "romeo"), Ok(true));
/// assert_eq!(store.check_password("juliet", "tybalt"), Ok(false));
/// assert!(store.scram_keys("juliet", ScramHash::Sha1).unwrap().is_some());
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryCredentials {
    users: HashMap<String, [ScramKeys; 2]>,
}

impl MemoryCredentials {
    /// Adds (or replaces) an account. `salt` should be random and per user.
    pub fn add_user(&mut self, username: &str, password: &str, salt: &[u8], iterations: u32) {
        let keys = [
            ScramKeys::derive(ScramHash::Sha1, password, salt, iterations),
            ScramKeys::derive(ScramHash::Sha256, password, salt, iterations),
        ];
        self.users.insert(username.to_owned(), keys);
    }
}

impl CredentialStore for MemoryCredentials {
    fn scram_keys(
        &self,
        username: &str,
        hash: ScramHash,
    ) -> Result<Option<ScramKeys>, CredentialError> {
        Ok(self
            .users
            .get(username)
            .and_then(|keys| keys.iter().find(|k| k.hash == hash).cloned()))
    }
}
