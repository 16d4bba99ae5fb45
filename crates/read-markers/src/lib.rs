//! # xmppkit-read-markers
//!
//! Room read markers (`urn:xmpp:read-markers`), the protocol real-estate chat apps use on
//! ejabberd: each member of a group chat room has a last-read message and an unseen-messages
//! counter, synced across their devices and fetched with one small IQ per room.
//!
//! - A member acks: `<iq type='set' to='room'><ack xmlns='urn:xmpp:read-markers' id='ID'/></iq>`,
//!   answered with an empty result once stored; the counter goes to 0.
//! - Anyone queries: `<iq type='get' to='room'><query xmlns='urn:xmpp:read-markers' jid='USER'/>
//!   </iq>` (no `jid`: oneself; another member's only for members), answered with
//!   `<query><last-message id='ID'><seen-at>…</seen-at></last-message><unseen-messages amount='K'/>
//!   </query>`.
//! - Each groupchat message with a body moves its sender's marker to it and adds one to every
//!   other member's counter (owners, admins and members, online or not).
//!
//! [`ReadMarkers`] is the sans-IO engine over a [`ReadMarkerStore`] ([`MemoryStore`] in memory);
//! the room side is abstracted by [`Rooms`]. [`ack_iq`], [`query_iq`] and [`parse_answer`] are
//! the client's part.
//!
//! ```
//! use xmppkit_read_markers::{ack_iq, parse_answer, query_iq, MemoryStore, ReadMarkers, Rooms};
//! use xmppkit_jid::BareJid;
//! struct Room;
//! impl Rooms for Room {
//!     fn exists(&self, _: &BareJid) -> bool { true }
//!     fn members(&self, _: &BareJid) -> Vec<BareJid> { vec!["agent@example".parse().unwrap()] }
//! }
//! let engine = ReadMarkers::new(MemoryStore::default());
//! let now = "2018-08-06T11:58:37.651721Z".parse().unwrap();
//! let room: BareJid = "flat-42@rooms.example".parse().unwrap();
//! let mut ack = ack_iq("a1", room.clone(), "1534");
//! ack.from = Some("agent@example/phone".parse().unwrap());
//! assert!(engine.handle_iq(&Room, &ack, now).is_some());
//! let mut query = query_iq("q1", room, None);
//! query.from = Some("agent@example/laptop".parse().unwrap());
//! let marker = parse_answer(&engine.handle_iq(&Room, &query, now).unwrap()).unwrap();
//! assert_eq!(marker.last.unwrap().id, "1534");
//! assert_eq!(marker.unseen, 0);
//! ```
#![forbid(unsafe_code)]

mod client;
mod engine;
pub mod esl_inbox;
pub mod inbox;
mod inbox_props;
pub mod mds;
pub mod mds_client;
mod payload;
mod positions;
mod read_state;
mod room_markers;
mod room_request;
mod store;
pub mod unread;

pub use client::{ack_iq, parse_answer, query_iq, ClientError};
pub use engine::{ReadMarkers, Rooms};
pub use inbox_props::{EntryProps, EntryPropsStore, MemoryEntryProps};
pub use payload::{Ack, LastMessage, Marker, Query, NS};
pub use positions::{MemoryPositions, Position, PositionStore};
pub use read_state::{Acked, Conversation, InboxLine, ReadState, ReadStateError, Upto};
pub use store::{MemoryStore, ReadMarkerStore, Record, StoreError};
