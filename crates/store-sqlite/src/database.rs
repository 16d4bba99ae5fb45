//! Opening the database: WAL, the durability level, foreign keys, and the schema migrations
//! (`schema.sql`, tracked in `PRAGMA user_version`); and handing out one store per trait, all on
//! the same connection.

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use xmppkit_server::StoreError;

/// The migrations, in order; `user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    include_str!("schema.sql"),
    include_str!("schema2.sql"),
    include_str!("schema3.sql"),
    include_str!("schema4.sql"),
    include_str!("schema5.sql"),
    include_str!("schema6.sql"),
    include_str!("schema7.sql"),
    include_str!("schema8.sql"),
];

/// The schema version that brought full-text search: older archives are indexed on opening.
const FULLTEXT_VERSION: usize = 4;

/// The schema version that recorded archived messages' authors: older rows get theirs on opening.
const AUTHORS_VERSION: usize = 8;

/// How far a committed write is guaranteed to survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// The process being killed (`synchronous=NORMAL` in WAL mode): a commit is in the
    /// operating system's hands when the call returns. An operating system crash or power loss
    /// may lose the last commits, never corrupt the database.
    #[default]
    ProcessCrash,
    /// Power loss too (`synchronous=FULL`): every commit is synced to the disk first.
    PowerLoss,
}

/// The database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// SQLite refused to open or set up the file.
    #[error("cannot open the SQLite database {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A migration failed.
    #[error("cannot migrate {path} to schema version {version}: {source}")]
    Migrate {
        /// The file.
        path: PathBuf,
        /// The version being applied.
        version: usize,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The file was written by a newer xmppkit.
    #[error("{path} has schema version {found}; this xmppkit knows up to {known}")]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: usize,
        /// The newest this code knows.
        known: usize,
    },
}

/// One SQLite database holding every store. Cheap to clone: the stores share its connection.
#[derive(Debug, Clone)]
pub struct Database {
    conn: Arc<Mutex<Connection>>,
    /// Writes gather in one transaction until [`Database::commit`].
    grouped: Arc<AtomicBool>,
}

impl Database {
    /// Opens (or creates) the database at `path`, surviving process crashes.
    pub fn open(path: impl AsRef<Path>) -> Result<Database, OpenError> {
        Self::open_with(path, Durability::default())
    }

    /// Opens (or creates) the database at `path` with this durability.
    pub fn open_with(
        path: impl AsRef<Path>,
        durability: Durability,
    ) -> Result<Database, OpenError> {
        let path = path.as_ref().to_path_buf();
        let open_error = |source| OpenError::Open {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(open_error)?;
        let synchronous = match durability {
            Durability::ProcessCrash => "NORMAL",
            Durability::PowerLoss => "FULL",
        };
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;"
        ))
        .map_err(open_error)?;
        migrate(&conn, &path)?;
        Ok(Database {
            conn: Arc::new(Mutex::new(conn)),
            grouped: Arc::new(AtomicBool::new(false)),
        })
    }

    /// A database in memory (for tests): gone when the last store is dropped.
    pub fn in_memory() -> Result<Database, OpenError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| OpenError::Open {
            path: path.clone(),
            source,
        })?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")
            .map_err(|source| OpenError::Open {
                path: path.clone(),
                source,
            })?;
        migrate(&conn, &path)?;
        Ok(Database {
            conn: Arc::new(Mutex::new(conn)),
            grouped: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The accounts.
    pub fn accounts(&self) -> crate::SqliteAccounts {
        crate::SqliteAccounts { db: self.clone() }
    }

    /// The rosters.
    pub fn rosters(&self) -> crate::SqliteRosters {
        crate::SqliteRosters { db: self.clone() }
    }

    /// The offline messages.
    pub fn offline(&self) -> crate::SqliteOffline {
        crate::SqliteOffline { db: self.clone() }
    }

    /// The blocklists.
    pub fn blocking(&self) -> crate::SqliteBlocking {
        crate::SqliteBlocking { db: self.clone() }
    }

    /// The message archives (users' and rooms' in one table, apart by owner).
    pub fn archive(&self) -> crate::SqliteArchive {
        crate::SqliteArchive { db: self.clone() }
    }

    /// The PubSub and PEP nodes: every node is loaded now and held in memory (the engine reads
    /// nodes by reference); changes are written at each [`flush`](xmppkit_pubsub::NodeStore::flush).
    pub fn nodes(&self) -> Result<crate::SqliteNodes, StoreError> {
        crate::nodes::load(self.clone(), |_| true)
    }

    /// The nodes of the services `wanted` picks (say, users' PEP services for one engine and a
    /// pubsub component's for another), loaded and held like [`nodes`](Self::nodes).
    pub fn nodes_of(
        &self,
        wanted: impl Fn(&xmppkit_jid::BareJid) -> bool,
    ) -> Result<crate::SqliteNodes, StoreError> {
        crate::nodes::load(self.clone(), wanted)
    }

    /// The persistent MUC rooms, for [`Service::with_store`](xmppkit_muc::Service::with_store).
    pub fn rooms(&self) -> crate::SqliteRooms {
        crate::SqliteRooms { db: self.clone() }
    }

    /// The room read markers, for [`ReadMarkers`](xmppkit_read_markers::ReadMarkers).
    pub fn read_markers(&self) -> crate::SqliteReadMarkers {
        crate::SqliteReadMarkers { db: self.clone() }
    }

    /// The inbox entry properties (MongooseIM's inbox).
    pub fn entry_props(&self) -> crate::SqliteEntryProps {
        crate::SqliteEntryProps { db: self.clone() }
    }

    /// The read positions, for [`ReadState`](xmppkit_read_markers::ReadState).
    pub fn positions(&self) -> crate::SqlitePositions {
        crate::SqlitePositions { db: self.clone() }
    }

    /// The XEP-0333 chat markers, for [`observe`](xmppkit_markers::observe).
    pub fn markers(&self) -> crate::SqliteMarkers {
        crate::SqliteMarkers { db: self.clone() }
    }

    /// Every store of a [`Server`](xmppkit_server::Server) on this database (PEP nodes
    /// included: the services that are accounts).
    pub fn stores(&self) -> Result<xmppkit_server::Stores, StoreError> {
        Ok(xmppkit_server::Stores {
            accounts: Arc::new(self.accounts()),
            rosters: Box::new(self.rosters()),
            offline: Box::new(self.offline()),
            blocking: Box::new(self.blocking()),
            archive: Box::new(self.archive()),
            pep: Box::new(self.nodes_of(|service| service.node().is_some())?),
            tokens: Box::new(self.tokens()),
            positions: Box::new(self.positions()),
            entry_props: Box::new(self.entry_props()),
        })
    }

    /// The XEP-0484 FAST tokens, for a [`Server`](xmppkit_server::Server).
    pub fn tokens(&self) -> crate::SqliteTokens {
        crate::SqliteTokens { db: self.clone() }
    }

    /// Group commit: with `on`, writes gather in one transaction that [`commit`](Self::commit)
    /// ends, instead of each being its own. The application commits before it writes anything
    /// that depends on them (an XEP-0198 acknowledgement, a delivery, a result), typically once
    /// per turn of its event loop: one commit then covers every write of the turn. Off by
    /// default.
    pub fn set_group_commit(&self, on: bool) {
        self.grouped.store(on, Ordering::Relaxed);
    }

    /// Ends the gathering transaction, if one is open: its writes are then as durable as the
    /// [`Durability`] says. A failed commit rolls them all back; nothing that depended on them
    /// may be sent.
    pub fn commit(&self) -> Result<(), StoreError> {
        let conn = self.lock();
        if conn.is_autocommit() {
            return Ok(());
        }
        let committed = conn.execute_batch("COMMIT");
        if committed.is_err() && !conn.is_autocommit() {
            // Never leave the next writes in a transaction that can no longer commit.
            let _ = conn.execute_batch("ROLLBACK");
        }
        committed.map_err(backend("database"))
    }

    /// The connection, for one write: inside the gathering transaction under group commit
    /// (opened here when none is), else on its own.
    pub(crate) fn writer(&self) -> rusqlite::Result<MutexGuard<'_, Connection>> {
        let conn = self.lock();
        if self.grouped.load(Ordering::Relaxed) && conn.is_autocommit() {
            conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        Ok(conn)
    }

    /// The connection, for one operation.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves no half transaction: SQLite rolls back an
        // uncommitted transaction when the next one begins.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn migrate(conn: &Connection, path: &Path) -> Result<(), OpenError> {
    let found = apply(conn, path)?;
    if found < FULLTEXT_VERSION {
        crate::archive::index_fulltext(conn).map_err(|source| OpenError::Migrate {
            path: path.to_path_buf(),
            version: FULLTEXT_VERSION,
            source,
        })?;
    }
    if found < AUTHORS_VERSION {
        crate::archive::fill_authors(conn).map_err(|source| OpenError::Migrate {
            path: path.to_path_buf(),
            version: AUTHORS_VERSION,
            source,
        })?;
    }
    Ok(())
}

/// Applies the migrations not applied yet; returns the version the file had.
fn apply(conn: &Connection, path: &Path) -> Result<usize, OpenError> {
    let found: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map_err(|source| OpenError::Open {
            path: path.to_path_buf(),
            source,
        })? as usize;
    if found > MIGRATIONS.len() {
        return Err(OpenError::TooNew {
            path: path.to_path_buf(),
            found,
            known: MIGRATIONS.len(),
        });
    }
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(found) {
        let version = n + 1;
        conn.execute_batch(&format!(
            "BEGIN; {sql}; PRAGMA user_version = {version}; COMMIT;"
        ))
        .map_err(|source| OpenError::Migrate {
            path: path.to_path_buf(),
            version,
            source,
        })?;
    }
    Ok(found)
}

/// A SQLite error as the engine's store error.
pub(crate) fn backend(store: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| StoreError::Backend {
        store,
        reason: e.to_string(),
    }
}

/// Unreadable stored data as the engine's store error.
pub(crate) fn corrupt(store: &'static str, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        store,
        reason: reason.to_string(),
    }
}
