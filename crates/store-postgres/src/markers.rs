//! XEP-0333 chat markers (`xmppkit_markers::MarkerStore`): each conversation's messages once,
//! in order, and one row per (user, conversation) holding the position displayed. Appends and
//! marker moves are written behind; whether a marker moves, and the counts, are reads queued
//! behind the writes, so they see them.

use crate::Database;
use xmppkit_jid::BareJid;
use xmppkit_markers::{ConversationKey, MarkerStore, StoreError};

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("PostgreSQL: {e}"))
}

/// The chat markers in a [`Database`].
#[derive(Debug, Clone)]
pub struct PgMarkers {
    pub(crate) db: Database,
}

impl MarkerStore for PgMarkers {
    fn append(
        &mut self,
        conversation: &ConversationKey,
        id: &str,
        sender: &BareJid,
    ) -> Result<(), StoreError> {
        let (key, id, sender) = (conversation.column(), id.to_owned(), sender.to_string());
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute(
                    "INSERT INTO chat_marker_messages (conversation, pos, id, sender) VALUES ($1, \
                     (SELECT COALESCE(MAX(pos) + 1, 0) FROM chat_marker_messages \
                      WHERE conversation = $1), $2, $3) ON CONFLICT DO NOTHING",
                    &[&key, &id, &sender],
                )
                .map(drop)
            }))
            .map(drop)
            .map_err(failed)
    }

    fn set_displayed(
        &mut self,
        user: &BareJid,
        conversation: &ConversationKey,
        id: &str,
    ) -> Result<bool, StoreError> {
        let (key, id, user) = (conversation.column(), id.to_owned(), user.to_string());
        let (k, i, u) = (key.clone(), id.clone(), user.clone());
        let row = self
            .db
            .worker
            .call(move |c| {
                c.query_opt(
                    "SELECT m.pos, k.pos FROM chat_marker_messages m LEFT JOIN chat_markers k \
                     ON k.username = $1 AND k.conversation = m.conversation \
                     WHERE m.conversation = $2 AND m.id = $3",
                    &[&u, &k, &i],
                )
            })
            .map_err(failed)?;
        let Some(row) = row else {
            return Ok(false);
        };
        let (position, current): (i64, Option<i64>) = (row.get(0), row.get(1));
        if current.is_some_and(|current| current >= position) {
            return Ok(false);
        }
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute(
                    "INSERT INTO chat_markers (username, conversation, pos, id) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (username, conversation) DO UPDATE \
                     SET pos = excluded.pos, id = excluded.id WHERE chat_markers.pos < excluded.pos",
                    &[&user, &key, &position, &id],
                )
                .map(drop)
            }))
            .map_err(failed)?;
        Ok(true)
    }

    fn displayed(
        &self,
        user: &BareJid,
        conversation: &ConversationKey,
    ) -> Result<Option<String>, StoreError> {
        let (key, user) = (conversation.column(), user.to_string());
        let row = self
            .db
            .worker
            .call(move |c| {
                c.query_opt(
                    "SELECT id FROM chat_markers WHERE username = $1 AND conversation = $2",
                    &[&user, &key],
                )
            })
            .map_err(failed)?;
        Ok(row.map(|r| r.get(0)))
    }

    fn unread(&self, user: &BareJid, conversation: &ConversationKey) -> Result<u64, StoreError> {
        let (key, user) = (conversation.column(), user.to_string());
        let row = self
            .db
            .worker
            .call(move |c| {
                c.query_opt(
                    "SELECT COUNT(*) FROM chat_marker_messages WHERE conversation = $1 \
                     AND sender <> $2 AND pos > COALESCE((SELECT pos FROM chat_markers \
                     WHERE username = $2 AND conversation = $1), -1)",
                    &[&key, &user],
                )
            })
            .map_err(failed)?;
        Ok(row.map_or(0, |r| r.get::<_, i64>(0) as u64))
    }
}
