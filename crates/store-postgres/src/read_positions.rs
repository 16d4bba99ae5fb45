//! Read positions (`xmppkit_read_markers::PositionStore`, issue #19): one row per (user,
//! conversation) with the archive position of the last message displayed, its id and when.
//! Whether a position moves is a read queued behind the writes; the move is written behind,
//! with the forward-only rule in the upsert itself, so it holds whoever writes.

use crate::Database;
use xmppkit_jid::BareJid;
use xmppkit_mam::positions::nanos;
use xmppkit_read_markers::{Position, PositionStore, StoreError};

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("read positions: PostgreSQL: {e}"))
}

/// The read positions in a [`Database`].
#[derive(Debug, Clone)]
pub struct PgPositions {
    pub(crate) db: Database,
}

impl PgPositions {
    /// The rows `sql` selects for `key`, as (the other key, position).
    fn keyed(
        &self,
        sql: &'static str,
        key: &BareJid,
    ) -> Result<Vec<(BareJid, Position)>, StoreError> {
        let key = key.to_string();
        let rows = self
            .db
            .worker
            .call(move |c| {
                c.query(sql, &[&key]).map(|rows| {
                    rows.iter()
                        .map(|r| {
                            (
                                r.get::<_, String>(0),
                                r.get::<_, i64>(1),
                                r.get::<_, String>(2),
                                r.get::<_, i64>(3),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .map_err(failed)?;
        rows.into_iter()
            .map(|(other, pos, id, at)| {
                let jid = other
                    .parse()
                    .map_err(|e| failed(format!("`{other}`: {e}")))?;
                Ok((jid, Position::from_columns(pos, id, at)?))
            })
            .collect()
    }
}

impl PositionStore for PgPositions {
    fn get(&self, user: &BareJid, conversation: &BareJid) -> Result<Option<Position>, StoreError> {
        let (user, conversation) = (user.to_string(), conversation.to_string());
        let row = self
            .db
            .worker
            .call(move |c| {
                c.query_opt(
                    "SELECT pos, id, at FROM read_positions \
                     WHERE username = $1 AND conversation = $2",
                    &[&user, &conversation],
                )
                .map(|row| row.map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1), r.get(2))))
            })
            .map_err(failed)?;
        row.map(|(pos, id, at)| Position::from_columns(pos, id, at))
            .transpose()
    }

    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        self.keyed(
            "SELECT conversation, pos, id, at FROM read_positions WHERE username = $1 \
             ORDER BY conversation",
            user,
        )
    }

    fn readers(&self, conversation: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        self.keyed(
            "SELECT username, pos, id, at FROM read_positions WHERE conversation = $1 \
             ORDER BY username",
            conversation,
        )
    }

    fn advance(
        &mut self,
        user: &BareJid,
        conversation: &BareJid,
        to: &Position,
    ) -> Result<bool, StoreError> {
        let pos = i64::try_from(to.position).map_err(|_| failed("position out of range"))?;
        if self
            .get(user, conversation)?
            .is_some_and(|current| current.position >= to.position)
        {
            return Ok(false);
        }
        let (user, conversation, id, at) = (
            user.to_string(),
            conversation.to_string(),
            to.id.clone(),
            nanos(&to.at),
        );
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute(
                    "INSERT INTO read_positions (username, conversation, pos, id, at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username, conversation) DO UPDATE \
                     SET pos = excluded.pos, id = excluded.id, at = excluded.at \
                     WHERE excluded.pos > read_positions.pos",
                    &[&user, &conversation, &pos, &id, &at],
                )
                .map(drop)
            }))
            .map(drop)
            .map_err(failed)?;
        Ok(true)
    }
}
