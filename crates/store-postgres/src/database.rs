//! Connecting: the schema migrations (`schema.sql`, tracked in the `xmppkit_schema` table and
//! applied under an advisory lock, so two servers starting at once migrate once), the writer
//! thread, and one store per trait, all on the same connection.

use crate::worker::{Settings, Worker};
use postgres::Client;
use std::sync::Arc;
use std::time::Duration;
use xmppkit_server::StoreError;

/// The migrations, in order: version N is `MIGRATIONS[N - 1]`.
const MIGRATIONS: &[&str] = &[
    include_str!("schema.sql"),
    include_str!("schema2.sql"),
    include_str!("schema3.sql"),
    include_str!("schema4.sql"),
    include_str!("schema5.sql"),
];

/// The schema version that recorded archived messages' authors: older rows get theirs then.
const AUTHORS_VERSION: usize = 5;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The server could not be reached or refused the login.
    #[error("cannot connect to PostgreSQL at {url}: {source}")]
    Connect {
        /// The URL, without its password.
        url: String,
        /// What the driver said.
        source: postgres::Error,
    },
    /// A migration failed; the schema is left as it was before it.
    #[error("cannot migrate the PostgreSQL schema to version {version}: {source}")]
    Migrate {
        /// The version being applied.
        version: usize,
        /// What the server said.
        source: postgres::Error,
    },
    /// The schema is newer than this build knows.
    #[error("the PostgreSQL schema has version {found}; this xmppkit knows up to {known}")]
    TooNew {
        /// The version found.
        found: usize,
        /// The newest this build knows.
        known: usize,
    },
}

/// Tuning of a [`Database`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The most writes waiting for PostgreSQL; past it a write is refused with an error (the
    /// engine answers `internal-server-error`) instead of growing memory. Default 100,000.
    pub max_queued: u64,
    /// How long a read waits for its answer before it fails. Default 5 s.
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_queued: 100_000,
            timeout: Duration::from_secs(5),
        }
    }
}

/// One PostgreSQL database holding every store. Cloning is cheap: the clones share the writer.
///
/// Writes are queued and return at once, each numbered; [`Database::queued`] is the number of
/// the last one and [`Database::durable`] resolves when a range of them is committed, so the
/// application holds back what depends on them (an XEP-0198 acknowledgement, a delivery) while
/// routing goes on. Reads wait for their answer, after every write queued before them.
#[derive(Debug, Clone)]
pub struct Database {
    pub(crate) worker: Arc<Worker>,
    /// Account names known to exist, shared by every accounts handle.
    known: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    /// MAM preferences read or set, shared by every archive handle.
    prefs: Arc<std::sync::Mutex<std::collections::HashMap<String, xmppkit_mam::payload::Prefs>>>,
}

impl Database {
    /// Connects to `url` (`postgres://user@host:port/db`, or key=value pairs) and migrates the
    /// schema.
    pub fn connect(url: &str) -> Result<Database, OpenError> {
        Database::connect_with(url, Options::default())
    }

    /// [`connect`](Self::connect) with these options.
    pub fn connect_with(url: &str, options: Options) -> Result<Database, OpenError> {
        let settings = Settings {
            url: url.to_owned(),
            max_queued: options.max_queued,
            timeout: options.timeout,
        };
        let shown = without_password(url);
        let worker = Worker::start(settings, move |client| match client {
            Ok(client) => migrate(client),
            Err(source) => Err(OpenError::Connect { url: shown, source }),
        })?;
        Ok(Database {
            worker: Arc::new(worker),
            known: Arc::default(),
            prefs: Arc::default(),
        })
    }

    /// What the writer did so far (batches, writes committed, batches split by an error,
    /// writes failed), for metrics.
    pub fn stats(&self) -> crate::Stats {
        self.worker.stats()
    }

    /// The number of the last write queued (0 before any).
    pub fn queued(&self) -> u64 {
        self.worker.queued()
    }

    /// A future that resolves once every write numbered in `(since, through]` is committed;
    /// `Err` when one of them failed on its own (the others are committed). A lost connection
    /// is not a failure: the writer reconnects and the future waits.
    pub fn durable(&self, since: u64, through: u64) -> crate::Durable {
        self.worker.durable(since, through)
    }

    /// Blocks until every write queued so far is committed, at most `timeout`: for tools and
    /// tests that do not run an event loop.
    pub fn flush(&self, timeout: Duration) -> Result<(), StoreError> {
        self.worker
            .wait(0, self.queued(), timeout)
            .map_err(backend("database"))
    }

    /// The accounts (and the sessions' SCRAM credentials).
    pub fn accounts(&self) -> crate::PgAccounts {
        crate::PgAccounts {
            db: self.clone(),
            known: Arc::clone(&self.known),
        }
    }

    /// The rosters.
    pub fn rosters(&self) -> crate::PgRosters {
        crate::PgRosters { db: self.clone() }
    }

    /// The offline messages.
    pub fn offline(&self) -> crate::PgOffline {
        crate::PgOffline { db: self.clone() }
    }

    /// The blocklists.
    pub fn blocking(&self) -> crate::PgBlocking {
        crate::PgBlocking { db: self.clone() }
    }

    /// The message archives of users and rooms.
    pub fn archive(&self) -> crate::PgArchive {
        crate::PgArchive {
            db: self.clone(),
            prefs: Arc::clone(&self.prefs),
        }
    }

    /// The persistent MUC rooms.
    pub fn rooms(&self) -> crate::PgRooms {
        crate::PgRooms { db: self.clone() }
    }

    /// The room read markers.
    pub fn read_markers(&self) -> crate::PgReadMarkers {
        crate::PgReadMarkers { db: self.clone() }
    }

    /// The inbox entry properties (MongooseIM's inbox).
    pub fn entry_props(&self) -> crate::PgEntryProps {
        crate::PgEntryProps { db: self.clone() }
    }

    /// The read positions, for [`ReadState`](xmppkit_read_markers::ReadState).
    pub fn positions(&self) -> crate::PgPositions {
        crate::PgPositions { db: self.clone() }
    }

    /// The XEP-0333 chat markers, for [`observe`](xmppkit_markers::observe).
    pub fn markers(&self) -> crate::PgMarkers {
        crate::PgMarkers { db: self.clone() }
    }

    /// The PubSub and PEP nodes: every node is loaded now and held in memory (the engine reads
    /// nodes by reference); changes are written behind at each
    /// [`flush`](xmppkit_pubsub::NodeStore::flush).
    pub fn nodes(&self) -> Result<crate::PgNodes, StoreError> {
        crate::nodes::load(self.clone(), |_| true)
    }

    /// The nodes of the services `wanted` picks (users' PEP services for the server, a pubsub
    /// component's for its engine), loaded and held like [`nodes`](Self::nodes).
    pub fn nodes_of(
        &self,
        wanted: impl Fn(&xmppkit_jid::BareJid) -> bool,
    ) -> Result<crate::PgNodes, StoreError> {
        crate::nodes::load(self.clone(), wanted)
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
    pub fn tokens(&self) -> crate::PgTokens {
        crate::PgTokens { db: self.clone() }
    }
}

/// `url` with any password replaced, for messages.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn migrate(client: &mut Client) -> Result<(), OpenError> {
    let failed = |version| move |source| OpenError::Migrate { version, source };
    let mut tx = client.transaction().map_err(failed(1))?;
    // One migrating server at a time; the lock ends with the transaction.
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(7937296); \
         CREATE TABLE IF NOT EXISTS xmppkit_schema (version INTEGER NOT NULL)",
    )
    .map_err(failed(1))?;
    let found: i32 = tx
        .query_opt("SELECT version FROM xmppkit_schema", &[])
        .map_err(failed(1))?
        .map_or(0, |row| row.get(0));
    let found = found as usize;
    if found > MIGRATIONS.len() {
        return Err(OpenError::TooNew {
            found,
            known: MIGRATIONS.len(),
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found) {
        tx.batch_execute(sql).map_err(failed(index + 1))?;
    }
    if found < AUTHORS_VERSION {
        crate::archive::fill_authors(&mut tx).map_err(failed(AUTHORS_VERSION))?;
    }
    if found < MIGRATIONS.len() {
        tx.batch_execute(&format!(
            "DELETE FROM xmppkit_schema; INSERT INTO xmppkit_schema VALUES ({})",
            MIGRATIONS.len()
        ))
        .map_err(failed(MIGRATIONS.len()))?;
    }
    tx.commit().map_err(failed(MIGRATIONS.len()))
}

/// A driver or worker error as the server's store error.
pub(crate) fn backend<E: ToString>(store: &'static str) -> impl Fn(E) -> StoreError {
    move |e| StoreError::Backend {
        store,
        reason: e.to_string(),
    }
}

/// Unreadable stored data as the server's store error.
pub(crate) fn corrupt(store: &'static str, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        store,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            super::without_password("postgres://xmpp:s3cret@db:5432/chat"),
            "postgres://xmpp:***@db:5432/chat"
        );
        assert_eq!(
            super::without_password("postgres://xmpp@db/chat"),
            "postgres://xmpp@db/chat"
        );
    }
}
