//! The seed's room read markers (`urn:xmpp:read-markers`, IQs at a room's bare JID) on the
//! read-state engine: an ack moves the member's position to a message of the room's archive
//! (forward only), a query answers that message, when it was read, and how many messages of
//! others follow it, counted from the archive. Wire-compatible with
//! [`ReadMarkers`](crate::ReadMarkers), with one difference: an ack must name a message the room archived (an
//! unknown id is `item-not-found`), since a position is a place in the archive.

use crate::payload::{Ack, LastMessage, Marker, Query, NS};
use crate::read_state::{Conversation, ReadState, ReadStateError, Upto};
use crate::{PositionStore, Rooms};
use xmppkit_jid::BareJid;
use xmppkit_mam::Archive;
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::{DefinedCondition, Iq, IqPayload, StanzaError};

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
        let element = match &iq.payload {
            IqPayload::Get(e) | IqPayload::Set(e) if e.has_ns(NS) => e,
            _ => return None,
        };
        let room = match &iq.to {
            Some(to) if to.resource().is_none() => to.to_bare(),
            _ => return None,
        };
        let error = |condition| Some(iq.error(StanzaError::new(condition)));
        let failed = |e: ReadStateError| match e {
            ReadStateError::UnknownMessage { .. } => DefinedCondition::ItemNotFound,
            _ => DefinedCondition::InternalServerError,
        };
        let Some(requester) = iq.from.as_ref().map(|f| f.to_bare()) else {
            return error(DefinedCondition::BadRequest);
        };
        match &iq.payload {
            IqPayload::Set(_) => {
                let Ok(ack) = Ack::try_from(element.clone()) else {
                    return error(DefinedCondition::BadRequest);
                };
                if !rooms.exists(&room) {
                    return error(DefinedCondition::ItemNotFound);
                }
                let conversation = Conversation::Room(room);
                match self.ack(
                    archive,
                    &requester,
                    &conversation,
                    Upto::Message(&ack.id),
                    now,
                ) {
                    Ok(_) => Some(iq.result(None)),
                    Err(e) => error(failed(e)),
                }
            }
            _ => {
                let Ok(query) = Query::try_from(element.clone()) else {
                    return error(DefinedCondition::BadRequest);
                };
                if !rooms.exists(&room) {
                    return error(DefinedCondition::ItemNotFound);
                }
                let target = query.jid.unwrap_or_else(|| requester.clone());
                if target != requester && !rooms.members(&room).contains(&requester) {
                    return error(DefinedCondition::Forbidden);
                }
                match self.room_marker(archive, &room, &target) {
                    Ok(marker) => Some(iq.result(Some(marker.into()))),
                    Err(e) => error(failed(e)),
                }
            }
        }
    }
}
