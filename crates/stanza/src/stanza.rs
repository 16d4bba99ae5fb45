//! Any of the three stanzas (RFC 6120 §8), for code that takes what arrives and dispatches on it.

use crate::{Iq, Message, ParseError, Presence};
use minidom::Element;

/// A message, presence or iq.
#[derive(Debug, Clone, PartialEq)]
pub enum Stanza {
    /// `<message/>`.
    Message(Message),
    /// `<presence/>`.
    Presence(Presence),
    /// `<iq/>`.
    Iq(Iq),
}

impl Stanza {
    /// Whether an element is a stanza by name (any stanza namespace), without parsing it.
    pub fn is_stanza<S: crate::StanzaView + ?Sized>(el: &S) -> bool {
        matches!(el.stanza_name(), "message" | "presence" | "iq")
            && matches!(
                &*el.stanza_ns(),
                crate::ns::CLIENT | crate::ns::SERVER | crate::ns::COMPONENT_ACCEPT
            )
    }
}

impl TryFrom<Element> for Stanza {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        match el.name() {
            "message" => Message::try_from(el).map(Stanza::Message),
            "presence" => Presence::try_from(el).map(Stanza::Presence),
            _ => Iq::try_from(el).map(Stanza::Iq),
        }
    }
}

impl From<Stanza> for Element {
    fn from(s: Stanza) -> Element {
        match s {
            Stanza::Message(m) => m.into(),
            Stanza::Presence(p) => p.into(),
            Stanza::Iq(i) => i.into(),
        }
    }
}
