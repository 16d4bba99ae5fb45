//! A `urn:xmpp:read-markers` request at a room's bare JID, checked once for both engines
//! (the counters of `ReadMarkers`, the positions of `ReadState`): which room, who asks, and
//! whose marker, with the error each bad request gets (bad-request, item-not-found,
//! forbidden).

use crate::payload::{Ack, Query, NS};
use crate::Rooms;
use xmppkit_jid::BareJid;
use xmppkit_stanza::{DefinedCondition, Iq, IqPayload};

/// A checked request.
pub(crate) enum RoomRequest {
    /// `user` read `room` up to message `id`.
    Ack {
        room: BareJid,
        user: BareJid,
        id: String,
    },
    /// The marker of `target` in `room` (the requester's own, or a member's asked by a member).
    Query { room: BareJid, target: BareJid },
}

/// `None` when `iq` is not a read-markers request to a room's bare JID (route it on); else
/// the request or the condition to answer with.
pub(crate) fn room_request(
    iq: &Iq,
    rooms: &impl Rooms,
) -> Option<Result<RoomRequest, DefinedCondition>> {
    let element = match &iq.payload {
        IqPayload::Get(e) | IqPayload::Set(e) if e.has_ns(NS) => e,
        _ => return None,
    };
    let room = match &iq.to {
        Some(to) if to.resource().is_none() => to.to_bare(),
        _ => return None,
    };
    let Some(requester) = iq.from.as_ref().map(|f| f.to_bare()) else {
        return Some(Err(DefinedCondition::BadRequest));
    };
    Some(match &iq.payload {
        IqPayload::Set(_) => match Ack::try_from(element.clone()) {
            Err(_) => Err(DefinedCondition::BadRequest),
            Ok(_) if !rooms.exists(&room) => Err(DefinedCondition::ItemNotFound),
            Ok(ack) => Ok(RoomRequest::Ack {
                room,
                user: requester,
                id: ack.id,
            }),
        },
        _ => match Query::try_from(element.clone()) {
            Err(_) => Err(DefinedCondition::BadRequest),
            Ok(_) if !rooms.exists(&room) => Err(DefinedCondition::ItemNotFound),
            Ok(query) => {
                let target = query.jid.unwrap_or_else(|| requester.clone());
                if target != requester && !rooms.members(&room).contains(&requester) {
                    Err(DefinedCondition::Forbidden)
                } else {
                    Ok(RoomRequest::Query { room, target })
                }
            }
        },
    })
}
