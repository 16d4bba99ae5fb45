//! The server side: counting each accepted groupchat message for the room's members, and the
//! `ack` / `query` IQs at the room's bare JID with every error case (bad-request, item-not-found,
//! forbidden, internal-server-error).

use crate::payload::{Marker, NS};
use crate::room_request::{room_request, RoomRequest};
use crate::store::{ReadMarkerStore, StoreError};
use minidom::Element;
use xmppkit_jid::BareJid;
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::sid::stanza_id_by;
use xmppkit_stanza::{has_body, DefinedCondition, Iq, StanzaError};

/// What the engine needs to know about rooms (the MUC engine provides it).
pub trait Rooms {
    /// Whether `room` exists.
    fn exists(&self, room: &BareJid) -> bool;
    /// The members who count: affiliation owner, admin or member (not outcasts, not `none`),
    /// online or not.
    fn members(&self, room: &BareJid) -> Vec<BareJid>;
}

/// The read-markers engine over a store.
///
/// ```
/// use xmppkit_jid::BareJid;
/// use xmppkit_read_markers::{MemoryStore, ReadMarkers, Rooms};
/// struct OneRoom;
/// impl Rooms for OneRoom {
///     fn exists(&self, room: &BareJid) -> bool { room.as_str() == "room@muc.example" }
///     fn members(&self, _: &BareJid) -> Vec<BareJid> {
///         vec!["a@example".parse().unwrap(), "b@example".parse().unwrap()]
///     }
/// }
/// let engine = ReadMarkers::new(MemoryStore::default());
/// let room: BareJid = "room@muc.example".parse().unwrap();
/// let now = "2018-08-06T11:58:37.651721Z".parse().unwrap();
/// let message: minidom::Element = "<message xmlns='jabber:client' type='groupchat'><body>hi</body>\
///     <stanza-id xmlns='urn:xmpp:sid:0' by='room@muc.example' id='17'/></message>".parse().unwrap();
/// engine.on_groupchat(&OneRoom, &room, &"a@example".parse().unwrap(), &message, now).unwrap();
/// let b = engine.marker(&room, &"b@example".parse().unwrap()).unwrap();
/// assert_eq!(b.unseen, 1);
/// ```
#[derive(Debug, Default)]
pub struct ReadMarkers<S> {
    store: S,
}

impl<S: ReadMarkerStore> ReadMarkers<S> {
    /// An engine over `store`.
    pub fn new(store: S) -> Self {
        ReadMarkers { store }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The feature to list in the room's disco#info.
    pub fn feature() -> &'static str {
        NS
    }

    /// `room` accepted `message` (type groupchat) from the member `sender` (real bare JID):
    /// counts it. Messages without a body (chat states, markers) do not count. The id is the
    /// room's `stanza-id` (by = the room), else the message `id`. Returns whether it counted.
    pub fn on_groupchat(
        &self,
        rooms: &impl Rooms,
        room: &BareJid,
        sender: &BareJid,
        message: &Element,
        now: DateTime,
    ) -> Result<bool, StoreError> {
        if message.attr("type") != Some("groupchat") || !has_body(message) {
            return Ok(false);
        }
        let id = stanza_id_by(message, room)
            .or_else(|| message.attr("id"))
            .filter(|id| !id.is_empty());
        let Some(id) = id else { return Ok(false) };
        let others: Vec<BareJid> = rooms
            .members(room)
            .into_iter()
            .filter(|m| m != sender)
            .collect();
        self.store.message(room, sender, id, now, &others)?;
        Ok(true)
    }

    /// `user`'s marker in `room`.
    pub fn marker(&self, room: &BareJid, user: &BareJid) -> Result<Marker, StoreError> {
        let record = self.store.get(room, user)?;
        Ok(Marker {
            last: record.last,
            unseen: record.unseen,
        })
    }

    /// An IQ to a room's bare JID: `None` when it is not a read-markers request (route it on),
    /// else the answer. An ack is answered `result` only once stored.
    pub fn handle_iq(&self, rooms: &impl Rooms, iq: &Iq, now: DateTime) -> Option<Iq> {
        let answer = match room_request(iq, rooms)? {
            Ok(RoomRequest::Ack { room, user, id }) => self
                .store
                .ack(&room, &user, &id, now)
                .map(|()| None)
                .map_err(|_| DefinedCondition::InternalServerError),
            Ok(RoomRequest::Query { room, target }) => self
                .marker(&room, &target)
                .map(|marker| Some(marker.into()))
                .map_err(|_| DefinedCondition::InternalServerError),
            Err(condition) => Err(condition),
        };
        Some(match answer {
            Ok(payload) => iq.result(payload),
            Err(condition) => iq.error(StanzaError::new(condition)),
        })
    }
}
