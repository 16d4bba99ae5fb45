//! # xmppkit-mam
//!
//! XEP-0313 Message Archive Management (`urn:xmpp:mam:2` and `#extended`), sans-IO, for user and
//! room archives:
//!
//! - the elements ([`payload`]): query form fields, RSM paging, `flip-page`, `<result/>`,
//!   `<fin/>`, metadata, preferences and the advertised form;
//! - the server engine ([`Mam`]): what is archived ([`should_archive`]), the XEP-0359 stanza-id
//!   every copy carries ([`stamp`]), and the answers to queries with the access rules and errors;
//! - the [`Archive`] trait and [`MemoryArchive`], indexed by time, id and partner: a page costs
//!   O(log n + page size);
//! - the client helper ([`query_iq`], [`Collector`]) that refuses forged results.
//!
//! ```
//! use xmppkit_mam::*;
//! use xmppkit_stanza::{datetime::DateTime, Iq};
//! let mut mam = Mam::new(MemoryArchive::default(), MamConfig::default());
//! let juliet: xmppkit_jid::BareJid = "juliet@capulet.lit".parse().unwrap();
//! let message: minidom::Element = "<message xmlns='jabber:client' from='romeo@montague.lit/orchard' \
//!     to='juliet@capulet.lit' type='chat'><body>Hail to thee</body></message>".parse().unwrap();
//! let now = DateTime::from_unix(1_278_803_305, 0).unwrap();
//! let sid = mam.store(&juliet, ArchiveKind::User, &"romeo@montague.lit/orchard".parse().unwrap(),
//!     true, &message, "28482-98726-73623".into(), now).unwrap().unwrap();
//! assert_eq!(sid.by.to_string(), "juliet@capulet.lit");
//!
//! // Juliet asks for her archive; the engine answers with one result and the fin.
//! let mut query = query_iq("juliet1", None, "f27", &Filter::default(), None);
//! query.from = Some("juliet@capulet.lit/chamber".parse().unwrap());
//! let out = mam.handle_iq(&query, ArchiveKind::User, |_| false).unwrap();
//! let mut collector = Collector::new(juliet, None, "f27");
//! assert!(collector.accept(&out[0]).unwrap());
//! let (items, fin) = collector.finish(&Iq::try_from(out[1].clone()).unwrap()).unwrap();
//! assert_eq!(items[0].id, "28482-98726-73623");
//! assert!(fin.complete);
//! ```
#![forbid(unsafe_code)]

mod archive;
mod client;
mod engine;
pub mod fulltext;
pub mod payload;
pub mod positions;

pub use archive::{
    stored_author, Archive, ArchiveError, Archived, Entry, MemoryArchive, Page, PageResult,
    UnreadAsk,
};
pub use client::{query_iq, Collector, MamClientError};
pub use engine::{should_archive, ArchiveKind, Mam, MamConfig};
pub use payload::{
    query_form, DefaultPref, Filter, Fin, FormError, Metadata, Prefs, Query, ResultItem, NS,
    NS_EXTENDED,
};
pub use xmppkit_stanza::sid::stamp;
