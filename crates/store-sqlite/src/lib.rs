//! # xmppkit-store-sqlite
//!
//! Every xmppkit store on one SQLite file (rusqlite with SQLite bundled, so there is nothing to
//! install): [`AccountStore`](xmppkit_server::AccountStore) (SCRAM keys only, RFC 5802 §3),
//! [`RosterStore`](xmppkit_server::RosterStore) (RFC 6121 §2 with XEP-0237 versions),
//! [`OfflineStore`](xmppkit_server::OfflineStore) (XEP-0160),
//! [`BlockingStore`](xmppkit_server::BlockingStore) (XEP-0191), the MAM
//! [`Archive`](xmppkit_mam::Archive) (XEP-0313), which keeps messages as serialized stanzas on
//! disk and nothing in memory, the PubSub/PEP [`NodeStore`](xmppkit_pubsub::NodeStore)
//! (XEP-0060, XEP-0163), persistent MUC rooms ([`RoomStore`](xmppkit_muc::RoomStore),
//! XEP-0045 §10.2), room read markers
//! ([`ReadMarkerStore`](xmppkit_read_markers::ReadMarkerStore)) and XEP-0333 chat markers
//! ([`MarkerStore`](xmppkit_markers::MarkerStore)).
//!
//! The database runs in WAL mode. Each write is its own transaction, committed before the call
//! returns: once the engine has moved on (and so before any acknowledgement or delivery it
//! makes), the write survives the process being killed. [`Durability::PowerLoss`] also syncs
//! each commit to the disk. With [`Database::set_group_commit`] the writes gather in one
//! transaction until [`Database::commit`], which the application calls before it sends
//! anything that depends on them.
//!
//! ```
//! use xmppkit_server::{derive_keys, AccountStore, OfflineStore};
//! use xmppkit_session::CredentialStore;
//! use xmppkit_store_sqlite::Database;
//!
//! let dir = std::env::temp_dir().join(format!("xmppkit-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("chat.db");
//! {
//!     let db = Database::open(&path).unwrap();
//!     db.accounts().create("juliet", derive_keys("r0m30", b"salt", 4096)).unwrap();
//!     let juliet = "juliet@example.com".parse().unwrap();
//!     db.offline().push(&juliet, "<message xmlns='jabber:client'><body>hi</body></message>".parse().unwrap()).unwrap();
//! }
//! // Reopened: everything is still there.
//! let db = Database::open(&path).unwrap();
//! assert_eq!(db.accounts().check_password("juliet", "r0m30"), Ok(true));
//! assert_eq!(db.offline().count(&"juliet@example.com".parse().unwrap()).unwrap(), 1);
//! # std::fs::remove_dir_all(&dir).unwrap();
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

pub use accounts::SqliteAccounts;
pub use archive::SqliteArchive;
pub use blocking::SqliteBlocking;
pub use database::{Database, Durability, OpenError};
pub use inbox_props::SqliteEntryProps;
pub use markers::SqliteMarkers;
pub use nodes::{SqliteNodeWriter, SqliteNodes};
pub use offline::SqliteOffline;
pub use read_markers::SqliteReadMarkers;
pub use read_positions::SqlitePositions;
pub use rooms::SqliteRooms;
pub use rosters::SqliteRosters;
pub use tokens::SqliteTokens;
