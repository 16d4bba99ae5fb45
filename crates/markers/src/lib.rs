//! # xmppkit-markers
//!
//! XEP-0333 Chat Markers 1.0 (`urn:xmpp:chat-markers:0`), sans-IO: the elements ([`Markable`],
//! [`Marker`]), the client rules ([`id_to_mark`]: which id, never one's own or unmarkable
//! messages; [`Conversation`]: markers only move forward), and the server side: the latest
//! displayed marker per user and conversation and the unread count ([`observe`],
//! [`MarkerStore`], [`MemoryMarkerStore`]).
//!
//! ```
//! use xmppkit_markers::{id_to_mark, marker_message, Chat, Conversation};
//! let own = "juliet@capulet.lit".parse().unwrap();
//! let incoming: minidom::Element = "<message xmlns='jabber:client' from='romeo@montegue.lit/orchard' \
//!     id='the-msg-1'><body>Hi. How are you?</body><markable xmlns='urn:xmpp:chat-markers:0'/></message>"
//!     .parse().unwrap();
//! let mut chat = Conversation::default();
//! let id = id_to_mark(&incoming, &own, Chat::Direct).unwrap();
//! chat.record(&id);
//! // The user looked at it: send one marker, to the sender's bare JID.
//! let marker = chat.displayed(&id).unwrap();
//! let out = marker_message("romeo@montegue.lit".parse().unwrap(), marker, false);
//! assert!(out.get_child("displayed", xmppkit_markers::NS).is_some());
//! ```
#![forbid(unsafe_code)]

mod client;
mod payload;
mod server;
mod store;

pub use client::{id_to_mark, marker_message, Chat, Conversation};
pub use payload::{Markable, Marker, MarkerKind, NS};
pub use server::observe;
pub use store::{ConversationKey, MarkerStore, MemoryMarkerStore, StoreError};
