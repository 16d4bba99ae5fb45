//! # xmppkit-sm
//!
//! XEP-0198 Stream Management, sans-IO: the `urn:xmpp:sm:3` elements ([`Nonza`]) and the
//! acknowledgement arithmetic ([`Outbox`], [`Inbox`]) with counts modulo 2^32.
//!
//! This is the first part of the stream-management issue: the client and server engines
//! (acknowledgement requests by count and time, resumption with replay, detached sessions) build on
//! these pieces and plug into `xmppkit-session` through its `StreamHook`.
//!
//! ```
//! use xmppkit_sm::{Inbox, Nonza, Outbox};
//! let ack: minidom::Element = Nonza::Ack { h: 3 }.into();
//! assert_eq!(xmppkit_codec::to_string(&ack), "<a xmlns='urn:xmpp:sm:3' h='3'/>");
//!
//! let mut outbox = Outbox::default();
//! outbox.push(minidom::Element::builder("message", "jabber:client").build());
//! let Nonza::Ack { h } = Nonza::try_from(ack).unwrap() else { panic!() };
//! assert!(outbox.ack(h).is_err()); // 3 acknowledged, 1 sent: handled-count-too-high
//! ```
#![forbid(unsafe_code)]

mod counter;
pub mod payload;

pub use counter::{AckError, Inbox, Outbox};
pub use payload::{Nonza, NS};
