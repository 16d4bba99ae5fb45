//! # xmppkit-store-postgres
//!
//! xmppkit's stores on PostgreSQL, for servers that keep their state in a database server:
//! [`AccountStore`](xmppkit_server::AccountStore) (SCRAM keys only, RFC 5802 §3),
//! [`RosterStore`](xmppkit_server::RosterStore) (RFC 6121 §2 with XEP-0237 versions),
//! [`OfflineStore`](xmppkit_server::OfflineStore) (XEP-0160),
//! [`BlockingStore`](xmppkit_server::BlockingStore) (XEP-0191), the MAM
//! [`Archive`](xmppkit_mam::Archive) (XEP-0313, full text per XEP-0431 under a GIN index),
//! the PubSub/PEP [`NodeStore`](xmppkit_pubsub::NodeStore) (XEP-0060, XEP-0163),
//! persistent MUC rooms ([`RoomStore`](xmppkit_muc::RoomStore)), room read markers
//! ([`ReadMarkerStore`](xmppkit_read_markers::ReadMarkerStore)) and XEP-0333 chat markers
//! ([`MarkerStore`](xmppkit_markers::MarkerStore)). The schema is created and
//! migrated by [`Database::connect`].
//!
//! **Writes go behind.** A write is queued to the store's writer thread and returns at once
//! with a number; the writer commits what is queued in batches (one transaction each) and
//! reports each number durable. The application holds back what depends on a write — the
//! XEP-0198 acknowledgement of the stanza, the delivery — until [`Database::durable`] resolves,
//! so routing never waits on the database and nothing acknowledged is lost. A lost connection
//! is reopened and the batch retried; a full queue refuses new writes with an error. Reads wait
//! for their answer (at most [`Options::timeout`]), after every write queued before them, so
//! they see the application's own writes.
//!
//! ```no_run
//! use xmppkit_server::{derive_keys, AccountStore, OfflineStore};
//! use xmppkit_store_postgres::Database;
//!
//! let db = Database::connect("postgres://xmpp@127.0.0.1:5432/chat").unwrap();
//! db.accounts().create("juliet", derive_keys("r0m30", b"salt", 4096)).unwrap();
//! let juliet = "juliet@example.com".parse().unwrap();
//! let mut offline = db.offline();
//! offline.push(&juliet, "<message xmlns='jabber:client'><body>hi</body></message>".parse().unwrap()).unwrap();
//! // Queued; seen by the next read, and durable once the writer says so.
//! assert_eq!(offline.count(&juliet).unwrap(), 1);
//! db.flush(std::time::Duration::from_secs(5)).unwrap();
//! ```
#![forbid(unsafe_code)]

mod accounts;
mod archive;
mod blocking;
mod database;
mod inbox_props;
mod markers;
mod nodes;
mod offline;
mod read_markers;
mod read_positions;
mod rooms;
mod rosters;
mod tokens;
mod worker;

pub use accounts::PgAccounts;
pub use archive::PgArchive;
pub use blocking::PgBlocking;
pub use database::{Database, OpenError, Options};
pub use inbox_props::PgEntryProps;
pub use markers::PgMarkers;
pub use nodes::{PgNodeWriter, PgNodes};
pub use offline::PgOffline;
pub use read_markers::PgReadMarkers;
pub use read_positions::PgPositions;
pub use rooms::PgRooms;
pub use rosters::PgRosters;
pub use tokens::PgTokens;
pub use worker::{Durable, Stats};
