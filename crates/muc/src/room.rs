//! One room's state and the top-level dispatch of every stanza addressed to it (§7–§10): which
//! handler each presence, message and IQ goes to. The handlers live in `room/`, one file per
//! use-case family.

mod announce;
mod conversation;
mod enter;
mod history;
mod moderation;
mod occupant;
mod owner;

pub use occupant::Occupant;

use crate::config::{RoomConfig, Whois};
use crate::hooks::RoomHooks;
use crate::privileges::Standing;
use crate::store::SavedRoom;
use crate::{Affiliation, Role};
use history::History;
use minidom::Element;
use std::collections::{BTreeMap, HashMap, VecDeque};
use xmppkit_jid::{BareJid, FullJid, Jid};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::{error_reply, DefinedCondition, Outgoing, StanzaError};

/// The room subject (§8.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The text (empty: cleared).
    pub text: String,
    /// The nick of the occupant who set it.
    pub by: Option<String>,
    /// When.
    pub stamp: DateTime,
}

/// What handling one stanza produced, besides the room's new state.
#[derive(Debug, Default)]
pub struct Effects {
    /// Stanzas to route, each with `from` and `to` (a fan-out with its recipients), in order.
    pub stanzas: VecDeque<Outgoing>,
    /// Real JIDs that entered the room.
    pub entered: Vec<FullJid>,
    /// Real JIDs that are no longer in the room.
    pub exited: Vec<FullJid>,
    /// The room is gone (destroyed, or a temporary room left empty).
    pub destroyed: bool,
}

impl Effects {
    /// Queues one addressed stanza.
    pub fn push(&mut self, stanza: Element) {
        self.stanzas.push_back(Outgoing::Stanza(stanza));
    }

    fn error(&mut self, stanza: &Element, condition: DefinedCondition) {
        self.error_with(stanza, StanzaError::new(condition));
    }

    fn error_with(&mut self, stanza: &Element, error: StanzaError) {
        if let Some(reply) = error_reply(stanza, &error) {
            self.push(reply);
        }
    }
}

/// A multi-user chat room: configuration, affiliations, occupants, subject and history. Feed it
/// the stanzas addressed to it with [`Room::handle`]; it answers with [`Effects`].
///
/// ```
/// use xmppkit_muc::{Effects, Room, RoomConfig};
/// let now = "2002-10-13T23:58:37Z".parse().unwrap();
/// let mut room = Room::new("coven@chat.shakespeare.lit".parse().unwrap(), RoomConfig::default());
/// let join = "<presence xmlns='jabber:client' from='hag66@shakespeare.lit/pda' \
///     to='coven@chat.shakespeare.lit/thirdwitch'><x xmlns='http://jabber.org/protocol/muc'/></presence>";
/// let mut fx = Effects::default();
/// room.handle(join.parse().unwrap(), now, &mut (), &mut fx);
/// assert_eq!(room.occupants().count(), 1);
/// // Self-presence (with status 110), then the (empty) subject.
/// assert_eq!(fx.stanzas.len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Room {
    jid: BareJid,
    config: RoomConfig,
    affiliations: BTreeMap<BareJid, Affiliation>,
    occupants: BTreeMap<String, Occupant>,
    nicks: HashMap<FullJid, String>,
    subject: Option<Subject>,
    history: History,
    locked: bool,
    next_id: u64,
    /// Bumped by every change to what a persistent room keeps (see [`Room::revision`]).
    revision: u64,
}

impl Room {
    /// An unlocked room with no occupant and no affiliation.
    pub fn new(jid: BareJid, config: RoomConfig) -> Self {
        Room {
            jid,
            config,
            affiliations: BTreeMap::new(),
            occupants: BTreeMap::new(),
            nicks: HashMap::new(),
            subject: None,
            history: History::default(),
            locked: false,
            next_id: 0,
            revision: 0,
        }
    }

    /// A persistent room as it was saved: no occupants, unlocked.
    pub fn restore(saved: SavedRoom) -> Self {
        let mut room = Room::new(saved.jid, saved.config);
        room.affiliations = saved.affiliations;
        room.subject = saved.subject;
        room
    }

    /// What of this room outlives its occupants, for a [`RoomStore`](crate::RoomStore).
    pub fn saved(&self) -> SavedRoom {
        SavedRoom {
            jid: self.jid.clone(),
            config: self.config.clone(),
            affiliations: self.affiliations.clone(),
            subject: self.subject.clone(),
        }
    }

    /// A counter that moves whenever the configuration, an affiliation or the subject changes:
    /// a service compares it with the one it last saved.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// A room being created by `owner` (§10.1.1): owned by them and locked until they submit a
    /// configuration or accept the instant room.
    pub fn create(jid: BareJid, config: RoomConfig, owner: BareJid) -> Self {
        let mut room = Room::new(jid, config);
        room.affiliations.insert(owner, Affiliation::Owner);
        room.locked = true;
        room
    }

    /// The room's JID.
    pub fn jid(&self) -> &BareJid {
        &self.jid
    }

    /// The configuration.
    pub fn config(&self) -> &RoomConfig {
        &self.config
    }

    /// Whether the room waits for its creator's configuration.
    pub fn is_locked(&self) -> bool {
        self.locked
    }

    /// The subject, when one was set.
    pub fn subject(&self) -> Option<&Subject> {
        self.subject.as_ref()
    }

    /// `user`'s affiliation.
    pub fn affiliation(&self, user: &BareJid) -> Affiliation {
        self.affiliations.get(user).copied().unwrap_or_default()
    }

    /// Sets an affiliation directly, without notifying anyone (for loading a stored room).
    pub fn set_affiliation(&mut self, user: BareJid, affiliation: Affiliation) {
        self.revision += 1;
        if affiliation == Affiliation::None {
            self.affiliations.remove(&user);
        } else {
            self.affiliations.insert(user, affiliation);
        }
    }

    /// Every user with an affiliation other than `none`.
    pub fn affiliations(&self) -> impl Iterator<Item = (&BareJid, Affiliation)> {
        self.affiliations.iter().map(|(j, a)| (j, *a))
    }

    /// Owners, admins and members.
    pub fn members(&self) -> impl Iterator<Item = &BareJid> {
        self.affiliations
            .iter()
            .filter(|(_, a)| **a >= Affiliation::Member)
            .map(|(j, _)| j)
    }

    /// The occupants, by nick.
    pub fn occupants(&self) -> impl Iterator<Item = &Occupant> {
        self.occupants.values()
    }

    /// The occupant with `nick`.
    pub fn occupant(&self, nick: &str) -> Option<&Occupant> {
        self.occupants.get(nick)
    }

    /// The occupant whose real JID is `jid`.
    pub fn occupant_by_jid(&self, jid: &FullJid) -> Option<&Occupant> {
        self.nicks.get(jid).and_then(|n| self.occupants.get(n))
    }

    /// Whether `user` may read the room's history archive: members, and anyone currently in
    /// the room; in an open room anyone not banned.
    pub fn may_read_history(&self, user: &BareJid) -> bool {
        let affiliation = self.affiliation(user);
        affiliation >= Affiliation::Member
            || (affiliation != Affiliation::Outcast && !self.config.members_only)
            || self.occupants.values().any(|o| o.jid.to_bare() == *user)
    }

    /// Whether the room may be forgotten: nobody in it and not persistent (or never
    /// configured).
    pub fn is_disposable(&self) -> bool {
        self.occupants.is_empty() && (!self.config.persistent || self.locked)
    }

    fn standing(&self, jid: &FullJid) -> Standing {
        Standing {
            affiliation: self.affiliation(&jid.to_bare()),
            role: self.occupant_by_jid(jid).map_or(Role::None, |o| o.role),
        }
    }

    fn sees_jids(&self, viewer: Role) -> bool {
        self.config.whois == Whois::Anyone || viewer == Role::Moderator
    }

    fn occupant_jid(&self, nick: &str) -> Jid {
        // A nick came from a valid occupant JID, so this cannot fail.
        Jid::new(&format!("{}/{}", self.jid, nick)).unwrap_or_else(|_| self.jid.clone().into())
    }

    /// A new stanza-id, unique within this room (XEP-0359).
    fn next_stanza_id(&mut self, now: DateTime) -> String {
        self.next_id += 1;
        format!("{}-{}", now.0.timestamp_micros(), self.next_id)
    }

    /// Handles one stanza addressed to the room (`to` is its bare JID or an occupant JID),
    /// from a real full JID. Everything the room sends is appended to `fx`.
    pub fn handle(
        &mut self,
        stanza: Element,
        now: DateTime,
        hooks: &mut dyn RoomHooks,
        fx: &mut Effects,
    ) {
        let from = stanza.attr("from").and_then(|f| f.parse::<FullJid>().ok());
        let nick = stanza
            .attr("to")
            .and_then(|t| t.parse::<Jid>().ok())
            .and_then(|t| t.resource().map(|r| r.as_str().to_owned()));
        let Some(from) = from else {
            return fx.error(&stanza, DefinedCondition::BadRequest);
        };
        let type_ = stanza.attr("type").unwrap_or("");
        let is_error = type_ == "error";
        if self.locked && self.affiliation(&from.to_bare()) != Affiliation::Owner {
            // Only requests are answered: unavailable presence and errors are dropped.
            let request = match stanza.name() {
                "presence" => type_.is_empty(),
                _ => !is_error && type_ != "result",
            };
            if request {
                self.refuse(&stanza, nick.as_deref(), DefinedCondition::ItemNotFound, fx);
            }
            return;
        }
        match (stanza.name(), nick) {
            ("presence", Some(nick)) => self.on_presence(from, nick, &stanza, now, fx),
            ("presence", None) if type_.is_empty() => {
                fx.error(&stanza, DefinedCondition::JidMalformed)
            }
            ("presence", None) => {}
            ("message", None) => self.on_room_message(from, &stanza, now, hooks, fx),
            ("message", Some(nick)) => self.on_private_message(from, &nick, &stanza, fx),
            ("iq", None) => self.on_room_iq(from, &stanza, now, hooks, fx),
            ("iq", Some(nick)) => self.on_occupant_iq(from, &nick, &stanza, fx),
            _ => {}
        }
        if self.is_disposable() {
            fx.destroyed = true;
        }
    }

    /// `jid` went offline (its session ended): it leaves the room as if it had sent
    /// unavailable presence.
    pub fn disconnected(&mut self, jid: &FullJid, fx: &mut Effects) {
        if let Some(nick) = self.nicks.get(jid).cloned() {
            self.exit(&nick, Vec::new(), None, fx);
        }
        if self.is_disposable() {
            fx.destroyed = true;
        }
    }

    /// Removes every occupant with status 332 (service shut down, §14.2).
    pub fn shutdown(&mut self, fx: &mut Effects) {
        let nicks: Vec<String> = self.occupants.keys().cloned().collect();
        for nick in nicks {
            self.remove_only_self(&nick, vec![crate::status::SHUTDOWN], None, fx);
        }
    }

    /// An error for a stanza the room refuses; join attempts get the error presence of §7.2.
    fn refuse(
        &self,
        stanza: &Element,
        nick: Option<&str>,
        condition: DefinedCondition,
        fx: &mut Effects,
    ) {
        if stanza.name() == "presence" {
            if let Some(nick) = nick {
                return self.join_error(stanza, nick, condition, fx);
            }
        }
        fx.error(stanza, condition);
    }
}
