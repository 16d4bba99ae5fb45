//! The client side of one SCRAM exchange (RFC 5802 §3, §5): with channel binding when it has the
//! data and the mechanism is `-PLUS`, and checking the server's downgrade-protection hash
//! (XEP-0474) against what it saw advertised.

use super::message::{attribute, attributes, escape_name, xor};
use super::{prepare_password, ClientBinding, ScramError, ScramHash};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

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
    binding: ClientBinding,
    username: String,
    nonce: String,
    /// The downgrade-protection hash the server must send, when the client knows it.
    ssdp: Option<String>,
    expected_server_signature: Option<Vec<u8>>,
}

impl ScramClient {
    /// Starts an exchange for `username` with a fresh random `nonce` (printable, no comma),
    /// without channel binding (GS2 flag `n`). The password is prepared by
    /// [`prepare_password`] (as given when preparation refuses it).
    pub fn new(hash: ScramHash, username: &str, password: &str, nonce: &str) -> Self {
        ScramClient {
            hash,
            password: prepare_password(password).unwrap_or_else(|| password.to_owned()),
            binding: ClientBinding::Unsupported,
            username: escape_name(username),
            nonce: nonce.to_owned(),
            ssdp: None,
            expected_server_signature: None,
        }
    }

    /// What to say about channel binding (RFC 5802 §6): bind to data for `-PLUS`, or `y` when
    /// the client could bind but the server offered no `-PLUS` mechanism.
    pub fn with_binding(mut self, binding: ClientBinding) -> Self {
        self.binding = binding;
        self
    }

    /// The XEP-0474 hash of what the server advertised ([`crate::scram::ssdp_hash`]): a
    /// server-first-message carrying another one fails the exchange with
    /// [`ScramError::Downgrade`]. A server that sends none is not checked (it predates XEP-0474).
    pub fn with_ssdp(mut self, expected: String) -> Self {
        self.ssdp = Some(expected);
        self
    }

    fn gs2_header(&self) -> String {
        format!("{},,", self.binding.flag())
    }

    fn first_bare(&self) -> String {
        format!("n={},r={}", self.username, self.nonce)
    }

    /// The client-first-message (the SASL initial response).
    pub fn first_message(&self) -> Vec<u8> {
        format!("{}{}", self.gs2_header(), self.first_bare()).into_bytes()
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
        if let (Some(expected), Some(sent)) = (&self.ssdp, attribute(&attrs, 'h')) {
            if expected != sent {
                return Err(ScramError::Downgrade);
            }
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
        let mut cbind_input = self.gs2_header().into_bytes();
        cbind_input.extend_from_slice(self.binding.data());
        let without_proof = format!("c={},r={nonce}", B64.encode(cbind_input));
        let auth_message = format!("{},{server_first},{without_proof}", self.first_bare());
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
