//! XEP-0484 FAST tokens on the server: per user and client installation (the SASL2
//! `<user-agent/>` id) two slots, as §5.1 suggests: the token in use and a newer one handed out
//! but not used yet. A login with the newer one makes it the current one (the older goes); a
//! token is issued when the client asks or when the one it used is due for rotation, and it is
//! stored before the session's success carries it. Tokens go when the password changes and when
//! the account is deleted. The session checks the proofs; this module keeps the tokens, with the
//! clock (`Now::utc`) coming from the application.

use crate::server::{Output, Server};
use crate::store::StoreError;
use std::collections::HashMap;
use std::time::Duration;
use xmppkit_jid::BareJid;
use xmppkit_session::sasl2::IssuedToken;
use xmppkit_session::{FastLogin, FastToken, ServerSession};
use xmppkit_stanza::datetime::DateTime;

/// How long tokens live, and when they are replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastPolicy {
    /// A token's lifetime from its issue (default 14 days).
    pub lifetime: Duration,
    /// A token used with less than this left is replaced by a new one (default 7 days).
    pub rotate_within: Duration,
}

impl Default for FastPolicy {
    fn default() -> Self {
        FastPolicy {
            lifetime: Duration::from_secs(14 * 24 * 3600),
            rotate_within: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// One stored token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// The secret (the HT mechanisms key their proofs with it, so it is kept as is).
    pub token: String,
    /// The mechanism it works with.
    pub mechanism: String,
    /// When it stops working.
    pub expiry: DateTime,
    /// The highest XEP-0484 replay counter seen with it.
    pub count: u32,
}

/// One client's tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenSlots {
    /// The token the client logs in with.
    pub current: Option<StoredToken>,
    /// A token handed out and not used yet.
    pub new: Option<StoredToken>,
}

impl TokenSlots {
    /// Whether both slots are empty.
    pub fn is_empty(&self) -> bool {
        self.current.is_none() && self.new.is_none()
    }
}

/// Where FAST tokens are kept: by user and client installation.
pub trait TokenStore: Send {
    /// The tokens of `user`'s client `agent` (both empty when there are none).
    fn get(&self, user: &BareJid, agent: &str) -> Result<TokenSlots, StoreError>;
    /// Replaces them (empty slots: forgets the client).
    fn put(&mut self, user: &BareJid, agent: &str, slots: TokenSlots) -> Result<(), StoreError>;
    /// Forgets every token of `user` (password changed, account deleted).
    fn delete_user(&mut self, user: &BareJid) -> Result<(), StoreError>;
}

/// Tokens in memory.
#[derive(Debug, Default)]
pub struct MemoryTokens {
    slots: HashMap<(BareJid, String), TokenSlots>,
}

impl TokenStore for MemoryTokens {
    fn get(&self, user: &BareJid, agent: &str) -> Result<TokenSlots, StoreError> {
        Ok(self
            .slots
            .get(&(user.clone(), agent.to_owned()))
            .cloned()
            .unwrap_or_default())
    }

    fn put(&mut self, user: &BareJid, agent: &str, slots: TokenSlots) -> Result<(), StoreError> {
        let key = (user.clone(), agent.to_owned());
        if slots.is_empty() {
            self.slots.remove(&key);
        } else {
            self.slots.insert(key, slots);
        }
        Ok(())
    }

    fn delete_user(&mut self, user: &BareJid) -> Result<(), StoreError> {
        self.slots.retain(|(u, _), _| u != user);
        Ok(())
    }
}

impl Server {
    /// The tokens that may log `username`'s client `agent` in with `mechanism` now: unexpired,
    /// for that mechanism, and (with a replay counter) not replayed; the newer first.
    pub(crate) fn fast_tokens_needed(
        &mut self,
        session: &mut ServerSession,
        username: &str,
        agent: &str,
        mechanism: &str,
        count: Option<u32>,
    ) {
        let user = match self.config.domain.domain().with_node_str(username) {
            Ok(user) => user,
            Err(_) => return session.fast_tokens_loaded(Ok(Vec::new()), self.now.instant),
        };
        let slots = match self.tokens.get(&user, agent) {
            Ok(slots) => slots,
            Err(e) => {
                let failure = xmppkit_session::CredentialError::Unavailable(e.to_string());
                self.outputs.push_back(Output::StoreFailed(e));
                return session.fast_tokens_loaded(Err(failure), self.now.instant);
            }
        };
        let now = self.now.utc.0;
        let valid = [slots.new, slots.current]
            .into_iter()
            .flatten()
            .filter(|t| t.mechanism == mechanism && t.expiry.0 > now)
            .filter(|t| count.is_none_or(|c| c > t.count))
            .map(|t| FastToken {
                token: t.token,
                mechanism: t.mechanism,
            })
            .collect();
        session.fast_tokens_loaded(Ok(valid), self.now.instant);
    }

    /// After a FAST-capable login: the token used becomes the current one (or goes, when the
    /// client asked), and a new one is issued when asked for or due; stored, then handed to
    /// the session for its success.
    pub(crate) fn fast_login(&mut self, session: &mut ServerSession, login: FastLogin) {
        let Some(policy) = self.config.fast else {
            return session.fast_done(None);
        };
        let mut slots = match self.tokens.get(&login.user, &login.agent) {
            Ok(slots) => slots,
            Err(e) => {
                self.outputs.push_back(Output::StoreFailed(e));
                return session.fast_done(None);
            }
        };
        let now = self.now.utc.0;
        let mut due = false;
        if let Some(used) = &login.used {
            // §3.5: a login with the newer token retires the older one.
            if slots.new.as_ref().is_some_and(|t| t.token == used.token) {
                slots.current = slots.new.take();
            }
            let current = slots.current.as_mut().filter(|t| t.token == used.token);
            match current {
                Some(token) if used.invalidate => {
                    let _ = token;
                    slots.current = None;
                }
                Some(token) => {
                    if let Some(count) = used.count {
                        token.count = token.count.max(count);
                    }
                    let left = token.expiry.0.signed_duration_since(now);
                    due = left.to_std().unwrap_or_default() < policy.rotate_within;
                }
                None => {}
            }
        }
        let mechanism = login.requested.clone().or_else(|| {
            login
                .used
                .as_ref()
                .filter(|u| !u.invalidate && due)
                .map(|u| u.mechanism.clone())
        });
        let issued = mechanism.map(|mechanism| {
            let expiry = now + chrono::Duration::from_std(policy.lifetime).unwrap_or_default();
            StoredToken {
                token: self.random_hex(24),
                mechanism,
                expiry: DateTime(expiry),
                count: 0,
            }
        });
        if let Some(token) = &issued {
            // §3.5: a token handed out and never used goes when a newer one is.
            slots.new = Some(token.clone());
        }
        if let Err(e) = self.tokens.put(&login.user, &login.agent, slots) {
            self.outputs.push_back(Output::StoreFailed(e));
            return session.fast_done(None);
        }
        session.fast_done(issued.map(|t| IssuedToken {
            token: t.token,
            expiry: t.expiry.to_string(),
        }));
    }

    /// Forgets `user`'s tokens (the password changed, or the account went).
    pub(crate) fn forget_tokens(&mut self, user: &BareJid) {
        if let Err(e) = self.tokens.delete_user(user) {
            self.outputs.push_back(Output::StoreFailed(e));
        }
    }
}
