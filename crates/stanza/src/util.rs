//! Small helpers every payload module uses to read and write elements, so that all of them report
//! errors the same way.

use crate::ParseError;
use minidom::rxml::NcName;
use minidom::{Element, IntoAttributeValue};
use std::str::FromStr;
use xmppkit_jid::{BareJid, Jid};

/// The identity of a payload element (name and namespace), with the checks and error values every
/// payload parser needs, so that all xmppkit crates report bad input the same way.
///
/// ```
/// use xmppkit_stanza::Tag;
/// const ENABLE: Tag = Tag::new("enable", "urn:xmpp:carbons:2");
/// let el = ENABLE.element();
/// assert!(ENABLE.check(&el).is_ok());
/// assert!(ENABLE.required(&el, "id").is_err()); // names element, namespace and attribute
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    /// Element name.
    pub name: &'static str,
    /// Namespace.
    pub ns: &'static str,
}

impl Tag {
    /// The tag `name` in `ns`.
    pub const fn new(name: &'static str, ns: &'static str) -> Self {
        Tag { name, ns }
    }

    /// Fails unless `el` is this element.
    pub fn check(self, el: &Element) -> Result<(), ParseError> {
        if el.is(self.name, self.ns) {
            Ok(())
        } else {
            Err(ParseError::WrongElement {
                expected: self.name,
                expected_ns: self.ns,
                found: el.name().to_owned(),
                found_ns: el.ns(),
            })
        }
    }

    /// A required attribute's value.
    pub fn required<'a>(
        self,
        el: &'a Element,
        attribute: &'static str,
    ) -> Result<&'a str, ParseError> {
        el.attr(attribute).ok_or(ParseError::MissingAttribute {
            element: self.name,
            ns: self.ns,
            attribute,
        })
    }

    /// An optional attribute, parsed.
    pub fn parse_attr<T: FromStr>(
        self,
        el: &Element,
        attribute: &'static str,
    ) -> Result<Option<T>, ParseError>
    where
        T::Err: std::fmt::Display,
    {
        el.attr(attribute)
            .map(|v| v.parse().map_err(|e: T::Err| self.bad(attribute, v, e)))
            .transpose()
    }

    /// An optional JID attribute.
    pub fn jid_attr(
        self,
        el: &Element,
        attribute: &'static str,
    ) -> Result<Option<Jid>, ParseError> {
        self.parse_attr(el, attribute)
    }

    /// An optional bare JID attribute (a full JID is refused, with the reason).
    pub fn bare_jid_attr(
        self,
        el: &Element,
        attribute: &'static str,
    ) -> Result<Option<BareJid>, ParseError> {
        el.attr(attribute)
            .map(|v| self.bare_jid(attribute, v))
            .transpose()
    }

    /// A required bare JID attribute.
    pub fn required_bare_jid(
        self,
        el: &Element,
        attribute: &'static str,
    ) -> Result<BareJid, ParseError> {
        self.bare_jid(attribute, self.required(el, attribute)?)
    }

    fn bare_jid(self, attribute: &'static str, value: &str) -> Result<BareJid, ParseError> {
        value
            .parse::<BareJid>()
            .map_err(|e| self.bad(attribute, value, format!("not a bare JID: {e}")))
    }

    /// The error for an attribute value that does not parse.
    pub fn bad(
        self,
        attribute: &'static str,
        value: &str,
        reason: impl std::fmt::Display,
    ) -> ParseError {
        ParseError::BadAttribute {
            element: self.name,
            ns: self.ns,
            attribute,
            value: value.to_owned(),
            reason: reason.to_string(),
        }
    }

    /// The error for a missing required child.
    pub fn missing_child(self, child: &'static str) -> ParseError {
        ParseError::MissingChild {
            element: self.name,
            ns: self.ns,
            child,
        }
    }

    /// The error for content that breaks the element's rules.
    pub fn bad_content(self, reason: impl Into<String>) -> ParseError {
        ParseError::BadContent {
            element: self.name,
            ns: self.ns,
            reason: reason.into(),
        }
    }

    /// A new, empty element of this tag.
    pub fn element(self) -> Element {
        Element::builder(self.name, self.ns).build()
    }
}

/// Moves the child elements out of `el` (text between them is dropped): parsers take their
/// element by value, so payloads are moved into the typed value instead of cloned.
pub(crate) fn take_children(el: &mut Element) -> impl Iterator<Item = Element> {
    el.take_nodes()
        .into_iter()
        .filter_map(minidom::Node::into_element)
}

/// Sets an unqualified attribute whose name is a compile-time constant, without spelling out
/// minidom's `NcName` type: the helper every xmppkit crate uses to build elements.
///
/// ```
/// let mut el = minidom::Element::builder("a", "urn:xmpp:sm:3").build();
/// xmppkit_stanza::set_attr(&mut el, "h", "3");
/// assert_eq!(el.attr("h"), Some("3"));
/// ```
///
/// # Panics
/// When `name` is not an XML NCName: a programming error, since names are constants.
pub fn set_attr(el: &mut Element, name: &'static str, value: impl IntoAttributeValue) {
    let name = NcName::try_from(name).expect("attribute names are constant NCNames");
    el.set_attr(minidom::rxml::Namespace::NONE, name, value);
}

/// Sets `xml:lang`.
pub(crate) fn set_lang(el: &mut Element, lang: Option<&str>) {
    if let Some(lang) = lang {
        let name = NcName::try_from("lang").expect("`lang` is an NCName");
        el.set_attr(minidom::rxml::Namespace::XML, name, lang.to_owned());
    }
}

/// `xml:lang` of an element.
pub(crate) fn lang(el: &Element) -> Option<String> {
    el.attr_ns(crate::ns::XML, "lang").map(str::to_owned)
}

/// An element with only text (no text node when the text is empty).
pub(crate) fn text_element(name: &str, ns: &str, text: impl Into<String>) -> Element {
    let mut el = Element::builder(name, ns).build();
    let text = text.into();
    if !text.is_empty() {
        el.append_text_node(text);
    }
    el
}
