//! Message archives (XEP-0313 §4, XEP-0059 paging) in one table: each message serialized, with
//! its owner, id, stamp and partner as indexed columns, and its position in the owner's archive
//! (`pos`) and in the conversation (`with_pos`). A query by time, ids of bounds and bare `with`
//! is a range of positions found with index lookups: the page, its first index and the count
//! cost O(log n + page), never a scan. A full-JID `with` or an `ids` list (small, rare) counts
//! rows instead. Nothing is held in memory.

use crate::database::{backend, corrupt};
use crate::Database;
use minidom::Element;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use xmppkit_jid::{BareJid, Jid};
use xmppkit_mam::payload::{Filter, Prefs};
use xmppkit_mam::positions::{from_nanos as stamp_of, nanos, window, Anchor};
use xmppkit_mam::{Archive, ArchiveError, Archived, Entry, Page, PageResult};
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

fn from_nanos(n: i64) -> Result<DateTime, ArchiveError> {
    stamp_of(n)
        .ok_or_else(|| ArchiveError::Storage(corrupt(STORE, format!("stamp {n}")).to_string()))
}

/// The FTS5 query of the filter's full text: each word quoted (words are letters and digits
/// only), all required. `None` when there is no word.
fn fulltext_query(filter: &Filter) -> Option<String> {
    let words = xmppkit_mam::fulltext::words(filter.fulltext.as_deref()?);
    (!words.is_empty()).then(|| {
        words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// Indexes the bodies of messages archived before full-text search came (schema version 4).
pub(crate) fn index_fulltext(conn: &Connection) -> rusqlite::Result<()> {
    let mut select = conn.prepare("SELECT seq, stanza FROM archive ORDER BY seq")?;
    let mut insert = conn.prepare("INSERT INTO archive_fts (rowid, body) VALUES (?1, ?2)")?;
    conn.execute_batch("BEGIN")?;
    let rows = select.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (seq, stanza) = row?;
        // An unreadable stanza is reported when it is read; here it is just not searchable.
        let body = stanza
            .parse::<Element>()
            .ok()
            .and_then(|m| xmppkit_mam::fulltext::searched_text(&m));
        if let Some(body) = body {
            insert.execute(params![seq, body])?;
        }
    }
    conn.execute_batch("COMMIT")
}

/// Gives messages archived before authors were recorded their author (schema version 8).
pub(crate) fn fill_authors(conn: &Connection) -> rusqlite::Result<()> {
    let mut select =
        conn.prepare("SELECT seq, owner, with_bare, stanza FROM archive WHERE author IS NULL")?;
    let mut update = conn.prepare("UPDATE archive SET author = ?2 WHERE seq = ?1")?;
    conn.execute_batch("BEGIN")?;
    let rows = select.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (seq, owner, with, stanza) = row?;
        // An unreadable row is reported when it is read; here it just keeps no author.
        let (Ok(owner), Ok(with)) = (owner.parse::<BareJid>(), with.parse::<BareJid>()) else {
            continue;
        };
        if let Some(author) = xmppkit_mam::stored_author(&owner, &with, &stanza) {
            update.execute(params![seq, author.as_str()])?;
        }
    }
    conn.execute_batch("COMMIT")
}

/// The `WHERE` clause of what `:reader` has not read of `:owner`'s archive (of the partner
/// `:with`, when `with`): instant messages (those with an author) after `:after` and after the
/// reader's own last message there (a message followed by one's own is read), not the
/// reader's. The inner `MAX` walks the unread
/// region of the (owner, with_bare, pos, author) index only.
fn unread_clause(with: bool) -> String {
    let partner = if with { " AND with_bare = :with" } else { "" };
    format!(
        "owner = :owner{partner} AND author IS NOT NULL AND author != :reader \
         AND pos > MAX(:after, \
         COALESCE((SELECT MAX(pos) FROM archive WHERE owner = :owner{partner} \
         AND pos > :after AND author = :reader), -1))"
    )
}

/// The named parameters of [`unread_clause`].
fn unread_params<'a>(
    owner: &'a BareJid,
    with: Option<&'a BareJid>,
    after: Option<u64>,
    reader: &'a BareJid,
) -> Vec<(&'static str, Value)> {
    let after = after.map_or(-1, |p| i64::try_from(p).unwrap_or(i64::MAX));
    let mut params = vec![
        (":owner", Value::Text(owner.to_string())),
        (":after", Value::Integer(after)),
        (":reader", Value::Text(reader.to_string())),
    ];
    if let Some(with) = with {
        params.push((":with", Value::Text(with.to_string())));
    }
    params
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
    if let Some(query) = fulltext_query(filter) {
        sql.push_str(" AND seq IN (SELECT rowid FROM archive_fts WHERE archive_fts MATCH ?)");
        params.push(Value::Text(query));
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

/// Positions along one ordering: every message of the owner (`pos`), or of one conversation
/// (`with_pos`). Both grow with `seq` and with the stamp.
struct Positions<'a> {
    conn: &'a Connection,
    /// `owner = ?1` or `owner = ?1 AND with_bare = ?2`.
    base: &'static str,
    params: Vec<Value>,
    column: &'static str,
}

impl Positions<'_> {
    /// The position of the first message (in append order) matching `condition` on `value`;
    /// past the end when none does.
    fn first(&self, condition: &str, order: &str, value: i64) -> Result<i64, ArchiveError> {
        let n = self.params.len() + 1;
        let sql = format!(
            "SELECT {} FROM archive WHERE {} AND {condition} ?{n} ORDER BY {order} LIMIT 1",
            self.column, self.base
        );
        let mut params = self.params.clone();
        params.push(Value::Integer(value));
        let found: Option<i64> = self
            .conn
            .prepare_cached(&sql)
            .map_err(failed)?
            .query_row(params_from_iter(&params), |r| r.get(0))
            .optional()
            .map_err(failed)?;
        match found {
            Some(p) => Ok(p),
            None => self.end(),
        }
    }

    /// One past the last position.
    fn end(&self) -> Result<i64, ArchiveError> {
        let sql = format!(
            "SELECT {0} FROM archive WHERE {1} ORDER BY {0} DESC LIMIT 1",
            self.column, self.base
        );
        let last: Option<i64> = self
            .conn
            .prepare_cached(&sql)
            .map_err(failed)?
            .query_row(params_from_iter(&self.params), |r| r.get(0))
            .optional()
            .map_err(failed)?;
        Ok(last.map_or(0, |p| p + 1))
    }

    /// The messages at positions `from..to`, in order.
    fn items(&self, from: i64, to: i64) -> Result<Vec<Archived>, ArchiveError> {
        let n = self.params.len();
        let (base, column) = (self.base, self.column);
        let sql = format!(
            "{base} AND {column} >= ?{} AND {column} < ?{}",
            n + 1,
            n + 2
        );
        let mut params = self.params.clone();
        params.extend([Value::Integer(from), Value::Integer(to)]);
        rows(
            self.conn,
            &sql,
            &params,
            &format!("ORDER BY {}", self.column),
        )
    }
}

/// A query whose selection is a range of positions (no `ids`, no full-JID `with`).
fn query_positions(
    conn: &Connection,
    owner: &str,
    filter: &Filter,
    page: &Page,
) -> Result<PageResult, ArchiveError> {
    let positions = match &filter.with {
        Some(with) => Positions {
            conn,
            base: "owner = ?1 AND with_bare = ?2",
            params: vec![
                Value::Text(owner.to_owned()),
                Value::Text(with.to_bare().to_string()),
            ],
            column: "with_pos",
        },
        None => Positions {
            conn,
            base: "owner = ?1",
            params: vec![Value::Text(owner.to_owned())],
            column: "pos",
        },
    };
    let seq = |id: &str| seq_of(conn, owner, id);
    // The selection, [lo, hi): each bound found with one index lookup.
    let mut lo = 0;
    let mut hi = positions.end()?;
    if let Some(start) = &filter.start {
        lo = lo.max(positions.first("stamp >=", "stamp, seq", nanos(start))?);
    }
    if let Some(end) = &filter.end {
        hi = hi.min(positions.first("stamp >", "stamp, seq", nanos(end))?);
    }
    if let Some(after) = &filter.after_id {
        lo = lo.max(positions.first("seq >", "seq", seq(after)?)?);
    }
    if let Some(before) = &filter.before_id {
        hi = hi.min(positions.first("seq >=", "seq", seq(before)?)?);
    }
    // The page's anchor, positioned like the filter's own ids.
    let after = match &page.after {
        Some(after) => Some(positions.first("seq >", "seq", seq(after)?)?),
        None => None,
    };
    let before = match &page.before {
        Some(before) if !before.is_empty() => {
            Some(positions.first("seq >=", "seq", seq(before)?)?)
        }
        _ => None,
    };
    let anchor = Anchor::of(page, after.map(|p| p as u64), before.map(|p| p as u64));
    let w = window(lo as u64, hi as u64, page.max, anchor);
    let items = if w.from < w.to {
        positions.items(w.from as i64, w.to as i64)?
    } else {
        Vec::new()
    };
    Ok(PageResult {
        items,
        first_index: w.first_index,
        count: w.count,
        complete: w.complete,
    })
}

impl Archive for SqliteArchive {
    fn append_entry(&mut self, owner: &BareJid, item: Entry) -> Result<(), ArchiveError> {
        let conn = self.db.writer().map_err(failed)?;
        let last: Option<i64> = conn
            .prepare_cached("SELECT stamp FROM archive WHERE owner = ?1 ORDER BY seq DESC LIMIT 1")
            .map_err(failed)?
            .query_row([owner.as_str()], |r| r.get(0))
            .optional()
            .map_err(failed)?;
        let stamp = nanos(&item.stamp).max(last.unwrap_or(i64::MIN));
        let with_bare = item.with.to_bare().to_string();
        let next = |sql: &str, params: &[&str]| -> Result<i64, ArchiveError> {
            let last: Option<i64> = conn
                .prepare_cached(sql)
                .map_err(failed)?
                .query_row(params_from_iter(params), |r| r.get(0))
                .optional()
                .map_err(failed)?;
            Ok(last.map_or(0, |p| p + 1))
        };
        let pos = next(
            "SELECT pos FROM archive WHERE owner = ?1 ORDER BY pos DESC LIMIT 1",
            &[owner.as_str()],
        )?;
        let with_pos = next(
            "SELECT with_pos FROM archive WHERE owner = ?1 AND with_bare = ?2 \
             ORDER BY with_pos DESC LIMIT 1",
            &[owner.as_str(), &with_bare],
        )?;
        let inserted = conn
            .prepare_cached(
                "INSERT INTO archive \
                 (owner, id, stamp, with_bare, with_jid, stanza, pos, with_pos, author) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (owner, id) DO NOTHING",
            )
            .map_err(failed)?
            .execute(params![
                owner.as_str(),
                item.id,
                stamp,
                with_bare,
                item.with.to_string(),
                item.stanza,
                pos,
                with_pos,
                item.author.as_ref().map(|a| a.as_str())
            ])
            .map_err(failed)?;
        if inserted == 0 {
            return Err(ArchiveError::Storage(format!("duplicate id `{}`", item.id)));
        }
        conn.prepare_cached(
            "INSERT INTO archive_partners (owner, with_bare) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        )
        .map_err(failed)?
        .execute([owner.as_str(), &with_bare])
        .map_err(failed)?;
        if let Some(body) = item.body {
            conn.prepare_cached(
                "INSERT INTO archive_fts (rowid, body) VALUES (last_insert_rowid(), ?1)",
            )
            .map_err(failed)?
            .execute([body])
            .map_err(failed)?;
        }
        Ok(())
    }

    fn query(
        &self,
        owner: &BareJid,
        filter: &Filter,
        page: &Page,
    ) -> Result<PageResult, ArchiveError> {
        let conn = self.db.lock();
        let owner = owner.as_str();
        let by_position = filter.ids.is_empty()
            && filter.with.as_ref().is_none_or(|w| w.resource().is_none())
            && fulltext_query(filter).is_none();
        if by_position {
            return query_positions(&conn, owner, filter, page);
        }
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

    fn position(&self, owner: &BareJid, id: &str) -> Result<Option<u64>, ArchiveError> {
        let conn = self.db.lock();
        let pos: Option<i64> = conn
            .prepare_cached("SELECT pos FROM archive WHERE owner = ?1 AND id = ?2")
            .map_err(failed)?
            .query_row([owner.as_str(), id], |r| r.get(0))
            .optional()
            .map_err(failed)?;
        Ok(pos.map(|p| p as u64))
    }

    fn count_unread(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
        after: Option<u64>,
        reader: &BareJid,
    ) -> Result<u64, ArchiveError> {
        let conn = self.db.lock();
        let sql = format!(
            "SELECT COUNT(*) FROM archive WHERE {}",
            unread_clause(with.is_some())
        );
        let count: i64 = conn
            .prepare_cached(&sql)
            .map_err(failed)?
            .query_row(unread_params(owner, with, after, reader).as_slice(), |r| {
                r.get(0)
            })
            .map_err(failed)?;
        Ok(count as u64)
    }

    fn first_unread(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
        after: Option<u64>,
        reader: &BareJid,
    ) -> Result<Option<(u64, String)>, ArchiveError> {
        let conn = self.db.lock();
        let sql = format!(
            "SELECT pos, id FROM archive WHERE {} ORDER BY pos LIMIT 1",
            unread_clause(with.is_some())
        );
        let first = conn
            .prepare_cached(&sql)
            .map_err(failed)?
            .query_row(unread_params(owner, with, after, reader).as_slice(), |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
            })
            .optional()
            .map_err(failed)?;
        Ok(first)
    }

    fn latest(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
    ) -> Result<Option<(u64, String)>, ArchiveError> {
        let conn = self.db.lock();
        let row = |r: &rusqlite::Row<'_>| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?));
        match with {
            Some(with) => conn
                .prepare_cached(
                    "SELECT pos, id FROM archive WHERE owner = ?1 AND with_bare = ?2 \
                     ORDER BY with_pos DESC LIMIT 1",
                )
                .map_err(failed)?
                .query_row([owner.as_str(), with.as_str()], row),
            None => conn
                .prepare_cached(
                    "SELECT pos, id FROM archive WHERE owner = ?1 ORDER BY pos DESC LIMIT 1",
                )
                .map_err(failed)?
                .query_row([owner.as_str()], row),
        }
        .optional()
        .map_err(failed)
    }

    fn partners(&self, owner: &BareJid) -> Result<Vec<BareJid>, ArchiveError> {
        let conn = self.db.lock();
        let mut select = conn
            .prepare_cached(
                "SELECT with_bare FROM archive_partners WHERE owner = ?1 ORDER BY with_bare",
            )
            .map_err(failed)?;
        let rows = select
            .query_map([owner.as_str()], |r| r.get::<_, String>(0))
            .map_err(failed)?;
        rows.map(|row| {
            let text = row.map_err(failed)?;
            text.parse().map_err(|e| {
                ArchiveError::Storage(corrupt(STORE, format!("partner `{text}`: {e}")).to_string())
            })
        })
        .collect()
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
            .writer()
            .map_err(failed)?
            .execute(
                "INSERT INTO mam_prefs (owner, prefs) VALUES (?1, ?2) \
                 ON CONFLICT (owner) DO UPDATE SET prefs = excluded.prefs",
                params![owner.as_str(), String::from(&element)],
            )
            .map(drop)
            .map_err(failed)
    }
}
