//! The contract between stanzas and their payloads: a payload type knows its element name and
//! namespace and converts with `minidom::Element`, so any stanza can extract it lazily.

use crate::ParseError;
use minidom::Element;

/// A typed payload (a child element of a stanza) of a given name and namespace.
///
/// ```
/// use xmppkit_stanza::{Message, Payload, sid::OriginId};
///
/// let mut message = Message::chat("juliet@example.com".parse().unwrap(), "hi");
/// message.payloads.push(OriginId { id: "de305d54".into() }.into());
/// let origin: OriginId = message.payload().unwrap().unwrap();
/// assert_eq!(origin.id, "de305d54");
/// assert_eq!(OriginId::NS, "urn:xmpp:sid:0");
/// ```
pub trait Payload: TryFrom<Element, Error = ParseError> + Into<Element> {
    /// The element name.
    const NAME: &'static str;
    /// The namespace.
    const NS: &'static str;
}

/// Finds the first child of type `P` among `payloads` and parses it.
pub(crate) fn find<P: Payload>(payloads: &[Element]) -> Option<Result<P, ParseError>> {
    payloads
        .iter()
        .find(|e| e.is(P::NAME, P::NS))
        .map(|e| P::try_from(e.clone()))
}
