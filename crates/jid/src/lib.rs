//! # xmppkit-jid
//!
//! XMPP addresses as RFC 7622 defines them: each part prepared by its PRECIS profile (RFC 8264,
//! RFC 8265) or by IDNA2008, so that `fußball@example.com` and `ς@example.com` stay what they
//! are, `henryⅣ@example.com` and `♚@example.com` are refused, and preparing an address twice
//! gives the same address. On top of parsing:
//!
//! - [`precis`]: the preparation of each part on its own (for user names, room names, …);
//! - [`escape`]: XEP-0106 JID escaping of node parts (`d'artagnan` ↔ `d\27artagnan`);
//! - [`route`]: routing helpers (domain-only JIDs, bare comparison, where a stanza goes).
//!
//! The types convert to and from `minidom` attribute values like the `jid` crate's do; with the
//! `jid` feature, also to and from the `jid` crate's types (which xmpp-parsers uses), preparing
//! again on the way: that crate still applies RFC 6122 stringprep (the `compat` module).
//!
//! ```
//! use xmppkit_jid::{escape::{escape_node, unescape_node}, route::{Destination, destination}, BareJid, Jid};
//!
//! let node = escape_node("d'artagnan").unwrap();
//! assert_eq!(node, r"d\27artagnan");
//! let jid: Jid = format!("{node}@musketeers.lit/gate").parse().unwrap();
//! assert_eq!(unescape_node(jid.node().unwrap().as_str()), "d'artagnan");
//!
//! let local: BareJid = "musketeers.lit".parse().unwrap();
//! assert_eq!(destination(Some(&jid), local.domain()), Destination::LocalFull);
//!
//! // RFC 7622 §3.5: prepared, not stringprepped.
//! let jid: Jid = "Fußball@Example.com/Tor".parse().unwrap();
//! assert_eq!(jid.as_str(), "fußball@example.com/Tor");
//! ```
#![forbid(unsafe_code)]

mod address;
#[cfg(feature = "jid")]
pub mod compat;
mod error;
pub mod escape;
pub mod parts;
pub mod precis;
pub mod route;
mod typed;

pub use address::Jid;
pub use error::{Error, Part};
pub use parts::{DomainRef, NodeRef, ResourceRef};
pub use typed::{BareJid, FullJid};
