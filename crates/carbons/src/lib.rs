//! # xmppkit-carbons
//!
//! XEP-0280 Message Carbons 1.0 (`urn:xmpp:carbons:2`), sans-IO: the elements ([`Toggle`],
//! [`Carbon`], [`Private`]), the server's decision of which resources get which copy
//! ([`eligible`], [`copies`], following the `urn:xmpp:carbons:rules:0` rules of §6.1), and the
//! client's unwrapping that refuses forged carbons ([`unwrap`]).
//!
//! A server keeps, per user, the set of resources that enabled carbons (answering the
//! [`Toggle`] IQ with an empty result), then calls [`copies`] for each message it routes:
//!
//! ```
//! use xmppkit_carbons::{copies, Direction};
//! use xmppkit_jid::FullJid;
//! let sent: minidom::Element = "<message xmlns='jabber:client' from='romeo@montague.example/home' \
//!     to='juliet@capulet.example/balcony' type='chat'><body>Neither, fair saint</body></message>"
//!     .parse().unwrap();
//! let home: FullJid = "romeo@montague.example/home".parse().unwrap();
//! let garden: FullJid = "romeo@montague.example/garden".parse().unwrap();
//! let out = copies(&sent, Direction::Sent, &home.to_bare(), [&home, &garden], &[home.clone()]);
//! assert_eq!(out.len(), 1); // the garden resource sees what home sent
//! assert!(out[0].get_child("sent", xmppkit_carbons::NS).is_some());
//! ```
#![forbid(unsafe_code)]

mod client;
mod payload;
mod rules;

pub use client::{toggle_iq, unwrap, CarbonError};
pub use payload::{Carbon, Direction, Private, Toggle, NS, RULES};
pub use rules::{copies, copies_raw, eligible, wrap};
