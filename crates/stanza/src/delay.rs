//! XEP-0203: Delayed Delivery — `<delay xmlns='urn:xmpp:delay' from='...' stamp='...'>reason</delay>`.

use crate::datetime::DateTime;
use crate::util::{set_attr, Tag};
use crate::{ns, ParseError, Payload};
use minidom::Element;
use xmppkit_jid::Jid;

const DELAY: Tag = Tag::new("delay", ns::DELAY);

/// A delay stamp.
///
/// ```
/// use xmppkit_stanza::delay::Delay;
/// let d = Delay::try_from("<delay xmlns='urn:xmpp:delay' from='capulet.com' \
///     stamp='2002-09-10T23:08:25Z'>Offline Storage</delay>".parse::<minidom::Element>().unwrap()).unwrap();
/// assert_eq!(d.stamp.to_string(), "2002-09-10T23:08:25Z");
/// assert_eq!(d.reason.as_deref(), Some("Offline Storage"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delay {
    /// Who delayed the stanza.
    pub from: Option<Jid>,
    /// When the stanza was originally sent.
    pub stamp: DateTime,
    /// Why, in words.
    pub reason: Option<String>,
}

impl Payload for Delay {
    const NAME: &'static str = "delay";
    const NS: &'static str = ns::DELAY;
}

impl TryFrom<Element> for Delay {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        DELAY.check(&el)?;
        let stamp = DELAY.required(&el, "stamp")?;
        Ok(Delay {
            from: DELAY.jid_attr(&el, "from")?,
            stamp: stamp.parse().map_err(|e| DELAY.bad("stamp", stamp, e))?,
            reason: Some(el.text()).filter(|t| !t.is_empty()),
        })
    }
}

impl From<Delay> for Element {
    fn from(d: Delay) -> Element {
        let mut el = DELAY.element();
        if let Some(from) = d.from {
            set_attr(&mut el, "from", from.to_string());
        }
        set_attr(&mut el, "stamp", d.stamp.to_string());
        if let Some(reason) = d.reason {
            el.append_text_node(reason);
        }
        el
    }
}
