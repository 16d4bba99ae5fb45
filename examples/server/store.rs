//! Where the server keeps its state, chosen with `--store` (or `store =` in the config file):
//! `sqlite:PATH` (the default, `sqlite:xmppkit.db`: accounts, rosters, offline messages,
//! blocklists, users' and rooms' archives, PEP and PubSub nodes, persistent rooms, room read
//! markers), `postgres://USER@HOST[:PORT]/DB` (the same on PostgreSQL) or `memory` (everything
//! lost at exit; accounts come from the accounts file).
//!
//! Before a connection writes anything that depends on the writes so far (an XEP-0198
//! acknowledgement, a delivery), it waits on [`Db::durable`]: SQLite commits the turn's
//! transaction there and then; PostgreSQL's writer commits behind, and the connection's task
//! waits for the numbers it covers while the other connections go on.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use xmppkit::mam::Archive;
use xmppkit::muc::RoomStore;
use xmppkit::pubsub::NodeStore;
use xmppkit::read_markers::{MemoryPositions, PositionStore};
use xmppkit::server::{AccountStore, MemoryAccounts, Shards, Stores};
use xmppkit::store_sqlite::Database;

/// The `--store` choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Everything in memory.
    Memory,
    /// One SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by URL.
    Postgres(String),
}

impl std::str::FromStr for Choice {
    type Err = String;
    fn from_str(s: &str) -> Result<Choice, String> {
        match s.split_once(':') {
            _ if s == "memory" => Ok(Choice::Memory),
            Some(("sqlite", path)) if !path.is_empty() => Ok(Choice::Sqlite(path.into())),
            Some(("postgres" | "postgresql", rest)) if rest.starts_with("//") => {
                Ok(Choice::Postgres(s.to_owned()))
            }
            _ => Err(format!(
                "{s}: expected sqlite:PATH, postgres://USER@HOST/DB or memory"
            )),
        }
    }
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Choice::Memory => f.write_str("memory"),
            Choice::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            // Without the password, if the URL has one.
            Choice::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if url[scheme + 3..at].contains(':') => {
                    let user = url[scheme + 3..at].split(':').next().unwrap_or_default();
                    write!(f, "{}{user}:***{}", &url[..scheme + 3], &url[at..])
                }
                _ => f.write_str(url),
            },
        }
    }
}

/// The opened stores: the accounts (shared by every shard's engine), the services' (MUC
/// rooms, their archive and read positions, the pubsub component's nodes: taken by the shard
/// that runs the services), and the database behind them.
pub struct Opened {
    /// The accounts, for every engine.
    pub accounts: Arc<dyn AccountStore>,
    /// For the rooms' MAM hook.
    pub rooms_archive: Option<Box<dyn Archive + Send>>,
    /// For the pubsub component.
    pub nodes: Option<Box<dyn NodeStore + Send>>,
    /// The MUC service's persistent rooms.
    pub rooms: Option<Box<dyn RoomStore + Send>>,
    /// For the rooms' read-markers hook: a second handle on the rooms' archive, and the read
    /// positions (the same ones as the users' engines).
    pub room_reads: Option<(Box<dyn Archive + Send>, Box<dyn PositionStore>)>,
    /// The database, when there is one.
    pub db: Option<Db>,
    /// Without one, the archive of users and rooms in memory, shared by every shard and the
    /// MUC service: read state counts rooms from it.
    pub memory_archive: Option<Arc<Mutex<xmppkit::mam::MemoryArchive>>>,
    /// Without one, the read positions in memory, shared likewise.
    pub memory_positions: Option<Arc<Mutex<MemoryPositions>>>,
}

impl Opened {
    /// The stores of one shard's engine: the shared accounts, and the rest on the same
    /// database (its users' PEP nodes only: the other shards serve the others).
    pub fn stores_for(&self, shards: &Shards) -> Result<Stores, String> {
        let failed = |e: xmppkit::server::StoreError| e.to_string();
        let mine = |service: &xmppkit::jid::BareJid| {
            service.node().is_some() && shards.of(service) == shards.this
        };
        let mut stores = match &self.db {
            None => Stores::memory(self.accounts.clone()),
            Some(Db::Sqlite(db)) => {
                let mut stores = db.stores().map_err(failed)?;
                stores.pep = Box::new(db.nodes_of(mine).map_err(failed)?);
                stores
            }
            Some(Db::Postgres(db)) => {
                let mut stores = db.stores().map_err(failed)?;
                stores.pep = Box::new(db.nodes_of(mine).map_err(failed)?);
                stores
            }
        };
        stores.accounts = self.accounts.clone();
        if let Some(shared) = &self.memory_archive {
            stores.archive = Box::new(shared.clone());
        }
        if let Some(shared) = &self.memory_positions {
            stores.positions = Box::new(shared.clone());
        }
        Ok(stores)
    }
}

/// The database behind the stores.
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite: synchronous writes, grouped per turn once [`Db::group`] was called.
    Sqlite(Database),
    /// PostgreSQL: writes behind, numbered.
    Postgres(xmppkit::store_postgres::Database),
}

/// What a connection waits for before it writes: nothing, or the PostgreSQL writes numbered
/// up to `through`.
pub enum Pending {
    /// Durable already (or failed).
    Ready(Result<(), String>),
    /// Resolves when the writes are committed.
    Wait(xmppkit::store_postgres::Durable, u64),
}

impl Db {
    /// From here on, writes of one turn share a commit (SQLite; PostgreSQL always batches).
    pub fn group(&self) {
        if let Db::Sqlite(db) = self {
            db.set_group_commit(true);
        }
    }

    /// Whether the store is a database over the network, read off the engine's thread.
    pub fn is_remote(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    /// The number to start a connection's waits from: what was written before it is not its
    /// concern.
    pub fn mark(&self) -> u64 {
        match self {
            Db::Sqlite(_) => 0,
            Db::Postgres(db) => db.queued(),
        }
    }

    /// Makes every write so far durable (SQLite), or says what to wait for (PostgreSQL: the
    /// writes after `since`).
    pub fn durable(&self, since: u64) -> Pending {
        match self {
            Db::Sqlite(db) => Pending::Ready(db.commit().map_err(|e| e.to_string())),
            Db::Postgres(db) => {
                let through = db.queued();
                if through <= since {
                    Pending::Ready(Ok(()))
                } else {
                    Pending::Wait(db.durable(since, through), through)
                }
            }
        }
    }

    /// Blocks until every write so far is durable (at shutdown and after an admin command).
    pub fn flush(&self) -> Result<(), String> {
        match self {
            Db::Sqlite(db) => db.commit().map_err(|e| e.to_string()),
            Db::Postgres(db) => db
                .flush(std::time::Duration::from_secs(10))
                .map_err(|e| e.to_string()),
        }
    }
}

/// Opens what `choice` names.
pub fn open(choice: &Choice) -> Result<Opened, String> {
    let failed = |e: xmppkit::server::StoreError| format!("{choice}: {e}");
    Ok(match choice {
        Choice::Memory => {
            let archive = Arc::new(Mutex::new(xmppkit::mam::MemoryArchive::default()));
            let positions = Arc::new(Mutex::new(MemoryPositions::default()));
            Opened {
                accounts: Arc::new(MemoryAccounts::default()),
                rooms_archive: Some(Box::new(archive.clone())),
                nodes: Some(Box::new(xmppkit::pubsub::MemoryStore::default())),
                rooms: Some(Box::new(xmppkit::muc::MemoryRooms::default())),
                room_reads: Some((Box::new(archive.clone()), Box::new(positions.clone()))),
                db: None,
                memory_archive: Some(archive),
                memory_positions: Some(positions),
            }
        }
        Choice::Sqlite(path) => {
            let db = Database::open(path).map_err(|e| e.to_string())?;
            Opened {
                accounts: Arc::new(db.accounts()),
                rooms_archive: Some(Box::new(db.archive())),
                // The component's services are domains; users' PEP services are accounts.
                nodes: Some(Box::new(
                    db.nodes_of(|s| s.node().is_none()).map_err(failed)?,
                )),
                rooms: Some(Box::new(db.rooms())),
                room_reads: Some((Box::new(db.archive()), Box::new(db.positions()))),
                db: Some(Db::Sqlite(db)),
                memory_archive: None,
                memory_positions: None,
            }
        }
        Choice::Postgres(url) => {
            let db = xmppkit::store_postgres::Database::connect(url).map_err(|e| e.to_string())?;
            Opened {
                accounts: Arc::new(db.accounts()),
                rooms_archive: Some(Box::new(db.archive())),
                nodes: Some(Box::new(
                    db.nodes_of(|s| s.node().is_none()).map_err(failed)?,
                )),
                rooms: Some(Box::new(db.rooms())),
                room_reads: Some((Box::new(db.archive()), Box::new(db.positions()))),
                db: Some(Db::Postgres(db)),
                memory_archive: None,
                memory_positions: None,
            }
        }
    })
}
