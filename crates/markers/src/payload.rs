//! The XEP-0333 elements (`urn:xmpp:chat-markers:0`): `<markable/>` (§4.1) and the markers
//! `<displayed/>` (§4.2) and, for older peers, `<received/>` and `<acknowledged/>`, each naming
//! the message it marks by `id`.

use minidom::Element;
use xmppkit_stanza::{set_attr, ParseError, Payload, Tag};

/// `urn:xmpp:chat-markers:0`.
pub const NS: &str = "urn:xmpp:chat-markers:0";

const MARKABLE: Tag = Tag::new("markable", NS);

/// `<markable/>`: the sender wants markers for this message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Markable;

impl Payload for Markable {
    const NAME: &'static str = "markable";
    const NS: &'static str = NS;
}

impl TryFrom<Element> for Markable {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        MARKABLE.check(&el).map(|()| Markable)
    }
}

impl From<Markable> for Element {
    fn from(_: Markable) -> Element {
        MARKABLE.element()
    }
}

/// Which marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MarkerKind {
    /// `<received/>` (drafts before 1.0).
    Received,
    /// `<displayed/>`: read, up to this message.
    Displayed,
    /// `<acknowledged/>` (drafts before 1.0).
    Acknowledged,
}

impl MarkerKind {
    /// The element name.
    pub fn name(self) -> &'static str {
        match self {
            MarkerKind::Received => "received",
            MarkerKind::Displayed => "displayed",
            MarkerKind::Acknowledged => "acknowledged",
        }
    }

    fn tag(self) -> Tag {
        Tag::new(self.name(), NS)
    }
}

/// A marker: `kind` for the message `id` (and every earlier one).
///
/// ```
/// use xmppkit_markers::{Marker, MarkerKind};
/// let el: minidom::Element = "<displayed xmlns='urn:xmpp:chat-markers:0' id='the-msg-1'/>".parse().unwrap();
/// let marker = Marker::try_from(el.clone()).unwrap();
/// assert_eq!(marker, Marker { kind: MarkerKind::Displayed, id: "the-msg-1".into() });
/// assert_eq!(minidom::Element::from(marker), el);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Marker {
    /// Which marker.
    pub kind: MarkerKind,
    /// The id of the marked message (its `id` in 1:1, the room's stanza-id in a group chat).
    pub id: String,
}

impl Marker {
    /// The marker among a message's children, if any.
    pub fn find(message: &Element) -> Option<Result<Marker, ParseError>> {
        message
            .children()
            .find(|c| c.has_ns(NS) && c.name() != MARKABLE.name)
            .map(|c| Marker::try_from(c.clone()))
    }
}

impl TryFrom<Element> for Marker {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        let kind = [
            MarkerKind::Received,
            MarkerKind::Displayed,
            MarkerKind::Acknowledged,
        ]
        .into_iter()
        .find(|k| el.is(k.name(), NS))
        .ok_or_else(|| ParseError::WrongElement {
            expected: "a chat marker",
            expected_ns: NS,
            found: el.name().to_owned(),
            found_ns: el.ns(),
        })?;
        let id = kind.tag().required(&el, "id")?;
        if id.is_empty() {
            return Err(kind.tag().bad("id", id, "empty"));
        }
        Ok(Marker {
            kind,
            id: id.to_owned(),
        })
    }
}

impl From<Marker> for Element {
    fn from(m: Marker) -> Element {
        let mut el = m.kind.tag().element();
        set_attr(&mut el, "id", m.id);
        el
    }
}
