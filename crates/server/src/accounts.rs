//! Accounts as a library API: create, delete, change password, list (what `prosodyctl` and
//! `ejabberdctl` do), behind a store trait that is also the sessions' [`CredentialStore`]. Only
//! SCRAM keys are kept (RFC 5802 §3), never passwords.

use std::collections::BTreeMap;
use std::sync::RwLock;
use xmppkit_jid::BareJid;
use xmppkit_session::scram::{ScramHash, ScramKeys};
use xmppkit_session::{CredentialError, CredentialStore};

/// What went wrong with an account operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// The name is not a valid localpart (RFC 7622 §3.3).
    #[error("`{0}` is not a valid user name")]
    InvalidName(String),
    /// The account exists already.
    #[error("the account `{0}` exists already")]
    Exists(String),
    /// There is no such account.
    #[error("there is no account `{0}`")]
    NotFound(String),
    /// The password is empty.
    #[error("the password is empty")]
    EmptyPassword,
    /// The store failed.
    #[error("account storage failed: {0}")]
    Storage(String),
}

/// The accounts of one domain, by prepared localpart. Shared between the server engine and the
/// sessions (`&self` everywhere, so an `Arc` serves both).
pub trait AccountStore: CredentialStore {
    /// Adds an account with these keys (one per hash).
    fn create(&self, user: &str, keys: [ScramKeys; 2]) -> Result<(), AccountError>;
    /// Replaces an existing account's keys.
    fn set_keys(&self, user: &str, keys: [ScramKeys; 2]) -> Result<(), AccountError>;
    /// Removes an account.
    fn delete(&self, user: &str) -> Result<(), AccountError>;
    /// Every account, sorted.
    fn users(&self) -> Vec<String>;
    /// Whether the account exists.
    fn exists(&self, user: &str) -> bool {
        self.scram_keys(user, ScramHash::Sha256)
            .is_ok_and(|keys| keys.is_some())
    }
}

/// The SCRAM-SHA-1 and SCRAM-SHA-256 keys of `password`.
pub fn derive_keys(password: &str, salt: &[u8], iterations: u32) -> [ScramKeys; 2] {
    [
        ScramKeys::derive(ScramHash::Sha1, password, salt, iterations),
        ScramKeys::derive(ScramHash::Sha256, password, salt, iterations),
    ]
}

/// The prepared localpart of `name` on `domain` (nodeprep: `Alice` becomes `alice`).
pub fn prepare_name(name: &str, domain: &BareJid) -> Result<String, AccountError> {
    let invalid = || AccountError::InvalidName(name.to_owned());
    if name.is_empty() {
        return Err(invalid());
    }
    let jid = domain.domain().with_node_str(name).map_err(|_| invalid())?;
    Ok(jid.node().ok_or_else(invalid)?.to_string())
}

/// Accounts in memory.
///
/// ```
/// use xmppkit_server::{derive_keys, AccountStore, MemoryAccounts};
/// use xmppkit_session::CredentialStore;
/// let accounts = MemoryAccounts::default();
/// accounts.create("juliet", derive_keys("r0m30", b"salt", 4096)).unwrap();
/// assert_eq!(accounts.check_password("juliet", "r0m30"), Ok(true));
/// assert!(accounts.create("juliet", derive_keys("x", b"salt", 4096)).is_err());
/// assert_eq!(accounts.users(), ["juliet"]);
/// ```
#[derive(Debug, Default)]
pub struct MemoryAccounts {
    users: RwLock<BTreeMap<String, [ScramKeys; 2]>>,
}

impl MemoryAccounts {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, [ScramKeys; 2]>> {
        self.users.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, [ScramKeys; 2]>> {
        self.users.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl CredentialStore for MemoryAccounts {
    fn scram_keys(
        &self,
        username: &str,
        hash: ScramHash,
    ) -> Result<Option<ScramKeys>, CredentialError> {
        Ok(self
            .read()
            .get(username)
            .and_then(|keys| keys.iter().find(|k| k.hash == hash).cloned()))
    }
}

impl AccountStore for MemoryAccounts {
    fn create(&self, user: &str, keys: [ScramKeys; 2]) -> Result<(), AccountError> {
        let mut users = self.write();
        if users.contains_key(user) {
            return Err(AccountError::Exists(user.to_owned()));
        }
        users.insert(user.to_owned(), keys);
        Ok(())
    }

    fn set_keys(&self, user: &str, keys: [ScramKeys; 2]) -> Result<(), AccountError> {
        match self.write().get_mut(user) {
            Some(old) => {
                *old = keys;
                Ok(())
            }
            None => Err(AccountError::NotFound(user.to_owned())),
        }
    }

    fn delete(&self, user: &str) -> Result<(), AccountError> {
        self.write()
            .remove(user)
            .map(drop)
            .ok_or_else(|| AccountError::NotFound(user.to_owned()))
    }

    fn users(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }
}
