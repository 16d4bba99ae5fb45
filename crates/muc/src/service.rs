//! The MUC service (§6.1–6.3, §10.1.1): routes each stanza to its room, creates rooms on first
//! entry under the creation policy, answers disco at the service JID, and keeps which real JIDs
//! sit in which rooms so that a disconnection empties them all.

use crate::config::RoomConfig;
use crate::hooks::RoomHooks;
use crate::ns;
use crate::room::{Effects, Room};
use crate::store::{RoomStore, StoreError};
use minidom::Element;
use std::collections::{BTreeSet, HashMap, VecDeque};
use xmppkit_jid::{BareJid, FullJid, Jid};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::disco::{DiscoInfo, DiscoItems, Identity, Item};
use xmppkit_stanza::{
    error_reply, ns as stanza_ns, DefinedCondition, Iq, IqPayload, Outgoing, StanzaError,
};

/// Who may create rooms (§10.1.1); with `Nobody`, rooms are made by the application
/// ([`Service::insert_room`]).
pub type CreatePolicy = xmppkit_jid::route::Admission;

/// Service settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfig {
    /// Name shown in disco.
    pub name: String,
    /// Who may create rooms.
    pub create: CreatePolicy,
    /// The configuration of new rooms.
    pub default_room: RoomConfig,
    /// The most rooms at once.
    pub max_rooms: usize,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            name: "Chatrooms".into(),
            create: CreatePolicy::Anyone,
            default_room: RoomConfig::default(),
            max_rooms: 100_000,
        }
    }
}

/// A MUC service at one domain (e.g. `conference.example.org`), sans-IO: stanzas addressed to
/// the service or its rooms go in with [`Service::handle_stanza`], the stanzas to route come out
/// of [`Service::poll_transmit`].
///
/// ```
/// use xmppkit_muc::{Service, ServiceConfig};
/// let now = "2002-10-13T23:58:37Z".parse().unwrap();
/// let mut muc = Service::new("chat.shakespeare.lit".parse().unwrap(), ServiceConfig::default(), ());
/// // §10.1.1: the first entry creates the room, locked, with status 201.
/// muc.handle_stanza("<presence xmlns='jabber:client' from='crone1@shakespeare.lit/desktop' \
///     to='coven@chat.shakespeare.lit/firstwitch'><x xmlns='http://jabber.org/protocol/muc'/></presence>"
///     .parse().unwrap(), now);
/// let presence = muc.poll_transmit().unwrap();
/// assert!(String::from(&presence).contains("code='201'"));
/// assert!(muc.room(&"coven@chat.shakespeare.lit".parse().unwrap()).unwrap().is_locked());
/// ```
#[derive(Debug)]
pub struct Service<H: RoomHooks = ()> {
    jid: BareJid,
    config: ServiceConfig,
    rooms: HashMap<BareJid, Room>,
    sitting: HashMap<FullJid, BTreeSet<BareJid>>,
    out: VecDeque<Outgoing>,
    hooks: H,
    persistence: Option<Persistence>,
}

/// The store of persistent rooms and what was last written to it.
struct Persistence {
    store: Box<dyn RoomStore + Send>,
    /// The revision each stored room was written at.
    written: HashMap<BareJid, u64>,
}

impl std::fmt::Debug for Persistence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persistence")
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl<H: RoomHooks> Service<H> {
    /// A service at `jid` (a domain) with these hooks (`()` for none).
    pub fn new(jid: BareJid, config: ServiceConfig, hooks: H) -> Self {
        Service {
            jid,
            config,
            rooms: HashMap::new(),
            sitting: HashMap::new(),
            out: VecDeque::new(),
            hooks,
            persistence: None,
        }
    }

    /// Keeps persistent rooms in `store`: loads the rooms saved for this service (empty,
    /// unlocked), then writes a persistent room whenever its configuration, an affiliation or
    /// its subject changes, and removes it when it is destroyed or made temporary. A write that
    /// fails turns the answer to the request that caused it into `internal-server-error`
    /// (the change stays in memory and is written with the room's next change).
    pub fn with_store(mut self, store: Box<dyn RoomStore + Send>) -> Result<Self, StoreError> {
        let mut written = HashMap::new();
        for saved in store.load(&self.jid)? {
            let room = Room::restore(saved);
            written.insert(room.jid().clone(), room.revision());
            self.rooms.insert(room.jid().clone(), room);
        }
        self.persistence = Some(Persistence { store, written });
        Ok(self)
    }

    /// The service JID.
    pub fn jid(&self) -> &BareJid {
        &self.jid
    }

    /// The hooks.
    pub fn hooks(&self) -> &H {
        &self.hooks
    }

    /// The room at `jid`.
    pub fn room(&self, jid: &BareJid) -> Option<&Room> {
        self.rooms.get(jid)
    }

    /// Every room.
    pub fn rooms(&self) -> impl Iterator<Item = &Room> {
        self.rooms.values()
    }

    /// Adds a room made by the application (e.g. loaded from storage). It replaces any room
    /// with the same JID.
    pub fn insert_room(&mut self, room: Room) {
        self.rooms.insert(room.jid().clone(), room);
    }

    /// The next stanza to route, addressed (a fan-out is handed out one tree per recipient).
    pub fn poll_transmit(&mut self) -> Option<Element> {
        loop {
            match self.out.front_mut()? {
                Outgoing::FanOut(fan) => match fan.next_addressed() {
                    Some(stanza) => return Some(stanza),
                    None => {
                        self.out.pop_front();
                    }
                },
                Outgoing::Stanza(_) | Outgoing::Raw(_) => match self.out.pop_front() {
                    Some(Outgoing::Stanza(stanza)) => return Some(stanza),
                    Some(Outgoing::Raw(raw)) => {
                        if let Ok(stanza) = raw.into_element() {
                            return Some(stanza);
                        }
                    }
                    _ => return None,
                },
            }
        }
    }

    /// The next stanza or fan-out to route, as the service built it: a room's message to its
    /// occupants comes out once, serialized once, for a server to write per recipient.
    pub fn poll_outgoing(&mut self) -> Option<Outgoing> {
        self.out.pop_front()
    }

    /// Stanzas waiting in [`Service::poll_transmit`] (a fan-out counts once per recipient).
    pub fn pending(&self) -> usize {
        self.out
            .iter()
            .map(|o| match o {
                Outgoing::Stanza(_) | Outgoing::Raw(_) => 1,
                Outgoing::FanOut(fan) => fan.recipients().len(),
            })
            .sum()
    }

    /// A stanza addressed to the service or one of its rooms.
    pub fn handle_stanza(&mut self, stanza: Element, now: DateTime) {
        let Some(to) = stanza.attr("to").and_then(|t| t.parse::<Jid>().ok()) else {
            return self.error(&stanza, DefinedCondition::JidMalformed);
        };
        let room_jid = to.to_bare();
        if room_jid.node().is_none() {
            return self.on_service(&stanza);
        }
        match self.rooms.get_mut(&room_jid) {
            Some(room) => {
                // Presence never changes what a room keeps; iq and messages may.
                let request = (self.persistence.is_some() && stanza.name() != "presence")
                    .then(|| headers(&stanza));
                let mut fx = Effects {
                    stanzas: std::mem::take(&mut self.out),
                    ..Effects::default()
                };
                room.handle(stanza, now, &mut self.hooks, &mut fx);
                self.persist(&room_jid, request.as_ref(), &mut fx);
                self.apply(&room_jid, fx);
            }
            None => {
                let creating = stanza.name() == "presence"
                    && stanza.attr("type").is_none()
                    && stanza.get_child("x", ns::MUC).is_some();
                if !creating {
                    if stanza.attr("type") != Some("error") && stanza.name() != "presence" {
                        self.error(&stanza, DefinedCondition::ItemNotFound);
                    }
                    return;
                }
                let from = stanza.attr("from").and_then(|f| f.parse::<FullJid>().ok());
                let (Some(from), Some(nick)) = (from, to.resource()) else {
                    return self.error(&stanza, DefinedCondition::JidMalformed);
                };
                if !self.config.create.admits(&from.clone().into()) {
                    return self.error(&stanza, DefinedCondition::NotAllowed);
                }
                if self.rooms.len() >= self.config.max_rooms {
                    return self.error(&stanza, DefinedCondition::ResourceConstraint);
                }
                let nick = nick.as_str().to_owned();
                let mut room = Room::create(
                    room_jid.clone(),
                    self.config.default_room.clone(),
                    from.to_bare(),
                );
                let mut fx = Effects {
                    stanzas: std::mem::take(&mut self.out),
                    ..Effects::default()
                };
                room.enter(from, nick, &stanza, now, true, &mut fx);
                self.rooms.insert(room_jid.clone(), room);
                self.apply(&room_jid, fx);
            }
        }
    }

    /// `jid`'s session ended: it leaves every room it was in.
    pub fn disconnected(&mut self, jid: &FullJid) {
        let Some(rooms) = self.sitting.remove(jid) else {
            return;
        };
        for room_jid in rooms {
            let mut fx = Effects::default();
            if let Some(room) = self.rooms.get_mut(&room_jid) {
                room.disconnected(jid, &mut fx);
            }
            self.apply(&room_jid, fx);
        }
    }

    /// The service stops: every occupant is told (status 332) and leaves.
    pub fn shutdown(&mut self) {
        let jids: Vec<BareJid> = self.rooms.keys().cloned().collect();
        for room_jid in jids {
            let mut fx = Effects::default();
            if let Some(room) = self.rooms.get_mut(&room_jid) {
                room.shutdown(&mut fx);
            }
            fx.destroyed = false;
            self.apply(&room_jid, fx);
        }
    }

    /// Writes the room at `room_jid` to the store when what it keeps changed, or removes it
    /// when it is gone or no longer persistent. On failure, `request`'s answer in `fx` becomes
    /// `internal-server-error`.
    fn persist(&mut self, room_jid: &BareJid, request: Option<&Element>, fx: &mut Effects) {
        let Some(persistence) = self.persistence.as_mut() else {
            return;
        };
        let room = self.rooms.get(room_jid);
        let keep = room.filter(|r| !fx.destroyed && r.config().persistent && !r.is_locked());
        let written = persistence.written.get(room_jid).copied();
        let done = match (keep, written) {
            (Some(room), w) if w != Some(room.revision()) => persistence
                .store
                .save(&room.saved())
                .map(|()| Some(room.revision())),
            (None, Some(_)) => persistence.store.remove(room_jid).map(|()| None),
            _ => return,
        };
        match done {
            Ok(Some(revision)) => {
                persistence.written.insert(room_jid.clone(), revision);
            }
            Ok(None) => {
                persistence.written.remove(room_jid);
            }
            Err(_) => {
                let Some(request) = request else { return };
                let failed = StanzaError::new(DefinedCondition::InternalServerError);
                let answer = fx
                    .stanzas
                    .iter_mut()
                    .rev()
                    .find_map(|s| match s {
                        Outgoing::Stanza(s) => Some(s),
                        Outgoing::FanOut(_) | Outgoing::Raw(_) => None,
                    })
                    .filter(|s| {
                        s.is("iq", stanza_ns::CLIENT)
                            && s.attr("type") == Some("result")
                            && s.attr("id") == request.attr("id")
                            && s.attr("to") == request.attr("from")
                    });
                match (answer, error_reply(request, &failed)) {
                    (Some(answer), Some(error)) => *answer = error,
                    (None, Some(error)) => fx.push(error),
                    _ => {}
                }
            }
        }
    }

    /// Takes in what a room did; `fx.stanzas` was the outgoing queue itself (taken so that a
    /// fan-out to thousands of occupants is written once, in place).
    fn apply(&mut self, room_jid: &BareJid, fx: Effects) {
        if self.out.is_empty() {
            self.out = fx.stanzas;
        } else {
            self.out.extend(fx.stanzas);
        }
        for jid in fx.entered {
            self.sitting
                .entry(jid)
                .or_default()
                .insert(room_jid.clone());
        }
        for jid in fx.exited {
            if let Some(rooms) = self.sitting.get_mut(&jid) {
                rooms.remove(room_jid);
                if rooms.is_empty() {
                    self.sitting.remove(&jid);
                }
            }
        }
        if fx.destroyed && self.rooms.remove(room_jid).is_some() {
            self.hooks.on_destroyed(room_jid);
        }
    }

    fn error(&mut self, stanza: &Element, condition: DefinedCondition) {
        if let Some(reply) = error_reply(stanza, &StanzaError::new(condition)) {
            self.out.push_back(Outgoing::Stanza(reply));
        }
    }

    /// §6.1–6.3: disco#info and disco#items (the public rooms) of the service.
    fn on_service(&mut self, stanza: &Element) {
        if stanza.name() != "iq" {
            if stanza.name() == "message" {
                self.error(stanza, DefinedCondition::ServiceUnavailable);
            }
            return;
        }
        let Ok(iq) = Iq::try_from(stanza.clone()) else {
            return self.error(stanza, DefinedCondition::BadRequest);
        };
        let IqPayload::Get(query) = &iq.payload else {
            if matches!(iq.payload, IqPayload::Set(_)) {
                self.error(stanza, DefinedCondition::ServiceUnavailable);
            }
            return;
        };
        let answer: Element = match query.ns().as_str() {
            stanza_ns::DISCO_INFO => {
                let mut identity = Identity::new("conference", "text");
                identity.name = Some(self.config.name.clone());
                let features = [
                    stanza_ns::DISCO_INFO,
                    stanza_ns::DISCO_ITEMS,
                    ns::MUC,
                    ns::STABLE_ID,
                ];
                DiscoInfo {
                    identities: vec![identity],
                    features: features.iter().map(|f| (*f).to_owned()).collect(),
                    ..DiscoInfo::default()
                }
                .into()
            }
            stanza_ns::DISCO_ITEMS => {
                let mut items: Vec<Item> = self
                    .rooms
                    .values()
                    .filter(|r| r.config().public && !r.is_locked())
                    .map(|r| Item {
                        jid: r.jid().clone().into(),
                        node: None,
                        name: Some(r.disco_name()),
                    })
                    .collect();
                items.sort_by(|a, b| a.jid.as_str().cmp(b.jid.as_str()));
                DiscoItems {
                    items,
                    ..DiscoItems::default()
                }
                .into()
            }
            _ => return self.error(stanza, DefinedCondition::ServiceUnavailable),
        };
        self.out
            .push_back(Outgoing::Stanza(iq.result(Some(answer)).into()));
    }
}

/// A stanza's name and addressing without its payload: enough to answer it with an error.
fn headers(stanza: &Element) -> Element {
    let mut copy = Element::builder(stanza.name(), stanza.ns()).build();
    for attr in ["from", "to", "id", "type"] {
        if let Some(value) = stanza.attr(attr) {
            xmppkit_stanza::set_attr(&mut copy, attr, value.to_owned());
        }
    }
    copy
}
