//! # xmppkit-stanza
//!
//! Typed XMPP stanzas and the small XEPs every other crate shares. Every type converts with
//! [`minidom::Element`] (`TryFrom<Element>` and `From<T> for Element`), so it mixes with
//! xmpp-parsers in your code. Stanzas keep their payloads as elements and decode them only when
//! asked ([`Message::payload`]): a server that only routes never pays for parsing them.
//!
//! | module | specification |
//! |---|---|
//! | [`Message`], [`Presence`], [`Iq`] | RFC 6120 §8, RFC 6121 §4–5 |
//! | [`StanzaError`], [`error_reply`] | RFC 6120 §8.3 |
//! | [`StreamError`] | RFC 6120 §4.9 |
//! | [`data_forms`] | XEP-0004 Data Forms |
//! | [`disco`] | XEP-0030 Service Discovery |
//! | [`rsm`] | XEP-0059 Result Set Management |
//! | [`datetime`] | XEP-0082 Date and Time Profiles |
//! | [`delay`] | XEP-0203 Delayed Delivery |
//! | [`forwarding`] | XEP-0297 Stanza Forwarding |
//! | [`hints`] | XEP-0334 Message Processing Hints |
//! | [`sid`] | XEP-0359 Unique and Stable Stanza IDs |
//!
//! ```
//! use xmppkit_stanza::{Message, Stanza, delay::Delay};
//!
//! let element: minidom::Element = "<message xmlns='jabber:client' from='juliet@capulet.com/balcony' \
//!     to='romeo@montague.net' type='chat'><body>O Romeo, Romeo!</body>\
//!     <delay xmlns='urn:xmpp:delay' from='capulet.com' stamp='2002-09-10T23:08:25Z'/></message>"
//!     .parse().unwrap();
//! let Stanza::Message(message) = Stanza::try_from(element).unwrap() else { panic!() };
//! assert_eq!(message.body(), Some("O Romeo, Romeo!"));
//! let delay: Delay = message.payload().unwrap().unwrap();
//! assert_eq!(delay.stamp.to_string(), "2002-09-10T23:08:25Z");
//! ```
#![forbid(unsafe_code)]

mod addressing;
pub mod caps;
pub mod chat_states;
pub mod data_forms;
pub mod datetime;
pub mod delay;
pub mod disco;
mod error;
pub mod forwarding;
pub mod hints;
mod iq;
mod message;
pub mod ns;
mod outgoing;
mod payload;
mod presence;
pub mod receipts;
pub mod rsm;
pub mod sid;
mod stanza;
mod stanza_error;
mod stream_error;
mod util;
mod view;

pub use error::ParseError;
pub use iq::{Iq, IqPayload};
pub use message::{has_body, Message, MessageType, Thread};
pub use outgoing::{FanOut, Outgoing};
pub use payload::Payload;
pub use presence::{Presence, PresenceType, Show};
pub use stanza::Stanza;
pub use stanza_error::{error_reply, DefinedCondition, ErrorType, StanzaError};
pub use stream_error::{StreamError, StreamErrorCondition};
pub use util::{set_attr, Tag};
pub use view::StanzaView;
