//! The account lookup inside SASL (RFC 6120 §6.4.2; RFC 5802 §3 for SCRAM, RFC 4616 for PLAIN).
//! The credential store answers at once, or, with [`ServerConfig::deferred_credentials`], the
//! lookup happens outside the session: an effect out ([`ServerEvent::CredentialsNeeded`]) and
//! its result in ([`ServerSession::credentials_loaded`]), so that a store doing I/O never
//! blocks the caller that drives the session. The session itself is the correlation: it has at
//! most one lookup outstanding.

use super::{ServerEvent, ServerSession, State};
use crate::credentials::CredentialError;

use crate::scram::{ScramError, ScramHash, ScramKeys, ScramServer};
use std::time::Instant;

/// An exchange stopped at the account lookup.
#[derive(Debug)]
pub(super) enum Pending {
    /// SCRAM: the client-first message, answered once the keys are known.
    Scram {
        hash: ScramHash,
        /// The `-PLUS` mechanism.
        plus: bool,
        client_first: Vec<u8>,
    },
    /// PLAIN: the password, checked against the SCRAM-SHA-256 keys.
    Plain { user: String, password: String },
}

/// The account a SASL user name names: the name prepared as a localpart (RFC 7622 §3.3, the
/// UsernameCaseMapped profile of RFC 8265 §3.3), so that `Juliet` logs in to `juliet`. `None`:
/// no account can have that name.
pub(super) fn account_name(username: &str) -> Option<String> {
    xmppkit_jid::precis::localpart(username)
        .ok()
        .map(|name| name.into_owned())
}

impl ServerSession {
    /// SCRAM's client-first message: look the keys up, then challenge.
    pub(super) fn scram_start(&mut self, hash: ScramHash, plus: bool, client_first: Vec<u8>) {
        // Malformed, or a name no account can have: the SCRAM server answers as for an
        // unknown account (a failure at the proof, the same as a wrong password).
        let Some(user) = ScramServer::username(&client_first)
            .ok()
            .and_then(|u| account_name(&u))
        else {
            return self.scram_first(hash, plus, &client_first, None);
        };
        if self.config.deferred_credentials {
            let pending = Pending::Scram {
                hash,
                plus,
                client_first,
            };
            self.state = State::AwaitCredentials(Box::new(pending));
            self.events.push_back(ServerEvent::CredentialsNeeded {
                username: user,
                hash,
            });
            return;
        }
        match self.credentials.scram_keys(&user, hash) {
            Ok(keys) => self.scram_first(hash, plus, &client_first, keys),
            Err(e) => self.store_failed(e),
        }
    }

    /// PLAIN's credentials, once the authorization identity was checked.
    pub(super) fn plain_start(&mut self, user: String, password: String, now: Instant) {
        let Some(user) = account_name(&user) else {
            return self.auth_failed(ScramError::BadProof);
        };
        if self.config.deferred_credentials {
            self.events.push_back(ServerEvent::CredentialsNeeded {
                username: user.clone(),
                hash: ScramHash::Sha256,
            });
            self.state = State::AwaitCredentials(Box::new(Pending::Plain { user, password }));
            return;
        }
        match self.credentials.check_password(&user, &password) {
            Ok(true) => self.authenticated(user, "PLAIN", &[], now),
            Ok(false) => self.auth_failed(ScramError::BadProof),
            Err(e) => self.store_failed(e),
        }
    }

    /// The answer to [`ServerEvent::CredentialsNeeded`]: the keys asked for (`None`: no such
    /// account), or the store's failure (answered with `temporary-auth-failure`). Ignored when
    /// the session is not waiting for one (it was closed meanwhile).
    pub fn credentials_loaded(
        &mut self,
        result: Result<Option<ScramKeys>, CredentialError>,
        now: Instant,
    ) {
        let pending = match std::mem::replace(&mut self.state, State::Negotiating) {
            State::AwaitCredentials(pending) => pending,
            other => {
                self.state = other;
                return;
            }
        };
        match (*pending, result) {
            (_, Err(e)) => self.store_failed(e),
            (
                Pending::Scram {
                    hash,
                    plus,
                    client_first,
                },
                Ok(keys),
            ) => self.scram_first(hash, plus, &client_first, keys),
            (Pending::Plain { user, password }, Ok(keys)) => {
                let right = keys.is_some_and(|k| {
                    ScramKeys::derive(k.hash, &password, &k.salt, k.iterations).stored_key
                        == k.stored_key
                });
                if right {
                    self.authenticated(user, "PLAIN", &[], now)
                } else {
                    self.auth_failed(ScramError::BadProof)
                }
            }
        }
    }

    /// The first challenge (or the failure) once the keys are known.
    fn scram_first(
        &mut self,
        hash: ScramHash,
        plus: bool,
        client_first: &[u8],
        keys: Option<ScramKeys>,
    ) {
        let offered_plus = self
            .offered_mechanisms()
            .any(|m| ScramHash::from_mechanism(m).is_some_and(|(_, p)| p));
        let mut server =
            ScramServer::new(hash).with_binding(plus, offered_plus, self.bindings.clone());
        if let Some(h) = self.ssdp(hash) {
            server = server.with_ssdp(h);
        }
        let nonce = (self.random)();
        match server.handle_client_first(client_first, keys, &nonce) {
            Ok(challenge) => {
                self.send_challenge(&challenge);
                let mechanism = match plus {
                    true => hash.plus_mechanism(),
                    false => hash.mechanism(),
                };
                self.state = State::Scram(Box::new(server), mechanism);
            }
            Err(e) => self.auth_failed(e),
        }
    }

    /// The accounts could not be read: RFC 6120 §6.5.12, try again later. Not counted as a
    /// failed attempt (the client did nothing wrong).
    pub(super) fn store_failed(&mut self, e: CredentialError) {
        self.send_failure("temporary-auth-failure");
        self.events
            .push_back(ServerEvent::CredentialsUnavailable(e));
        self.state = State::Negotiating;
    }
}
