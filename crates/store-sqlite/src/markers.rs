//! XEP-0333 chat markers (`xmppkit_markers::MarkerStore`): each conversation's messages once,
//! in order, and one row per (user, conversation) holding the position displayed; the unread
//! count is an index range. Each call is one statement or one savepoint.

use crate::Database;
use rusqlite::OptionalExtension;
use xmppkit_jid::BareJid;
use xmppkit_markers::{ConversationKey, MarkerStore, StoreError};

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("SQLite: {e}"))
}

/// The chat markers in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteMarkers {
    pub(crate) db: Database,
}

/// The position of `user`'s marker in `conversation`, when there is one.
fn marker(
    conn: &rusqlite::Connection,
    user: &str,
    conversation: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    conn.prepare_cached("SELECT pos, id FROM chat_markers WHERE user = ?1 AND conversation = ?2")
        .map_err(failed)?
        .query_row([user, conversation], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(failed)
}

impl MarkerStore for SqliteMarkers {
    fn append(
        &mut self,
        conversation: &ConversationKey,
        id: &str,
        sender: &BareJid,
    ) -> Result<(), StoreError> {
        let conn = self.db.writer().map_err(failed)?;
        conn.prepare_cached(
            "INSERT INTO chat_marker_messages (conversation, pos, id, sender) VALUES (?1, \
             (SELECT COALESCE(MAX(pos) + 1, 0) FROM chat_marker_messages WHERE conversation = ?1), \
             ?2, ?3) ON CONFLICT DO NOTHING",
        )
        .map_err(failed)?
        .execute([conversation.column().as_str(), id, sender.as_str()])
        .map_err(failed)?;
        Ok(())
    }

    fn set_displayed(
        &mut self,
        user: &BareJid,
        conversation: &ConversationKey,
        id: &str,
    ) -> Result<bool, StoreError> {
        let mut conn = self.db.writer().map_err(failed)?;
        let tx = conn.savepoint().map_err(failed)?;
        let key = conversation.column();
        let position: Option<i64> = tx
            .prepare_cached(
                "SELECT pos FROM chat_marker_messages WHERE conversation = ?1 AND id = ?2",
            )
            .map_err(failed)?
            .query_row([key.as_str(), id], |r| r.get(0))
            .optional()
            .map_err(failed)?;
        let Some(position) = position else {
            return Ok(false);
        };
        if marker(&tx, user.as_str(), &key)?.is_some_and(|(current, _)| current >= position) {
            return Ok(false);
        }
        tx.prepare_cached(
            "INSERT INTO chat_markers (user, conversation, pos, id) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (user, conversation) DO UPDATE SET pos = excluded.pos, id = excluded.id",
        )
        .map_err(failed)?
        .execute(rusqlite::params![user.as_str(), key, position, id])
        .map_err(failed)?;
        tx.commit().map_err(failed)?;
        Ok(true)
    }

    fn displayed(
        &self,
        user: &BareJid,
        conversation: &ConversationKey,
    ) -> Result<Option<String>, StoreError> {
        let conn = self.db.lock();
        Ok(marker(&conn, user.as_str(), &conversation.column())?.map(|(_, id)| id))
    }

    fn unread(&self, user: &BareJid, conversation: &ConversationKey) -> Result<u64, StoreError> {
        let conn = self.db.lock();
        let key = conversation.column();
        let after = marker(&conn, user.as_str(), &key)?.map_or(-1, |(pos, _)| pos);
        let count: i64 = conn
            .prepare_cached(
                "SELECT COUNT(*) FROM chat_marker_messages \
                 WHERE conversation = ?1 AND pos > ?2 AND sender != ?3",
            )
            .map_err(failed)?
            .query_row(rusqlite::params![key, after, user.as_str()], |r| r.get(0))
            .map_err(failed)?;
        Ok(count as u64)
    }
}
