//! # xmppkit-codec
//!
//! A sans-IO XMPP XML stream codec (RFC 6120 §4 and §11). It does no I/O: you hand the
//! [`Decoder`] the bytes you read, in chunks split anywhere, and take [`Event`]s out — stream open,
//! stanzas as [`minidom::Element`]s, whitespace keepalives, stream close; the [`Encoder`] writes
//! stream headers, stanzas and the close into a [`bytes::BytesMut`] you then write out.
//!
//! Strict on XML, lenient on payloads:
//! - RFC 6120 §11 is enforced: no comments, processing instructions, DTDs or entity references
//!   other than the five predefined ones (`restricted-xml`); well-formedness, namespaces, UTF-8 and
//!   the XML 1.0 character set are checked (`not-well-formed`, `bad-namespace-prefix`,
//!   `unsupported-encoding`, `invalid-namespace`, `bad-format`);
//! - [`Limits`] bound one element's size (checked while it streams in), its depth and its attribute
//!   count (`policy-violation`); memory never grows past them;
//! - unknown elements and attributes are kept as they are, never an error.
//!
//! A router that reads only `to`, `from`, `type`, `id` and the first child's namespace asks
//! [`Decoder::next_raw`] instead: each stanza comes out as a [`RawStanza`], its exact bytes plus
//! that index, checked exactly as strictly in one pass that builds no tree. It is written out
//! again as a copy, or with a routing attribute or an appended child spliced in; its
//! `minidom::Element` is built on demand.
//!
//! Every error is a [`DecodeError`] that says what and at which byte, and maps to the
//! [`StreamErrorCondition`] to send.
//!
//! ```
//! use bytes::BytesMut;
//! use xmppkit_codec::{Decoder, Encoder, Event, StreamErrorCondition, StreamHeader};
//!
//! // A server reading a client's stream...
//! let mut decoder = Decoder::new();
//! decoder.feed(b"<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
//!     xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
//! let Some(Event::StreamOpen(header)) = decoder.next_event().unwrap() else { panic!() };
//! assert_eq!(header.to.as_deref(), Some("example.com"));
//!
//! // ...and answering it.
//! let mut out = BytesMut::new();
//! Encoder::new().header(&StreamHeader::server("example.com", "s1"), &mut out);
//!
//! // A comment is restricted XML: the stream error to send is <restricted-xml/>.
//! decoder.feed(b"<!-- hi -->");
//! let error = decoder.next_event().unwrap_err();
//! assert_eq!(error.condition(), StreamErrorCondition::RestrictedXml);
//! assert_eq!(error.offset, 137); // where `<!--` starts
//! ```
#![forbid(unsafe_code)]

mod chars;
mod condition;
mod content_ns;
mod decoder;
mod encoder;
mod error;
mod escape;
mod header;
mod index;
mod intern;
mod limits;
pub mod ns;
mod raw;
mod tree;
mod unaddressed;
mod wire;

pub use condition::{StreamErrorCondition, UnknownCondition};
pub use content_ns::with_content_ns;
pub use decoder::{Decoder, Event, RawEvent};
pub use encoder::{to_string, write_attr, write_element, Encoder};
pub use error::{DecodeError, DecodeErrorKind};
pub use header::StreamHeader;
pub use limits::Limits;
pub use minidom;
pub use raw::{RawChild, RawStanza, Routing};
pub use unaddressed::Unaddressed;
pub use wire::Wire;
