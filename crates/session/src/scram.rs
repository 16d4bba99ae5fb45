//! SCRAM (RFC 5802) with SHA-1 and SHA-256 (RFC 7677), both roles, without channel binding.
//!
//! Written here rather than taken from the `sasl` crate because a sans-IO session must be handed
//! its randomness: the nonce comes in as an argument (the `sasl` crate draws it from the OS and
//! offers no way in outside its own tests), which also makes the RFC test vectors checkable.
//! The server side works from [`ScramKeys`] (salt, iteration count, StoredKey, ServerKey): it never
//! needs the password.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use thiserror::Error;

/// The hash functions SCRAM is used with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScramHash {
    /// SCRAM-SHA-1 (RFC 5802).
    Sha1,
    /// SCRAM-SHA-256 (RFC 7677).
    Sha256,
}

impl ScramHash {
    /// The SASL mechanism name.
    pub fn mechanism(self) -> &'static str {
        match self {
            ScramHash::Sha1 => "SCRAM-SHA-1",
            ScramHash::Sha256 => "SCRAM-SHA-256",
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
            let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key)
                .expect("HMAC takes any key length");
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        match self {
            ScramHash::Sha1 => run::<Hmac<sha1::Sha1>>(key, data),
            ScramHash::Sha256 => run::<Hmac<sha2::Sha256>>(key, data),
        }
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        use sha2::Digest;
        match self {
            ScramHash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            ScramHash::Sha256 => sha2::Sha256::digest(data).to_vec(),
        }
    }

    /// `Hi()` of RFC 5802 §2.2: PBKDF2 with HMAC of this hash.
    pub fn salted_password(self, password: &str, salt: &[u8], iterations: u32) -> Vec<u8> {
        match self {
            ScramHash::Sha1 => {
                let mut out = [0u8; 20];
                pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password.as_bytes(), salt, iterations, &mut out);
                out.to_vec()
            }
            ScramHash::Sha256 => {
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
                    password.as_bytes(),
                    salt,
                    iterations,
                    &mut out,
                );
                out.to_vec()
            }
        }
    }
}

/// What a server stores for one account and one hash (RFC 5802 §3): enough to verify a client
/// and prove itself, not enough to log in as the user.
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
    /// Derives the keys from a password (done once, when the account is created or loaded).
    ///
    /// ```
    /// use xmppkit_session::scram::{ScramHash, ScramKeys};
    /// let keys = ScramKeys::derive(ScramHash::Sha256, "pencil", b"salt", 4096);
    /// assert_eq!(keys.stored_key.len(), 32);
    /// ```
    pub fn derive(hash: ScramHash, password: &str, salt: &[u8], iterations: u32) -> Self {
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

/// A SCRAM exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScramError {
    /// A message did not have the RFC 5802 §7 syntax.
    #[error("malformed SCRAM message: {0}")]
    Malformed(&'static str),
    /// The server's nonce does not extend the client's.
    #[error("the server nonce does not start with the client nonce")]
    NonceMismatch,
    /// The iteration count is zero or absurdly high.
    #[error("unacceptable iteration count {0}")]
    Iterations(u32),
    /// The client's proof is wrong: wrong password (or wrong keys).
    #[error("client proof does not verify")]
    BadProof,
    /// The server's signature is wrong: the server does not know the password (a man in the middle).
    #[error("server signature does not verify")]
    BadServerSignature,
    /// The server reported an error (`e=`).
    #[error("server error: {0}")]
    Server(String),
    /// Channel binding was requested; this implementation offers none.
    #[error("channel binding is not supported")]
    ChannelBinding,
}

/// `saslname` escaping of RFC 5802 §5.1.
fn escape_name(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

fn unescape_name(name: &str) -> Result<String, ScramError> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        match rest.get(i..i + 3) {
            Some("=2C") => out.push(','),
            Some("=3D") => out.push('='),
            _ => return Err(ScramError::Malformed("bad saslname escape")),
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The attributes of a SCRAM message, `k=v` separated by commas.
fn attributes(message: &str) -> Vec<(char, &str)> {
    message
        .split(',')
        .filter_map(|part| {
            let mut chars = part.chars();
            let key = chars.next()?;
            part.get(1..)?.strip_prefix('=').map(|v| (key, v))
        })
        .collect()
}

fn attribute<'a>(attrs: &[(char, &'a str)], key: char) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

/// The most iterations a client accepts (a server asking for more is a denial of service).
const MAX_ITERATIONS: u32 = 1_000_000;

/// The client side of one SCRAM exchange.
///
/// ```
/// use xmppkit_session::scram::{ScramClient, ScramHash};
/// // RFC 7677 §3.
/// let mut client = ScramClient::new(ScramHash::Sha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
/// assert_eq!(client.first_message(), b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
/// let final_message = client.handle_server_first(
///     b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096").unwrap();
/// assert_eq!(final_message, b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
///     p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=".to_vec());
/// client.handle_server_final(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct ScramClient {
    hash: ScramHash,
    password: String,
    client_first_bare: String,
    nonce: String,
    expected_server_signature: Option<Vec<u8>>,
}

impl ScramClient {
    /// Starts an exchange for `username` with a fresh random `nonce` (printable, no comma).
    pub fn new(hash: ScramHash, username: &str, password: &str, nonce: &str) -> Self {
        ScramClient {
            hash,
            password: password.to_owned(),
            client_first_bare: format!("n={},r={nonce}", escape_name(username)),
            nonce: nonce.to_owned(),
            expected_server_signature: None,
        }
    }

    /// The client-first-message (the SASL initial response).
    pub fn first_message(&self) -> Vec<u8> {
        format!("n,,{}", self.client_first_bare).into_bytes()
    }

    /// Answers the server-first-message with the client-final-message.
    pub fn handle_server_first(&mut self, message: &[u8]) -> Result<Vec<u8>, ScramError> {
        let server_first =
            std::str::from_utf8(message).map_err(|_| ScramError::Malformed("not UTF-8"))?;
        let attrs = attributes(server_first);
        if let Some(e) = attribute(&attrs, 'e') {
            return Err(ScramError::Server(e.to_owned()));
        }
        let nonce = attribute(&attrs, 'r').ok_or(ScramError::Malformed("no nonce"))?;
        if !nonce.starts_with(&self.nonce) || nonce.len() == self.nonce.len() {
            return Err(ScramError::NonceMismatch);
        }
        let salt = attribute(&attrs, 's')
            .and_then(|s| B64.decode(s).ok())
            .ok_or(ScramError::Malformed("no salt"))?;
        let iterations: u32 = attribute(&attrs, 'i')
            .and_then(|i| i.parse().ok())
            .ok_or(ScramError::Malformed("no iteration count"))?;
        if iterations == 0 || iterations > MAX_ITERATIONS {
            return Err(ScramError::Iterations(iterations));
        }
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{server_first},{without_proof}", self.client_first_bare);
        let salted = self.hash.salted_password(&self.password, &salt, iterations);
        let client_key = self.hash.hmac(&salted, b"Client Key");
        let stored_key = self.hash.hash(&client_key);
        let client_signature = self.hash.hmac(&stored_key, auth_message.as_bytes());
        let proof = xor(&client_key, &client_signature);
        let server_key = self.hash.hmac(&salted, b"Server Key");
        self.expected_server_signature = Some(self.hash.hmac(&server_key, auth_message.as_bytes()));
        Ok(format!("{without_proof},p={}", B64.encode(proof)).into_bytes())
    }

    /// Verifies the server-final-message (the SASL success data).
    pub fn handle_server_final(&mut self, message: &[u8]) -> Result<(), ScramError> {
        let text = std::str::from_utf8(message).map_err(|_| ScramError::Malformed("not UTF-8"))?;
        let attrs = attributes(text);
        if let Some(e) = attribute(&attrs, 'e') {
            return Err(ScramError::Server(e.to_owned()));
        }
        let signature = attribute(&attrs, 'v')
            .and_then(|v| B64.decode(v).ok())
            .ok_or(ScramError::Malformed("no server signature"))?;
        match &self.expected_server_signature {
            Some(expected) if *expected == signature => Ok(()),
            _ => Err(ScramError::BadServerSignature),
        }
    }
}

/// The server side of one SCRAM exchange.
#[derive(Debug, Clone)]
pub struct ScramServer {
    hash: ScramHash,
    state: ServerState,
}

#[derive(Debug, Clone)]
enum ServerState {
    Start,
    SentFirst {
        keys: Option<ScramKeys>,
        username: String,
        auth_prefix: String,
        nonce: String,
    },
    Done,
}

/// What the server does after a client message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerStep {
    /// Send this challenge.
    Challenge(Vec<u8>),
    /// Authenticated as `username`; send this as the success data.
    Success {
        /// The authenticated user name.
        username: String,
        /// The server-final-message.
        data: Vec<u8>,
    },
}

impl ScramServer {
    /// Starts an exchange.
    pub fn new(hash: ScramHash) -> Self {
        ScramServer {
            hash,
            state: ServerState::Start,
        }
    }

    /// The user name in a client-first-message, so that the application can look its keys up.
    pub fn username(client_first: &[u8]) -> Result<String, ScramError> {
        let text =
            std::str::from_utf8(client_first).map_err(|_| ScramError::Malformed("not UTF-8"))?;
        let bare = Self::split_gs2(text)?;
        let attrs = attributes(bare);
        unescape_name(attribute(&attrs, 'n').ok_or(ScramError::Malformed("no user name"))?)
    }

    fn split_gs2(text: &str) -> Result<&str, ScramError> {
        let (flag, rest) = text
            .split_once(',')
            .ok_or(ScramError::Malformed("no GS2 header"))?;
        match flag {
            "n" | "y" => {}
            _ if flag.starts_with("p=") => return Err(ScramError::ChannelBinding),
            _ => return Err(ScramError::Malformed("bad GS2 header")),
        }
        let (authzid, bare) = rest
            .split_once(',')
            .ok_or(ScramError::Malformed("no GS2 header"))?;
        if !authzid.is_empty() && !authzid.starts_with("a=") {
            return Err(ScramError::Malformed("bad authzid"));
        }
        Ok(bare)
    }

    /// Handles the client-first-message with the user's keys (`None` when there is no such user:
    /// the exchange then goes on with made-up parameters and fails at the proof, so that user
    /// names cannot be probed) and this server's random `nonce` part.
    pub fn handle_client_first(
        &mut self,
        message: &[u8],
        keys: Option<ScramKeys>,
        server_nonce: &str,
    ) -> Result<Vec<u8>, ScramError> {
        let text = std::str::from_utf8(message).map_err(|_| ScramError::Malformed("not UTF-8"))?;
        let bare = Self::split_gs2(text)?;
        let attrs = attributes(bare);
        if attribute(&attrs, 'm').is_some() {
            return Err(ScramError::Malformed("mandatory extension"));
        }
        let username =
            unescape_name(attribute(&attrs, 'n').ok_or(ScramError::Malformed("no user name"))?)?;
        let client_nonce = attribute(&attrs, 'r').ok_or(ScramError::Malformed("no nonce"))?;
        let nonce = format!("{client_nonce}{server_nonce}");
        let (salt, iterations) = match &keys {
            Some(k) => (k.salt.clone(), k.iterations),
            None => (self.hash.hash(username.as_bytes()), 4096),
        };
        let server_first = format!("r={nonce},s={},i={iterations}", B64.encode(salt));
        self.state = ServerState::SentFirst {
            keys,
            username,
            auth_prefix: format!("{bare},{server_first}"),
            nonce,
        };
        Ok(server_first.into_bytes())
    }

    /// Handles the client-final-message.
    pub fn handle_client_final(&mut self, message: &[u8]) -> Result<ServerStep, ScramError> {
        let ServerState::SentFirst {
            keys,
            username,
            auth_prefix,
            nonce,
        } = std::mem::replace(&mut self.state, ServerState::Done)
        else {
            return Err(ScramError::Malformed("unexpected message"));
        };
        let text = std::str::from_utf8(message).map_err(|_| ScramError::Malformed("not UTF-8"))?;
        let (without_proof, proof) = text
            .rsplit_once(",p=")
            .ok_or(ScramError::Malformed("no proof"))?;
        let attrs = attributes(without_proof);
        match attribute(&attrs, 'c') {
            Some("biws") | Some("eSws") => {}
            Some(_) => return Err(ScramError::ChannelBinding),
            None => return Err(ScramError::Malformed("no channel binding attribute")),
        }
        if attribute(&attrs, 'r') != Some(nonce.as_str()) {
            return Err(ScramError::NonceMismatch);
        }
        let proof = B64
            .decode(proof)
            .map_err(|_| ScramError::Malformed("proof is not base64"))?;
        let keys = keys.ok_or(ScramError::BadProof)?;
        let auth_message = format!("{auth_prefix},{without_proof}");
        let client_signature = self.hash.hmac(&keys.stored_key, auth_message.as_bytes());
        if proof.len() != client_signature.len() {
            return Err(ScramError::BadProof);
        }
        let client_key = xor(&proof, &client_signature);
        if self.hash.hash(&client_key) != keys.stored_key {
            return Err(ScramError::BadProof);
        }
        let server_signature = self.hash.hmac(&keys.server_key, auth_message.as_bytes());
        Ok(ServerStep::Success {
            username,
            data: format!("v={}", B64.encode(server_signature)).into_bytes(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(
        hash: ScramHash,
        client_nonce: &str,
        server_nonce: &str,
        salt_b64: &str,
        expect: [&str; 4],
    ) {
        let salt = B64.decode(salt_b64).unwrap();
        let keys = ScramKeys::derive(hash, "pencil", &salt, 4096);
        let mut client = ScramClient::new(hash, "user", "pencil", client_nonce);
        let mut server = ScramServer::new(hash);
        let c1 = client.first_message();
        assert_eq!(String::from_utf8_lossy(&c1), expect[0]);
        assert_eq!(ScramServer::username(&c1).unwrap(), "user");
        let s1 = server
            .handle_client_first(&c1, Some(keys), server_nonce)
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&s1), expect[1]);
        let c2 = client.handle_server_first(&s1).unwrap();
        assert_eq!(String::from_utf8_lossy(&c2), expect[2]);
        let ServerStep::Success { username, data } = server.handle_client_final(&c2).unwrap()
        else {
            panic!()
        };
        assert_eq!(username, "user");
        assert_eq!(String::from_utf8_lossy(&data), expect[3]);
        client.handle_server_final(&data).unwrap();
    }

    #[test]
    fn rfc5802_sha1_vector() {
        exchange(ScramHash::Sha1, "fyko+d2lbbFgONRv9qkxdawL", "3rfcNHYJY1ZVvWVs7j", "QSXCR+Q6sek8bf92", [
            "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
            "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
            "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
        ]);
    }

    #[test]
    fn rfc7677_sha256_vector() {
        exchange(ScramHash::Sha256, "rOprNGfwEbeRWgbNEkqO", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", "W22ZaJ0SNY7soEsUEjb6gQ==", [
            "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
        ]);
    }

    #[test]
    fn wrong_password_and_forged_server() {
        let keys = ScramKeys::derive(ScramHash::Sha256, "pencil", b"salt", 4096);
        let mut client = ScramClient::new(ScramHash::Sha256, "user", "crayon", "abc");
        let mut server = ScramServer::new(ScramHash::Sha256);
        let s1 = server
            .handle_client_first(&client.first_message(), Some(keys.clone()), "xyz")
            .unwrap();
        let c2 = client.handle_server_first(&s1).unwrap();
        assert_eq!(server.handle_client_final(&c2), Err(ScramError::BadProof));
        // Unknown user: same shape of exchange, then a bad proof.
        let mut server = ScramServer::new(ScramHash::Sha256);
        let mut client = ScramClient::new(ScramHash::Sha256, "nobody", "pencil", "abc");
        let s1 = server
            .handle_client_first(&client.first_message(), None, "xyz")
            .unwrap();
        let c2 = client.handle_server_first(&s1).unwrap();
        assert_eq!(server.handle_client_final(&c2), Err(ScramError::BadProof));
        // A server that does not know the keys cannot produce the signature.
        let mut client = ScramClient::new(ScramHash::Sha256, "user", "pencil", "abc");
        client
            .handle_server_first(b"r=abcdef,s=c2FsdA==,i=4096")
            .unwrap();
        assert_eq!(
            client.handle_server_final(b"v=AAAA"),
            Err(ScramError::BadServerSignature)
        );
        // A server nonce that does not extend ours, absurd iteration counts.
        let mut client = ScramClient::new(ScramHash::Sha1, "user", "pencil", "abc");
        assert_eq!(
            client.handle_server_first(b"r=zzz,s=c2FsdA==,i=4096"),
            Err(ScramError::NonceMismatch)
        );
        assert_eq!(
            client.handle_server_first(b"r=abcd,s=c2FsdA==,i=0"),
            Err(ScramError::Iterations(0))
        );
    }

    #[test]
    fn names_are_escaped() {
        let client = ScramClient::new(ScramHash::Sha1, "a=b,c", "p", "n");
        assert_eq!(client.first_message(), b"n,,n=a=3Db=2Cc,r=n");
        assert_eq!(
            ScramServer::username(&client.first_message()).unwrap(),
            "a=b,c"
        );
    }
}
