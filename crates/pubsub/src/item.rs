//! The pieces several pubsub elements share: `<item id publisher>payload</item>` (§7.1, in the
//! `pubsub` and `#event` namespaces) and `<subscription/>` (§6.1, §8.8, also in `#owner` and
//! `#event`), written in the namespace of the element that holds them.

use crate::Subscription;
use minidom::Element;
use xmppkit_jid::Jid;
use xmppkit_stanza::{set_attr, ParseError, Tag};

/// An item: its id, who published it (when the service says), and its payload.
///
/// ```
/// use xmppkit_pubsub::Item;
/// let el: minidom::Element = "<item xmlns='http://jabber.org/protocol/pubsub' id='ae890ac52d0df67ed7cfdf51b644e901'>\
///     <entry xmlns='http://www.w3.org/2005/Atom'><title>Soliloquy</title></entry></item>".parse().unwrap();
/// let item = Item::parse(&el, xmppkit_pubsub::ns::PUBSUB).unwrap();
/// assert_eq!(item.id.as_deref(), Some("ae890ac52d0df67ed7cfdf51b644e901"));
/// assert_eq!(item.payload.unwrap().name(), "entry");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Item {
    /// The item id.
    pub id: Option<String>,
    /// The publisher (XEP-0060 §7.1.2, when the node is configured to say).
    pub publisher: Option<Jid>,
    /// The payload (one element), absent in notification-only events.
    pub payload: Option<Element>,
}

impl Item {
    /// An item with an id and a payload.
    pub fn new(id: impl Into<String>, payload: Element) -> Self {
        Item {
            id: Some(id.into()),
            publisher: None,
            payload: Some(payload),
        }
    }

    /// Parses `<item/>` in `ns`. More than one payload element is an error (§7.1.3.6).
    pub fn parse(el: &Element, ns: &'static str) -> Result<Self, ParseError> {
        let tag = Tag::new("item", ns);
        tag.check(el)?;
        let mut payloads = el.children();
        let payload = payloads.next().cloned();
        if payloads.next().is_some() {
            return Err(tag.bad_content("more than one payload element"));
        }
        Ok(Item {
            id: el.attr("id").map(str::to_owned),
            publisher: tag.jid_attr(el, "publisher")?,
            payload,
        })
    }

    /// Writes `<item/>` in `ns`.
    pub fn to_element(&self, ns: &str) -> Element {
        let mut el = Element::builder("item", ns).build();
        if let Some(id) = &self.id {
            set_attr(&mut el, "id", id.clone());
        }
        if let Some(p) = &self.publisher {
            set_attr(&mut el, "publisher", p.to_string());
        }
        if let Some(payload) = &self.payload {
            el.append_child(payload.clone());
        }
        el
    }
}

/// A subscription as the service reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionInfo {
    /// The node (absent in the owner's per-node lists).
    pub node: Option<String>,
    /// The subscriber.
    pub jid: Jid,
    /// The state.
    pub subscription: Option<Subscription>,
    /// The subscription id.
    pub subid: Option<String>,
}

impl SubscriptionInfo {
    /// Parses `<subscription/>` in `ns`.
    pub fn parse(el: &Element, ns: &'static str) -> Result<Self, ParseError> {
        let tag = Tag::new("subscription", ns);
        tag.check(el)?;
        Ok(SubscriptionInfo {
            node: el.attr("node").map(str::to_owned),
            jid: tag
                .jid_attr(el, "jid")?
                .ok_or_else(|| tag.missing_child("jid attribute"))?,
            subscription: tag.parse_attr(el, "subscription")?,
            subid: el.attr("subid").map(str::to_owned),
        })
    }

    /// Writes `<subscription/>` in `ns`.
    pub fn to_element(&self, ns: &str) -> Element {
        let mut el = Element::builder("subscription", ns).build();
        if let Some(n) = &self.node {
            set_attr(&mut el, "node", n.clone());
        }
        set_attr(&mut el, "jid", self.jid.to_string());
        if let Some(s) = self.subscription {
            set_attr(&mut el, "subscription", s.name());
        }
        if let Some(s) = &self.subid {
            set_attr(&mut el, "subid", s.clone());
        }
        el
    }
}
