//! The login of one round trip on the client's side: XEP-0388 SASL2 when the server offers it,
//! with XEP-0386 Bind 2 (the configured resource as the tag, stream management and, when
//! configured, carbons enabled inline), XEP-0198 resumption inline, and XEP-0484 FAST: a token
//! from an earlier login is tried first (a refused one is reported and the password used at
//! once), and a new one is asked for when the client has an identity to hold it under.

use super::{ClientEvent, ClientSession, Sm, State};
use crate::error::SessionError;
use crate::ht::HtMechanism;
use crate::sasl2::{self, Authenticate, Bind2Request, FastUse, Offer, NS_CARBONS};
use crate::scram::{ssdp_hash, ScramClient};
use minidom::Element;
use std::time::Instant;
use xmppkit_jid::FullJid;
use xmppkit_sm::{Nonza, SmStream};
use xmppkit_stanza::ns;

/// A FAST token the client holds (XEP-0484): keep it where the password would be kept, and give
/// it back in [`crate::ClientConfig::fast_token`] for the next login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientToken {
    /// The secret.
    pub token: String,
    /// The mechanism it was issued for.
    pub mechanism: String,
    /// When it expires (XEP-0082), as the server said.
    pub expiry: String,
    /// The XEP-0484 §3.3 replay counter this use carries (`<fast count/>`), if any. A server
    /// refuses a count it has already seen for the token, so a counter must never repeat, not
    /// even after a failed attempt: take it with [`ClientToken::next_use`] and store the token
    /// before connecting. `None` for a token just issued.
    pub count: Option<u32>,
}

impl ClientToken {
    /// Counts one more use of the token (the counter starts at 1 with a new token, as the
    /// XEP's reset to zero then increment gives) and returns the counter this use carries.
    pub fn next_use(&mut self) -> u32 {
        let next = self.count.map_or(1, |c| c.saturating_add(1));
        self.count = Some(next);
        next
    }
}

/// The mechanism of a SASL2 exchange in progress.
#[derive(Debug)]
pub(super) enum Sasl2Mechanism {
    Scram {
        client: Box<ScramClient>,
        sent_final: bool,
    },
    Plain,
    Fast {
        mechanism: HtMechanism,
        token: String,
    },
}

/// A SASL2 exchange in progress: its mechanism, the offer it answered, and what it asked inline.
#[derive(Debug)]
pub(super) struct Sasl2Exchange {
    mechanism: Sasl2Mechanism,
    name: &'static str,
    offer: Offer,
    /// The FAST mechanism a token was asked for.
    requested: Option<String>,
    bind: bool,
    /// XEP-0388 tasks: the mechanism's data was checked at a `<continue/>`, and the task the
    /// application started, if any.
    pub(super) tasks: super::tasks::Tasks,
}

impl ClientSession {
    /// XEP-0388 §2.3: `<authenticate/>` with everything that can go inline; a FAST token first
    /// when there is one the server can take.
    pub(super) fn start_sasl2(&mut self, offer: Offer, features: &Element) {
        let username = self.username();
        let agent = self.config.user_agent.clone();
        let has_agent = agent.as_ref().is_some_and(|a| a.id.is_some());
        let token = self
            .config
            .fast_token
            .clone()
            .filter(|_| has_agent && !self.fast_failed)
            .and_then(|t| {
                let mechanism = HtMechanism::from_name(&t.mechanism)?;
                let offered = offer.fast.contains(&t.mechanism);
                (offered && mechanism.usable(&self.bindings))
                    .then_some((mechanism, t.token, t.count))
            });
        let count = token.as_ref().and_then(|(_, _, count)| *count);
        let (mechanism, name, initial) = match token {
            Some((ht, token, _)) => {
                let initial = ht
                    .initial_response(&username, &token, &self.bindings)
                    .unwrap_or_default();
                (
                    Sasl2Mechanism::Fast {
                        mechanism: ht,
                        token,
                    },
                    ht.name(),
                    initial,
                )
            }
            None => match self.password_mechanism(&offer.mechanisms, features) {
                Some(chosen) => chosen,
                None => {
                    let offered = offer.mechanisms.clone();
                    return self.fail_with(None, SessionError::NoCommonMechanism { offered });
                }
            },
        };
        let fast = matches!(mechanism, Sasl2Mechanism::Fast { .. });
        // A new token for the strongest FAST mechanism this connection can use.
        let requested = HtMechanism::ALL
            .into_iter()
            .filter(|m| m.usable(&self.bindings))
            .map(|m| m.name())
            .find(|m| offer.fast.iter().any(|o| o == m))
            .filter(|_| has_agent && self.config.request_fast_token && !fast)
            .map(str::to_owned);
        // A stream to resume without XEP-0198 inline: no Bind 2, so that it can be resumed
        // once authenticated.
        let bind_offer = offer
            .bind
            .as_ref()
            .filter(|_| self.resumption.is_none() || offer.sm);
        let bind = bind_offer.map(|features| {
            let sm = self
                .config
                .stream_management
                .filter(|_| features.iter().any(|f| f == xmppkit_sm::NS))
                .map(|config| {
                    let enable = Nonza::Enable {
                        resume: config.resume,
                        max: config.resume.then(|| {
                            u32::try_from(config.max_resume.as_secs()).unwrap_or(u32::MAX)
                        }),
                    };
                    self.sm = Sm::Enabling(SmStream::new(config));
                    enable.into()
                });
            Bind2Request {
                tag: self.config.resource.clone(),
                carbons: self.config.carbons && features.iter().any(|f| f == NS_CARBONS),
                sm,
                csi: None,
            }
        });
        let resume = self
            .resumption
            .as_ref()
            .filter(|_| offer.sm)
            .map(|r| (r.id.clone(), r.stream.h()));
        let request = Authenticate {
            mechanism: name.to_owned(),
            initial_response: Some(initial),
            user_agent: agent,
            bind: bind.clone(),
            resume,
            request_token: requested.clone(),
            fast: fast.then_some(FastUse {
                count,
                invalidate: false,
            }),
        };
        self.transport.send(&request.element());
        self.state = State::Sasl2(Box::new(Sasl2Exchange {
            mechanism,
            name,
            offer,
            requested,
            bind: bind.is_some(),
            tasks: super::tasks::Tasks::default(),
        }));
    }

    /// The password mechanism to use from `offered`, as SASL1 chooses it (channel binding and
    /// the downgrade hash over the SASL2 list).
    fn password_mechanism(
        &self,
        offered: &[String],
        features: &Element,
    ) -> Option<(Sasl2Mechanism, &'static str, Vec<u8>)> {
        let (name, binding, hash) = self.choose_mechanism(offered, features)?;
        let username = self.username();
        match hash {
            Some(hash) => {
                let advertised = crate::scram::advertised(features);
                let client = ScramClient::new(hash, &username, &self.config.password, &self.nonce)
                    .with_binding(binding)
                    .with_ssdp(ssdp_hash(hash, offered, advertised.as_deref()));
                let initial = client.first_message();
                let mechanism = Sasl2Mechanism::Scram {
                    client: Box::new(client),
                    sent_final: false,
                };
                Some((mechanism, name, initial))
            }
            None => {
                let initial = format!("\0{username}\0{}", self.config.password).into_bytes();
                Some((Sasl2Mechanism::Plain, name, initial))
            }
        }
    }

    /// A SASL2 element during the exchange.
    pub(super) fn on_sasl2(&mut self, mut exchange: Box<Sasl2Exchange>, el: Element, now: Instant) {
        match el.name() {
            "challenge" if exchange.tasks.running.is_some() => self.on_task_challenge(exchange, el),
            "continue" => self.on_continue(exchange, el),
            "challenge" => {
                let Some(data) = sasl2::decode(&el) else {
                    return self.fail_with(
                        None,
                        SessionError::Mechanism("challenge is not base64".into()),
                    );
                };
                let response = match &mut exchange.mechanism {
                    Sasl2Mechanism::Scram { client, sent_final } if !*sent_final => {
                        *sent_final = true;
                        client.handle_server_first(&data)
                    }
                    _ => {
                        return self.protocol_error("an unexpected SASL2 challenge");
                    }
                };
                match response {
                    Ok(response) => {
                        self.transport
                            .send(&sasl2::data_element("response", &response));
                        self.state = State::Sasl2(exchange);
                    }
                    Err(e) => {
                        self.transport
                            .send(&Element::builder("abort", sasl2::NS).build());
                        self.fail_with(None, SessionError::Mechanism(e.to_string()));
                    }
                }
            }
            "success" => self.on_sasl2_success(*exchange, el, now),
            "failure" => {
                let condition = el
                    .children()
                    .find(|c| c.name() != "text")
                    .map_or("undefined", |c| c.name())
                    .to_owned();
                if matches!(exchange.mechanism, Sasl2Mechanism::Fast { .. })
                    && !exchange.tasks.verified
                {
                    // XEP-0484 §4.1: the token is no good any more; the password, at once.
                    self.events
                        .push_back(ClientEvent::FastTokenRejected { condition });
                    self.fast_failed = true;
                    let features = self
                        .features
                        .take()
                        .unwrap_or_else(|| Element::builder("features", ns::STREAMS).build());
                    self.sm = Sm::Off;
                    return self.start_sasl2(exchange.offer, &features);
                }
                let text = el.get_child("text", sasl2::NS).map(|t| t.text());
                self.fail_with(None, SessionError::AuthFailed { condition, text });
            }
            other => self.protocol_error(&format!("unexpected SASL2 <{other}/>")),
        }
    }

    /// The mechanism's last word (SCRAM's server signature, FAST's responder proof), checked.
    pub(super) fn verify_mechanism(
        &self,
        exchange: &Sasl2Exchange,
        additional: &[u8],
    ) -> Result<(), String> {
        match &exchange.mechanism {
            Sasl2Mechanism::Scram { client, .. } => {
                let mut client = client.clone();
                client
                    .handle_server_final(additional)
                    .map_err(|e| e.to_string())
            }
            Sasl2Mechanism::Fast { mechanism, token } => {
                match mechanism.verify_responder(additional, token, &self.bindings) {
                    true => Ok(()),
                    false => Err("the server does not hold the token".to_owned()),
                }
            }
            Sasl2Mechanism::Plain => Ok(()),
        }
    }

    /// XEP-0388 §2.6.1: the mechanism's last word checked (unless a `<continue/>` carried it),
    /// then what was done inline.
    fn on_sasl2_success(&mut self, exchange: Sasl2Exchange, el: Element, now: Instant) {
        let additional = el
            .get_child("additional-data", sasl2::NS)
            .and_then(sasl2::decode)
            .unwrap_or_default();
        if !exchange.tasks.verified {
            if let Err(e) = self.verify_mechanism(&exchange, &additional) {
                return self.fail_with(None, SessionError::Mechanism(e));
            }
        }
        self.authenticated = true;
        self.events.push_back(ClientEvent::Authenticated {
            mechanism: exchange.name,
        });
        if let Some(token) = el.get_child("token", sasl2::NS_FAST) {
            let mechanism = match &exchange.mechanism {
                Sasl2Mechanism::Fast { mechanism, .. } => Some(mechanism.name().to_owned()),
                _ => exchange.requested.clone(),
            };
            if let (Some(secret), Some(mechanism)) = (token.attr("token"), mechanism) {
                self.events.push_back(ClientEvent::FastToken(ClientToken {
                    token: secret.to_owned(),
                    mechanism,
                    expiry: token.attr("expiry").unwrap_or_default().to_owned(),
                    count: None,
                }));
            }
        }
        let authorization = el
            .get_child("authorization-identifier", sasl2::NS)
            .map(|a| a.text().trim().to_owned())
            .unwrap_or_default();
        // XEP-0198 inline: resumed (online again), or failed (then Bind 2 went on).
        let sm_answer = el.children().find(|c| c.has_ns(xmppkit_sm::NS)).cloned();
        if let (Some(answer), Some(resumption)) = (sm_answer, self.resumption.take()) {
            if answer.is("resumed", xmppkit_sm::NS) {
                self.on_resume_answer(*resumption, answer, now);
                // The features of the resumed stream follow; nothing in them is needed now.
                self.sasl2_features_pending = true;
                return;
            }
            let mut resumption = resumption;
            let condition = match Nonza::try_from(answer) {
                Ok(Nonza::Failed { h, condition }) => {
                    if let Some(h) = h {
                        // What the server did handle is not lost; a wrong h proves nothing.
                        let _ = resumption.stream.ack(h, now);
                    }
                    condition
                }
                _ => None,
            };
            self.resume_failed(*resumption, condition);
        }
        let bound = el.get_child("bound", sasl2::NS_BIND2);
        match (bound, authorization.parse::<FullJid>()) {
            (Some(bound), Ok(jid)) if exchange.bind => {
                self.jid = Some(jid.clone());
                self.state = State::Online;
                self.deadline = None;
                self.events.push_back(ClientEvent::Online { jid });
                match bound.children().find(|c| c.has_ns(xmppkit_sm::NS)) {
                    Some(answer) => self.on_sm_element(answer.clone()),
                    None => self.sm = Sm::Off,
                }
                // The features of the bound stream follow; nothing in them is needed now.
                self.sasl2_features_pending = true;
            }
            _ => {
                // Not bound inline: the features that follow lead to resource binding.
                self.sm = Sm::Off;
                self.state = State::AwaitFeatures;
            }
        }
    }
}
