//! The presences the room sends about an occupant (§7.2.3–7.2.5 and every change after): the
//! `muc#user` item with affiliation and role, the real JID only to those who may see it
//! (non-anonymous vs semi-anonymous), and status codes for everyone or for the occupant alone.

use super::{Effects, Occupant, Room};
use crate::item::{Actor, Destroy, Item};
use crate::{ns, status, MucUser};
use minidom::Element;
use xmppkit_stanza::{ns as stanza_ns, set_attr};

/// What to say about an occupant.
#[derive(Debug, Default, Clone)]
pub(crate) struct Announce {
    /// Type unavailable (the occupant leaves or is removed).
    pub unavailable: bool,
    /// Status codes for everyone.
    pub codes: Vec<u16>,
    /// Status codes for the occupant only (110 is always added there).
    pub self_codes: Vec<u16>,
    /// Who made the change.
    pub actor: Option<Actor>,
    /// Why.
    pub reason: Option<String>,
    /// The new nick (with status 303).
    pub new_nick: Option<String>,
    /// The room is destroyed.
    pub destroy: Option<Destroy>,
    /// The `<status/>` text of the presence (unavailable only; available ones reflect the
    /// occupant's own).
    pub status_text: Option<String>,
}

impl Room {
    /// The presence about `occ`, without `to`.
    pub(crate) fn presence_of(
        &self,
        occ: &Occupant,
        show_jid: bool,
        a: &Announce,
        own: bool,
    ) -> Element {
        let mut p = Element::builder("presence", stanza_ns::CLIENT).build();
        set_attr(&mut p, "from", self.occupant_jid(&occ.nick).to_string());
        if a.unavailable {
            set_attr(&mut p, "type", "unavailable");
            if let Some(text) = &a.status_text {
                let mut s = Element::builder("status", stanza_ns::CLIENT).build();
                s.append_text_node(text.clone());
                p.append_child(s);
            }
        } else {
            for child in &occ.presence {
                p.append_child(child.clone());
            }
        }
        let item = Item {
            affiliation: Some(self.affiliation(&occ.jid.to_bare())),
            role: Some(occ.role),
            jid: show_jid.then(|| occ.jid.clone().into()),
            nick: a.new_nick.clone(),
            actor: a.actor.clone(),
            reason: a.reason.clone(),
            continue_: None,
        };
        let mut codes = a.codes.clone();
        if own {
            codes.push(status::SELF_PRESENCE);
            codes.extend(&a.self_codes);
            codes.sort_unstable();
            codes.dedup();
        }
        let x = MucUser {
            items: vec![item],
            status: codes,
            destroy: a.destroy.clone(),
            ..MucUser::default()
        };
        p.append_child(x.into());
        p
    }

    /// Sends the presence about `nick` to every occupant who gets it, the occupant itself last
    /// for arrivals and changes, first for departures (§7.2.3, §8.2).
    pub(crate) fn announce(&self, nick: &str, a: &Announce, fx: &mut Effects) {
        let Some(occ) = self.occupants.get(nick) else {
            return;
        };
        let own = self.presence_of(occ, self.sees_jids(occ.role), a, true);
        let own = addressed(own, occ.jid.as_str());
        if a.unavailable {
            fx.push(own.clone());
        }
        // Departures are always broadcast, so that nobody keeps a ghost occupant.
        let broadcast = a.unavailable || self.config.presence_broadcast.contains(&occ.role);
        if broadcast {
            let mut with_jid = None;
            let mut without_jid = None;
            for viewer in self.occupants.values() {
                if viewer.nick == nick {
                    continue;
                }
                let variant = if self.sees_jids(viewer.role) {
                    &mut with_jid
                } else {
                    &mut without_jid
                };
                let p = variant.get_or_insert_with(|| {
                    self.presence_of(occ, self.sees_jids(viewer.role), a, false)
                });
                fx.push(addressed(p.clone(), viewer.jid.as_str()));
            }
        }
        if !a.unavailable {
            fx.push(own);
        }
    }

    /// Sends `viewer` the presence of every other occupant (§7.2.3).
    pub(crate) fn presences_to(&self, viewer: &Occupant, fx: &mut Effects) {
        let show_jid = self.sees_jids(viewer.role);
        let to = viewer.jid.to_string();
        for occ in self.occupants.values() {
            if occ.nick == viewer.nick || !self.config.presence_broadcast.contains(&occ.role) {
                continue;
            }
            let p = self.presence_of(occ, show_jid, &Announce::default(), false);
            fx.push(addressed(p, &to));
        }
    }

    /// Sends a message from the room itself with these status codes to every occupant (§10.2.1).
    pub(crate) fn notify_all(&self, codes: Vec<u16>, fx: &mut Effects) {
        let mut m = Element::builder("message", stanza_ns::CLIENT).build();
        set_attr(&mut m, "from", self.jid.to_string());
        set_attr(&mut m, "type", "groupchat");
        m.append_child(
            MucUser {
                status: codes,
                ..MucUser::default()
            }
            .into(),
        );
        for occ in self.occupants.values() {
            fx.push(addressed(m.clone(), occ.jid.as_str()));
        }
    }

    /// Announces `nick`'s departure (status `codes` for all) and removes it.
    pub(crate) fn remove(&mut self, nick: &str, mut a: Announce, fx: &mut Effects) {
        let Some(occ) = self.occupants.get_mut(nick) else {
            return;
        };
        occ.role = crate::Role::None;
        a.unavailable = true;
        self.announce(nick, &a, fx);
        self.forget(nick, fx);
    }

    /// Tells only `nick` that it is out (room destroyed, shutdown) and removes it.
    pub(crate) fn remove_only_self(
        &mut self,
        nick: &str,
        codes: Vec<u16>,
        destroy: Option<Destroy>,
        fx: &mut Effects,
    ) {
        let Some(occ) = self.occupants.get_mut(nick) else {
            return;
        };
        occ.role = crate::Role::None;
        let occ = &self.occupants[nick];
        let a = Announce {
            unavailable: true,
            codes,
            destroy,
            ..Announce::default()
        };
        let mut p = self.presence_of(occ, self.sees_jids(crate::Role::None), &a, false);
        set_attr(&mut p, "to", occ.jid.to_string());
        fx.push(p);
        self.forget(nick, fx);
    }

    fn forget(&mut self, nick: &str, fx: &mut Effects) {
        if let Some(occ) = self.occupants.remove(nick) {
            self.nicks.remove(&occ.jid);
            fx.exited.push(occ.jid);
        }
    }

    /// A user leaves of their own accord (§7.14) or by disconnecting.
    pub(crate) fn exit(
        &mut self,
        nick: &str,
        codes: Vec<u16>,
        status_text: Option<String>,
        fx: &mut Effects,
    ) {
        let a = Announce {
            codes,
            status_text,
            ..Announce::default()
        };
        self.remove(nick, a, fx);
    }
}

/// `stanza` with `to` set.
pub(crate) fn addressed(mut stanza: Element, to: &str) -> Element {
    set_attr(&mut stanza, "to", to.to_owned());
    stanza
}

/// Whether `el` carries the MUC join element.
pub(crate) fn has_join_element(el: &Element) -> bool {
    el.get_child("x", ns::MUC).is_some()
}
