//! The login of one round trip on the server's side: XEP-0388 SASL2 (the same mechanisms as
//! RFC 6120 SASL, no stream restart, the outcome in one `<success/>`), with what the client asks
//! inline carried out before the success goes out: XEP-0198 resumption, XEP-0386 Bind 2 (a
//! resource from the client's tag, stream management and carbons enabled), and XEP-0484 FAST
//! (a token checked, a new one issued). Tokens live with the application: the session asks for
//! them ([`ServerEvent::FastTokensNeeded`]), tells it how one was used and whether one is wanted
//! ([`ServerEvent::FastLogin`]), and waits for its answer ([`ServerSession::fast_done`]) before
//! the success, so a token is stored before the client learns of it.

use super::{ServerEvent, ServerSession, State};
use crate::credentials::CredentialError;
use crate::ht::HtMechanism;
use crate::sasl2::{self, Authenticate, IssuedToken, Offer, UserAgent, NS_CARBONS};
use minidom::Element;
use std::time::Instant;
use xmppkit_jid::BareJid;
use xmppkit_stanza::ns;

/// A SASL2 login between `<authenticate/>` and `<success/>`: what the client asked, and what
/// the success will carry.
#[derive(Debug)]
pub(crate) struct Sasl2Login {
    pub request: Authenticate,
    /// The mechanism's success data (SCRAM's server signature, HT's responder proof).
    pub additional: Vec<u8>,
    /// What was done inline: `<resumed/>` or `<failed/>`, `<bound/>`, `<token/>`.
    pub extras: Vec<Element>,
    /// The token a FAST login was made with.
    pub used: Option<UsedToken>,
}

/// A FAST token the application holds for a user and client, still valid now, as it hands it
/// to [`ServerSession::fast_tokens_loaded`]: the session checks the client's proof against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastToken {
    /// The secret.
    pub token: String,
    /// The mechanism it was issued for (XEP-0484 §3.4: it works with that one only).
    pub mechanism: String,
}

/// The token a FAST login succeeded with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedToken {
    /// The secret that matched.
    pub token: String,
    /// Its mechanism.
    pub mechanism: String,
    /// The client's replay counter, if it sent one (0-RTT, XEP-0484 §3.4).
    pub count: Option<u32>,
    /// The client asked for the token to be invalidated (§3.6).
    pub invalidate: bool,
}

/// After a successful SASL2 login with FAST configured: what the application has to do with
/// the client's tokens before the success goes out ([`ServerSession::fast_done`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastLogin {
    /// The account.
    pub user: BareJid,
    /// The client installation (its `<user-agent/>` id): tokens are per user and client.
    pub agent: String,
    /// The client asked for a token for this mechanism (§3.2).
    pub requested: Option<String>,
    /// The login was made with this token: from now on it is the current one (tokens issued
    /// before it go), invalidated if asked, or replaced when due (§3.5).
    pub used: Option<UsedToken>,
}

/// What waits for the application's token lookup.
#[derive(Debug)]
pub(crate) struct FastPending {
    mechanism: HtMechanism,
    username: String,
    initial: Vec<u8>,
}

impl ServerSession {
    /// The namespace SASL elements are read and written in on this exchange.
    pub(super) fn sasl_ns(&self) -> &'static str {
        if self.sasl2.is_some() {
            sasl2::NS
        } else {
            ns::SASL
        }
    }

    /// A SASL failure in the exchange's profile; a SASL2 login ends with it.
    pub(super) fn send_failure(&mut self, condition: &str) {
        let failure = match self.sasl2.take() {
            Some(_) => sasl2::failure(condition, None),
            None => crate::features::sasl_failure(condition),
        };
        self.transport.send(&failure);
    }

    /// A SASL challenge in the exchange's profile.
    pub(super) fn send_challenge(&mut self, data: &[u8]) {
        let challenge = match self.sasl2 {
            Some(_) => sasl2::data_element("challenge", data),
            None => crate::features::sasl_element("challenge", data),
        };
        self.transport.send(&challenge);
    }

    /// A client's SASL data (`<response/>`) in the exchange's profile.
    pub(super) fn sasl_in(&self, el: &Element) -> Option<Vec<u8>> {
        match self.sasl2 {
            Some(_) => sasl2::decode(el),
            None => crate::features::sasl_data(el),
        }
    }

    /// The FAST mechanisms this connection can offer.
    fn fast_mechanisms(&self) -> Vec<HtMechanism> {
        if !self.config.fast {
            return Vec::new();
        }
        HtMechanism::ALL
            .into_iter()
            .filter(|m| m.binding.is_none() || (self.config.channel_binding && self.tls_active))
            .filter(|m| m.usable(&self.bindings))
            .collect()
    }

    /// XEP-0388 §2.1: the `<authentication/>` feature with its inline offers.
    pub(super) fn sasl2_offer(&self) -> Offer {
        let mut bind_features = Vec::new();
        if self.config.stream_management.is_some() {
            bind_features.push(xmppkit_sm::NS.to_owned());
        }
        bind_features.push(NS_CARBONS.to_owned());
        Offer {
            mechanisms: self.offered_mechanisms().map(str::to_owned).collect(),
            bind: self.config.bind2.then_some(bind_features),
            sm: self
                .config
                .stream_management
                .as_ref()
                .is_some_and(|c| c.resume),
            fast: self
                .fast_mechanisms()
                .into_iter()
                .map(|m| m.name().to_owned())
                .collect(),
        }
    }

    /// XEP-0388 §2.3: `<authenticate/>`.
    pub(super) fn on_authenticate(&mut self, el: Element, now: Instant) {
        self.state = State::Negotiating;
        let request = match Authenticate::try_from(&el) {
            Ok(request) => request,
            Err(e) => {
                let failure = sasl2::failure("malformed-request", Some(&e.to_string()));
                return self.transport.send(&failure);
            }
        };
        let initial = request.initial_response.clone().unwrap_or_default();
        let mechanism = request.mechanism.clone();
        self.sasl2 = Some(Box::new(Sasl2Login {
            request,
            additional: Vec::new(),
            extras: Vec::new(),
            used: None,
        }));
        if !self.tls_active && self.config.tls == super::ServerTls::Required {
            return self.send_failure("encryption-required");
        }
        if self.config.auth_throttled {
            return self.send_failure("temporary-auth-failure");
        }
        if let Some(ht) = HtMechanism::from_name(&mechanism) {
            return self.fast_start(ht, initial);
        }
        let Some(offered) = self.offered_mechanisms().find(|m| *m == mechanism) else {
            return self.send_failure("invalid-mechanism");
        };
        if offered == "PLAIN" {
            return self.on_plain(&initial, now);
        }
        match crate::scram::ScramHash::from_mechanism(offered) {
            Some((hash, plus)) => self.scram_start(hash, plus, initial),
            None => self.send_failure("invalid-mechanism"),
        }
    }

    /// XEP-0484 §3.4: a login with a token. The tokens are the application's: ask for them.
    fn fast_start(&mut self, mechanism: HtMechanism, initial: Vec<u8>) {
        let agent = self
            .sasl2
            .as_ref()
            .and_then(|l| l.request.user_agent.as_ref())
            .and_then(|a| a.id.clone());
        let offered = self.fast_mechanisms().contains(&mechanism);
        let (Some(agent), true) = (agent, offered) else {
            // No such mechanism here, or no client to have been issued a token.
            return self.send_failure("invalid-mechanism");
        };
        let Some(username) = HtMechanism::username(&initial) else {
            return self.send_failure("malformed-request");
        };
        let Some(username) = super::lookup::account_name(username) else {
            return self.auth_failed(crate::scram::ScramError::BadProof);
        };
        let count = self
            .sasl2
            .as_ref()
            .and_then(|l| l.request.fast)
            .and_then(|f| f.count);
        self.events.push_back(ServerEvent::FastTokensNeeded {
            username: username.clone(),
            agent,
            mechanism: mechanism.name(),
            count,
        });
        self.state = State::AwaitFastTokens(Box::new(FastPending {
            mechanism,
            username,
            initial,
        }));
    }

    /// The answer to [`ServerEvent::FastTokensNeeded`]: the user's tokens for that client that
    /// are valid now (unexpired, for that mechanism, not replayed), the newest first; or the
    /// store's failure (`temporary-auth-failure`). A proof that matches none is
    /// `not-authorized` (XEP-0484 §4.1: the client then falls back to its password).
    pub fn fast_tokens_loaded(
        &mut self,
        tokens: Result<Vec<FastToken>, CredentialError>,
        now: Instant,
    ) {
        let pending = match std::mem::replace(&mut self.state, State::Negotiating) {
            State::AwaitFastTokens(pending) => pending,
            other => {
                self.state = other;
                return;
            }
        };
        let tokens = match tokens {
            Ok(tokens) => tokens,
            Err(e) => return self.store_failed(e),
        };
        let name = pending.mechanism.name();
        let matched = tokens.into_iter().find(|t| {
            t.mechanism == name
                && pending
                    .mechanism
                    .verify(&pending.initial, &t.token, &self.bindings)
        });
        let Some(token) = matched else {
            return self.auth_failed(crate::scram::ScramError::BadProof);
        };
        let responder = pending
            .mechanism
            .responder(&token.token, &self.bindings)
            .unwrap_or_default();
        if let Some(login) = &mut self.sasl2 {
            let fast = login.request.fast.unwrap_or_default();
            login.used = Some(UsedToken {
                token: token.token,
                mechanism: token.mechanism,
                count: fast.count,
                invalidate: fast.invalidate,
            });
        }
        self.authenticated(pending.username, name, &responder, now);
    }

    /// SASL2: the mechanism succeeded for `user`. Nothing is sent yet: the inline requests
    /// come first, then one `<success/>`.
    pub(super) fn sasl2_authenticated(&mut self, user: BareJid, data: &[u8]) {
        let Some(login) = &mut self.sasl2 else { return };
        login.additional = data.to_vec();
        let agent = login
            .request
            .user_agent
            .as_ref()
            .and_then(|a: &UserAgent| a.id.clone());
        let fast = FastLogin {
            user,
            agent: agent.clone().unwrap_or_default(),
            requested: login
                .request
                .request_token
                .clone()
                .filter(|m| HtMechanism::from_name(m).is_some()),
            used: login.used.clone(),
        };
        if self.config.fast && agent.is_some() && (fast.requested.is_some() || fast.used.is_some())
        {
            self.events.push_back(ServerEvent::FastLogin(fast));
            self.state = State::Sasl2Wait;
        } else {
            self.sasl2_proceed();
        }
    }

    /// The answer to [`ServerEvent::FastLogin`]: the new token to hand the client (stored
    /// already), if any. The login then goes on.
    pub fn fast_done(&mut self, token: Option<IssuedToken>) {
        if !matches!(self.state, State::Sasl2Wait) {
            return;
        }
        if let (Some(token), Some(login)) = (token, &mut self.sasl2) {
            login.extras.push(sasl2::token_element(&token));
        }
        self.sasl2_proceed();
    }

    /// After authentication: resumption first (XEP-0198 inline), else Bind 2, else the
    /// success alone.
    fn sasl2_proceed(&mut self) {
        let Some(login) = &self.sasl2 else { return };
        let resume = login
            .request
            .resume
            .clone()
            .filter(|_| self.config.stream_management.is_some());
        if let Some((previd, h)) = resume {
            self.events.push_back(ServerEvent::ResumeRequest {
                previd: previd.clone(),
                h,
            });
            self.state = State::ResumePending { previd, h };
            return;
        }
        self.sasl2_bind_or_finish();
    }

    /// Bind 2 when asked for, else the success.
    pub(super) fn sasl2_bind_or_finish(&mut self) {
        let bind = self
            .sasl2
            .as_ref()
            .and_then(|l| l.request.bind.clone())
            .filter(|_| self.config.bind2);
        let Some(bind) = bind else {
            return self.sasl2_finish(false);
        };
        // XEP-0386 §2.2.1: the client's tag as the resource, so that one client keeps one
        // resource across logins (the identifiers are stable, which the XEP allows) and a
        // login of the same client replaces its earlier session as the XEP asks (by the
        // application's conflict policy); without a tag, the application chooses one.
        self.events.push_back(ServerEvent::BindRequest {
            resource: bind.tag.map(|t| t.trim().to_owned()),
        });
        self.state = State::Sasl2Bind;
    }

    /// Bind 2 bound the resource: stream management and carbons as asked, all in `<bound/>`.
    pub(super) fn sasl2_bound(&mut self) {
        let Some(bind) = self.sasl2.as_ref().and_then(|l| l.request.bind.clone()) else {
            return self.sasl2_finish(true);
        };
        let mut bound = Element::builder("bound", sasl2::NS_BIND2).build();
        if let Some(enable) = bind.sm {
            if let Some(answer) = self.sm_inline_enable(enable) {
                bound.append_child(answer);
            }
        }
        if bind.carbons {
            self.events.push_back(ServerEvent::CarbonsEnabled);
        }
        if let Some(login) = &mut self.sasl2 {
            login.extras.insert(0, bound);
        }
        self.sasl2_finish(true);
    }

    /// XEP-0198 resumed inline: `<resumed/>` goes in the success, before what is sent again.
    pub(super) fn sasl2_resumed(&mut self, resumed: Element) {
        if let Some(login) = &mut self.sasl2 {
            login.extras.insert(0, resumed);
        }
        self.sasl2_finish(true);
    }

    /// XEP-0198 resumption failed inline: `<failed/>` goes in the success, and the client's
    /// Bind 2 request is carried out instead (XEP-0386 §2.2).
    pub(super) fn sasl2_resume_failed(&mut self, failed: Element) {
        if let Some(login) = &mut self.sasl2 {
            login.extras.insert(0, failed);
        }
        self.sasl2_bind_or_finish();
    }

    /// XEP-0388 §2.6.1: `<success/>`, then the features of the authenticated stream, without
    /// a restart. Bound (or resumed), the session is online.
    pub(super) fn sasl2_finish(&mut self, bound: bool) {
        let Some(login) = self.sasl2.take() else {
            return;
        };
        let authorization = match (&self.jid, &self.user) {
            (Some(jid), _) if bound => jid.to_string(),
            (_, Some(user)) => user.to_string(),
            _ => String::new(),
        };
        let success = sasl2::success(Some(&login.additional), &authorization, login.extras);
        self.transport.send(&success);
        let mut features = crate::features::element("features", ns::STREAMS);
        for feature in self.authenticated_features(!bound) {
            features.append_child(feature);
        }
        self.transport.send(&features);
        self.state = if bound {
            State::Online
        } else {
            State::Negotiating
        };
        if bound {
            self.deadline = None;
        }
    }
}
