//! Presence to an occupant JID (§7.2 entering, §7.6 changing nick, §7.7 changing status, §7.14
//! exiting): the entry checks in the order of §7.2, then the entry sequence of §7.1 — others'
//! presence, self-presence, history, subject.

use super::announce::{addressed, has_join_element, Announce};
use super::occupant::{reflected_children, Occupant};
use super::{Effects, Room};
use crate::{ns, status, Affiliation, Muc, Role};
use minidom::Element;
use xmppkit_jid::FullJid;
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::{ns as stanza_ns, set_attr, DefinedCondition, StanzaError};

impl Room {
    pub(super) fn on_presence(
        &mut self,
        from: FullJid,
        nick: String,
        stanza: &Element,
        now: DateTime,
        fx: &mut Effects,
    ) {
        let current = self.nicks.get(&from).cloned();
        match (stanza.attr("type"), current) {
            (Some("unavailable"), Some(current)) => {
                let text = stanza
                    .get_child("status", stanza.ns().as_str())
                    .map(Element::text);
                self.exit(&current, Vec::new(), text, fx);
            }
            (Some("error"), Some(current)) => {
                // §14.1: an error reply means the occupant's client is gone.
                self.exit(&current, vec![status::ERROR_REMOVED], None, fx);
            }
            (None, Some(current)) if current == nick => {
                if has_join_element(stanza) {
                    // §7.2.1: a client that joins again lost track; resend the entry.
                    let history = join_request(stanza).history;
                    self.entry_sequence(&nick, Vec::new(), history, now, fx);
                } else {
                    let occ = self.occupants.get_mut(&nick).expect("indexed occupant");
                    occ.presence = reflected_children(stanza);
                    self.announce(&nick, &Announce::default(), fx);
                }
            }
            (None, Some(current)) => self.change_nick(&current, nick, stanza, fx),
            (None, None) if has_join_element(stanza) => {
                self.enter(from, nick, stanza, now, false, fx)
            }
            (None, None) => {
                // §7.2.1: presence without <x/> from a non-occupant: tell it it is not in.
                let mut p = Element::builder("presence", stanza_ns::CLIENT).build();
                set_attr(&mut p, "from", self.occupant_jid(&nick).to_string());
                set_attr(&mut p, "type", "unavailable");
                let x = crate::MucUser {
                    items: vec![crate::Item {
                        affiliation: Some(self.affiliation(&from.to_bare())),
                        role: Some(Role::None),
                        ..crate::Item::default()
                    }],
                    status: vec![status::SELF_PRESENCE, status::KICKED, status::ERROR_REMOVED],
                    ..crate::MucUser::default()
                };
                p.append_child(x.into());
                fx.push(addressed(p, &from.to_string()));
            }
            _ => {}
        }
    }

    /// §7.2: a user asks to enter under `nick`. `created`: the room was created by this
    /// request (status 201).
    pub(crate) fn enter(
        &mut self,
        from: FullJid,
        nick: String,
        stanza: &Element,
        now: DateTime,
        created: bool,
        fx: &mut Effects,
    ) {
        let request = join_request(stanza);
        let affiliation = self.affiliation(&from.to_bare());
        let full = self
            .config
            .max_users
            .is_some_and(|max| self.occupants.len() >= max as usize);
        let refusal = if self.locked && affiliation != Affiliation::Owner {
            Some(DefinedCondition::ItemNotFound)
        } else if affiliation == Affiliation::Outcast {
            Some(DefinedCondition::Forbidden)
        } else if self.config.members_only && affiliation < Affiliation::Member {
            Some(DefinedCondition::RegistrationRequired)
        } else if self.config.password.is_some()
            && affiliation != Affiliation::Owner
            && request.password != self.config.password
        {
            Some(DefinedCondition::NotAuthorized)
        } else if self.occupants.contains_key(&nick) {
            Some(DefinedCondition::Conflict)
        } else if full && affiliation < Affiliation::Admin {
            Some(DefinedCondition::ServiceUnavailable)
        } else {
            None
        };
        if let Some(condition) = refusal {
            return self.join_error(stanza, &nick, condition, fx);
        }
        let occupant = Occupant {
            nick: nick.clone(),
            jid: from.clone(),
            role: affiliation.default_role(self.config.moderated),
            presence: reflected_children(stanza),
        };
        self.occupants.insert(nick.clone(), occupant);
        self.nicks.insert(from.clone(), nick.clone());
        fx.entered.push(from);
        let mut self_codes = Vec::new();
        if self.config.whois == crate::config::Whois::Anyone {
            self_codes.push(status::NON_ANONYMOUS);
        }
        if self.config.enable_logging {
            self_codes.push(status::LOGGING_ON);
        }
        if created {
            self_codes.push(status::CREATED);
        }
        self.entry_sequence(&nick, self_codes, request.history, now, fx);
    }

    /// §7.1 order: others' presence to the newcomer, the newcomer's presence to all (its own
    /// last), history, subject.
    fn entry_sequence(
        &mut self,
        nick: &str,
        self_codes: Vec<u16>,
        history: Option<crate::History>,
        now: DateTime,
        fx: &mut Effects,
    ) {
        let occ = &self.occupants[nick];
        self.presences_to(occ, fx);
        let a = Announce {
            self_codes,
            ..Announce::default()
        };
        self.announce(nick, &a, fx);
        let to = occ.jid.to_string();
        let limit = self.config.max_history;
        for past in self.history.select(history.as_ref(), now, limit) {
            fx.push(addressed(past, &to));
        }
        fx.push(addressed(self.subject_message(), &to));
    }

    /// §7.6: `old` becomes `new` — unavailable with 303 and the new nick, then available.
    fn change_nick(&mut self, old: &str, new: String, stanza: &Element, fx: &mut Effects) {
        if self.occupants.contains_key(&new) {
            return self.join_error(stanza, &new, DefinedCondition::Conflict, fx);
        }
        let out = Announce {
            unavailable: true,
            codes: vec![status::NICK_CHANGED],
            new_nick: Some(new.clone()),
            ..Announce::default()
        };
        self.announce(old, &out, fx);
        let mut occ = self.occupants.remove(old).expect("indexed occupant");
        occ.nick = new.clone();
        occ.presence = reflected_children(stanza);
        self.nicks.insert(occ.jid.clone(), new.clone());
        self.occupants.insert(new.clone(), occ);
        self.announce(&new, &Announce::default(), fx);
    }

    /// The error presence of §7.2 (from the occupant JID asked for, with the MUC element).
    pub(super) fn join_error(
        &self,
        stanza: &Element,
        nick: &str,
        condition: DefinedCondition,
        fx: &mut Effects,
    ) {
        let Some(to) = stanza.attr("from") else {
            return;
        };
        let mut p = Element::builder("presence", stanza_ns::CLIENT).build();
        set_attr(&mut p, "from", self.occupant_jid(nick).to_string());
        set_attr(&mut p, "type", "error");
        if let Some(id) = stanza.attr("id") {
            set_attr(&mut p, "id", id.to_owned());
        }
        p.append_child(Element::builder("x", ns::MUC).build());
        p.append_child(StanzaError::new(condition).to_element(stanza_ns::CLIENT));
        fx.push(addressed(p, to));
    }
}

fn join_request(stanza: &Element) -> Muc {
    stanza
        .get_child("x", ns::MUC)
        .and_then(|x| Muc::try_from(x.clone()).ok())
        .unwrap_or_default()
}
