//! What a server stores for one account and one hash (RFC 5802 §3), and the preparation of the
//! password they are derived from (RFC 8265 OpaqueString, which replaces SASLprep).

use super::ScramHash;
use precis_core::profile::PrecisFastInvocation;
use precis_profiles::OpaqueString;

/// A password prepared for SCRAM by the PRECIS OpaqueString profile (RFC 8265 §4.2, replacing
/// RFC 4013 SASLprep): non-ASCII spaces become ASCII spaces, the rest is put in NFC, and
/// control characters and empty passwords are refused (`None`). Both sides prepare the
/// password the same way, so "\u{2002}" and " " are the same password and "e\u{301}" is "é".
///
/// ```
/// use xmppkit_session::scram::prepare_password;
/// assert_eq!(prepare_password("pencil").as_deref(), Some("pencil"));
/// assert_eq!(prepare_password("a\u{2002}b").as_deref(), Some("a b"));
/// assert_eq!(prepare_password("e\u{301}").as_deref(), Some("\u{e9}"));
/// assert_eq!(prepare_password("a\u{7}b"), None);
/// ```
pub fn prepare_password(password: &str) -> Option<String> {
    OpaqueString::enforce(password).ok().map(|p| p.into_owned())
}

/// The keys a server keeps for one account and one hash: enough to verify a client and prove
/// itself, not enough to log in as the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramKeys {
    /// The hash.
    pub hash: ScramHash,
    /// The salt.
    pub salt: Vec<u8>,
    /// The iteration count.
    pub iterations: u32,
    /// `H(HMAC(SaltedPassword, "Client Key"))`.
    pub stored_key: Vec<u8>,
    /// `HMAC(SaltedPassword, "Server Key")`.
    pub server_key: Vec<u8>,
}

impl ScramKeys {
    /// Derives the keys from a password (done once, when the account is created or its
    /// password changed), prepared by [`prepare_password`]; a password that preparation
    /// refuses is used as given.
    ///
    /// ```
    /// use xmppkit_session::scram::{ScramHash, ScramKeys};
    /// let keys = ScramKeys::derive(ScramHash::Sha256, "pencil", b"salt", 4096);
    /// assert_eq!(keys.stored_key.len(), 32);
    /// assert_eq!(keys, ScramKeys::derive(ScramHash::Sha256, "pen\u{63}il", b"salt", 4096));
    /// ```
    pub fn derive(hash: ScramHash, password: &str, salt: &[u8], iterations: u32) -> Self {
        let prepared = prepare_password(password);
        let password = prepared.as_deref().unwrap_or(password);
        let salted = hash.salted_password(password, salt, iterations);
        Self::from_salted_password(hash, &salted, salt, iterations)
    }

    /// The keys from an already salted password.
    pub fn from_salted_password(
        hash: ScramHash,
        salted: &[u8],
        salt: &[u8],
        iterations: u32,
    ) -> Self {
        let client_key = hash.hmac(salted, b"Client Key");
        ScramKeys {
            hash,
            salt: salt.to_vec(),
            iterations,
            stored_key: hash.hash(&client_key),
            server_key: hash.hmac(salted, b"Server Key"),
        }
    }
}
