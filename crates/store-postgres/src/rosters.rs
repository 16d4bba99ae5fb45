//! Rosters (RFC 6121 §2) with their XEP-0237 versions and remembered removals, groups kept in
//! order in an array. A save replaces the user's rows in one write, behind: a crash leaves the
//! old roster or the new one.

use crate::database::{backend, corrupt};
use crate::worker::Tx;
use crate::Database;
use xmppkit_jid::BareJid;
use xmppkit_server::roster::{Item, Roster};
use xmppkit_server::subscription::State;
use xmppkit_server::{RosterStore, StoreError};

const STORE: &str = "rosters";

/// The rosters in a [`Database`].
#[derive(Debug, Clone)]
pub struct PgRosters {
    pub(crate) db: Database,
}

fn jid(text: String) -> Result<BareJid, StoreError> {
    BareJid::new(&text).map_err(|e| corrupt(STORE, format!("contact `{text}`: {e}")))
}

type Rows = (Option<i64>, Vec<postgres::Row>, Vec<postgres::Row>);

impl RosterStore for PgRosters {
    fn load(&mut self, user: &BareJid) -> Result<Roster, StoreError> {
        let owner = user.to_string();
        let (version, items, removed): Rows = self
            .db
            .worker
            .call(move |c| {
                let version = c
                    .query_opt(
                        "SELECT version FROM roster_versions WHERE owner = $1",
                        &[&owner],
                    )?
                    .map(|r| r.get(0));
                let items = c.query(
                    "SELECT contact, name, sub_to, sub_from, pending_out, pending_in, approved, \
                     listed, version, groups FROM roster_items WHERE owner = $1",
                    &[&owner],
                )?;
                let removed = c.query(
                    "SELECT contact, version FROM roster_removed WHERE owner = $1",
                    &[&owner],
                )?;
                Ok((version, items, removed))
            })
            .map_err(backend(STORE))?;
        let mut roster = Roster {
            version: version.unwrap_or(0) as u64,
            ..Roster::default()
        };
        for row in items {
            let item = Item {
                name: row.get(1),
                state: State {
                    to: row.get(2),
                    from: row.get(3),
                    pending_out: row.get(4),
                    pending_in: row.get(5),
                    approved: row.get(6),
                },
                listed: row.get(7),
                version: row.get::<_, i64>(8) as u64,
                groups: row.get(9),
            };
            roster.items.insert(jid(row.get(0))?, item);
        }
        for row in removed {
            roster
                .removed
                .insert(jid(row.get(0))?, row.get::<_, i64>(1) as u64);
        }
        Ok(roster)
    }

    fn save(&mut self, user: &BareJid, roster: &Roster) -> Result<(), StoreError> {
        let owner = user.to_string();
        let roster = roster.clone();
        self.db
            .worker
            .write(Box::new(move |tx| {
                clear(tx, &owner)?;
                tx.execute(
                    "INSERT INTO roster_versions (owner, version) VALUES ($1, $2)",
                    &[&owner, &(roster.version as i64)],
                )?;
                for (contact, item) in &roster.items {
                    let s = item.state;
                    tx.execute(
                        "INSERT INTO roster_items (owner, contact, name, sub_to, sub_from, \
                         pending_out, pending_in, approved, listed, version, groups) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                        &[
                            &owner,
                            &contact.as_str(),
                            &item.name,
                            &s.to,
                            &s.from,
                            &s.pending_out,
                            &s.pending_in,
                            &s.approved,
                            &item.listed,
                            &(item.version as i64),
                            &item.groups,
                        ],
                    )?;
                }
                for (contact, version) in &roster.removed {
                    tx.execute(
                        "INSERT INTO roster_removed (owner, contact, version) VALUES ($1, $2, $3)",
                        &[&owner, &contact.as_str(), &(*version as i64)],
                    )?;
                }
                Ok(())
            }))
            .map(drop)
            .map_err(backend(STORE))
    }

    fn delete(&mut self, user: &BareJid) -> Result<(), StoreError> {
        let owner = user.to_string();
        self.db
            .worker
            .write(Box::new(move |tx| clear(tx, &owner)))
            .map(drop)
            .map_err(backend(STORE))
    }
}

fn clear(tx: &mut Tx<'_, '_>, owner: &str) -> Result<(), postgres::Error> {
    for table in ["roster_versions", "roster_items", "roster_removed"] {
        tx.execute(&format!("DELETE FROM {table} WHERE owner = $1"), &[&owner])?;
    }
    Ok(())
}
