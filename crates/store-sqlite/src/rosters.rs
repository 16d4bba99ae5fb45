//! Rosters (RFC 6121 §2) with their XEP-0237 versions and remembered removals. A save replaces
//! the user's rows in one transaction, so a crash leaves the old roster or the new one.

use crate::database::{backend, corrupt};
use crate::Database;
use rusqlite::{params, OptionalExtension};
use xmppkit_jid::BareJid;
use xmppkit_server::roster::{Item, Roster};
use xmppkit_server::subscription::State;
use xmppkit_server::{RosterStore, StoreError};

const STORE: &str = "rosters";

/// The rosters in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteRosters {
    pub(crate) db: Database,
}

fn jid(text: String) -> Result<BareJid, StoreError> {
    BareJid::new(&text).map_err(|e| corrupt(STORE, format!("contact `{text}`: {e}")))
}

impl RosterStore for SqliteRosters {
    fn load(&mut self, user: &BareJid) -> Result<Roster, StoreError> {
        let conn = self.db.lock();
        let user = user.as_str();
        let mut roster = Roster {
            version: conn
                .query_row(
                    "SELECT version FROM roster_versions WHERE user = ?1",
                    [user],
                    |r| r.get::<_, i64>(0),
                )
                .optional()
                .map_err(backend(STORE))?
                .unwrap_or(0) as u64,
            ..Roster::default()
        };
        let mut items = conn
            .prepare_cached(
                "SELECT contact, name, sub_to, sub_from, pending_out, pending_in, approved, \
                 listed, version FROM roster_items WHERE user = ?1",
            )
            .map_err(backend(STORE))?;
        let rows = items
            .query_map([user], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Item {
                        name: r.get(1)?,
                        state: State {
                            to: r.get(2)?,
                            from: r.get(3)?,
                            pending_out: r.get(4)?,
                            pending_in: r.get(5)?,
                            approved: r.get(6)?,
                        },
                        listed: r.get(7)?,
                        version: r.get::<_, i64>(8)? as u64,
                        groups: Vec::new(),
                    },
                ))
            })
            .map_err(backend(STORE))?;
        for row in rows {
            let (contact, item) = row.map_err(backend(STORE))?;
            roster.items.insert(jid(contact)?, item);
        }
        let mut groups = conn
            .prepare_cached(
                "SELECT contact, name FROM roster_groups WHERE user = ?1 ORDER BY contact, position",
            )
            .map_err(backend(STORE))?;
        let rows = groups
            .query_map([user], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(backend(STORE))?;
        for row in rows {
            let (contact, group) = row.map_err(backend(STORE))?;
            let contact = jid(contact)?;
            match roster.items.get_mut(&contact) {
                Some(item) => item.groups.push(group),
                None => {
                    return Err(corrupt(
                        STORE,
                        format!("a group of `{contact}` without its item"),
                    ))
                }
            }
        }
        let mut removed = conn
            .prepare_cached("SELECT contact, version FROM roster_removed WHERE user = ?1")
            .map_err(backend(STORE))?;
        let rows = removed
            .query_map([user], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(backend(STORE))?;
        for row in rows {
            let (contact, version) = row.map_err(backend(STORE))?;
            roster.removed.insert(jid(contact)?, version as u64);
        }
        Ok(roster)
    }

    fn save(&mut self, user: &BareJid, roster: &Roster) -> Result<(), StoreError> {
        let mut conn = self.db.writer().map_err(backend(STORE))?;
        let tx = conn.savepoint().map_err(backend(STORE))?;
        let user = user.as_str();
        clear(&tx, user).map_err(backend(STORE))?;
        tx.execute(
            "INSERT INTO roster_versions (user, version) VALUES (?1, ?2)",
            params![user, roster.version as i64],
        )
        .map_err(backend(STORE))?;
        {
            let mut item_row = tx
                .prepare_cached(
                    "INSERT INTO roster_items (user, contact, name, sub_to, sub_from, \
                     pending_out, pending_in, approved, listed, version) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(backend(STORE))?;
            let mut group_row = tx
                .prepare_cached(
                    "INSERT INTO roster_groups (user, contact, position, name) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(backend(STORE))?;
            for (contact, item) in &roster.items {
                let s = item.state;
                item_row
                    .execute(params![
                        user,
                        contact.as_str(),
                        item.name,
                        s.to,
                        s.from,
                        s.pending_out,
                        s.pending_in,
                        s.approved,
                        item.listed,
                        item.version as i64
                    ])
                    .map_err(backend(STORE))?;
                for (position, group) in item.groups.iter().enumerate() {
                    group_row
                        .execute(params![user, contact.as_str(), position as i64, group])
                        .map_err(backend(STORE))?;
                }
            }
            let mut removed_row = tx
                .prepare_cached(
                    "INSERT INTO roster_removed (user, contact, version) VALUES (?1, ?2, ?3)",
                )
                .map_err(backend(STORE))?;
            for (contact, version) in &roster.removed {
                removed_row
                    .execute(params![user, contact.as_str(), *version as i64])
                    .map_err(backend(STORE))?;
            }
        }
        tx.commit().map_err(backend(STORE))
    }

    fn delete(&mut self, user: &BareJid) -> Result<(), StoreError> {
        let mut conn = self.db.writer().map_err(backend(STORE))?;
        let tx = conn.savepoint().map_err(backend(STORE))?;
        clear(&tx, user.as_str()).map_err(backend(STORE))?;
        tx.commit().map_err(backend(STORE))
    }
}

fn clear(tx: &rusqlite::Connection, user: &str) -> rusqlite::Result<()> {
    for table in [
        "roster_versions",
        "roster_items",
        "roster_groups",
        "roster_removed",
    ] {
        tx.execute(&format!("DELETE FROM {table} WHERE user = ?1"), [user])?;
    }
    Ok(())
}
