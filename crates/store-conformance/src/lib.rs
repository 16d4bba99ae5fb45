//! # xmppkit-store-conformance
//!
//! The behaviour every store behind the xmppkit traits must have, as plain functions that panic
//! with a message naming the broken rule. Each store crate calls them from its tests, so memory,
//! SQLite and PostgreSQL are held to the same suite: what one store returns, all return.
//!
//! ```
//! use xmppkit_server::{MemoryAccounts, MemoryBlocking, MemoryOffline, MemoryRosters};
//! xmppkit_store_conformance::accounts(&MemoryAccounts::default());
//! xmppkit_store_conformance::rosters(&mut MemoryRosters::default());
//! xmppkit_store_conformance::offline(&mut MemoryOffline::default());
//! xmppkit_store_conformance::blocking(&mut MemoryBlocking::default());
//! xmppkit_store_conformance::archive(&mut xmppkit_mam::MemoryArchive::default());
//! xmppkit_store_conformance::unread(&mut xmppkit_mam::MemoryArchive::default());
//! xmppkit_store_conformance::nodes(&mut || Box::new(xmppkit_pubsub::MemoryStore::default()), false);
//! xmppkit_store_conformance::rooms(&mut xmppkit_muc::MemoryRooms::default());
//! xmppkit_store_conformance::read_markers(&xmppkit_read_markers::MemoryStore::default());
//! xmppkit_store_conformance::positions(&mut xmppkit_read_markers::MemoryPositions::default());
//! xmppkit_store_conformance::markers(&mut xmppkit_markers::MemoryMarkerStore::default());
//! xmppkit_store_conformance::tokens(&mut xmppkit_server::MemoryTokens::default());
//! ```
#![forbid(unsafe_code)]

mod accounts;
mod archive;
mod blocking;
mod entry_props;
mod markers;
mod nodes;
mod offline;
mod positions;
mod read_markers;
mod read_state;
mod rooms;
mod rosters;
mod tokens;
mod unread;

pub use accounts::accounts;
pub use archive::archive;
pub use blocking::blocking;
pub use entry_props::entry_props;
pub use markers::markers;
pub use nodes::nodes;
pub use offline::offline;
pub use positions::positions;
pub use read_markers::read_markers;
pub use read_state::read_state;
pub use rooms::rooms;
pub use rosters::rosters;
pub use tokens::tokens;
pub use unread::unread;

/// A bare JID from a literal.
pub(crate) fn bare(s: &str) -> xmppkit_jid::BareJid {
    xmppkit_jid::BareJid::new(s).expect("a valid bare JID")
}

/// An element from a literal.
pub(crate) fn el(xml: &str) -> minidom::Element {
    xml.parse().expect("valid XML")
}
