//! The server side of one SCRAM exchange (RFC 5802 §3, §5): the keys looked up by the
//! application, channel binding checked against this connection's data (RFC 5802 §6: a client
//! that could bind but saw no `-PLUS` offered while the server did offer it is a downgrade), and
//! the downgrade-protection hash of XEP-0474 sent in the server-first-message.

use super::message::{attribute, attributes, split_gs2, unescape_name, xor};
use super::{CbType, ChannelBindings, ScramError, ScramHash, ScramKeys};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

/// The server side of one SCRAM exchange.
#[derive(Debug, Clone)]
pub struct ScramServer {
    hash: ScramHash,
    /// The mechanism is the `-PLUS` one.
    plus: bool,
    /// A `-PLUS` mechanism was offered on this stream.
    offered_plus: bool,
    bindings: ChannelBindings,
    ssdp: Option<String>,
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
        /// What the client-final-message's `c=` must hold, base64.
        cbind: String,
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
    /// Starts an exchange of the mechanism without channel binding, on a stream that offered no
    /// `-PLUS` mechanism.
    pub fn new(hash: ScramHash) -> Self {
        ScramServer {
            hash,
            plus: false,
            offered_plus: false,
            bindings: ChannelBindings::default(),
            ssdp: None,
            state: ServerState::Start,
        }
    }

    /// Channel binding: `plus` when the client chose the `-PLUS` mechanism, `offered_plus` when
    /// this stream offered one, and the connection's data.
    pub fn with_binding(
        mut self,
        plus: bool,
        offered_plus: bool,
        bindings: ChannelBindings,
    ) -> Self {
        self.plus = plus;
        self.offered_plus = offered_plus;
        self.bindings = bindings;
        self
    }

    /// Sends this XEP-0474 hash (of what this stream advertised) in the server-first-message.
    pub fn with_ssdp(mut self, hash: String) -> Self {
        self.ssdp = Some(hash);
        self
    }

    /// The user name in a client-first-message, so that the application can look its keys up.
    pub fn username(client_first: &[u8]) -> Result<String, ScramError> {
        let text =
            std::str::from_utf8(client_first).map_err(|_| ScramError::Malformed("not UTF-8"))?;
        let attrs = attributes(split_gs2(text)?.bare);
        unescape_name(attribute(&attrs, 'n').ok_or(ScramError::Malformed("no user name"))?)
    }

    /// The channel-binding input the client-final-message must carry for this GS2 header.
    fn cbind(&self, flag: &str, header: &str) -> Result<String, ScramError> {
        let data: &[u8] = match (flag, self.plus) {
            ("n", false) => &[],
            ("y", false) if self.offered_plus => return Err(ScramError::ServerSupportsBinding),
            ("y", false) => &[],
            (_, true) if !flag.starts_with("p=") => {
                return Err(ScramError::Malformed(
                    "a -PLUS mechanism without channel binding",
                ))
            }
            (_, false) => {
                return Err(ScramError::Malformed(
                    "channel binding without a -PLUS mechanism",
                ))
            }
            (_, true) => {
                let name = &flag[2..];
                CbType::from_name(name)
                    .and_then(|kind| self.bindings.data(kind))
                    .ok_or_else(|| ScramError::UnsupportedBinding(name.to_owned()))?
            }
        };
        let mut input = header.as_bytes().to_vec();
        input.extend_from_slice(data);
        Ok(B64.encode(input))
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
        let gs2 = split_gs2(text)?;
        let cbind = self.cbind(gs2.flag, gs2.header)?;
        let attrs = attributes(gs2.bare);
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
        let mut server_first = format!("r={nonce},s={},i={iterations}", B64.encode(salt));
        if let Some(h) = &self.ssdp {
            server_first.push_str(",h=");
            server_first.push_str(h);
        }
        self.state = ServerState::SentFirst {
            keys,
            username,
            auth_prefix: format!("{},{server_first}", gs2.bare),
            nonce,
            cbind,
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
            cbind,
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
            Some(c) if c == cbind => {}
            Some(_) => return Err(ScramError::BindingMismatch),
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
