//! Message archives (XEP-0313 §4, XEP-0059 paging) in one table: each message serialized, with
//! its owner, id, stamp and partner as indexed columns. A page costs index lookups plus the page
//! itself; `count` is an index range count. Nothing is held in memory.

use crate::database::{backend, corrupt};
use crate::Database;
use minidom::Element;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use xmppkit_jid::{BareJid, Jid};
use xmppkit_mam::payload::{Filter, Prefs};
use xmppkit_mam::{Archive, ArchiveError, Archived, Page, PageResult};
use xmppkit_stanza::datetime::DateTime;

const STORE: &str = "archive";

/// The message archives in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteArchive {
    pub(crate) db: Database,
}

fn failed(e: rusqlite::Error) -> ArchiveError {
    ArchiveError::Storage(backend(STORE)(e).to_string())
}

fn nanos(stamp: &DateTime) -> i64 {
    stamp
        .0
        .timestamp_nanos_opt()
        .unwrap_or(if stamp.0.timestamp() < 0 {
            i64::MIN
        } else {
            i64::MAX
        })
}

fn from_nanos(n: i64) -> Result<DateTime, ArchiveError> {
    DateTime::from_unix(
        n.div_euclid(1_000_000_000),
        n.rem_euclid(1_000_000_000) as u32,
    )
    .ok_or_else(|| ArchiveError::Storage(corrupt(STORE, format!("stamp {n}")).to_string()))
}

/// The `WHERE` clause selecting a filter's messages, with its parameters.
struct Selection {
    sql: String,
    params: Vec<Value>,
}

impl Selection {
    fn with(&self, extra: &str, value: i64) -> (String, Vec<Value>) {
        let mut params = self.params.clone();
        params.push(Value::Integer(value));
        (format!("{} AND {extra}", self.sql), params)
    }
}

/// The sequence number of `owner`'s message `id`, or `item-not-found`.
fn seq_of(conn: &Connection, owner: &str, id: &str) -> Result<i64, ArchiveError> {
    conn.prepare_cached("SELECT seq FROM archive WHERE owner = ?1 AND id = ?2")
        .map_err(failed)?
        .query_row([owner, id], |r| r.get(0))
        .optional()
        .map_err(failed)?
        .ok_or_else(|| ArchiveError::ItemNotFound(id.to_owned()))
}

fn select(conn: &Connection, owner: &str, filter: &Filter) -> Result<Selection, ArchiveError> {
    let mut sql = String::from("owner = ?");
    let mut params = vec![Value::Text(owner.to_owned())];
    if let Some(start) = &filter.start {
        sql.push_str(" AND stamp >= ?");
        params.push(Value::Integer(nanos(start)));
    }
    if let Some(end) = &filter.end {
        sql.push_str(" AND stamp <= ?");
        params.push(Value::Integer(nanos(end)));
    }
    if let Some(after) = &filter.after_id {
        sql.push_str(" AND seq > ?");
        params.push(Value::Integer(seq_of(conn, owner, after)?));
    }
    if let Some(before) = &filter.before_id {
        sql.push_str(" AND seq < ?");
        params.push(Value::Integer(seq_of(conn, owner, before)?));
    }
    match &filter.with {
        Some(with) if with.resource().is_some() => {
            sql.push_str(" AND with_jid = ?");
            params.push(Value::Text(with.to_string()));
        }
        Some(with) => {
            sql.push_str(" AND with_bare = ?");
            params.push(Value::Text(with.to_bare().to_string()));
        }
        None => {}
    }
    if !filter.ids.is_empty() {
        let seqs = filter
            .ids
            .iter()
            .map(|id| seq_of(conn, owner, id).map(|s| s.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        // Integers from the database itself: safe to inline.
        sql.push_str(&format!(" AND seq IN ({})", seqs.join(",")));
    }
    Ok(Selection { sql, params })
}

fn count(conn: &Connection, sql: &str, params: &[Value]) -> Result<usize, ArchiveError> {
    conn.prepare_cached(&format!("SELECT COUNT(*) FROM archive WHERE {sql}"))
        .map_err(failed)?
        .query_row(params_from_iter(params), |r| r.get::<_, i64>(0))
        .map(|n| n as usize)
        .map_err(failed)
}

fn rows(
    conn: &Connection,
    sql: &str,
    params: &[Value],
    tail: &str,
) -> Result<Vec<Archived>, ArchiveError> {
    let mut statement = conn
        .prepare_cached(&format!(
            "SELECT id, stamp, with_jid, stanza FROM archive WHERE {sql} {tail}"
        ))
        .map_err(failed)?;
    let rows = statement
        .query_map(params_from_iter(params), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .map_err(failed)?;
    rows.map(|row| {
        let (id, stamp, with, stanza) = row.map_err(failed)?;
        let unreadable = |what: String| ArchiveError::Storage(corrupt(STORE, what).to_string());
        Ok(Archived {
            stamp: from_nanos(stamp)?,
            with: with
                .parse::<Jid>()
                .map_err(|e| unreadable(format!("partner of {id}: {e}")))?,
            message: stanza
                .parse::<Element>()
                .map_err(|e| unreadable(format!("message {id}: {e}")))?,
            id,
        })
    })
    .collect()
}

impl Archive for SqliteArchive {
    fn append(&mut self, owner: &BareJid, item: Archived) -> Result<(), ArchiveError> {
        let conn = self.db.lock();
        let last: Option<i64> = conn
            .prepare_cached("SELECT stamp FROM archive WHERE owner = ?1 ORDER BY seq DESC LIMIT 1")
            .map_err(failed)?
            .query_row([owner.as_str()], |r| r.get(0))
            .optional()
            .map_err(failed)?;
        let stamp = nanos(&item.stamp).max(last.unwrap_or(i64::MIN));
        let inserted = conn
            .prepare_cached(
                "INSERT INTO archive (owner, id, stamp, with_bare, with_jid, stanza) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (owner, id) DO NOTHING",
            )
            .map_err(failed)?
            .execute(params![
                owner.as_str(),
                item.id,
                stamp,
                item.with.to_bare().to_string(),
                item.with.to_string(),
                String::from(&item.message)
            ])
            .map_err(failed)?;
        match inserted {
            0 => Err(ArchiveError::Storage(format!("duplicate id `{}`", item.id))),
            _ => Ok(()),
        }
    }

    fn query(
        &self,
        owner: &BareJid,
        filter: &Filter,
        page: &Page,
    ) -> Result<PageResult, ArchiveError> {
        let conn = self.db.lock();
        let owner = owner.as_str();
        let selection = select(&conn, owner, filter)?;
        let total = count(&conn, &selection.sql, &selection.params)?;
        let max = page.max;
        let (first_index, items, complete) = match (&page.after, &page.before) {
            (_, Some(before)) => {
                let (sql, params) = if before.is_empty() {
                    (selection.sql.clone(), selection.params.clone())
                } else {
                    selection.with("seq < ?", seq_of(&conn, owner, before)?)
                };
                let end = count(&conn, &sql, &params)?;
                let mut items = rows(
                    &conn,
                    &sql,
                    &params,
                    &format!("ORDER BY seq DESC LIMIT {max}"),
                )?;
                items.reverse();
                let start = end - items.len();
                (start, items, start == 0)
            }
            (Some(after), None) => {
                let after = seq_of(&conn, owner, after)?;
                let (before_sql, before_params) = selection.with("seq <= ?", after);
                let start = count(&conn, &before_sql, &before_params)?;
                let (sql, params) = selection.with("seq > ?", after);
                let items = rows(&conn, &sql, &params, &format!("ORDER BY seq LIMIT {max}"))?;
                let end = start + items.len();
                (start, items, end == total)
            }
            (None, None) => {
                let start = page.index.unwrap_or(0).min(total);
                let items = rows(
                    &conn,
                    &selection.sql,
                    &selection.params,
                    &format!("ORDER BY seq LIMIT {max} OFFSET {start}"),
                )?;
                let end = start + items.len();
                (start, items, end == total)
            }
        };
        Ok(PageResult {
            items,
            first_index,
            count: total,
            complete,
        })
    }

    fn bounds(&self, owner: &BareJid) -> Result<Option<[(String, DateTime); 2]>, ArchiveError> {
        let conn = self.db.lock();
        let end = |order: &str| -> Result<Option<(String, DateTime)>, ArchiveError> {
            let row: Option<(String, i64)> = conn
                .prepare_cached(&format!(
                    "SELECT id, stamp FROM archive WHERE owner = ?1 ORDER BY seq {order} LIMIT 1"
                ))
                .map_err(failed)?
                .query_row([owner.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(failed)?;
            row.map(|(id, stamp)| Ok((id, from_nanos(stamp)?)))
                .transpose()
        };
        Ok(match (end("ASC")?, end("DESC")?) {
            (Some(first), Some(last)) => Some([first, last]),
            _ => None,
        })
    }

    fn prefs(&self, owner: &BareJid) -> Result<Prefs, ArchiveError> {
        let conn = self.db.lock();
        let text: Option<String> = conn
            .prepare_cached("SELECT prefs FROM mam_prefs WHERE owner = ?1")
            .map_err(failed)?
            .query_row([owner.as_str()], |r| r.get(0))
            .optional()
            .map_err(failed)?;
        let Some(text) = text else {
            return Ok(Prefs::default());
        };
        let unreadable = |e: String| {
            ArchiveError::Storage(corrupt(STORE, format!("prefs of {owner}: {e}")).to_string())
        };
        let element = text
            .parse::<Element>()
            .map_err(|e| unreadable(e.to_string()))?;
        Prefs::try_from(element).map_err(|e| unreadable(e.to_string()))
    }

    fn set_prefs(&mut self, owner: &BareJid, prefs: Prefs) -> Result<(), ArchiveError> {
        let element = Element::from(prefs);
        self.db
            .lock()
            .execute(
                "INSERT INTO mam_prefs (owner, prefs) VALUES (?1, ?2) \
                 ON CONFLICT (owner) DO UPDATE SET prefs = excluded.prefs",
                params![owner.as_str(), String::from(&element)],
            )
            .map(drop)
            .map_err(failed)
    }
}
