//! The client rules of XEP-0333 §4–§5: which id a marker names (the message `id` in a 1:1 chat,
//! the room's XEP-0359 `stanza-id` in a group chat), never marking one's own or unmarkable
//! messages or markers, and markers that only move forward.

use crate::payload::{Markable, Marker, MarkerKind, NS};
use minidom::Element;
use std::collections::HashMap;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_stanza::sid::stanza_id_by;
use xmppkit_stanza::Payload;
use xmppkit_stanza::{ns, set_attr};

/// Where a message was received.
#[derive(Debug, Clone, Copy)]
pub enum Chat<'a> {
    /// A 1:1 chat.
    Direct,
    /// A group chat in `room`, where we are `own_nick`; `stanza_ids`: the room announces
    /// `urn:xmpp:sid:0` (without it a `stanza-id` "by" the room is spoofed and ignored).
    Room {
        /// The room's bare JID.
        room: &'a BareJid,
        /// Our nickname in it.
        own_nick: &'a str,
        /// Whether the room announces XEP-0359.
        stanza_ids: bool,
    },
}

/// The id a `<displayed/>` for `message` must carry, or `None` when it must not be marked: it is
/// not markable, it is itself a marker, we sent it (from our own account in a 1:1 chat, from our
/// nick in a room, or a carbon of our own), or, in a room, it has no trustworthy stanza-id.
///
/// ```
/// use xmppkit_markers::{id_to_mark, Chat};
/// let own = "juliet@capulet.lit".parse().unwrap();
/// let message: minidom::Element = "<message xmlns='jabber:client' to='juliet@capulet.lit' \
///     from='romeo@montegue.lit/orchard' id='the-msg-1'><body>Hi. How are you?</body>\
///     <markable xmlns='urn:xmpp:chat-markers:0'/></message>".parse().unwrap();
/// assert_eq!(id_to_mark(&message, &own, Chat::Direct).as_deref(), Some("the-msg-1"));
/// ```
pub fn id_to_mark(message: &Element, own: &BareJid, chat: Chat<'_>) -> Option<String> {
    if message.name() != "message"
        || message.attr("type") == Some("error")
        || !message.has_child(Markable::NAME, NS)
        || Marker::find(message).is_some()
    {
        return None;
    }
    let from = message.attr("from")?.parse::<Jid>().ok()?;
    match chat {
        Chat::Direct => {
            if from.to_bare() == *own {
                return None;
            }
            message
                .attr("id")
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
        }
        Chat::Room {
            room,
            own_nick,
            stanza_ids,
        } => {
            if from.to_bare() != *room
                || from.resource().is_some_and(|r| r.as_str() == own_nick)
                || !stanza_ids
            {
                return None;
            }
            stanza_id_by(message, room)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
        }
    }
}

/// The message carrying `marker` to `to` (the peer's bare JID, or the room's bare JID with
/// `groupchat`). A marker message has no body and is never markable itself (§4.2: no loops).
///
/// ```
/// use xmppkit_markers::{marker_message, Marker, MarkerKind};
/// let m = marker_message("romeo@montegue.lit".parse().unwrap(),
///     Marker { kind: MarkerKind::Displayed, id: "the-msg-1".into() }, false);
/// assert_eq!(xmppkit_codec::to_string(&m), "<message xmlns='jabber:client' to='romeo@montegue.lit'>\
///     <displayed xmlns='urn:xmpp:chat-markers:0' id='the-msg-1'/></message>");
/// ```
pub fn marker_message(to: Jid, marker: Marker, groupchat: bool) -> Element {
    let mut message = Element::builder("message", ns::CLIENT).build();
    set_attr(&mut message, "to", to.to_string());
    if groupchat {
        set_attr(&mut message, "type", "groupchat");
    }
    message.append_child(marker.into());
    message
}

/// One conversation seen by a client: the order of its messages (by the id a marker would name),
/// our own displayed marker and each peer's, all moving forward only (§5).
///
/// ```
/// use xmppkit_markers::{Conversation, Marker, MarkerKind};
/// let mut chat = Conversation::default();
/// chat.record("m1");
/// chat.record("m2");
/// assert!(chat.displayed("m2").is_some());
/// assert!(chat.displayed("m1").is_none()); // never backwards
/// let peer = Marker { kind: MarkerKind::Displayed, id: "m1".into() };
/// assert!(chat.on_marker("romeo@montegue.lit", &peer));
/// assert_eq!(chat.read_up_to("romeo@montegue.lit"), Some("m1"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Conversation {
    positions: HashMap<String, u64>,
    ids: Vec<String>,
    ours: Option<u64>,
    peers: HashMap<String, u64>,
}

impl Conversation {
    /// A message of this conversation, in order (incoming or outgoing). A repeated id keeps its
    /// first place.
    pub fn record(&mut self, id: &str) {
        if !self.positions.contains_key(id) {
            self.positions.insert(id.to_owned(), self.ids.len() as u64);
            self.ids.push(id.to_owned());
        }
    }

    /// The user has seen everything up to `id`: the `<displayed/>` to send, when `id` is known and
    /// later than what we marked before (§4.2: only the most recent).
    pub fn displayed(&mut self, id: &str) -> Option<Marker> {
        let position = *self.positions.get(id)?;
        if self.ours.is_some_and(|ours| ours >= position) {
            return None;
        }
        self.ours = Some(position);
        Some(Marker {
            kind: MarkerKind::Displayed,
            id: id.to_owned(),
        })
    }

    /// A `<displayed/>` from `peer` (a bare JID, or an occupant's real JID or occupant id in a
    /// room): `true` when it moves that peer's marker forward; markers for unknown or older
    /// messages, and the older `received` / `acknowledged`, are ignored (§5).
    pub fn on_marker(&mut self, peer: &str, marker: &Marker) -> bool {
        if marker.kind != MarkerKind::Displayed {
            return false;
        }
        let Some(&position) = self.positions.get(&marker.id) else {
            return false;
        };
        match self.peers.get(peer) {
            Some(&current) if current >= position => false,
            _ => {
                self.peers.insert(peer.to_owned(), position);
                true
            }
        }
    }

    /// The last message `peer` has displayed.
    pub fn read_up_to(&self, peer: &str) -> Option<&str> {
        self.peers.get(peer).map(|&p| self.ids[p as usize].as_str())
    }
}
