//! What a server needs to know about accounts to authenticate them: SCRAM keys (RFC 5802 §3), and
//! password checking for PLAIN derived from the same keys — no plaintext password store required.

use crate::scram::{ScramHash, ScramKeys};
use std::collections::HashMap;

/// The application's account database, as the server session sees it.
pub trait CredentialStore: Send + Sync {
    /// The SCRAM keys of `username` for `hash`, or `None` when there is no such account.
    fn scram_keys(&self, username: &str, hash: ScramHash) -> Option<ScramKeys>;

    /// Whether `password` is `username`'s (for SASL PLAIN). The default derives SCRAM keys from the
    /// candidate password with the stored salt and compares them, so only keys need be stored.
    fn check_password(&self, username: &str, password: &str) -> bool {
        [ScramHash::Sha256, ScramHash::Sha1]
            .into_iter()
            .any(|hash| {
                self.scram_keys(username, hash).is_some_and(|keys| {
                    ScramKeys::derive(hash, password, &keys.salt, keys.iterations).stored_key
                        == keys.stored_key
                })
            })
    }
}

/// An in-memory store: usernames to their SCRAM-SHA-1 and SCRAM-SHA-256 keys. Passwords given to
/// [`add_user`](Self::add_user) are salted and hashed at once and not kept.
///
/// ```
/// use xmppkit_session::{CredentialStore, MemoryCredentials, scram::ScramHash};
/// let mut store = MemoryCredentials::default();
/// store.add_user("juliet", "romeo", b"some salt", 4096);
/// assert!(store.check_password("juliet", "romeo"));
/// assert!(!store.check_password("juliet", "tybalt"));
/// assert!(store.scram_keys("juliet", ScramHash::Sha1).is_some());
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
    fn scram_keys(&self, username: &str, hash: ScramHash) -> Option<ScramKeys> {
        self.users
            .get(username)
            .and_then(|keys| keys.iter().find(|k| k.hash == hash).cloned())
    }
}
