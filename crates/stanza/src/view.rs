//! What delivery rules read of a stanza (RFC 6120 §8.1, and the payload checks of XEP-0280,
//! XEP-0313 and XEP-0334): its name and namespace, its `type`, and which top-level children it
//! has. Implemented for the tree (`minidom::Element`) and for the codec's byte-backed
//! [`RawStanza`], which answers from its index without building a tree, so that one rule serves
//! a server that routes bytes and one that routes trees.

use minidom::Element;
use std::borrow::Cow;
use xmppkit_codec::{RawStanza, Routing};

/// A stanza as the delivery rules see it.
///
/// ```
/// use xmppkit_stanza::{has_body, StanzaView};
/// use xmppkit_codec::{Decoder, RawEvent};
/// let tree: minidom::Element = "<message xmlns='jabber:client' type='chat'><body>hi</body></message>"
///     .parse().unwrap();
/// let mut decoder = Decoder::fragments("jabber:client");
/// decoder.feed(b"<message type='chat'><body>hi</body></message>");
/// let Some(RawEvent::Stanza(raw)) = decoder.next_raw().unwrap() else { panic!() };
/// assert_eq!(tree.stanza_type().as_deref(), raw.stanza_type().as_deref());
/// assert!(has_body(&tree) && has_body(&raw));
/// ```
pub trait StanzaView {
    /// The element's local name (`message`, `presence`, `iq`).
    fn stanza_name(&self) -> &str;
    /// Its namespace.
    fn stanza_ns(&self) -> Cow<'_, str>;
    /// Its `type` attribute (RFC 6120 §8.1.4).
    fn stanza_type(&self) -> Option<Cow<'_, str>>;
    /// Whether a top-level child has this name and namespace.
    fn has_child_named(&self, name: &str, ns: &str) -> bool;
    /// Whether a top-level child is in this namespace.
    fn has_child_in(&self, ns: &str) -> bool;
    /// The first top-level child with this name and namespace, as a tree (borrowed from a tree,
    /// built from its own bytes for a raw stanza).
    fn child_tree(&self, name: &str, ns: &str) -> Option<Cow<'_, Element>>;
}

impl StanzaView for Element {
    fn stanza_name(&self) -> &str {
        self.name()
    }
    fn stanza_ns(&self) -> Cow<'_, str> {
        Cow::Owned(self.ns())
    }
    fn stanza_type(&self) -> Option<Cow<'_, str>> {
        self.attr("type").map(Cow::Borrowed)
    }
    fn has_child_named(&self, name: &str, ns: &str) -> bool {
        self.has_child(name, ns)
    }
    fn has_child_in(&self, ns: &str) -> bool {
        self.children().any(|c| c.has_ns(ns))
    }
    fn child_tree(&self, name: &str, ns: &str) -> Option<Cow<'_, Element>> {
        self.get_child(name, ns).map(Cow::Borrowed)
    }
}

impl StanzaView for RawStanza {
    fn stanza_name(&self) -> &str {
        self.name()
    }
    fn stanza_ns(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.ns())
    }
    fn stanza_type(&self) -> Option<Cow<'_, str>> {
        self.attr(Routing::Type)
    }
    fn has_child_named(&self, name: &str, ns: &str) -> bool {
        self.has_child(name, ns)
    }
    fn has_child_in(&self, ns: &str) -> bool {
        self.children().any(|c| c.ns() == ns)
    }
    fn child_tree(&self, name: &str, ns: &str) -> Option<Cow<'_, Element>> {
        self.child_element(name, ns).map(Cow::Owned)
    }
}
