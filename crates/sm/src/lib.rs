//! # xmppkit-sm
//!
//! XEP-0198 Stream Management, sans-IO: the `urn:xmpp:sm:3` elements ([`Nonza`]), the
//! acknowledgement arithmetic modulo 2^32 ([`Outbox`], [`Inbox`]), one managed stream with its
//! request and dead-link timers ([`SmStream`]), and what outlives a connection: the client's
//! [`Resumption`] token and the server's [`DetachedSessions`], which hand back unacknowledged
//! stanzas when a session expires.
//!
//! `xmppkit-session` runs these for both roles (enable after bind, resume instead of bind); an
//! embedding server keeps a [`DetachedSessions`] and answers resume requests from it.
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

mod config;
mod counter;
pub mod payload;
mod queued;
mod resumption;
mod stream;

pub use config::SmConfig;
pub use counter::{AckError, Inbox, Outbox};
pub use payload::{Nonza, NS};
pub use queued::Queued;
pub use resumption::{DetachedSession, DetachedSessions, Expired, Resumption};
pub use stream::{SmStream, Tick};
