//! Messages (§7.3 subject, §7.4 to all occupants, §7.5 private messages, §7.8 invitations and
//! declines) and IQs between occupants, with the room `stanza-id` of XEP-0359 on every message
//! it broadcasts.

use super::announce::addressed;
use super::{Effects, Room, Subject};
use crate::hooks::RoomHooks;
use crate::privileges::{may_change_subject, may_invite, may_send_private, may_send_to_all};
use crate::{ns, status, Affiliation, Decline, Invite, MucUser};
use minidom::Element;
use xmppkit_jid::{FullJid, Jid};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::delay::Delay;
use xmppkit_stanza::sid::{stamp, StanzaId};
use xmppkit_stanza::{has_body, ns as stanza_ns, set_attr, DefinedCondition, FanOut, Outgoing};

impl Room {
    pub(super) fn on_room_message(
        &mut self,
        from: FullJid,
        stanza: &Element,
        now: DateTime,
        hooks: &mut dyn RoomHooks,
        fx: &mut Effects,
    ) {
        let nick = self.nicks.get(&from).cloned();
        match stanza.attr("type").unwrap_or("normal") {
            "error" => {
                if let Some(nick) = nick {
                    self.exit(&nick, vec![status::ERROR_REMOVED], None, fx);
                }
            }
            "groupchat" => {
                let Some(nick) = nick else {
                    return fx.error(stanza, DefinedCondition::NotAcceptable);
                };
                let role = self.occupants[&nick].role;
                let subject = stanza.get_child("subject", stanza.ns().as_str());
                match subject {
                    Some(subject) if !has_body(stanza) => {
                        if let Err(c) = may_change_subject(role, &self.config) {
                            return fx.error(stanza, c);
                        }
                        self.revision += 1;
                        self.subject = Some(Subject {
                            text: subject.text(),
                            by: Some(nick.clone()),
                            stamp: now,
                        });
                        let message = self.reflect(&nick, stanza, now);
                        self.fan_out(message, fx);
                    }
                    _ => {
                        if let Err(c) = may_send_to_all(role) {
                            return fx.error(stanza, c);
                        }
                        let message = self.reflect(&nick, stanza, now);
                        let id = message
                            .children()
                            .find(|c| c.is("stanza-id", stanza_ns::SID))
                            .and_then(|c| c.attr("id"))
                            .unwrap_or_default()
                            .to_owned();
                        hooks.on_groupchat(self, &from.to_bare(), &message, &id, now);
                        if has_body(&message) {
                            let room: Jid = self.jid.clone().into();
                            let max = self.config.max_history;
                            self.history.push(&room, message.clone(), now, max);
                        }
                        self.fan_out(message, fx);
                    }
                }
            }
            _ => self.on_invitation(from, stanza, fx),
        }
    }

    /// The message as the room broadcasts it: from the occupant JID, the sender's id kept
    /// (§7.4, `muc#stable_id`), stamped with a new room stanza-id (forged ones removed).
    fn reflect(&mut self, nick: &str, stanza: &Element, now: DateTime) -> Element {
        let mut message = Element::builder("message", stanza_ns::CLIENT).build();
        set_attr(&mut message, "from", self.occupant_jid(nick).to_string());
        set_attr(&mut message, "type", "groupchat");
        if let Some(id) = stanza.attr("id") {
            set_attr(&mut message, "id", id.to_owned());
        }
        for child in stanza.children() {
            message.append_child(child.clone());
        }
        let sid = StanzaId {
            id: self.next_stanza_id(now),
            by: self.jid.clone().into(),
        };
        stamp(&mut message, &sid);
        message
    }

    /// One message for every occupant, serialized once (§7.4).
    fn fan_out(&self, message: Element, fx: &mut Effects) {
        let recipients = self
            .occupants
            .values()
            .map(|o| o.jid.clone().into())
            .collect();
        fx.stanzas
            .push_back(Outgoing::FanOut(FanOut::new(message, recipients)));
    }

    /// The subject message sent on entry (§7.2.15): the last subject, or an empty one.
    pub(super) fn subject_message(&self) -> Element {
        let mut m = Element::builder("message", stanza_ns::CLIENT).build();
        let from = match self.subject.as_ref().and_then(|s| s.by.as_deref()) {
            Some(nick) => self.occupant_jid(nick),
            None => self.jid.clone().into(),
        };
        set_attr(&mut m, "from", from.to_string());
        set_attr(&mut m, "type", "groupchat");
        let mut subject = Element::builder("subject", stanza_ns::CLIENT).build();
        if let Some(s) = &self.subject {
            if !s.text.is_empty() {
                subject.append_text_node(s.text.clone());
            }
        }
        m.append_child(subject);
        if let Some(s) = &self.subject {
            let delay = Delay {
                from: Some(self.jid.clone().into()),
                stamp: s.stamp,
                reason: None,
            };
            m.append_child(delay.into());
        }
        m
    }

    /// §7.8.2 mediated invitations and declines, sent to the room's bare JID.
    fn on_invitation(&mut self, from: FullJid, stanza: &Element, fx: &mut Effects) {
        let x = stanza
            .get_child("x", ns::USER)
            .map(|x| MucUser::try_from(x.clone()));
        let x = match x {
            Some(Ok(x)) if !x.invites.is_empty() || !x.declines.is_empty() => x,
            Some(Err(_)) => return fx.error(stanza, DefinedCondition::BadRequest),
            _ if stanza.get_child("x", stanza_ns::DATA_FORMS).is_some() => {
                // §7.13 voice requests and §9.9 registration approvals.
                return fx.error(stanza, DefinedCondition::FeatureNotImplemented);
            }
            _ => return fx.error(stanza, DefinedCondition::BadRequest),
        };
        if !x.invites.is_empty() {
            let standing = self.standing(&from);
            if let Err(c) = may_invite(standing, &self.config) {
                return fx.error(stanza, c);
            }
            if x.invites.iter().any(|i| i.to.is_none()) {
                return fx.error(stanza, DefinedCondition::BadRequest);
            }
        }
        let inviter: Jid = match self.nicks.get(&from) {
            Some(nick) if self.config.whois != crate::config::Whois::Anyone => {
                self.occupant_jid(nick)
            }
            _ => from.to_bare().into(),
        };
        for invite in x.invites {
            let to = invite.to.clone().expect("checked above");
            let bare = to.to_bare();
            if self.config.members_only && self.affiliation(&bare) == Affiliation::None {
                // §9.3: an invitation into a members-only room makes the invitee a member.
                self.set_affiliation(bare, Affiliation::Member);
            }
            let out = MucUser {
                invites: vec![Invite {
                    from: Some(inviter.clone()),
                    to: None,
                    ..invite
                }],
                password: self.config.password.clone(),
                ..MucUser::default()
            };
            fx.push(self.room_message(out, &to.to_string()));
        }
        for decline in x.declines {
            let Some(to) = decline.to.clone() else {
                continue;
            };
            let out = MucUser {
                declines: vec![Decline {
                    from: Some(from.to_bare().into()),
                    to: None,
                    ..decline
                }],
                ..MucUser::default()
            };
            fx.push(self.room_message(out, &to.to_string()));
        }
    }

    fn room_message(&self, x: MucUser, to: &str) -> Element {
        let mut m = Element::builder("message", stanza_ns::CLIENT).build();
        set_attr(&mut m, "from", self.jid.to_string());
        m.append_child(x.into());
        addressed(m, to)
    }

    /// §7.5: a private message to an occupant JID.
    pub(super) fn on_private_message(
        &mut self,
        from: FullJid,
        nick: &str,
        stanza: &Element,
        fx: &mut Effects,
    ) {
        let is_error = stanza.attr("type") == Some("error");
        if stanza.attr("type") == Some("groupchat") {
            return fx.error(stanza, DefinedCondition::BadRequest);
        }
        let Some(sender) = self.nicks.get(&from).cloned() else {
            if !is_error {
                fx.error(stanza, DefinedCondition::NotAcceptable);
            }
            return;
        };
        let Some(target) = self.occupants.get(nick) else {
            if !is_error {
                fx.error(stanza, DefinedCondition::ItemNotFound);
            }
            return;
        };
        if !is_error {
            if let Err(c) = may_send_private(self.occupants[&sender].role, &self.config) {
                return fx.error(stanza, c);
            }
        }
        let mut message = stanza.clone();
        set_attr(&mut message, "from", self.occupant_jid(&sender).to_string());
        if message.get_child("x", ns::USER).is_none() {
            message.append_child(Element::builder("x", ns::USER).build());
        }
        fx.push(addressed(message, target.jid.as_str()));
    }

    /// An IQ to an occupant JID: passed between occupants under their occupant JIDs.
    pub(super) fn on_occupant_iq(
        &mut self,
        from: FullJid,
        nick: &str,
        stanza: &Element,
        fx: &mut Effects,
    ) {
        let request = matches!(stanza.attr("type"), Some("get" | "set"));
        let (Some(sender), Some(target)) = (self.nicks.get(&from), self.occupants.get(nick)) else {
            if request {
                let condition = if self.nicks.contains_key(&from) {
                    DefinedCondition::ItemNotFound
                } else {
                    DefinedCondition::NotAcceptable
                };
                fx.error(stanza, condition);
            }
            return;
        };
        let mut iq = stanza.clone();
        set_attr(&mut iq, "from", self.occupant_jid(sender).to_string());
        fx.push(addressed(iq, target.jid.as_str()));
    }
}
