//! Inbox entry properties (`xmppkit_read_markers::EntryPropsStore`, MongooseIM's inbox): one row
//! per (user, conversation) a user set something on; reads are queued behind the writes.

use crate::Database;
use xmppkit_jid::BareJid;
use xmppkit_mam::positions::{from_nanos, nanos};
use xmppkit_read_markers::{EntryProps, EntryPropsStore, StoreError};
use xmppkit_stanza::datetime::DateTime;

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("inbox properties: PostgreSQL: {e}"))
}

/// The inbox entry properties in a [`Database`].
#[derive(Debug, Clone)]
pub struct PgEntryProps {
    pub(crate) db: Database,
}

type Row = (String, String, Option<i64>, Option<i64>, bool);

fn time(n: Option<i64>) -> Result<Option<DateTime>, StoreError> {
    n.map(|n| from_nanos(n).ok_or_else(|| failed(format!("time {n}"))))
        .transpose()
}

fn props((_, boxed, boxed_at, muted, marked): &Row) -> Result<EntryProps, StoreError> {
    Ok(EntryProps {
        boxed: boxed.clone(),
        boxed_at: time(*boxed_at)?,
        muted_until: time(*muted)?,
        marked_unread: *marked,
    })
}

impl PgEntryProps {
    fn rows(&self, user: &BareJid, conversation: Option<&BareJid>) -> Result<Vec<Row>, StoreError> {
        let user = user.to_string();
        let conversation = conversation.map(|c| c.to_string());
        self.db
            .worker
            .call(move |c| {
                c.query(
                    "SELECT conversation, box, boxed_at, muted_until, marked_unread FROM inbox_props \
                     WHERE username = $1 AND ($2::text IS NULL OR conversation = $2) \
                     ORDER BY conversation",
                    &[&user, &conversation],
                )
                .map(|rows| {
                    rows.iter()
                        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
                        .collect::<Vec<Row>>()
                })
            })
            .map_err(failed)
    }
}

impl EntryPropsStore for PgEntryProps {
    fn get(
        &self,
        user: &BareJid,
        conversation: &BareJid,
    ) -> Result<Option<EntryProps>, StoreError> {
        self.rows(user, Some(conversation))?
            .first()
            .map(props)
            .transpose()
    }

    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, EntryProps)>, StoreError> {
        self.rows(user, None)?
            .iter()
            .map(|row| {
                let jid = row
                    .0
                    .parse()
                    .map_err(|e| failed(format!("conversation `{}`: {e}", row.0)))?;
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
        let (user, conversation, boxed) = (
            user.to_string(),
            conversation.to_string(),
            props.boxed.clone(),
        );
        let (boxed_at, muted) = (
            props.boxed_at.as_ref().map(nanos),
            props.muted_until.as_ref().map(nanos),
        );
        let marked = props.marked_unread;
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute(
                    "INSERT INTO inbox_props (username, conversation, box, boxed_at, muted_until, \
                     marked_unread) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (username, conversation) DO UPDATE SET box = excluded.box, \
                     boxed_at = excluded.boxed_at, muted_until = excluded.muted_until, \
                     marked_unread = excluded.marked_unread",
                    &[&user, &conversation, &boxed, &boxed_at, &muted, &marked],
                )
                .map(drop)
            }))
            .map(drop)
            .map_err(failed)
    }
}
