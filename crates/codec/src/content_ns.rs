//! Moving a stanza between streams of different content namespaces (RFC 6120 §4.8.3):
//! `jabber:client`, `jabber:server` and `jabber:component:accept` carry the same stanzas, so a
//! stanza read on one stream is renamed into the namespace of the one it is written to.

use minidom::{Element, Node};

/// `element` with itself and every descendant that inherits its namespace moved from `from` to
/// `to`. Children in any other namespace are kept as they are, with all they contain (a
/// forwarded `jabber:client` message inside a carbon keeps its own namespace).
///
/// ```
/// let m: minidom::Element =
///     "<message xmlns='jabber:component:accept' to='a@b'><body>hi</body></message>".parse().unwrap();
/// let m = xmppkit_codec::with_content_ns(m, "jabber:component:accept", "jabber:client");
/// assert!(m.is("message", "jabber:client"));
/// assert!(m.get_child("body", "jabber:client").is_some());
/// assert_eq!(m.attr("to"), Some("a@b"));
/// ```
pub fn with_content_ns(mut element: Element, from: &str, to: &str) -> Element {
    if from == to || !element.has_ns(from) {
        return element;
    }
    let mut moved = Element::bare(element.name(), to);
    *moved.attrs_mut() = element.attrs().clone();
    for node in element.take_nodes() {
        match node {
            Node::Element(child) => {
                moved.append_child(with_content_ns(child, from, to));
            }
            Node::Text(text) => moved.append_text_node(text),
        }
    }
    moved
}
