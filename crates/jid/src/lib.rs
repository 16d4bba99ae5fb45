//! # xmppkit-jid
//!
//! XMPP addresses (RFC 7622). The types are the ones of the [`jid`] crate, re-exported, so that a
//! [`Jid`] parsed here is the same type xmpp-parsers and minidom users already have. This crate adds
//! what a client or server needs beyond parsing:
//!
//! - [`escape`]: XEP-0106 JID escaping of node parts (`d'artagnan` ↔ `d\27artagnan`);
//! - [`route`]: routing helpers (domain-only JIDs, bare comparison, where a stanza goes).
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
//! ```
#![forbid(unsafe_code)]

pub mod escape;
pub mod route;

pub use jid::{
    BareJid, DomainPart, DomainRef, Error, FullJid, Jid, NodePart, NodeRef, ResourcePart,
    ResourceRef,
};
