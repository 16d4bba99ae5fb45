//! Where the server keeps its state, chosen with `--store` (or `store =` in the config file):
//! `sqlite:PATH` (the default, `sqlite:xmppkit.db`: accounts, rosters, offline messages,
//! blocklists, users' and rooms' archives, PEP and PubSub nodes, persistent rooms, room read
//! markers) or `memory` (everything lost at exit; accounts come from the accounts file).

use std::path::PathBuf;
use xmppkit::mam::Archive;
use xmppkit::muc::RoomStore;
use xmppkit::pubsub::NodeStore;
use xmppkit::read_markers::ReadMarkerStore;
use xmppkit::server::{MemoryAccounts, Stores};
use xmppkit::store_sqlite::Database;

/// The `--store` choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Everything in memory.
    Memory,
    /// One SQLite file.
    Sqlite(PathBuf),
}

impl std::str::FromStr for Choice {
    type Err = String;
    fn from_str(s: &str) -> Result<Choice, String> {
        match s.split_once(':') {
            _ if s == "memory" => Ok(Choice::Memory),
            Some(("sqlite", path)) if !path.is_empty() => Ok(Choice::Sqlite(path.into())),
            Some(("postgres" | "postgresql", _)) => Err(format!(
                "{s}: the PostgreSQL store is not there yet; use sqlite:PATH"
            )),
            _ => Err(format!("{s}: expected sqlite:PATH or memory")),
        }
    }
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Choice::Memory => f.write_str("memory"),
            Choice::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
        }
    }
}

/// The opened stores: the server's, the archive of the MUC rooms, and the pubsub component's
/// nodes.
pub struct Opened {
    /// For the server engine.
    pub stores: Stores,
    /// For the rooms' MAM hook.
    pub rooms_archive: Box<dyn Archive + Send>,
    /// For the pubsub component.
    pub nodes: Box<dyn NodeStore + Send>,
    /// The MUC service's persistent rooms.
    pub rooms: Box<dyn RoomStore + Send>,
    /// For the rooms' read-markers hook.
    pub read_markers: Box<dyn ReadMarkerStore>,
    /// The database, for the server to turn group commit on (it commits each turn; an admin
    /// command writes each change on its own).
    pub db: Option<Database>,
}

/// Opens what `choice` names.
pub fn open(choice: &Choice) -> Result<Opened, String> {
    Ok(match choice {
        Choice::Memory => Opened {
            stores: Stores::memory(std::sync::Arc::new(MemoryAccounts::default())),
            rooms_archive: Box::new(xmppkit::mam::MemoryArchive::default()),
            nodes: Box::new(xmppkit::pubsub::MemoryStore::default()),
            rooms: Box::new(xmppkit::muc::MemoryRooms::default()),
            read_markers: Box::new(xmppkit::read_markers::MemoryStore::default()),
            db: None,
        },
        Choice::Sqlite(path) => {
            let db = Database::open(path).map_err(|e| e.to_string())?;
            let failed = |e: xmppkit::server::StoreError| format!("{choice}: {e}");
            Opened {
                stores: db.stores().map_err(failed)?,
                rooms_archive: Box::new(db.archive()),
                // The component's services are domains; users' PEP services are accounts.
                nodes: Box::new(db.nodes_of(|s| s.node().is_none()).map_err(failed)?),
                rooms: Box::new(db.rooms()),
                read_markers: Box::new(db.read_markers()),
                db: Some(db),
            }
        }
    })
}
