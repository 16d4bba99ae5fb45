//! The stream encoder: stream header, stanzas and stream close into a `BytesMut` (RFC 6120 §4.7,
//! §4.4). Children in their parent's namespace get no `xmlns`; the header goes out as one buffer.

use crate::escape;
use crate::header::StreamHeader;
use crate::ns;
use bytes::{BufMut, BytesMut};
use minidom::{Element, Node};

/// Serializes one XMPP stream.
///
/// ```
/// use bytes::BytesMut;
/// use minidom::Element;
/// use xmppkit_codec::{Encoder, StreamHeader};
///
/// let mut encoder = Encoder::new();
/// let mut out = BytesMut::new();
/// encoder.header(&StreamHeader::client("example.com"), &mut out);
/// let message = Element::builder("message", "jabber:client")
///     .append(Element::builder("body", "jabber:client").append("1 < 2").build())
///     .build();
/// encoder.stanza(&message, &mut out);
/// encoder.close(&mut out);
/// assert!(out.ends_with(b"<message><body>1 &lt; 2</body></message></stream:stream>"));
/// ```
#[derive(Debug, Clone)]
pub struct Encoder {
    content_ns: String,
    /// Prefixes the last header declared besides `stream`, as (prefix, namespace).
    prefixes: Vec<(String, String)>,
}

impl Default for Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Encoder {
    /// An encoder for a `jabber:client` stream (the namespace is taken from each header written).
    pub fn new() -> Self {
        Encoder {
            content_ns: ns::CLIENT.to_owned(),
            prefixes: Vec::new(),
        }
    }

    /// The content namespace stanzas are written in.
    pub fn content_ns(&self) -> &str {
        &self.content_ns
    }

    /// Writes the XML declaration and the opening stream tag, in one piece.
    pub fn header(&mut self, header: &StreamHeader, out: &mut BytesMut) {
        self.content_ns.clone_from(&header.ns);
        self.prefixes.clone_from(&header.prefixes);
        out.reserve(256);
        out.put_slice(b"<?xml version='1.0'?><stream:stream xmlns='");
        escape::attr(out, &header.ns);
        out.put_slice(b"' xmlns:stream='");
        out.put_slice(ns::STREAMS.as_bytes());
        out.put_u8(b'\'');
        for (prefix, namespace) in &header.prefixes {
            write_attr(out, &format!("xmlns:{prefix}"), namespace);
        }
        let attrs = [
            ("from", &header.from),
            ("to", &header.to),
            ("id", &header.id),
            ("version", &header.version),
            ("xml:lang", &header.lang),
        ];
        for (name, value) in attrs {
            if let Some(value) = value {
                write_attr(out, name, value);
            }
        }
        out.put_u8(b'>');
    }

    /// Writes a top-level element (a stanza or a stream-level element such as `stream:features`).
    /// An element in a namespace the header bound to a prefix is written with that prefix
    /// (`db:result`).
    pub fn stanza(&self, element: &Element, out: &mut BytesMut) {
        let prefix = self
            .prefixes
            .iter()
            .find(|(_, ns)| element.has_ns(ns.as_str()));
        match prefix {
            Some((prefix, _)) => write_prefixed(element, prefix, &self.content_ns, out),
            None => write_element(element, &self.content_ns, out),
        }
    }

    /// Writes the closing stream tag.
    pub fn close(&self, out: &mut BytesMut) {
        out.put_slice(b"</stream:stream>");
    }
}

/// Writes `element` as it appears inside a stream (whose header bound the `stream:` prefix) under a
/// parent whose default namespace is `parent_ns`. Elements in the stream namespace
/// (`stream:features`, `stream:error`) are written with the `stream:` prefix.
///
/// ```
/// let e: minidom::Element = "<query xmlns='jabber:iq:roster' ver='1'/>".parse().unwrap();
/// let mut out = bytes::BytesMut::new();
/// xmppkit_codec::write_element(&e, "jabber:client", &mut out);
/// assert_eq!(&out[..], b"<query xmlns='jabber:iq:roster' ver='1'/>");
/// ```
pub fn write_element(element: &Element, parent_ns: &str, out: &mut BytesMut) {
    write(element, parent_ns, true, None, out);
}

/// As [`write_element`], leaving out the element's own unqualified attribute `skip` (the `to`
/// of a stanza serialized once for many recipients).
pub(crate) fn write_element_without(
    element: &Element,
    parent_ns: &str,
    skip: &str,
    out: &mut BytesMut,
) {
    write(element, parent_ns, true, Some(skip), out);
}

fn write(
    element: &Element,
    parent_ns: &str,
    in_stream: bool,
    skip: Option<&str>,
    out: &mut BytesMut,
) {
    let name = element.name();
    out.put_u8(b'<');
    let stream_prefixed = in_stream && parent_ns != ns::STREAMS && element.has_ns(ns::STREAMS);
    if stream_prefixed {
        out.put_slice(b"stream:");
    }
    out.put_slice(name.as_bytes());
    let own_ns;
    let ns = if stream_prefixed || element.has_ns(parent_ns) {
        parent_ns
    } else {
        own_ns = element.ns();
        write_attr(out, "xmlns", &own_ns);
        own_ns.as_str()
    };
    write_attrs(element, skip, out);
    if !write_content(element, ns, in_stream, out) {
        return;
    }
    out.put_slice(b"</");
    if stream_prefixed {
        out.put_slice(b"stream:");
    }
    out.put_slice(name.as_bytes());
    out.put_u8(b'>');
}

/// Writes `element` with a prefix the stream header declared for its namespace (`db:result`,
/// XEP-0220 §2.1: servers match dialback elements by that name); its children are written
/// under the stream's content namespace.
fn write_prefixed(element: &Element, prefix: &str, content_ns: &str, out: &mut BytesMut) {
    out.put_u8(b'<');
    out.put_slice(prefix.as_bytes());
    out.put_u8(b':');
    out.put_slice(element.name().as_bytes());
    write_attrs(element, None, out);
    if !write_content(element, content_ns, true, out) {
        return;
    }
    out.put_slice(b"</");
    out.put_slice(prefix.as_bytes());
    out.put_u8(b':');
    out.put_slice(element.name().as_bytes());
    out.put_u8(b'>');
}

/// The attributes of an element, leaving out `skip`.
fn write_attrs(element: &Element, skip: Option<&str>, out: &mut BytesMut) {
    let mut generated = 0usize;
    for ((attr_ns, attr_name), value) in element.attrs() {
        let attr_ns = attr_ns.as_str();
        if attr_ns.is_empty() {
            if skip == Some(attr_name.as_str()) {
                continue;
            }
            write_attr(out, attr_name.as_str(), value);
        } else if attr_ns == ns::XML {
            out.put_slice(b" xml:");
            write_attr_value(out, attr_name.as_str(), value);
        } else {
            generated += 1;
            let prefix = format!("ns{generated}");
            out.put_slice(b" xmlns:");
            write_attr_value(out, &prefix, attr_ns);
            out.put_u8(b' ');
            out.put_slice(prefix.as_bytes());
            out.put_u8(b':');
            write_attr_value(out, attr_name.as_str(), value);
        }
    }
}

/// `/>` for an empty element (returns false), else `>` and its children and text (returns
/// true: the closing tag is the caller's).
fn write_content(element: &Element, ns: &str, in_stream: bool, out: &mut BytesMut) -> bool {
    let mut nodes = element.nodes().peekable();
    if nodes.peek().is_none() {
        out.put_slice(b"/>");
        return false;
    }
    out.put_u8(b'>');
    for node in nodes {
        match node {
            Node::Element(child) => write(child, ns, in_stream, None, out),
            Node::Text(text) => escape::text(out, text),
        }
    }
    true
}

/// Writes ` name='value'`, the value escaped: for stanzas written by hand around bytes spliced
/// in (a carbon's wrapper around the message it forwards).
///
/// ```
/// let mut out = bytes::BytesMut::new();
/// xmppkit_codec::write_attr(&mut out, "to", "a'b&c@example.com/x<y");
/// assert_eq!(&out[..], b" to='a&apos;b&amp;c@example.com/x&lt;y'");
/// ```
pub fn write_attr(out: &mut BytesMut, name: &str, value: &str) {
    out.put_u8(b' ');
    write_attr_value(out, name, value);
}

fn write_attr_value(out: &mut BytesMut, name: &str, value: &str) {
    out.put_slice(name.as_bytes());
    out.put_slice(b"='");
    escape::attr(out, value);
    out.put_u8(b'\'');
}

/// Serializes a single element on its own (with its namespace declared), e.g. for logs and tests.
///
/// ```
/// let e: minidom::Element = "<ping xmlns='urn:xmpp:ping'/>".parse().unwrap();
/// assert_eq!(xmppkit_codec::to_string(&e), "<ping xmlns='urn:xmpp:ping'/>");
/// ```
pub fn to_string(element: &Element) -> String {
    // Written into a per-thread buffer, then copied once into a string of the exact size: one
    // allocation per element instead of a buffer grown step by step (and shrunk by those who
    // keep the result, as archives do).
    thread_local! {
        static SCRATCH: std::cell::RefCell<BytesMut> = std::cell::RefCell::new(BytesMut::new());
    }
    SCRATCH.with(|scratch| {
        let mut out = scratch.borrow_mut();
        out.clear();
        write(element, "", false, None, &mut out);
        let text = std::str::from_utf8(&out).unwrap_or_default().to_owned();
        if out.capacity() > 64 * 1024 {
            // A huge element does not leave its buffer behind.
            *out = BytesMut::new();
        }
        text
    })
}
