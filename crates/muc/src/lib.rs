//! # xmppkit-muc
//!
//! XEP-0045 Multi-User Chat: typed payloads for its four namespaces and a sans-IO service that
//! runs the rooms.
//!
//! | module | specification |
//! |---|---|
//! | [`Muc`], [`History`] | `muc`: joining, passwords, history limits (§7.2) |
//! | [`MucUser`], [`Item`], [`Invite`], [`Decline`], [`Destroy`], [`status`] | `muc#user` (§7, §15.6) |
//! | [`AdminQuery`] | `muc#admin`: role and affiliation lists and changes (§8–§10) |
//! | [`OwnerQuery`], [`RoomConfig`] | `muc#owner`, `muc#roomconfig` and `muc#roominfo` forms (§10, §15.5) |
//! | [`privileges`] | who may do what (§5) |
//! | [`Room`], [`Service`] | the room and service engines (§6–§10, §14) |
//! | [`RoomHooks`] | how MAM and read markers take part (features `mam`, `read-markers`) |
//! | [`RoomClient`] | the client side: entering, leaving, nick changes, the occupant list |
//!
//! The engines are sans-IO: the server passes each stanza addressed to the service or its rooms
//! to [`Service::handle_stanza`] with the current time, and routes what
//! [`Service::poll_transmit`] returns; [`Service::disconnected`] takes a user out of every room
//! when its session ends.
//!
//! ```
//! use xmppkit_muc::{RoomClient, RoomEvent, Service, ServiceConfig};
//! let now = "2002-10-13T23:58:37Z".parse().unwrap();
//! let mut muc = Service::new("chat.shakespeare.lit".parse().unwrap(), ServiceConfig::default(), ());
//! let (mut client, join) = RoomClient::join(
//!     "coven@chat.shakespeare.lit".parse().unwrap(), "firstwitch", Default::default());
//! let mut join = join;
//! xmppkit_stanza::set_attr(&mut join, "from", "crone1@shakespeare.lit/desktop");
//! muc.handle_stanza(join, now);
//! let mut events = Vec::new();
//! while let Some(stanza) = muc.poll_transmit() {
//!     events.extend(client.handle(&stanza));
//! }
//! assert!(matches!(&events[0], RoomEvent::Joined { created: true, .. }));
//! assert_eq!(client.occupants().count(), 1);
//! ```
#![forbid(unsafe_code)]

mod admin;
mod affiliation;
mod client;
mod config;
mod hooks;
mod item;
mod join;
pub mod ns;
mod owner;
pub mod privileges;
mod room;
mod service;
pub mod status;
mod store;
mod user;

pub use admin::AdminQuery;
pub use affiliation::{Affiliation, Role, UnknownName};
pub use client::{Departure, OccupantInfo, RoomClient, RoomEvent};
pub use config::{AllowPm, ConfigError, ListChanges, RoomConfig, Whois, HISTORY_LIMIT};
#[cfg(feature = "mam")]
pub use hooks::MamHook;
#[cfg(feature = "read-markers")]
pub use hooks::ReadMarkersHook;
#[cfg(all(feature = "read-markers", feature = "mam"))]
pub use hooks::ReadStateHook;
pub use hooks::RoomHooks;
pub use item::{Actor, Continue, Destroy, Item};
pub use join::{History, Muc};
pub use owner::OwnerQuery;
pub use room::{Effects, Occupant, Room, Subject};
pub use service::{CreatePolicy, Service, ServiceConfig};
pub use store::{MemoryRooms, RoomStore, SavedRoom, StoreError, NS_SAVED};
pub use user::{Decline, Invite, MucUser};
