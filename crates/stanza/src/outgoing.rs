//! What an engine sends: one stanza, or one stanza for many recipients (a room's message to its
//! occupants, XEP-0045 §7.4; a notification to a node's subscribers, XEP-0060 §7.1.2) kept as one
//! tree, serialized once, and addressed per recipient only when it is written.

use minidom::Element;
use xmppkit_codec::{RawStanza, Unaddressed};
use xmppkit_jid::Jid;

/// A stanza to route.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    /// One stanza, addressed.
    Stanza(Element),
    /// The same stanza for each of many recipients.
    FanOut(FanOut),
    /// One stanza, addressed, kept as the bytes it was routed in (a user's message on its way
    /// to the shard of its recipient); its tree is built only if someone asks.
    Raw(RawStanza),
}

impl From<Element> for Outgoing {
    fn from(stanza: Element) -> Self {
        Outgoing::Stanza(stanza)
    }
}

impl Outgoing {
    /// The stanzas one by one, each addressed (a fan-out cloned per recipient).
    pub fn into_stanzas(self) -> Vec<Element> {
        match self {
            Outgoing::Stanza(stanza) => vec![stanza],
            Outgoing::FanOut(mut fan) => std::iter::from_fn(|| fan.next_addressed()).collect(),
            Outgoing::Raw(raw) => raw.into_element().into_iter().collect(),
        }
    }
}

/// One stanza for many recipients: the tree without `to`, its bytes for a `jabber:client` stream
/// with a slot for `to`, and the recipients in order.
///
/// ```
/// use xmppkit_stanza::FanOut;
/// let message: minidom::Element = "<message xmlns='jabber:client' from='coven@chat.shakespeare.lit/thirdwitch' \
///     type='groupchat'><body>Thrice the brinded cat hath mew'd.</body></message>".parse().unwrap();
/// let recipients = vec!["crone1@shakespeare.lit/desktop".parse().unwrap(), "wiccarocks@shakespeare.lit/laptop".parse().unwrap()];
/// let mut fan = FanOut::new(message, recipients);
/// // Bytes for the wire, one copy per recipient, no tree:
/// let bytes = fan.unaddressed().addressed("crone1@shakespeare.lit/desktop");
/// assert!(bytes.starts_with(b"<message to='crone1@shakespeare.lit/desktop' from="));
/// // Or trees, for whoever wants `Element`s:
/// assert_eq!(fan.next_addressed().unwrap().attr("to"), Some("crone1@shakespeare.lit/desktop"));
/// assert_eq!(fan.next_addressed().unwrap().attr("to"), Some("wiccarocks@shakespeare.lit/laptop"));
/// assert!(fan.next_addressed().is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FanOut {
    stanza: Element,
    bytes: Unaddressed,
    recipients: Vec<Jid>,
    /// How many recipients [`FanOut::next_addressed`] has handed out.
    next: usize,
}

impl FanOut {
    /// `stanza` for each of `recipients`, serialized now. A `to` it has is left out of the bytes
    /// and replaced in the trees.
    pub fn new(stanza: Element, recipients: Vec<Jid>) -> FanOut {
        let bytes = Unaddressed::new(&stanza, crate::ns::CLIENT);
        FanOut {
            stanza,
            bytes,
            recipients,
            next: 0,
        }
    }

    /// The stanza, as built (without the recipients' `to`).
    pub fn stanza(&self) -> &Element {
        &self.stanza
    }

    /// Its bytes for a `jabber:client` stream, ready to be addressed.
    pub fn unaddressed(&self) -> &Unaddressed {
        &self.bytes
    }

    /// The recipients not handed out by [`FanOut::next_addressed`] yet, in order.
    pub fn recipients(&self) -> &[Jid] {
        &self.recipients[self.next..]
    }

    /// The same stanza and bytes for other recipients (the bytes are shared, not copied): a
    /// router splits a fan-out by where its recipients are served.
    pub fn with_recipients(&self, recipients: Vec<Jid>) -> FanOut {
        FanOut {
            stanza: self.stanza.clone(),
            bytes: self.bytes.clone(),
            recipients,
            next: 0,
        }
    }

    /// The stanza as a tree addressed to `to`.
    pub fn addressed(&self, to: &Jid) -> Element {
        let mut stanza = self.stanza.clone();
        crate::set_attr(&mut stanza, "to", to.to_string());
        stanza
    }

    /// The tree for the next recipient, if any is left.
    pub fn next_addressed(&mut self) -> Option<Element> {
        let to = self.recipients.get(self.next)?;
        let stanza = self.addressed(to);
        self.next += 1;
        Some(stanza)
    }
}
