//! The XEP-0280 elements (`urn:xmpp:carbons:2`, §4–§7): `<enable/>` and `<disable/>` IQ payloads,
//! the `<received/>` and `<sent/>` wrappers around a XEP-0297 `<forwarded/>`, and `<private/>`.

use minidom::Element;
use xmppkit_stanza::forwarding::Forwarded;
use xmppkit_stanza::{ParseError, Payload, Tag};

/// `urn:xmpp:carbons:2`.
pub const NS: &str = "urn:xmpp:carbons:2";
/// `urn:xmpp:carbons:rules:0`: the server applies exactly the rules of §6.1 (advertise it in
/// disco#info beside [`NS`]).
pub const RULES: &str = "urn:xmpp:carbons:rules:0";

const ENABLE: Tag = Tag::new("enable", NS);
const DISABLE: Tag = Tag::new("disable", NS);
const PRIVATE: Tag = Tag::new("private", NS);
const RECEIVED: Tag = Tag::new("received", NS);
const SENT: Tag = Tag::new("sent", NS);

/// The IQ set payload that turns carbons on (`<enable/>`) or off (`<disable/>`) for the sending
/// resource (§4, §5).
///
/// ```
/// use xmppkit_carbons::Toggle;
/// let el: minidom::Element = "<enable xmlns='urn:xmpp:carbons:2'/>".parse().unwrap();
/// assert_eq!(Toggle::try_from(el).unwrap(), Toggle::Enable);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toggle {
    /// `<enable/>`.
    Enable,
    /// `<disable/>`.
    Disable,
}

impl TryFrom<Element> for Toggle {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        if el.is(ENABLE.name, NS) {
            Ok(Toggle::Enable)
        } else {
            DISABLE.check(&el).map(|()| Toggle::Disable)
        }
    }
}

impl From<Toggle> for Element {
    fn from(t: Toggle) -> Element {
        match t {
            Toggle::Enable => ENABLE.element(),
            Toggle::Disable => DISABLE.element(),
        }
    }
}

/// `<private/>` (§7): do not copy this message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Private;

impl Payload for Private {
    const NAME: &'static str = "private";
    const NS: &'static str = NS;
}

impl TryFrom<Element> for Private {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        PRIVATE.check(&el).map(|()| Private)
    }
}

impl From<Private> for Element {
    fn from(_: Private) -> Element {
        PRIVATE.element()
    }
}

/// Which way the copied message went, from the user's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Someone sent it to the user (`<received/>`, §6.2).
    Received,
    /// One of the user's resources sent it (`<sent/>`, §6.3).
    Sent,
}

/// A carbon-copy wrapper: `<received/>` or `<sent/>` around the forwarded original.
///
/// ```
/// use xmppkit_carbons::{Carbon, Direction};
/// let el: minidom::Element = "<sent xmlns='urn:xmpp:carbons:2'>\
///     <forwarded xmlns='urn:xmpp:forward:0'>\
///     <message xmlns='jabber:client' to='juliet@capulet.example/balcony' type='chat'>\
///     <body>Neither, fair saint, if either thee dislike.</body></message></forwarded></sent>"
///     .parse().unwrap();
/// let carbon = Carbon::try_from(el).unwrap();
/// assert_eq!(carbon.direction, Direction::Sent);
/// assert_eq!(carbon.forwarded.stanza.name(), "message");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Carbon {
    /// Received or sent.
    pub direction: Direction,
    /// The original message.
    pub forwarded: Forwarded,
}

impl TryFrom<Element> for Carbon {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        let (tag, direction) = if el.is(SENT.name, NS) {
            (SENT, Direction::Sent)
        } else {
            RECEIVED.check(&el)?;
            (RECEIVED, Direction::Received)
        };
        let mut children = el.children();
        let forwarded = children
            .next()
            .ok_or_else(|| tag.missing_child("forwarded"))?;
        if children.next().is_some() {
            return Err(tag.bad_content("more than one child"));
        }
        let forwarded = Forwarded::try_from(forwarded.clone())?;
        if forwarded.stanza.name() != "message" {
            return Err(tag.bad_content("the forwarded stanza is not a message"));
        }
        Ok(Carbon {
            direction,
            forwarded,
        })
    }
}

impl From<Carbon> for Element {
    fn from(c: Carbon) -> Element {
        let mut el = match c.direction {
            Direction::Received => RECEIVED.element(),
            Direction::Sent => SENT.element(),
        };
        el.append_child(c.forwarded.into());
        el
    }
}
