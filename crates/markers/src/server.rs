//! The server's view of XEP-0333: the latest `<displayed/>` per (user, conversation) and the
//! unread count of a conversation (the messages from others after that marker), behind a store
//! trait with an in-memory implementation.

use crate::payload::{Marker, MarkerKind};
use minidom::Element;
use std::collections::HashMap;
use xmppkit_jid::BareJid;
use xmppkit_stanza::has_body;
use xmppkit_stanza::sid::stanza_id_by;

/// A conversation: two accounts in a 1:1 chat (in either order), or a room.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConversationKey {
    /// A 1:1 chat; build it with [`ConversationKey::direct`].
    Direct(BareJid, BareJid),
    /// A group chat room.
    Room(BareJid),
}

impl ConversationKey {
    /// The 1:1 conversation between `a` and `b`, the same key whoever writes.
    pub fn direct(a: BareJid, b: BareJid) -> Self {
        if a <= b {
            ConversationKey::Direct(a, b)
        } else {
            ConversationKey::Direct(b, a)
        }
    }
}

/// Where the server keeps conversations' message order and users' markers.
pub trait MarkerStore {
    /// A message `id` from `sender` was delivered in `conversation`, after all earlier ones.
    fn append(&mut self, conversation: &ConversationKey, id: &str, sender: &BareJid);
    /// `user` displayed `conversation` up to `id`: moves the marker forward only; returns whether
    /// it moved (unknown ids and older messages leave it, XEP-0333 §5).
    fn set_displayed(&mut self, user: &BareJid, conversation: &ConversationKey, id: &str) -> bool;
    /// The id `user` displayed last in `conversation`.
    fn displayed(&self, user: &BareJid, conversation: &ConversationKey) -> Option<String>;
    /// Messages from others after `user`'s marker (all of them when there is none).
    fn unread(&self, user: &BareJid, conversation: &ConversationKey) -> u64;
}

/// Feeds one delivered message into `store`: a `<displayed/>` moves `sender`'s marker; a message
/// with a body is appended under its id (the room's `stanza-id` in a room, else its `id`).
/// Returns whether the store changed.
///
/// ```
/// use xmppkit_markers::{observe, ConversationKey, MarkerStore, MemoryMarkerStore};
/// let (romeo, juliet) = ("romeo@montegue.lit".parse().unwrap(), "juliet@capulet.lit".parse().unwrap());
/// let chat = ConversationKey::direct(romeo, juliet);
/// let ConversationKey::Direct(a, b) = &chat else { unreachable!() };
/// let (juliet, romeo) = (a.clone(), b.clone());
/// let mut store = MemoryMarkerStore::default();
/// let hi: minidom::Element = "<message xmlns='jabber:client' id='m1'><body>Hi</body></message>".parse().unwrap();
/// observe(&mut store, &chat, &romeo, &hi);
/// assert_eq!(store.unread(&juliet, &chat), 1);
/// let read: minidom::Element = "<message xmlns='jabber:client'><displayed xmlns='urn:xmpp:chat-markers:0' id='m1'/></message>".parse().unwrap();
/// observe(&mut store, &chat, &juliet, &read);
/// assert_eq!(store.unread(&juliet, &chat), 0);
/// ```
pub fn observe(
    store: &mut impl MarkerStore,
    conversation: &ConversationKey,
    sender: &BareJid,
    message: &Element,
) -> bool {
    if message.attr("type") == Some("error") {
        return false;
    }
    if let Some(Ok(Marker {
        kind: MarkerKind::Displayed,
        id,
    })) = Marker::find(message)
    {
        return store.set_displayed(sender, conversation, &id);
    }
    if !has_body(message) {
        return false;
    }
    let id = match conversation {
        ConversationKey::Room(room) => stanza_id_by(message, room),
        ConversationKey::Direct(..) => message.attr("id"),
    };
    match id.filter(|id| !id.is_empty()) {
        Some(id) => {
            store.append(conversation, id, sender);
            true
        }
        None => false,
    }
}

#[derive(Debug, Default)]
struct Log {
    positions: HashMap<String, usize>,
    senders: Vec<BareJid>,
}

/// An in-memory [`MarkerStore`].
#[derive(Debug, Default)]
pub struct MemoryMarkerStore {
    logs: HashMap<ConversationKey, Log>,
    markers: HashMap<(BareJid, ConversationKey), (usize, String)>,
}

impl MarkerStore for MemoryMarkerStore {
    fn append(&mut self, conversation: &ConversationKey, id: &str, sender: &BareJid) {
        let log = self.logs.entry(conversation.clone()).or_default();
        if !log.positions.contains_key(id) {
            log.positions.insert(id.to_owned(), log.senders.len());
            log.senders.push(sender.clone());
        }
    }

    fn set_displayed(&mut self, user: &BareJid, conversation: &ConversationKey, id: &str) -> bool {
        let Some(&position) = self
            .logs
            .get(conversation)
            .and_then(|log| log.positions.get(id))
        else {
            return false;
        };
        let key = (user.clone(), conversation.clone());
        match self.markers.get(&key) {
            Some((current, _)) if *current >= position => false,
            _ => {
                self.markers.insert(key, (position, id.to_owned()));
                true
            }
        }
    }

    fn displayed(&self, user: &BareJid, conversation: &ConversationKey) -> Option<String> {
        self.markers
            .get(&(user.clone(), conversation.clone()))
            .map(|(_, id)| id.clone())
    }

    fn unread(&self, user: &BareJid, conversation: &ConversationKey) -> u64 {
        let Some(log) = self.logs.get(conversation) else {
            return 0;
        };
        let start = self
            .markers
            .get(&(user.clone(), conversation.clone()))
            .map_or(0, |(position, _)| position + 1);
        log.senders[start..].iter().filter(|s| *s != user).count() as u64
    }
}
