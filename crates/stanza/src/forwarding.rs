//! XEP-0297: Stanza Forwarding — `<forwarded xmlns='urn:xmpp:forward:0'>` with an optional
//! XEP-0203 delay and the forwarded stanza, kept as an element.

use crate::delay::Delay;
use crate::util::Tag;
use crate::{ns, ParseError, Payload};
use minidom::Element;

const FORWARDED: Tag = Tag::new("forwarded", ns::FORWARD);

/// A forwarded stanza.
///
/// ```
/// use xmppkit_stanza::forwarding::Forwarded;
/// let f = Forwarded::try_from("<forwarded xmlns='urn:xmpp:forward:0'>\
///     <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
///     <message xmlns='jabber:client' from='romeo@montague.lit/orchard' type='chat'>\
///     <body>O blessed, blessed night!</body></message></forwarded>"
///     .parse::<minidom::Element>().unwrap()).unwrap();
/// assert!(f.delay.is_some());
/// assert_eq!(f.stanza.name(), "message");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Forwarded {
    /// When the original was sent.
    pub delay: Option<Delay>,
    /// The forwarded stanza (any stanza namespace).
    pub stanza: Element,
}

impl Payload for Forwarded {
    const NAME: &'static str = "forwarded";
    const NS: &'static str = ns::FORWARD;
}

impl TryFrom<Element> for Forwarded {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        FORWARDED.check(&el)?;
        let mut delay = None;
        let mut stanza = None;
        for child in el.children() {
            if child.is("delay", ns::DELAY) && delay.is_none() {
                delay = Some(Delay::try_from(child.clone())?);
            } else if stanza.is_none() && matches!(child.name(), "message" | "presence" | "iq") {
                stanza = Some(child.clone());
            } else {
                return Err(FORWARDED.bad_content(format!("unexpected <{}/>", child.name())));
            }
        }
        Ok(Forwarded {
            delay,
            stanza: stanza.ok_or_else(|| FORWARDED.missing_child("message"))?,
        })
    }
}

impl From<Forwarded> for Element {
    fn from(f: Forwarded) -> Element {
        let mut el = FORWARDED.element();
        if let Some(delay) = f.delay {
            el.append_child(delay.into());
        }
        el.append_child(f.stanza);
        el
    }
}
