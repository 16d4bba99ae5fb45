//! `muc#admin` requests (§8 moderator, §9 admin, §10.3–10.8 owner use cases): lists by role or
//! affiliation, and batches of role and affiliation changes, checked as a whole before any is
//! applied, then announced with the codes of §9 (301 ban, 307 kick, 321 membership lost).

use super::announce::Announce;
use super::{Effects, Room};
use crate::item::{Actor, Item};
use crate::privileges::{
    may_list_affiliation, may_list_role, may_set_affiliation, may_set_role, Standing,
};
use crate::{status, AdminQuery, Affiliation, Role};
use minidom::Element;
use std::collections::BTreeMap;
use xmppkit_jid::{BareJid, FullJid};
use xmppkit_stanza::{DefinedCondition, Iq, StanzaError};

/// One checked change.
enum Change {
    Role {
        nick: String,
        role: Role,
        reason: Option<String>,
    },
    Affiliation {
        user: BareJid,
        affiliation: Affiliation,
        reason: Option<String>,
    },
}

impl Room {
    /// A `muc#admin` get (`set` false) or set from `from`: the answer and the announcements.
    pub(super) fn on_admin(
        &mut self,
        from: &FullJid,
        iq: &Iq,
        query: &Element,
        set: bool,
        fx: &mut Effects,
    ) {
        let fail = |fx: &mut Effects, condition, text: &str| {
            let error = StanzaError::new(condition).with_text("en", text);
            fx.push(iq.error(error).into());
        };
        let Ok(query) = AdminQuery::try_from(query.clone()) else {
            return fail(
                fx,
                DefinedCondition::BadRequest,
                "malformed muc#admin query",
            );
        };
        let actor = self.standing(from);
        if !set {
            return match self.list(actor, &query) {
                Ok(items) => fx.push(iq.result(Some(AdminQuery { items }.into())).into()),
                Err(c) => fail(fx, c, "this list is not available to you"),
            };
        }
        let changes = match self.check(from, actor, query.items) {
            Ok(changes) => changes,
            Err((c, text)) => return fail(fx, c, &text),
        };
        let by = Actor {
            jid: None,
            nick: self.nicks.get(from).cloned(),
        };
        let by = if by.nick.is_some() {
            by
        } else {
            Actor {
                jid: Some(from.to_bare().into()),
                nick: None,
            }
        };
        for change in changes {
            match change {
                Change::Role { nick, role, reason } => {
                    self.apply_role(&nick, role, &by, reason, fx)
                }
                Change::Affiliation {
                    user,
                    affiliation,
                    reason,
                } => self.apply_affiliation(user, affiliation, &by, reason, fx),
            }
        }
        fx.push(iq.result(None).into());
    }

    /// §8.5, §9.2, §9.5, §9.8, §10.5, §10.8: the items of one list.
    fn list(&self, actor: Standing, query: &AdminQuery) -> Result<Vec<Item>, DefinedCondition> {
        let [item] = query.items.as_slice() else {
            return Err(DefinedCondition::BadRequest);
        };
        match (item.role, item.affiliation) {
            (Some(role), None) => {
                may_list_role(actor, role)?;
                Ok(self
                    .occupants
                    .values()
                    .filter(|o| o.role == role)
                    .map(|o| Item {
                        affiliation: Some(self.affiliation(&o.jid.to_bare())),
                        role: Some(role),
                        jid: self.sees_jids(actor.role).then(|| o.jid.clone().into()),
                        nick: Some(o.nick.clone()),
                        ..Item::default()
                    })
                    .collect())
            }
            (None, Some(affiliation)) => {
                may_list_affiliation(actor.affiliation, affiliation)?;
                Ok(self
                    .affiliations
                    .iter()
                    .filter(|(_, a)| **a == affiliation)
                    .map(|(jid, a)| Item::affiliation(jid.clone(), *a))
                    .collect())
            }
            _ => Err(DefinedCondition::BadRequest),
        }
    }

    /// Checks every item against the rules before anything changes; the last-owner rule is
    /// checked against the list as the batch leaves it.
    fn check(
        &self,
        from: &FullJid,
        actor: Standing,
        items: Vec<Item>,
    ) -> Result<Vec<Change>, (DefinedCondition, String)> {
        if items.is_empty() {
            return Err((DefinedCondition::BadRequest, "no item".into()));
        }
        let mut after: BTreeMap<BareJid, Affiliation> = self.affiliations.clone();
        let mut changes = Vec::with_capacity(items.len());
        for item in items {
            match (item.role, item.affiliation, item.nick, item.jid) {
                (Some(role), None, Some(nick), _) => {
                    let Some(target) = self.occupants.get(&nick) else {
                        return Err((
                            DefinedCondition::ItemNotFound,
                            format!("no occupant `{nick}`"),
                        ));
                    };
                    let target_standing = Standing {
                        affiliation: self.affiliation(&target.jid.to_bare()),
                        role: target.role,
                    };
                    may_set_role(actor, target_standing, role)
                        .map_err(|c| (c, format!("cannot make `{nick}` {role}")))?;
                    changes.push(Change::Role {
                        nick,
                        role,
                        reason: item.reason,
                    });
                }
                (None, Some(affiliation), _, Some(jid)) => {
                    let user = jid.to_bare();
                    let current = after.get(&user).copied().unwrap_or_default();
                    let owners = after.values().filter(|a| **a == Affiliation::Owner).count();
                    let is_self = user == from.to_bare();
                    may_set_affiliation(actor.affiliation, current, affiliation, is_self, owners)
                        .map_err(|c| (c, format!("cannot make `{user}` {affiliation}")))?;
                    if affiliation == Affiliation::None {
                        after.remove(&user);
                    } else {
                        after.insert(user.clone(), affiliation);
                    }
                    changes.push(Change::Affiliation {
                        user,
                        affiliation,
                        reason: item.reason,
                    });
                }
                _ => {
                    return Err((
                        DefinedCondition::BadRequest,
                        "each item changes a role by nick or an affiliation by JID".into(),
                    ))
                }
            }
        }
        Ok(changes)
    }

    fn apply_role(
        &mut self,
        nick: &str,
        role: Role,
        by: &Actor,
        reason: Option<String>,
        fx: &mut Effects,
    ) {
        let Some(occ) = self.occupants.get_mut(nick) else {
            return;
        };
        if role == Role::None {
            let a = Announce {
                codes: vec![status::KICKED],
                actor: Some(by.clone()),
                reason,
                ..Announce::default()
            };
            return self.remove(nick, a, fx);
        }
        let was = occ.role;
        occ.role = role;
        let a = Announce {
            reason,
            ..Announce::default()
        };
        self.announce(nick, &a, fx);
        self.moderator_view_changed(nick, was, role, fx);
    }

    /// A new moderator of a semi-anonymous room now sees real JIDs: send it the occupants'
    /// presences again, with them.
    fn moderator_view_changed(&self, nick: &str, was: Role, now: Role, fx: &mut Effects) {
        if was != Role::Moderator && now == Role::Moderator && !self.sees_jids(was) {
            if let Some(occ) = self.occupants.get(nick) {
                self.presences_to(occ, fx);
            }
        }
    }

    /// Sets an affiliation and updates every occupant of that user (§9.1 ban, §9.4 membership
    /// revoked in a members-only room, role follows affiliation).
    pub(super) fn apply_affiliation(
        &mut self,
        user: BareJid,
        affiliation: Affiliation,
        by: &Actor,
        reason: Option<String>,
        fx: &mut Effects,
    ) {
        let old = self.affiliation(&user);
        self.set_affiliation(user.clone(), affiliation);
        let nicks: Vec<String> = self
            .occupants
            .values()
            .filter(|o| o.jid.to_bare() == user)
            .map(|o| o.nick.clone())
            .collect();
        for nick in nicks {
            let removal = if affiliation == Affiliation::Outcast {
                Some(status::BANNED)
            } else if self.config.members_only && affiliation < Affiliation::Member {
                Some(status::AFFILIATION_REMOVED)
            } else {
                None
            };
            if let Some(code) = removal {
                let a = Announce {
                    codes: vec![code],
                    actor: Some(by.clone()),
                    reason: reason.clone(),
                    ..Announce::default()
                };
                self.remove(&nick, a, fx);
                continue;
            }
            let occ = self.occupants.get_mut(&nick).expect("listed above");
            let was = occ.role;
            let moderated = self.config.moderated;
            occ.role = if affiliation >= Affiliation::Admin {
                Role::Moderator
            } else if old >= Affiliation::Admin {
                affiliation.default_role(moderated)
            } else {
                was.max(affiliation.default_role(moderated))
            };
            let role = occ.role;
            let a = Announce {
                reason: reason.clone(),
                ..Announce::default()
            };
            self.announce(&nick, &a, fx);
            self.moderator_view_changed(&nick, was, role, fx);
        }
    }
}
