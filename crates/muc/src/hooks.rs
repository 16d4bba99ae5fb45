//! The seam through which other engines take part in a room without the room knowing them:
//! they see each accepted groupchat message and may answer IQs sent to the room's bare JID
//! (e.g. MAM queries of the room archive, read-marker acks), and add disco features.

use crate::Room;
use minidom::Element;
use xmppkit_jid::BareJid;
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::Iq;

/// What a room calls out to. Every method has a do-nothing default; `()` is the empty hook and a
/// pair `(A, B)` calls `A` then `B`.
pub trait RoomHooks {
    /// Disco#info features the hook serves on each room.
    fn features(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// `room` accepted `message` (as broadcast: from the sender's occupant JID, stamped with the
    /// room's `stanza-id` `id`, no `to`) from the occupant with real JID `sender`.
    fn on_groupchat(
        &mut self,
        room: &Room,
        sender: &BareJid,
        message: &Element,
        id: &str,
        now: DateTime,
    ) {
        let _ = (room, sender, message, id, now);
    }

    /// An IQ to the room's bare JID that the room does not serve itself. `None` when not for this
    /// hook; else the stanzas to send (addressed).
    fn on_iq(&mut self, room: &Room, iq: &Iq, now: DateTime) -> Option<Vec<Element>> {
        let _ = (room, iq, now);
        None
    }

    /// `room` was destroyed.
    fn on_destroyed(&mut self, room: &BareJid) {
        let _ = room;
    }
}

impl RoomHooks for () {}

impl<A: RoomHooks, B: RoomHooks> RoomHooks for (A, B) {
    fn features(&self) -> Vec<&'static str> {
        let mut all = self.0.features();
        all.extend(self.1.features());
        all
    }

    fn on_groupchat(
        &mut self,
        room: &Room,
        sender: &BareJid,
        message: &Element,
        id: &str,
        now: DateTime,
    ) {
        self.0.on_groupchat(room, sender, message, id, now);
        self.1.on_groupchat(room, sender, message, id, now);
    }

    fn on_iq(&mut self, room: &Room, iq: &Iq, now: DateTime) -> Option<Vec<Element>> {
        self.0
            .on_iq(room, iq, now)
            .or_else(|| self.1.on_iq(room, iq, now))
    }

    fn on_destroyed(&mut self, room: &BareJid) {
        self.0.on_destroyed(room);
        self.1.on_destroyed(room);
    }
}

/// XEP-0313 for rooms: archives each groupchat message under the room's stanza-id and answers
/// MAM queries at the room JID from members and occupants (feature `mam`).
#[cfg(feature = "mam")]
#[derive(Debug, Default)]
pub struct MamHook<A>(pub xmppkit_mam::Mam<A>);

#[cfg(feature = "mam")]
impl<A: xmppkit_mam::Archive> RoomHooks for MamHook<A> {
    fn features(&self) -> Vec<&'static str> {
        vec![
            xmppkit_mam::NS,
            xmppkit_mam::fulltext::NS_FULLTEXT,
            xmppkit_stanza::ns::SID,
        ]
    }

    fn on_groupchat(
        &mut self,
        room: &Room,
        sender: &BareJid,
        message: &Element,
        id: &str,
        now: DateTime,
    ) {
        let Some(with) = message.attr("from").and_then(|f| f.parse().ok()) else {
            return;
        };
        // A storage failure loses the archive copy, never the live message.
        let _ = self
            .0
            .store_room(room.jid(), &with, sender, message, id.to_owned(), now);
    }

    fn on_iq(&mut self, room: &Room, iq: &Iq, _now: DateTime) -> Option<Vec<Element>> {
        let mut out = self
            .0
            .handle_iq(iq, xmppkit_mam::ArchiveKind::Room, |who| {
                room.may_read_history(who)
            })?;
        // Results come from the room.
        for stanza in &mut out {
            xmppkit_stanza::set_attr(stanza, "from", room.jid().to_string());
        }
        Some(out)
    }
}

/// Room read markers (`urn:xmpp:read-markers`): counts each groupchat message for the room's
/// members and answers ack and query IQs (feature `read-markers`).
#[cfg(feature = "read-markers")]
#[derive(Debug, Default)]
pub struct ReadMarkersHook<S>(pub xmppkit_read_markers::ReadMarkers<S>);

#[cfg(feature = "read-markers")]
impl xmppkit_read_markers::Rooms for Room {
    fn exists(&self, room: &BareJid) -> bool {
        room == self.jid()
    }

    fn members(&self, room: &BareJid) -> Vec<BareJid> {
        if room == self.jid() {
            self.members().cloned().collect()
        } else {
            Vec::new()
        }
    }
}

#[cfg(feature = "read-markers")]
impl<S: xmppkit_read_markers::ReadMarkerStore> RoomHooks for ReadMarkersHook<S> {
    fn features(&self) -> Vec<&'static str> {
        vec![xmppkit_read_markers::NS]
    }

    fn on_groupchat(
        &mut self,
        room: &Room,
        sender: &BareJid,
        message: &Element,
        _id: &str,
        now: DateTime,
    ) {
        // A storage failure loses a count, never the live message.
        let _ = self.0.on_groupchat(room, room.jid(), sender, message, now);
    }

    fn on_iq(&mut self, room: &Room, iq: &Iq, now: DateTime) -> Option<Vec<Element>> {
        self.0
            .handle_iq(room, iq, now)
            .map(|answer| vec![answer.into()])
    }
}

/// Room read markers (`urn:xmpp:read-markers`) on the read-state engine (feature
/// `read-markers` with `mam`): nothing is written for a room message (what a member wrote reads
/// what came before it, from the archive's authors); an ack moves the member's position in the
/// room's archive, and a query counts what others wrote after it and after the member's own
/// last message. `archive` is a handle on
/// the archive the room's [`MamHook`] writes (run this hook after it).
#[cfg(all(feature = "read-markers", feature = "mam"))]
#[derive(Debug)]
pub struct ReadStateHook<A, P> {
    /// The engine.
    pub state: xmppkit_read_markers::ReadState<P>,
    /// The rooms' archive.
    pub archive: A,
}

#[cfg(all(feature = "read-markers", feature = "mam"))]
impl<A: xmppkit_mam::Archive, P: xmppkit_read_markers::PositionStore> RoomHooks
    for ReadStateHook<A, P>
{
    fn features(&self) -> Vec<&'static str> {
        vec![xmppkit_read_markers::NS]
    }

    fn on_iq(&mut self, room: &Room, iq: &Iq, now: DateTime) -> Option<Vec<Element>> {
        self.state
            .handle_room_iq(&self.archive, room, iq, now)
            .map(|answer| vec![answer.into()])
    }
}
