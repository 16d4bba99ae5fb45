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
//! | `sm` | [`xmppkit-sm`](sm) | XEP-0198 stream management: elements and acknowledgement counting |
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

#[cfg(feature = "codec")]
pub use xmppkit_codec as codec;
#[cfg(feature = "jid")]
pub use xmppkit_jid as jid;
#[cfg(feature = "session")]
pub use xmppkit_session as session;
#[cfg(feature = "sm")]
pub use xmppkit_sm as sm;
#[cfg(feature = "stanza")]
pub use xmppkit_stanza as stanza;
