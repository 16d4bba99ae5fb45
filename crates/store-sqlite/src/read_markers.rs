//! Room read markers: one row per (member, room) with the last message read, when, its
//! position and the unseen counter; the room's message order beside them, so that an ack of an
//! older message leaves the marker where it is. Each call is one transaction.

use crate::Database;
use rusqlite::OptionalExtension;
use xmppkit_jid::BareJid;
use xmppkit_read_markers::{ReadMarkerStore, Record, StoreError};
use xmppkit_stanza::datetime::DateTime;

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("read markers: {e}"))
}

/// The read markers in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteReadMarkers {
    pub(crate) db: Database,
}

/// The position of message `id` in `room`, when known.
fn position(conn: &rusqlite::Connection, room: &str, id: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT pos FROM room_messages WHERE room = ?1 AND id = ?2")?
        .query_row([room, id], |r| r.get(0))
        .optional()
}

/// Moves `user`'s marker in `room` to `id` (at `pos`, when known) with nothing unseen.
fn mark(
    conn: &rusqlite::Connection,
    user: &str,
    room: &str,
    id: &str,
    at: DateTime,
    pos: Option<i64>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO read_markers (user, room, last_id, seen_at, last_pos, unseen) \
         VALUES (?1, ?2, ?3, ?4, ?5, 0) ON CONFLICT (user, room) DO UPDATE SET \
         last_id = excluded.last_id, seen_at = excluded.seen_at, last_pos = excluded.last_pos, \
         unseen = 0",
    )?
    .execute(rusqlite::params![user, room, id, at.to_string(), pos])?;
    Ok(())
}

impl ReadMarkerStore for SqliteReadMarkers {
    fn message(
        &self,
        room: &BareJid,
        sender: &BareJid,
        id: &str,
        at: DateTime,
        others: &[BareJid],
    ) -> Result<(), StoreError> {
        let mut conn = self.db.writer().map_err(failed)?;
        let tx = conn.savepoint().map_err(failed)?;
        let room = room.as_str();
        tx.prepare_cached(
            "INSERT INTO room_messages (room, id, pos) VALUES (?1, ?2, \
             (SELECT COALESCE(MAX(pos) + 1, 0) FROM room_messages WHERE room = ?1)) \
             ON CONFLICT DO NOTHING",
        )
        .map_err(failed)?
        .execute([room, id])
        .map_err(failed)?;
        let pos = position(&tx, room, id).map_err(failed)?;
        mark(&tx, sender.as_str(), room, id, at, pos).map_err(failed)?;
        {
            let mut count = tx
                .prepare_cached(
                    "INSERT INTO read_markers (user, room, unseen) VALUES (?1, ?2, 1) \
                     ON CONFLICT (user, room) DO UPDATE SET unseen = unseen + 1",
                )
                .map_err(failed)?;
            for other in others.iter().filter(|o| *o != sender) {
                count.execute([other.as_str(), room]).map_err(failed)?;
            }
        }
        tx.commit().map_err(failed)
    }

    fn ack(
        &self,
        room: &BareJid,
        user: &BareJid,
        id: &str,
        at: DateTime,
    ) -> Result<(), StoreError> {
        let mut conn = self.db.writer().map_err(failed)?;
        let tx = conn.savepoint().map_err(failed)?;
        let (room, user) = (room.as_str(), user.as_str());
        let new = position(&tx, room, id).map_err(failed)?;
        let current: Option<i64> = tx
            .prepare_cached("SELECT last_pos FROM read_markers WHERE user = ?1 AND room = ?2")
            .map_err(failed)?
            .query_row([user, room], |r| r.get(0))
            .optional()
            .map_err(failed)?
            .flatten();
        if let (Some(new), Some(current)) = (new, current) {
            if new < current {
                return Ok(());
            }
        }
        mark(&tx, user, room, id, at, new).map_err(failed)?;
        tx.commit().map_err(failed)
    }

    fn get(&self, room: &BareJid, user: &BareJid) -> Result<Record, StoreError> {
        let conn = self.db.lock();
        let row: Option<(Option<String>, Option<String>, i64)> = conn
            .prepare_cached(
                "SELECT last_id, seen_at, unseen FROM read_markers WHERE user = ?1 AND room = ?2",
            )
            .map_err(failed)?
            .query_row([user.as_str(), room.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(failed)?;
        let Some((id, seen_at, unseen)) = row else {
            return Ok(Record::default());
        };
        Record::from_columns(id, seen_at, unseen)
    }
}
