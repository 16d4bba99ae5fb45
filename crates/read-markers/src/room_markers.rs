//! The seed's room read markers (`urn:xmpp:read-markers`, IQs at a room's bare JID) on the
//! read-state engine: an ack moves the member's position to a message of the room's archive
//! (forward only), a query answers that message, when it was read, and how many messages of
//! others follow it and the member's own last one, counted from the archive. Wire-compatible
//! with [`ReadMarkers`](crate::ReadMarkers), with one difference: an ack must name a message
//! the room archived (an unknown id is `item-not-found`), since a position is a place in the
//! archive.

use crate::payload::{LastMessage, Marker};
use crate::read_state::{Conversation, ReadState, ReadStateError, Upto};
use crate::room_request::{room_request, RoomRequest};
use crate::{PositionStore, Rooms};
use xmppkit_jid::BareJid;
use xmppkit_mam::Archive;
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::{DefinedCondition, Iq, StanzaError};

impl<P: PositionStore> ReadState<P> {
    /// `user`'s marker in `room`, in the seed's terms.
    pub fn room_marker(
        &self,
        archive: &dyn Archive,
        room: &BareJid,
        user: &BareJid,
    ) -> Result<Marker, ReadStateError> {
        let conversation = Conversation::Room(room.clone());
        let last = self.position(user, &conversation)?.map(|p| LastMessage {
            id: p.id,
            seen_at: p.at,
        });
        Ok(Marker {
            last,
            unseen: self.unread(archive, user, &conversation)?,
        })
    }

    /// An IQ to a room's bare JID: `None` when it is not a read-markers request (route it on),
    /// else the answer. An ack is answered `result` once stored; an older one leaves the
    /// position and is answered `result` too.
    pub fn handle_room_iq(
        &mut self,
        archive: &dyn Archive,
        rooms: &impl Rooms,
        iq: &Iq,
        now: DateTime,
    ) -> Option<Iq> {
        let failed = |e: ReadStateError| match e {
            ReadStateError::UnknownMessage { .. } => DefinedCondition::ItemNotFound,
            _ => DefinedCondition::InternalServerError,
        };
        let answer = match room_request(iq, rooms)? {
            Ok(RoomRequest::Ack { room, user, id }) => self
                .ack(
                    archive,
                    &user,
                    &Conversation::Room(room),
                    Upto::Message(&id),
                    now,
                )
                .map(|_| None)
                .map_err(failed),
            Ok(RoomRequest::Query { room, target }) => self
                .room_marker(archive, &room, &target)
                .map(|marker| Some(marker.into()))
                .map_err(failed),
            Err(condition) => Err(condition),
        };
        Some(match answer {
            Ok(payload) => iq.result(payload),
            Err(condition) => iq.error(StanzaError::new(condition)),
        })
    }
}
