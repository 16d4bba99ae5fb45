//! The hash functions SCRAM is used with (RFC 5802 with SHA-1, RFC 7677 with SHA-256, and
//! SHA-512 as registered for SCRAM-SHA-512), with the HMAC, `H()` and `Hi()` of RFC 5802 §2.2.

use hmac::{Hmac, Mac};

/// The hash functions SCRAM is used with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScramHash {
    /// SCRAM-SHA-1 (RFC 5802).
    Sha1,
    /// SCRAM-SHA-256 (RFC 7677).
    Sha256,
    /// SCRAM-SHA-512.
    Sha512,
}

impl ScramHash {
    /// Every hash, weakest first.
    pub const ALL: [ScramHash; 3] = [ScramHash::Sha1, ScramHash::Sha256, ScramHash::Sha512];

    /// The SASL mechanism name without channel binding.
    pub fn mechanism(self) -> &'static str {
        match self {
            ScramHash::Sha1 => "SCRAM-SHA-1",
            ScramHash::Sha256 => "SCRAM-SHA-256",
            ScramHash::Sha512 => "SCRAM-SHA-512",
        }
    }

    /// The SASL mechanism name with channel binding (RFC 5802 §4: `-PLUS`).
    pub fn plus_mechanism(self) -> &'static str {
        match self {
            ScramHash::Sha1 => "SCRAM-SHA-1-PLUS",
            ScramHash::Sha256 => "SCRAM-SHA-256-PLUS",
            ScramHash::Sha512 => "SCRAM-SHA-512-PLUS",
        }
    }

    /// The hash and whether channel binding is used, from a mechanism name.
    ///
    /// ```
    /// use xmppkit_session::scram::ScramHash;
    /// assert_eq!(ScramHash::from_mechanism("SCRAM-SHA-256-PLUS"), Some((ScramHash::Sha256, true)));
    /// assert_eq!(ScramHash::from_mechanism("SCRAM-SHA-1"), Some((ScramHash::Sha1, false)));
    /// assert_eq!(ScramHash::from_mechanism("PLAIN"), None);
    /// ```
    pub fn from_mechanism(name: &str) -> Option<(ScramHash, bool)> {
        ScramHash::ALL.into_iter().find_map(|h| {
            if name == h.mechanism() {
                Some((h, false))
            } else if name == h.plus_mechanism() {
                Some((h, true))
            } else {
                None
            }
        })
    }

    pub(crate) fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
            let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key)
                .expect("HMAC takes any key length");
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        match self {
            ScramHash::Sha1 => run::<Hmac<sha1::Sha1>>(key, data),
            ScramHash::Sha256 => run::<Hmac<sha2::Sha256>>(key, data),
            ScramHash::Sha512 => run::<Hmac<sha2::Sha512>>(key, data),
        }
    }

    /// `H()`: the hash of `data`.
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        use sha2::Digest;
        match self {
            ScramHash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            ScramHash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            ScramHash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// `Hi()` of RFC 5802 §2.2: PBKDF2 with HMAC of this hash, over the password as given
    /// (prepare it first: [`crate::scram::prepare_password`]).
    pub fn salted_password(self, password: &str, salt: &[u8], iterations: u32) -> Vec<u8> {
        let password = password.as_bytes();
        match self {
            ScramHash::Sha1 => {
                let mut out = [0u8; 20];
                pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, &mut out);
                out.to_vec()
            }
            ScramHash::Sha256 => {
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, &mut out);
                out.to_vec()
            }
            ScramHash::Sha512 => {
                let mut out = [0u8; 64];
                pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, iterations, &mut out);
                out.to_vec()
            }
        }
    }
}
