//! Where read markers live: one record per (member, room) with the last acked message, when it
//! was acked and the unseen counter; plus the room's message order, so that a marker never moves
//! back to an older message. The trait's updates are atomic per record.

use crate::payload::LastMessage;
use std::collections::HashMap;
use std::sync::Mutex;
use thiserror::Error;
use xmppkit_jid::BareJid;
use xmppkit_stanza::datetime::DateTime;

/// One member's marker in one room.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// The last message read, and when.
    pub last: Option<LastMessage>,
    /// Messages from others since then.
    pub unseen: u64,
}

impl Record {
    /// A record from a database's columns: the last message's id and its `seen-at` as text
    /// (both or neither), and the unseen count.
    pub fn from_columns(
        id: Option<String>,
        seen_at: Option<String>,
        unseen: i64,
    ) -> Result<Record, StoreError> {
        let last = match (id, seen_at) {
            (Some(id), Some(seen_at)) => Some(LastMessage {
                seen_at: seen_at
                    .parse()
                    .map_err(|e| StoreError(format!("read markers: seen-at `{seen_at}`: {e}")))?,
                id,
            }),
            _ => None,
        };
        Ok(Record {
            last,
            unseen: u64::try_from(unseen).unwrap_or(0),
        })
    }
}

/// The store could not do what was asked (a database down, a lock poisoned).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("read-marker store failed: {0}")]
pub struct StoreError(pub String);

/// Storage for read markers. Implementations must apply each record's change atomically: two
/// messages counted at once for the same member both count.
pub trait ReadMarkerStore: Send + Sync {
    /// `sender` posted message `id` in `room` at `at`: it comes after every earlier one; the
    /// sender's record moves to it with a count of 0, and each of `others` gets one more unseen
    /// message (their record is created when missing).
    fn message(
        &self,
        room: &BareJid,
        sender: &BareJid,
        id: &str,
        at: DateTime,
        others: &[BareJid],
    ) -> Result<(), StoreError>;

    /// `user` read `room` up to `id` at `at`: the record moves to `id` and the count goes to 0 —
    /// unless the store knows `id` is older than the current marker, which then stays.
    fn ack(&self, room: &BareJid, user: &BareJid, id: &str, at: DateTime)
        -> Result<(), StoreError>;

    /// `user`'s record in `room` (the default, 0 unseen, when there is none).
    fn get(&self, room: &BareJid, user: &BareJid) -> Result<Record, StoreError>;
}

/// A boxed store is a store, so an application can pick one at run time.
impl<S: ReadMarkerStore + ?Sized> ReadMarkerStore for Box<S> {
    fn message(
        &self,
        room: &BareJid,
        sender: &BareJid,
        id: &str,
        at: DateTime,
        others: &[BareJid],
    ) -> Result<(), StoreError> {
        (**self).message(room, sender, id, at, others)
    }

    fn ack(
        &self,
        room: &BareJid,
        user: &BareJid,
        id: &str,
        at: DateTime,
    ) -> Result<(), StoreError> {
        (**self).ack(room, user, id, at)
    }

    fn get(&self, room: &BareJid, user: &BareJid) -> Result<Record, StoreError> {
        (**self).get(room, user)
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// Message order per room.
    order: HashMap<BareJid, HashMap<String, u64>>,
    /// Records, with the position of their last message when known.
    records: HashMap<(BareJid, BareJid), (Record, Option<u64>)>,
}

/// An in-memory [`ReadMarkerStore`] (one lock: every update is atomic).
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>, StoreError> {
        self.inner
            .lock()
            .map_err(|_| StoreError("the lock is poisoned".into()))
    }
}

impl ReadMarkerStore for MemoryStore {
    fn message(
        &self,
        room: &BareJid,
        sender: &BareJid,
        id: &str,
        at: DateTime,
        others: &[BareJid],
    ) -> Result<(), StoreError> {
        let mut inner = self.lock()?;
        let order = inner.order.entry(room.clone()).or_default();
        let next = order.len() as u64;
        let position = *order.entry(id.to_owned()).or_insert(next);
        inner.records.insert(
            (sender.clone(), room.clone()),
            (
                Record {
                    last: Some(LastMessage {
                        id: id.to_owned(),
                        seen_at: at,
                    }),
                    unseen: 0,
                },
                Some(position),
            ),
        );
        for other in others.iter().filter(|o| *o != sender) {
            inner
                .records
                .entry((other.clone(), room.clone()))
                .or_default()
                .0
                .unseen += 1;
        }
        Ok(())
    }

    fn ack(
        &self,
        room: &BareJid,
        user: &BareJid,
        id: &str,
        at: DateTime,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock()?;
        let position = inner.order.get(room).and_then(|o| o.get(id)).copied();
        let record = inner
            .records
            .entry((user.clone(), room.clone()))
            .or_default();
        if let (Some(new), Some(current)) = (position, record.1) {
            if new < current {
                return Ok(());
            }
        }
        *record = (
            Record {
                last: Some(LastMessage {
                    id: id.to_owned(),
                    seen_at: at,
                }),
                unseen: 0,
            },
            position,
        );
        Ok(())
    }

    fn get(&self, room: &BareJid, user: &BareJid) -> Result<Record, StoreError> {
        Ok(self
            .lock()?
            .records
            .get(&(user.clone(), room.clone()))
            .map(|(record, _)| record.clone())
            .unwrap_or_default())
    }
}
