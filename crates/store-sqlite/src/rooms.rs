//! Persistent MUC rooms (XEP-0045 §10.2): one row per room with its saved XML form
//! (configuration, affiliations, subject; `xmppkit_muc::SavedRoom`), by service for loading.

use crate::Database;
use xmppkit_jid::BareJid;
use xmppkit_muc::{RoomStore, SavedRoom, StoreError};

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("rooms: {e}"))
}

/// The persistent rooms in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteRooms {
    pub(crate) db: Database,
}

impl RoomStore for SqliteRooms {
    fn load(&self, service: &BareJid) -> Result<Vec<SavedRoom>, StoreError> {
        let conn = self.db.lock();
        let mut select = conn
            .prepare_cached("SELECT jid, state FROM muc_rooms WHERE service = ?1 ORDER BY jid")
            .map_err(failed)?;
        let rows = select
            .query_map([service.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(failed)?;
        rows.map(|row| {
            let (jid, state) = row.map_err(failed)?;
            let element: minidom::Element = state
                .parse()
                .map_err(|e| failed(format!("room {jid}: {e}")))?;
            SavedRoom::try_from(&element).map_err(|e| failed(format!("room {jid}: {e}")))
        })
        .collect()
    }

    fn save(&mut self, room: &SavedRoom) -> Result<(), StoreError> {
        let state = String::from(&minidom::Element::from(room));
        self.db
            .writer()
            .map_err(failed)?
            .prepare_cached(
                "INSERT INTO muc_rooms (jid, service, state) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (jid) DO UPDATE SET state = excluded.state",
            )
            .map_err(failed)?
            .execute([room.jid.as_str(), room.jid.domain().as_str(), &state])
            .map_err(failed)?;
        Ok(())
    }

    fn remove(&mut self, jid: &BareJid) -> Result<(), StoreError> {
        self.db
            .writer()
            .map_err(failed)?
            .execute("DELETE FROM muc_rooms WHERE jid = ?1", [jid.as_str()])
            .map_err(failed)?;
        Ok(())
    }
}
