//! Inbox entry properties (`xmppkit_read_markers::EntryPropsStore`, MongooseIM's inbox): one row
//! per (user, conversation) a user set something on.

use crate::Database;
use rusqlite::{params, OptionalExtension};
use xmppkit_jid::BareJid;
use xmppkit_mam::positions::{from_nanos, nanos};
use xmppkit_read_markers::{EntryProps, EntryPropsStore, StoreError};

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("inbox properties: {e}"))
}

/// The inbox entry properties in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteEntryProps {
    pub(crate) db: Database,
}

fn props(boxed: String, muted: Option<i64>, marked: bool) -> Result<EntryProps, StoreError> {
    let muted_until = match muted {
        Some(n) => Some(from_nanos(n).ok_or_else(|| failed(format!("time {n}")))?),
        None => None,
    };
    Ok(EntryProps {
        boxed,
        muted_until,
        marked_unread: marked,
    })
}

impl EntryPropsStore for SqliteEntryProps {
    fn get(
        &self,
        user: &BareJid,
        conversation: &BareJid,
    ) -> Result<Option<EntryProps>, StoreError> {
        let conn = self.db.lock();
        let row: Option<(String, Option<i64>, bool)> = conn
            .prepare_cached(
                "SELECT box, muted_until, marked_unread FROM inbox_props \
                 WHERE user = ?1 AND conversation = ?2",
            )
            .map_err(failed)?
            .query_row([user.as_str(), conversation.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(failed)?;
        row.map(|(b, m, u)| props(b, m, u)).transpose()
    }

    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, EntryProps)>, StoreError> {
        let conn = self.db.lock();
        let mut select = conn
            .prepare_cached(
                "SELECT conversation, box, muted_until, marked_unread FROM inbox_props \
                 WHERE user = ?1 ORDER BY conversation",
            )
            .map_err(failed)?;
        let rows = select
            .query_map([user.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })
            .map_err(failed)?;
        rows.map(|row| {
            let (conversation, b, m, u) = row.map_err(failed)?;
            let jid = conversation
                .parse()
                .map_err(|e| failed(format!("conversation `{conversation}`: {e}")))?;
            Ok((jid, props(b, m, u)?))
        })
        .collect()
    }

    fn set(
        &mut self,
        user: &BareJid,
        conversation: &BareJid,
        props: &EntryProps,
    ) -> Result<(), StoreError> {
        let conn = self.db.writer().map_err(failed)?;
        conn.prepare_cached(
            "INSERT INTO inbox_props (user, conversation, box, muted_until, marked_unread) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user, conversation) DO UPDATE SET \
             box = excluded.box, muted_until = excluded.muted_until, \
             marked_unread = excluded.marked_unread",
        )
        .map_err(failed)?
        .execute(params![
            user.as_str(),
            conversation.as_str(),
            props.boxed,
            props.muted_until.as_ref().map(nanos),
            props.marked_unread
        ])
        .map_err(failed)?;
        Ok(())
    }
}
