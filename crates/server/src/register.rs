//! XEP-0077 In-Band Registration: the form and account creation before authentication (§3.1,
//! only when the configuration opens it, at most `per_address` accounts per address and window),
//! and for an authenticated user the password change (§3.3) and account removal (§3.2).

use crate::account_iq::NS_REGISTER;
use crate::resources::ConnId;
use crate::server::Server;
use minidom::Element;
use xmppkit_jid::FullJid;
use xmppkit_session::ServerSession;
use xmppkit_stanza::{ns, DefinedCondition, Iq, IqPayload, StanzaError, StreamError};
use xmppkit_stanza::{ErrorType, StreamErrorCondition};

fn field(query: &Element, name: &str) -> Option<String> {
    query
        .get_child(name, NS_REGISTER)
        .map(|e| e.text())
        .filter(|t| !t.is_empty())
}

fn error(condition: DefinedCondition, text: &str) -> StanzaError {
    StanzaError::new(condition).with_text("en", text)
}

impl Server {
    /// A registration IQ before authentication, answered on `session`.
    pub(crate) fn register_before_auth(
        &mut self,
        conn: ConnId,
        session: &mut ServerSession,
        stanza: Element,
    ) {
        let Ok(iq) = Iq::try_from(stanza.clone()) else {
            return;
        };
        let answer = match &iq.payload {
            IqPayload::Get(_) if self.config.registration.is_some() => {
                let mut query = Element::builder("query", NS_REGISTER).build();
                query.append_child(
                    Element::builder("instructions", NS_REGISTER)
                        .append("Choose a user name and password.")
                        .build(),
                );
                query.append_child(Element::builder("username", NS_REGISTER).build());
                query.append_child(Element::builder("password", NS_REGISTER).build());
                iq.result(Some(query))
            }
            IqPayload::Set(query) if self.config.registration.is_some() => {
                match self.register(conn, query) {
                    Ok(()) => iq.result(None),
                    Err(e) => iq.error(*e),
                }
            }
            _ => iq.error(StanzaError::new(DefinedCondition::ServiceUnavailable)),
        };
        session.answer_registration(answer.to_element_in(ns::CLIENT));
    }

    fn register(&mut self, conn: ConnId, query: &Element) -> Result<(), Box<StanzaError>> {
        let Some(limit) = self.config.registration else {
            return Err(Box::new(StanzaError::new(
                DefinedCondition::ServiceUnavailable,
            )));
        };
        let (Some(name), Some(password)) = (field(query, "username"), field(query, "password"))
        else {
            return Err(Box::new(error(
                DefinedCondition::NotAcceptable,
                "a user name and a password are required",
            )));
        };
        let peer = self.conns.get(&conn).and_then(|c| c.peer);
        let now = self.now.instant;
        if let Some(peer) = peer.filter(|p| self.registrations.reached(*p, limit, now)) {
            let _ = peer;
            let mut e = error(
                DefinedCondition::ResourceConstraint,
                "too many accounts registered from this address; try again later",
            );
            e.type_ = ErrorType::Wait;
            return Err(Box::new(e));
        }
        match self.create_account(&name, &password) {
            Ok(_) => {
                if let Some(peer) = peer {
                    self.registrations.record(peer, now);
                }
                Ok(())
            }
            Err(crate::AccountError::Exists(_)) => Err(Box::new(error(
                DefinedCondition::Conflict,
                "this user name is taken",
            ))),
            Err(e) => Err(Box::new(error(
                DefinedCondition::NotAcceptable,
                &e.to_string(),
            ))),
        }
    }

    /// A registration IQ from an authenticated user: what it is registered as, a new password,
    /// or the removal of the account.
    pub(crate) fn register_after_auth(&mut self, from: &FullJid, iq: Iq) {
        let user = from
            .node()
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default();
        let answer = match &iq.payload {
            IqPayload::Get(_) => {
                let mut query = Element::builder("query", NS_REGISTER).build();
                query.append_child(Element::builder("registered", NS_REGISTER).build());
                query.append_child(
                    Element::builder("username", NS_REGISTER)
                        .append(user.as_str())
                        .build(),
                );
                Ok(Some(query))
            }
            IqPayload::Set(query) if query.has_child("remove", NS_REGISTER) => {
                // §3.2: the answer first, then the account and its sessions go.
                self.reply(iq.result(None));
                let _ = self.delete_account(&user);
                return;
            }
            IqPayload::Set(query) => match (field(query, "username"), field(query, "password")) {
                (Some(name), Some(password)) if name == user => self
                    .change_password(&user, &password)
                    .map(|_| None)
                    .map_err(|e| error(DefinedCondition::NotAcceptable, &e.to_string())),
                (Some(_), Some(_)) => Err(StanzaError::new(DefinedCondition::NotAllowed)),
                _ => Err(StanzaError::new(DefinedCondition::BadRequest)),
            },
            _ => return,
        };
        match answer {
            Ok(payload) => self.reply(iq.result(payload)),
            Err(e) => self.reply(iq.error(e)),
        }
    }

    /// Closes every session of `user` (its account was removed): `not-authorized`.
    pub(crate) fn close_sessions_of(&mut self, user: &xmppkit_jid::BareJid) {
        let conns: Vec<ConnId> = self
            .resources
            .of(user)
            .filter_map(|(_, r)| r.conn)
            .collect();
        let error = StreamError::new(StreamErrorCondition::NotAuthorized)
            .with_text(Some("en"), "the account was removed");
        for conn in conns {
            self.close(conn, Some(error.clone()));
        }
        let jids: Vec<FullJid> = self.resources.of(user).map(|(j, _)| j).collect();
        for jid in jids {
            self.resource_gone(&jid);
        }
    }
}
