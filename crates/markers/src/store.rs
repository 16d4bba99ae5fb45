//! Where the server keeps XEP-0333 state: each conversation's message order (once per
//! conversation, whoever its members) and the latest `<displayed/>` per (user, conversation),
//! behind the fallible `MarkerStore` trait, with an in-memory implementation; the databases
//! implement it in `xmppkit-store-sqlite` and `xmppkit-store-postgres`.

use std::collections::HashMap;
use thiserror::Error;
use xmppkit_jid::BareJid;

/// A conversation: two accounts in a 1:1 chat (in either order), or a room.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConversationKey {
    /// A 1:1 chat; build it with [`ConversationKey::direct`].
    Direct(BareJid, BareJid),
    /// A group chat room.
    Room(BareJid),
}

impl ConversationKey {
    /// The key as one text column for a database: `room:JID`, or `chat:A B` (a space is in no
    /// JID, RFC 7622 §3.3.1, §3.2).
    ///
    /// ```
    /// use xmppkit_markers::ConversationKey;
    /// let chat = ConversationKey::direct("romeo@montague.lit".parse().unwrap(), "juliet@capulet.lit".parse().unwrap());
    /// assert_eq!(chat.column(), "chat:juliet@capulet.lit romeo@montague.lit");
    /// assert_eq!(ConversationKey::Room("cave@chat.lit".parse().unwrap()).column(), "room:cave@chat.lit");
    /// ```
    pub fn column(&self) -> String {
        match self {
            ConversationKey::Direct(a, b) => format!("chat:{a} {b}"),
            ConversationKey::Room(room) => format!("room:{room}"),
        }
    }

    /// The 1:1 conversation between `a` and `b`, the same key whoever writes.
    pub fn direct(a: BareJid, b: BareJid) -> Self {
        if a <= b {
            ConversationKey::Direct(a, b)
        } else {
            ConversationKey::Direct(b, a)
        }
    }
}

/// A markers store that failed (the database refused or could not be reached).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the chat markers store failed: {0}")]
pub struct StoreError(pub String);

/// Where the server keeps conversations' message order and users' markers. A conversation's
/// messages are kept once, whoever its members are; a marker is one per (user, conversation).
pub trait MarkerStore {
    /// A message `id` from `sender` was delivered in `conversation`, after all earlier ones (an
    /// id already there is left where it is).
    fn append(
        &mut self,
        conversation: &ConversationKey,
        id: &str,
        sender: &BareJid,
    ) -> Result<(), StoreError>;
    /// `user` displayed `conversation` up to `id`: moves the marker forward only; returns whether
    /// it moved (unknown ids and older messages leave it, XEP-0333 §5).
    fn set_displayed(
        &mut self,
        user: &BareJid,
        conversation: &ConversationKey,
        id: &str,
    ) -> Result<bool, StoreError>;
    /// The id `user` displayed last in `conversation`.
    fn displayed(
        &self,
        user: &BareJid,
        conversation: &ConversationKey,
    ) -> Result<Option<String>, StoreError>;
    /// Messages from others after `user`'s marker (all of them when there is none).
    fn unread(&self, user: &BareJid, conversation: &ConversationKey) -> Result<u64, StoreError>;
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
    fn append(
        &mut self,
        conversation: &ConversationKey,
        id: &str,
        sender: &BareJid,
    ) -> Result<(), StoreError> {
        let log = self.logs.entry(conversation.clone()).or_default();
        if !log.positions.contains_key(id) {
            log.positions.insert(id.to_owned(), log.senders.len());
            log.senders.push(sender.clone());
        }
        Ok(())
    }

    fn set_displayed(
        &mut self,
        user: &BareJid,
        conversation: &ConversationKey,
        id: &str,
    ) -> Result<bool, StoreError> {
        let Some(&position) = self
            .logs
            .get(conversation)
            .and_then(|log| log.positions.get(id))
        else {
            return Ok(false);
        };
        let key = (user.clone(), conversation.clone());
        Ok(match self.markers.get(&key) {
            Some((current, _)) if *current >= position => false,
            _ => {
                self.markers.insert(key, (position, id.to_owned()));
                true
            }
        })
    }

    fn displayed(
        &self,
        user: &BareJid,
        conversation: &ConversationKey,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .markers
            .get(&(user.clone(), conversation.clone()))
            .map(|(_, id)| id.clone()))
    }

    fn unread(&self, user: &BareJid, conversation: &ConversationKey) -> Result<u64, StoreError> {
        let Some(log) = self.logs.get(conversation) else {
            return Ok(0);
        };
        let start = self
            .markers
            .get(&(user.clone(), conversation.clone()))
            .map_or(0, |(position, _)| position + 1);
        Ok(log.senders[start..].iter().filter(|s| *s != user).count() as u64)
    }
}
