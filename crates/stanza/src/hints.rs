//! XEP-0334: Message Processing Hints — `no-permanent-store`, `no-store`, `no-copy`, `store`.

use crate::{ns, ParseError};
use minidom::Element;

/// A processing hint.
///
/// ```
/// use xmppkit_stanza::hints::Hint;
/// let el: minidom::Element = Hint::NoCopy.into();
/// assert_eq!(xmppkit_codec::to_string(&el), "<no-copy xmlns='urn:xmpp:hints'/>");
/// assert_eq!(Hint::try_from(el).unwrap(), Hint::NoCopy);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hint {
    /// Do not store the message permanently (an archive); offline storage is fine.
    NoPermanentStore,
    /// Do not store the message at all.
    NoStore,
    /// Do not copy the message to other resources (carbons).
    NoCopy,
    /// Store the message even if it would not be by default.
    Store,
}

impl Hint {
    /// Every hint.
    pub const ALL: [Hint; 4] = [
        Hint::NoPermanentStore,
        Hint::NoStore,
        Hint::NoCopy,
        Hint::Store,
    ];

    /// The element name.
    pub fn name(self) -> &'static str {
        match self {
            Hint::NoPermanentStore => "no-permanent-store",
            Hint::NoStore => "no-store",
            Hint::NoCopy => "no-copy",
            Hint::Store => "store",
        }
    }

    /// Whether `stanza` carries this hint.
    ///
    /// ```
    /// use xmppkit_stanza::hints::Hint;
    /// let m: minidom::Element = "<message xmlns='jabber:client'><no-copy xmlns='urn:xmpp:hints'/></message>".parse().unwrap();
    /// assert!(Hint::NoCopy.is_in(&m));
    /// assert!(!Hint::NoStore.is_in(&m));
    /// ```
    pub fn is_in<S: crate::StanzaView + ?Sized>(self, stanza: &S) -> bool {
        stanza.has_child_named(self.name(), ns::HINTS)
    }

    /// The hints among a stanza's payloads.
    pub fn all_in(payloads: &[Element]) -> Vec<Hint> {
        payloads
            .iter()
            .filter_map(|e| Hint::try_from(e.clone()).ok())
            .collect()
    }
}

impl TryFrom<Element> for Hint {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        if el.has_ns(ns::HINTS) {
            if let Some(h) = Hint::ALL.into_iter().find(|h| h.name() == el.name()) {
                return Ok(h);
            }
        }
        Err(ParseError::WrongElement {
            expected: "a hint",
            expected_ns: ns::HINTS,
            found: el.name().to_owned(),
            found_ns: el.ns(),
        })
    }
}

impl From<Hint> for Element {
    fn from(h: Hint) -> Element {
        Element::builder(h.name(), ns::HINTS).build()
    }
}
