//! Persistent MUC rooms (XEP-0045 §10.2): one row per room with its saved XML form
//! (`xmppkit_muc::SavedRoom`), by service for loading; saves and removals written behind.

use crate::Database;
use xmppkit_jid::BareJid;
use xmppkit_muc::{RoomStore, SavedRoom, StoreError};

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("rooms: {e}"))
}

/// The persistent rooms in a [`Database`].
#[derive(Debug, Clone)]
pub struct PgRooms {
    pub(crate) db: Database,
}

impl RoomStore for PgRooms {
    fn load(&self, service: &BareJid) -> Result<Vec<SavedRoom>, StoreError> {
        let service = service.to_string();
        let rows = self
            .db
            .worker
            .call(move |c| {
                c.query(
                    "SELECT jid, state FROM muc_rooms WHERE service = $1 ORDER BY jid",
                    &[&service],
                )
            })
            .map_err(failed)?;
        rows.iter()
            .map(|row| {
                let (jid, state): (String, String) = (row.get(0), row.get(1));
                let element: minidom::Element = state
                    .parse()
                    .map_err(|e| failed(format!("room {jid}: {e}")))?;
                SavedRoom::try_from(&element).map_err(|e| failed(format!("room {jid}: {e}")))
            })
            .collect()
    }

    fn save(&mut self, room: &SavedRoom) -> Result<(), StoreError> {
        let state = String::from(&minidom::Element::from(room));
        let (jid, service) = (room.jid.to_string(), room.jid.domain().to_string());
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute(
                    "INSERT INTO muc_rooms (jid, service, state) VALUES ($1, $2, $3) \
                     ON CONFLICT (jid) DO UPDATE SET state = excluded.state",
                    &[&jid, &service, &state],
                )
                .map(drop)
            }))
            .map(drop)
            .map_err(failed)
    }

    fn remove(&mut self, jid: &BareJid) -> Result<(), StoreError> {
        let jid = jid.to_string();
        self.db
            .worker
            .write(Box::new(move |tx| {
                tx.execute("DELETE FROM muc_rooms WHERE jid = $1", &[&jid])
                    .map(drop)
            }))
            .map(drop)
            .map_err(failed)
    }
}
