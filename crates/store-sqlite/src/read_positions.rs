//! Read positions (`xmppkit_read_markers::PositionStore`, issue #19): one row per (user,
//! conversation) with the archive position of the last message displayed, its id and when.
//! The forward-only rule is in the upsert itself, so it holds whoever writes.

use crate::Database;
use rusqlite::{params, OptionalExtension};
use xmppkit_jid::BareJid;
use xmppkit_mam::positions::nanos;
use xmppkit_read_markers::{Position, PositionStore, StoreError};

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("read positions: {e}"))
}

/// The read positions in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqlitePositions {
    pub(crate) db: Database,
}

impl SqlitePositions {
    /// The rows `sql` selects for `key`, as (the other key, position).
    fn keyed(&self, sql: &str, key: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        let conn = self.db.lock();
        let mut select = conn.prepare_cached(sql).map_err(failed)?;
        let rows = select
            .query_map([key.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .map_err(failed)?;
        rows.map(|row| {
            let (other, pos, id, at) = row.map_err(failed)?;
            let jid = other
                .parse()
                .map_err(|e| failed(format!("`{other}`: {e}")))?;
            Ok((jid, Position::from_columns(pos, id, at)?))
        })
        .collect()
    }
}

impl PositionStore for SqlitePositions {
    fn get(&self, user: &BareJid, conversation: &BareJid) -> Result<Option<Position>, StoreError> {
        let conn = self.db.lock();
        let row: Option<(i64, String, i64)> = conn
            .prepare_cached(
                "SELECT pos, id, at FROM read_positions WHERE user = ?1 AND conversation = ?2",
            )
            .map_err(failed)?
            .query_row([user.as_str(), conversation.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(failed)?;
        row.map(|(pos, id, at)| Position::from_columns(pos, id, at))
            .transpose()
    }

    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        self.keyed(
            "SELECT conversation, pos, id, at FROM read_positions WHERE user = ?1 \
             ORDER BY conversation",
            user,
        )
    }

    fn readers(&self, conversation: &BareJid) -> Result<Vec<(BareJid, Position)>, StoreError> {
        self.keyed(
            "SELECT user, pos, id, at FROM read_positions WHERE conversation = ?1 ORDER BY user",
            conversation,
        )
    }

    fn advance(
        &mut self,
        user: &BareJid,
        conversation: &BareJid,
        to: &Position,
    ) -> Result<bool, StoreError> {
        let conn = self.db.writer().map_err(failed)?;
        let pos = i64::try_from(to.position).map_err(|_| failed("position out of range"))?;
        let changed = conn
            .prepare_cached(
                "INSERT INTO read_positions (user, conversation, pos, id, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user, conversation) DO UPDATE SET \
                 pos = excluded.pos, id = excluded.id, at = excluded.at \
                 WHERE excluded.pos > read_positions.pos",
            )
            .map_err(failed)?
            .execute(params![
                user.as_str(),
                conversation.as_str(),
                pos,
                to.id,
                nanos(&to.at)
            ])
            .map_err(failed)?;
        Ok(changed > 0)
    }
}
