//! Inbox entry properties (`xmppkit_read_markers::EntryPropsStore`, MongooseIM's inbox): one row
//! per (user, conversation) a user set something on.

use crate::Database;
use rusqlite::{params, OptionalExtension};
use xmppkit_jid::BareJid;
use xmppkit_mam::positions::{from_nanos, nanos};
use xmppkit_read_markers::{EntryProps, EntryPropsStore, StoreError};
use xmppkit_stanza::datetime::DateTime;

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("inbox properties: {e}"))
}

/// The inbox entry properties in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteEntryProps {
    pub(crate) db: Database,
}

type Row = (String, Option<i64>, Option<i64>, bool);

fn time(n: Option<i64>) -> Result<Option<DateTime>, StoreError> {
    n.map(|n| from_nanos(n).ok_or_else(|| failed(format!("time {n}"))))
        .transpose()
}

fn props((boxed, boxed_at, muted, marked): Row) -> Result<EntryProps, StoreError> {
    Ok(EntryProps {
        boxed,
        boxed_at: time(boxed_at)?,
        muted_until: time(muted)?,
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
        let row: Option<Row> = conn
            .prepare_cached(
                "SELECT box, boxed_at, muted_until, marked_unread FROM inbox_props \
                 WHERE user = ?1 AND conversation = ?2",
            )
            .map_err(failed)?
            .query_row([user.as_str(), conversation.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
            .map_err(failed)?;
        row.map(props).transpose()
    }

    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, EntryProps)>, StoreError> {
        let conn = self.db.lock();
        let mut select = conn
            .prepare_cached(
                "SELECT conversation, box, boxed_at, muted_until, marked_unread FROM inbox_props \
                 WHERE user = ?1 ORDER BY conversation",
            )
            .map_err(failed)?;
        let rows = select
            .query_map([user.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
                ))
            })
            .map_err(failed)?;
        rows.map(|row| {
            let (conversation, row): (String, Row) = row.map_err(failed)?;
            let jid = conversation
                .parse()
                .map_err(|e| failed(format!("conversation `{conversation}`: {e}")))?;
            Ok((jid, props(row)?))
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
            "INSERT INTO inbox_props \
             (user, conversation, box, boxed_at, muted_until, marked_unread) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user, conversation) DO UPDATE SET \
             box = excluded.box, boxed_at = excluded.boxed_at, \
             muted_until = excluded.muted_until, marked_unread = excluded.marked_unread",
        )
        .map_err(failed)?
        .execute(params![
            user.as_str(),
            conversation.as_str(),
            props.boxed,
            props.boxed_at.as_ref().map(nanos),
            props.muted_until.as_ref().map(nanos),
            props.marked_unread
        ])
        .map_err(failed)?;
        Ok(())
    }
}
