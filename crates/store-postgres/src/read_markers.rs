//! Room read markers: one row per (member, room) with the last message read, when, its
//! position and the unseen counter; the room's message order beside them, so that an ack of an
//! older message leaves the marker where it is. Messages and acks are written behind, each in
//! one transaction with the others of its batch.

use crate::worker::Tx;
use crate::Database;
use xmppkit_jid::BareJid;
use xmppkit_read_markers::{ReadMarkerStore, Record, StoreError};
use xmppkit_stanza::datetime::DateTime;

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("read markers: {e}"))
}

/// The read markers in a [`Database`].
#[derive(Debug, Clone)]
pub struct PgReadMarkers {
    pub(crate) db: Database,
}

/// The position of message `id` in `room`, when known.
fn position(tx: &mut Tx<'_, '_>, room: &str, id: &str) -> Result<Option<i64>, postgres::Error> {
    Ok(tx
        .query_opt(
            "SELECT pos FROM room_messages WHERE room = $1 AND id = $2",
            &[&room, &id],
        )?
        .map(|r| r.get(0)))
}

/// Moves `user`'s marker in `room` to `id` (at `pos`, when known) with nothing unseen.
fn mark(
    tx: &mut Tx<'_, '_>,
    user: &str,
    room: &str,
    id: &str,
    at: &str,
    pos: Option<i64>,
) -> Result<(), postgres::Error> {
    tx.execute(
        "INSERT INTO read_markers (username, room, last_id, seen_at, last_pos, unseen) \
         VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (username, room) DO UPDATE SET \
         last_id = excluded.last_id, seen_at = excluded.seen_at, last_pos = excluded.last_pos, \
         unseen = 0",
        &[&user, &room, &id, &at, &pos],
    )
    .map(drop)
}

impl ReadMarkerStore for PgReadMarkers {
    fn message(
        &self,
        room: &BareJid,
        sender: &BareJid,
        id: &str,
        at: DateTime,
        others: &[BareJid],
    ) -> Result<(), StoreError> {
        let (room, sender, id, at) = (
            room.to_string(),
            sender.to_string(),
            id.to_owned(),
            at.to_string(),
        );
        let others: Vec<String> = others
            .iter()
            .map(BareJid::to_string)
            .filter(|o| *o != sender)
            .collect();
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute(
                    "INSERT INTO room_messages (room, id, pos) VALUES ($1, $2, \
                     (SELECT COALESCE(MAX(pos) + 1, 0) FROM room_messages WHERE room = $1)) \
                     ON CONFLICT DO NOTHING",
                    &[&room, &id],
                )?;
                let pos = position(tx, &room, &id)?;
                mark(tx, &sender, &room, &id, &at, pos)?;
                tx.execute(
                    "INSERT INTO read_markers (username, room, unseen) \
                     SELECT unnest($1::text[]), $2, 1 \
                     ON CONFLICT (username, room) DO UPDATE SET unseen = read_markers.unseen + 1",
                    &[&others, &room],
                )
                .map(drop)
            }))
            .map(drop)
            .map_err(failed)
    }

    fn ack(
        &self,
        room: &BareJid,
        user: &BareJid,
        id: &str,
        at: DateTime,
    ) -> Result<(), StoreError> {
        let (room, user, id, at) = (
            room.to_string(),
            user.to_string(),
            id.to_owned(),
            at.to_string(),
        );
        self.db
            .worker
            .write(Box::new(move |tx| {
                let new = position(tx, &room, &id)?;
                let current: Option<i64> = tx
                    .query_opt(
                        "SELECT last_pos FROM read_markers WHERE username = $1 AND room = $2",
                        &[&user, &room],
                    )?
                    .and_then(|r| r.get(0));
                if let (Some(new), Some(current)) = (new, current) {
                    if new < current {
                        return Ok(());
                    }
                }
                mark(tx, &user, &room, &id, &at, new)
            }))
            .map(drop)
            .map_err(failed)
    }

    fn get(&self, room: &BareJid, user: &BareJid) -> Result<Record, StoreError> {
        let (room, user) = (room.to_string(), user.to_string());
        let row = self
            .db
            .worker
            .call(move |c| {
                c.query_opt(
                    "SELECT last_id, seen_at, unseen FROM read_markers \
                     WHERE username = $1 AND room = $2",
                    &[&user, &room],
                )
            })
            .map_err(failed)?;
        let Some(row) = row else {
            return Ok(Record::default());
        };
        let (id, seen_at, unseen): (Option<String>, Option<String>, i64) =
            (row.get(0), row.get(1), row.get(2));
        Record::from_columns(id, seen_at, unseen)
    }
}
