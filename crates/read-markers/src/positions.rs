//! Where read positions live (issue #19): one record per (user, conversation) holding the
//! archive position of the last message the user displayed there, with its id and when. A
//! position only moves forward; the store applies that rule atomically, so two devices acking
//! at once leave the later message. Nothing else is stored per message or per member.

use crate::store::StoreError;
use std::collections::{BTreeMap, HashMap};
use xmppkit_jid::BareJid;
use xmppkit_stanza::datetime::DateTime;

/// Where a user has read a conversation up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The message's position in the archive that holds the conversation
    /// ([`Archive::position`](xmppkit_mam::Archive::position)).
    pub position: u64,
    /// Its archive id (the stanza-id of that archive).
    pub id: String,
    /// When the user read it (when the server took the ack).
    pub at: DateTime,
}

impl Position {
    /// A position from a database's columns: the archive position, the message's id, and when
    /// it was read in nanoseconds since the Unix epoch (UTC).
    pub fn from_columns(position: i64, id: String, at: i64) -> Result<Position, StoreError> {
        let failed = |what: String| StoreError(format!("read positions: {what}"));
        Ok(Position {
            position: u64::try_from(position)
                .map_err(|_| failed(format!("position {position}")))?,
            id,
            at: xmppkit_mam::positions::from_nanos(at)
                .ok_or_else(|| failed(format!("time {at}")))?,
        })
    }
}

/// Storage of read positions, keyed by (user, conversation's bare JID).
pub trait PositionStore: Send {
    /// `user`'s position in `conversation`, if any.
    fn get(&self, user: &BareJid, conversation: &BareJid) -> Result<Option<Position>, StoreError>;
    /// Every position of `user`, by conversation.
    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError>;
    /// Every user's position in `conversation`, by user: who reads a room, and how far.
    fn readers(&self, conversation: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError>;
    /// Moves `user`'s position in `conversation` to `to` unless it is already there or further
    /// (atomically); returns whether it moved.
    fn advance(
        &mut self,
        user: &BareJid,
        conversation: &BareJid,
        to: &Position,
    ) -> Result<bool, StoreError>;
}

/// A boxed store is a store, so an application can pick one at run time.
impl<S: PositionStore + ?Sized> PositionStore for Box<S> {
    fn get(&self, user: &BareJid, conversation: &BareJid) -> Result<Option<Position>, StoreError> {
        (**self).get(user, conversation)
    }
    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        (**self).all(user)
    }
    fn readers(&self, conversation: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        (**self).readers(conversation)
    }
    fn advance(
        &mut self,
        user: &BareJid,
        conversation: &BareJid,
        to: &Position,
    ) -> Result<bool, StoreError> {
        (**self).advance(user, conversation, to)
    }
}

/// A borrowed store is a store (a test or a tool driving one it does not own).
impl<S: PositionStore + ?Sized> PositionStore for &mut S {
    fn get(&self, user: &BareJid, conversation: &BareJid) -> Result<Option<Position>, StoreError> {
        (**self).get(user, conversation)
    }
    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        (**self).all(user)
    }
    fn readers(&self, conversation: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        (**self).readers(conversation)
    }
    fn advance(
        &mut self,
        user: &BareJid,
        conversation: &BareJid,
        to: &Position,
    ) -> Result<bool, StoreError> {
        (**self).advance(user, conversation, to)
    }
}

/// A store shared by several engines in one process (a server's shards and a room service):
/// each call takes the lock for its own duration.
impl<S: PositionStore + ?Sized> PositionStore for std::sync::Arc<std::sync::Mutex<S>> {
    fn get(&self, user: &BareJid, conversation: &BareJid) -> Result<Option<Position>, StoreError> {
        locked(self)?.get(user, conversation)
    }
    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        locked(self)?.all(user)
    }
    fn readers(&self, conversation: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        locked(self)?.readers(conversation)
    }
    fn advance(
        &mut self,
        user: &BareJid,
        conversation: &BareJid,
        to: &Position,
    ) -> Result<bool, StoreError> {
        locked(self)?.advance(user, conversation, to)
    }
}

fn locked<S: ?Sized>(
    shared: &std::sync::Mutex<S>,
) -> Result<std::sync::MutexGuard<'_, S>, StoreError> {
    shared
        .lock()
        .map_err(|_| StoreError("the shared read positions' lock is poisoned".into()))
}

/// An in-memory [`PositionStore`].
#[derive(Debug, Default)]
pub struct MemoryPositions {
    users: HashMap<BareJid, BTreeMap<BareJid, Position>>,
}

impl PositionStore for MemoryPositions {
    fn get(&self, user: &BareJid, conversation: &BareJid) -> Result<Option<Position>, StoreError> {
        Ok(self
            .users
            .get(user)
            .and_then(|c| c.get(conversation))
            .cloned())
    }

    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        Ok(self
            .users
            .get(user)
            .map(|c| c.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default())
    }

    fn readers(&self, conversation: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        let mut readers: Vec<(BareJid, Position)> = self
            .users
            .iter()
            .filter_map(|(user, c)| Some((user.clone(), c.get(conversation)?.clone())))
            .collect();
        readers.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(readers)
    }

    fn advance(
        &mut self,
        user: &BareJid,
        conversation: &BareJid,
        to: &Position,
    ) -> Result<bool, StoreError> {
        let slot = self
            .users
            .entry(user.clone())
            .or_default()
            .entry(conversation.clone());
        match slot {
            std::collections::btree_map::Entry::Occupied(mut current) => {
                if current.get().position >= to.position {
                    return Ok(false);
                }
                current.insert(to.clone());
            }
            std::collections::btree_map::Entry::Vacant(empty) => {
                empty.insert(to.clone());
            }
        }
        Ok(true)
    }
}
