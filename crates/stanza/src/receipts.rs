//! XEP-0184 Message Delivery Receipts: a sender asks with `<request/>`, the recipient's client
//! answers with `<received id/>` naming the message it got. The server only carries them (and
//! keeps a receipt for a user who is away, so that the ticks are right when they are back).

use crate::{ns, ParseError};
use minidom::Element;

/// A receipt payload.
///
/// ```
/// use xmppkit_stanza::receipts::Receipt;
/// let el: minidom::Element = Receipt::Received { id: "richard2-4.1.247".into() }.into();
/// assert_eq!(xmppkit_codec::to_string(&el), "<received xmlns='urn:xmpp:receipts' id='richard2-4.1.247'/>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    /// The sender wants a receipt (§5.1).
    Request,
    /// The message with this id arrived (§5.2).
    Received {
        /// The id of the message received.
        id: String,
    },
}

impl Receipt {
    /// The receipt a message carries, if any.
    pub fn of(message: &Element) -> Option<Receipt> {
        message
            .children()
            .find_map(|c| Receipt::try_from(c.clone()).ok())
    }
}

impl TryFrom<Element> for Receipt {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        if el.is("request", ns::RECEIPTS) {
            return Ok(Receipt::Request);
        }
        if el.is("received", ns::RECEIPTS) {
            // §5.2: the id is required (XEP-0184 1.4: a receipt without one is not valid).
            let id = el.attr("id").ok_or(ParseError::MissingAttribute {
                element: "received",
                ns: ns::RECEIPTS,
                attribute: "id",
            })?;
            return Ok(Receipt::Received { id: id.to_owned() });
        }
        Err(ParseError::WrongElement {
            expected: "request or received",
            expected_ns: ns::RECEIPTS,
            found: el.name().to_owned(),
            found_ns: el.ns(),
        })
    }
}

impl From<Receipt> for Element {
    fn from(r: Receipt) -> Element {
        match r {
            Receipt::Request => Element::builder("request", ns::RECEIPTS).build(),
            Receipt::Received { id } => {
                let mut el = Element::builder("received", ns::RECEIPTS).build();
                crate::util::set_attr(&mut el, "id", id);
                el
            }
        }
    }
}
