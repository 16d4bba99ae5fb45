//! A stanza waiting for its XEP-0198 acknowledgement (§4), kept as the bytes it was written as
//! rather than as a tree: a queue of thousands of unacknowledged messages costs their wire size,
//! not ~20× that. Resending it after a resumption (§5) writes the same bytes again; the tree is
//! parsed back only when someone asks for it (a failed resumption that reroutes it).

use bytes::{Bytes, BytesMut};
use minidom::Element;
use std::fmt;
use std::sync::{Arc, OnceLock};
use xmppkit_codec::{Decoder, Event};

/// One sent, unacknowledged stanza.
///
/// ```
/// use bytes::BytesMut;
/// use xmppkit_sm::Queued;
/// let message: minidom::Element = "<message xmlns='jabber:client' to='juliet@example.com'>\
///     <body>hi</body></message>".parse().unwrap();
/// let mut out = BytesMut::new();
/// let content_ns: std::sync::Arc<str> = "jabber:client".into();
/// let queued = Queued::write(&message, &content_ns, &mut out);
/// assert_eq!(&queued.bytes()[..], &out[..]); // what went on the wire
/// assert_eq!(queued.element(), &message); // parsed back on demand
/// ```
#[derive(Clone)]
pub struct Queued {
    bytes: Bytes,
    /// The content namespace of the stream the bytes were written for.
    content_ns: Arc<str>,
    tree: OnceLock<Box<Element>>,
}

impl Queued {
    /// Writes `stanza` into `out` for a stream whose content namespace is `content_ns` (as
    /// [`xmppkit_codec::Encoder::stanza`] does) and keeps a copy of the bytes written.
    pub fn write(stanza: &Element, content_ns: &Arc<str>, out: &mut BytesMut) -> Queued {
        let start = out.len();
        xmppkit_codec::write_element(stanza, content_ns, out);
        Queued {
            bytes: Bytes::copy_from_slice(&out[start..]),
            content_ns: content_ns.clone(),
            tree: OnceLock::new(),
        }
    }

    /// A stanza queued without being written (for a detached session), serialized for a
    /// `jabber:client` stream.
    pub fn new(stanza: &Element) -> Queued {
        Queued::write(stanza, client_ns(), &mut BytesMut::new())
    }

    /// A stanza the codec's encoder (or a splice into its output, such as
    /// [`xmppkit_codec::Unaddressed::addressed`]) serialized for a `jabber:client` stream.
    pub fn client(bytes: Bytes) -> Queued {
        Queued {
            bytes,
            content_ns: client_ns().clone(),
            tree: OnceLock::new(),
        }
    }

    /// A stanza routed as bytes ([`xmppkit_codec::RawStanza`]), for a `jabber:client` stream:
    /// its own bytes, shared, when they fit one (the usual case).
    pub fn raw(stanza: &xmppkit_codec::RawStanza) -> Queued {
        Queued::client(stanza.bytes_for(xmppkit_codec::ns::CLIENT))
    }

    /// The bytes as written.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The stanza, parsed back on first use and kept.
    pub fn element(&self) -> &Element {
        self.tree.get_or_init(|| Box::new(self.parse()))
    }

    /// The stanza, moved out.
    pub fn into_element(self) -> Element {
        match self.tree.into_inner() {
            Some(tree) => *tree,
            None => Queued {
                tree: OnceLock::new(),
                ..self
            }
            .parse(),
        }
    }

    /// Parses the bytes, which the codec's encoder wrote (its round trip is tested to be exact).
    /// Were they ever refused, the stanza becomes an empty `<message/>` rather than a panic.
    fn parse(&self) -> Element {
        let mut decoder = Decoder::fragments(&*self.content_ns);
        // The encoder writes stream-namespace elements with the `stream:` prefix.
        decoder.feed(b"<x xmlns:stream='http://etherx.jabber.org/streams'>");
        decoder.feed(&self.bytes);
        decoder.feed(b"</x>");
        match decoder.next_event() {
            Ok(Some(Event::Stanza(mut wrapper))) => wrapper
                .unshift_child()
                .unwrap_or_else(|| fallback(&self.content_ns)),
            _ => fallback(&self.content_ns),
        }
    }
}

fn client_ns() -> &'static Arc<str> {
    static CLIENT: OnceLock<Arc<str>> = OnceLock::new();
    CLIENT.get_or_init(|| Arc::from(xmppkit_codec::ns::CLIENT))
}

fn fallback(ns: &str) -> Element {
    Element::builder("message", ns).build()
}

impl fmt::Debug for Queued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Queued")
            .field(&String::from_utf8_lossy(&self.bytes))
            .finish()
    }
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes && self.content_ns == other.content_ns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(stanza: &Element, ns: &str) -> (Queued, BytesMut) {
        let mut out = BytesMut::from(&b"<prev/>"[..]);
        let queued = Queued::write(stanza, &Arc::from(ns), &mut out);
        (queued, out)
    }

    #[test]
    fn keeps_exactly_the_bytes_written_and_parses_them_back() {
        let cases = [
            ("<message xmlns='jabber:client' to='a@b' id='1'><body>1 &lt; 2 &amp; 'q'</body>\
              <request xmlns='urn:xmpp:receipts'/></message>", "jabber:client"),
            // A component stream: the stanza keeps its own namespace when parsed back.
            ("<message xmlns='jabber:client' to='a@b'/>", "jabber:component:accept"),
            ("<iq xmlns='jabber:component:accept' type='get' id='x'><ping xmlns='urn:xmpp:ping'/></iq>",
             "jabber:component:accept"),
            // Elements of the stream namespace are written with the `stream:` prefix.
            ("<error xmlns='http://etherx.jabber.org/streams'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></error>",
             "jabber:client"),
        ];
        for (xml, ns) in cases {
            let stanza: Element = xml.parse().unwrap();
            let (queued, out) = written(&stanza, ns);
            assert_eq!(&queued.bytes()[..], &out[7..], "only what this write added");
            assert_eq!(queued.element(), &stanza, "{xml} in {ns}");
            assert_eq!(queued.clone().into_element(), stanza);
        }
    }

    #[test]
    fn a_spliced_fan_out_copy_parses_back_addressed() {
        let stanza: Element =
            "<message xmlns='jabber:client' from='coven@chat.shakespeare.lit/thirdwitch' \
            type='groupchat'><body>Thrice</body></message>"
                .parse()
                .unwrap();
        let once = xmppkit_codec::Unaddressed::new(&stanza, "jabber:client");
        let queued = Queued::client(once.addressed("hag66@shakespeare.lit/pda"));
        assert_eq!(
            queued.element().attr("to"),
            Some("hag66@shakespeare.lit/pda")
        );
        assert_eq!(
            queued
                .element()
                .get_child("body", "jabber:client")
                .unwrap()
                .text(),
            "Thrice"
        );
        assert_eq!(queued, Queued::client(queued.bytes().clone()));
    }

    #[test]
    fn new_serializes_for_a_client_stream_without_keeping_the_tree() {
        let stanza: Element = "<presence xmlns='jabber:client'><show>away</show></presence>"
            .parse()
            .unwrap();
        let queued = Queued::new(&stanza);
        assert!(queued.tree.get().is_none());
        assert_eq!(
            &queued.bytes()[..],
            b"<presence><show>away</show></presence>"
        );
        assert_eq!(queued.into_element(), stanza);
    }
}
