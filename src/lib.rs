//! # xmppkit
//!
//! Reusable, sans-IO XMPP protocol libraries. This umbrella crate re-exports each member crate
//! behind a feature of the same name (all on by default), so `xmppkit = { default-features = false,
//! features = ["codec"] }` pulls in only what you use.
//!
//! | feature | crate | what it is |
//! |---|---|---|
//! | `jid` | [`xmppkit-jid`](jid) | JIDs (RFC 7622), XEP-0106 escaping, routing helpers |
//! | `codec` | [`xmppkit-codec`](codec) | sans-IO XML stream codec (RFC 6120 §4, §11) |
//! | `stanza` | [`xmppkit-stanza`](stanza) | typed stanzas, stanza/stream errors, shared XEPs |
//! | `session` | [`xmppkit-session`](session) | sans-IO client and server session state machines |
//! | `sm` | [`xmppkit-sm`](sm) | XEP-0198 stream management: counters, timers, resumption state |
//! | `carbons` | [`xmppkit-carbons`](carbons) | XEP-0280 Message Carbons: copy rules, forged-carbon check |
//! | `markers` | [`xmppkit-markers`](markers) | XEP-0333 Chat Markers: what to mark, forward only, unread counts |
//! | `read-markers` | [`xmppkit-read-markers`](read_markers) | room read markers: last read and unseen counter per member |
//! | `mam` | [`xmppkit-mam`](mam) | XEP-0313 archives: engine, indexed in-memory archive, client helper |
//! | `muc` | [`xmppkit-muc`](muc) | XEP-0045 Multi-User Chat: payloads, room and service engines, client helper (with `mam` / `read-markers`: their room hooks) |
//! | `pubsub` | [`xmppkit-pubsub`](pubsub) | XEP-0060 Publish-Subscribe and XEP-0163 PEP: payloads, service engine, store trait, client helper |
//! | `server` | [`xmppkit-server`](server) | the sans-IO server core: resources, RFC 6121 delivery, rosters, presence, offline, blocking, accounts, components, federation routing |
//! | `s2s` | [`xmppkit-s2s`](s2s) | sans-IO server-to-server streams: STARTTLS, SASL EXTERNAL, Server Dialback (XEP-0220) |
//! | `component` | [`xmppkit-component`](component) | sans-IO XEP-0114 external components: the server's side and the component's |
//! | `store-sqlite` | [`xmppkit-store-sqlite`](store_sqlite) | the server's and MAM's stores on one SQLite file (bundled) |
//! | `store-postgres` | [`xmppkit-store-postgres`](store_postgres) | the same stores on PostgreSQL, writes behind with durability futures |
//! | `store-conformance` (off by default) | `xmppkit-store-conformance` (`xmppkit::store_conformance`) | the conformance suite every store passes |
//!
//! ```
//! # #[cfg(all(feature = "codec", feature = "jid"))] {
//! use xmppkit::codec::{Decoder, Event};
//!
//! let mut decoder = Decoder::new();
//! decoder.feed(b"<stream:stream xmlns='jabber:client' \
//!     xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>\
//!     <message to='juliet@example.com'><body>hi</body></message>");
//! assert!(matches!(decoder.next_event().unwrap(), Some(Event::StreamOpen(_))));
//! let Some(Event::Stanza(message)) = decoder.next_event().unwrap() else { panic!() };
//! assert_eq!(message.ns(), "jabber:client");
//! let to: xmppkit::jid::Jid = message.attr("to").unwrap().parse().unwrap();
//! assert_eq!(to.domain().as_str(), "example.com");
//! # }
//! ```
#![forbid(unsafe_code)]

#[cfg(feature = "carbons")]
pub use xmppkit_carbons as carbons;
#[cfg(feature = "codec")]
pub use xmppkit_codec as codec;
#[cfg(feature = "component")]
pub use xmppkit_component as component;
#[cfg(feature = "jid")]
pub use xmppkit_jid as jid;
#[cfg(feature = "mam")]
pub use xmppkit_mam as mam;
#[cfg(feature = "markers")]
pub use xmppkit_markers as markers;
#[cfg(feature = "muc")]
pub use xmppkit_muc as muc;
#[cfg(feature = "pubsub")]
pub use xmppkit_pubsub as pubsub;
#[cfg(feature = "read-markers")]
pub use xmppkit_read_markers as read_markers;
#[cfg(feature = "s2s")]
pub use xmppkit_s2s as s2s;
#[cfg(feature = "server")]
pub use xmppkit_server as server;
#[cfg(feature = "session")]
pub use xmppkit_session as session;
#[cfg(feature = "sm")]
pub use xmppkit_sm as sm;
#[cfg(feature = "stanza")]
pub use xmppkit_stanza as stanza;
#[cfg(feature = "store-conformance")]
pub use xmppkit_store_conformance as store_conformance;
#[cfg(feature = "store-postgres")]
pub use xmppkit_store_postgres as store_postgres;
#[cfg(feature = "store-sqlite")]
pub use xmppkit_store_sqlite as store_sqlite;
