//! A stanza kept as the exact bytes it arrived in, with the small index a router reads: the name,
//! the namespace, the RFC 6120 §8.1.1–8.1.4 attributes (`to`, `from`, `id`, `type`) and the
//! top-level children with their namespaces. The `minidom::Element` is built only when asked for,
//! and kept. Writing an unchanged stanza copies its bytes; changing a routing attribute or
//! appending a child (a delay, a stanza-id) splices into them.

use crate::error::DecodeError;
use crate::tree::{self, Scope};
use crate::Limits;
use bytes::{BufMut, Bytes, BytesMut};
use minidom::Element;
use smallvec::SmallVec;
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// A byte range of the stanza.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub(crate) fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }

    pub(crate) fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The span after the `len` bytes at `at` were replaced by `new_len` bytes. A span that
    /// ends where bytes are inserted (`len` 0) stays as it was: the insertion follows it. A span
    /// overlapping the replaced bytes is the caller's to replace.
    fn shifted(self, at: u32, len: u32, new_len: u32) -> Span {
        Span::new(
            shift_start(self.start, at, len, new_len),
            shift_end(self.end, at, len, new_len),
        )
    }
}

/// A position where something starts, after a replacement: it moves when it is at or after the
/// replaced bytes' end (something inserted at it goes before it).
fn shift_start(p: u32, at: u32, len: u32, new_len: u32) -> u32 {
    if p >= at + len {
        p + new_len - len
    } else {
        p
    }
}

/// A position where something ends (exclusive), after a replacement: it moves when it is after
/// the replaced bytes' start, or at their end when bytes were replaced; an insertion at it
/// (`len` 0) follows what ends there.
fn shift_end(p: u32, at: u32, len: u32, new_len: u32) -> u32 {
    if p > at + len || (len > 0 && p == at + len) {
        p + new_len - len
    } else if p > at {
        // Inside the replaced bytes: the caller replaces what ended there.
        at + new_len
    } else {
        p
    }
}

/// The namespace declarations the stream header put in force, shared by a stream's stanzas.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct StreamScope {
    /// The stream's content namespace (`jabber:client`, ...).
    pub default_ns: String,
    /// Prefixes the header bound, with their namespace names (`stream`, `db`, ...).
    pub prefixes: Vec<(String, String)>,
}

/// A namespace name in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NsName {
    /// From the stream header: 0 is the default namespace, `i` the header's `i - 1`th prefix.
    Scope(usize),
    /// A declaration's value, written without references.
    Bytes(Span),
    /// A declaration's value that held references, resolved.
    Owned(Arc<str>),
    /// The `xml` prefix's namespace.
    Xml,
}

/// The text of `span` in `bytes`. Spans are made by the indexing pass over validated UTF-8 and
/// fall on character boundaries, so this checks only the span's own bytes and never fails.
pub(crate) fn span_text(bytes: &[u8], span: Span) -> &str {
    std::str::from_utf8(bytes.get(span.range()).unwrap_or_default()).unwrap_or_default()
}

impl NsName {
    pub(crate) fn resolve<'s>(&'s self, bytes: &'s [u8], scope: &'s StreamScope) -> &'s str {
        match self {
            NsName::Scope(0) => &scope.default_ns,
            NsName::Scope(i) => scope.prefixes.get(i - 1).map_or("", |(_, uri)| uri),
            NsName::Bytes(span) => span_text(bytes, *span),
            NsName::Owned(uri) => uri,
            NsName::Xml => crate::ns::XML,
        }
    }

    fn shifted(&self, at: u32, len: u32, new_len: u32) -> NsName {
        match self {
            NsName::Bytes(span) => NsName::Bytes(span.shifted(at, len, new_len)),
            other => other.clone(),
        }
    }
}

/// One of the attributes a router reads on a stanza (RFC 6120 §8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// `to` (§8.1.1).
    To = 0,
    /// `from` (§8.1.2).
    From = 1,
    /// `id` (§8.1.3).
    Id = 2,
    /// `type` (§8.1.4).
    Type = 3,
}

impl Routing {
    fn name(self) -> &'static str {
        match self {
            Routing::To => "to",
            Routing::From => "from",
            Routing::Id => "id",
            Routing::Type => "type",
        }
    }
}

/// Where a routing attribute stands in the start tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attr {
    /// From the space before the name to the closing quote.
    pub whole: Span,
    /// The value between the quotes, as written.
    pub value: Span,
    /// The value holds references (`&amp;`, `&#x41;`) or whitespace that normalization
    /// changes, so it must be decoded to be read.
    pub escaped: bool,
}

/// A top-level child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Child {
    /// Its local name.
    pub name: Span,
    pub ns: NsName,
    /// From its `<` to the end of its end tag.
    pub span: Span,
}

/// What the indexing pass found.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    /// The root's qualified name as written.
    pub qname: Span,
    /// The root's local name.
    pub name: Span,
    pub ns: NsName,
    /// The root declares its default namespace itself.
    pub own_xmlns: bool,
    /// The root declares a prefix: its children's bytes may lean on it.
    pub root_prefixes: bool,
    pub routing: [Option<Attr>; 4],
    /// Just after the root start tag's `>`.
    pub head_end: u32,
    /// Where the root's end tag starts; `None` for an empty-element tag.
    pub close: Option<u32>,
    /// Most stanzas have at most four (body, markable, chat state, stanza-id), kept inline.
    pub children: SmallVec<[Child; 4]>,
    /// Some name leans on a prefix bound by the stream header: the bytes alone are not the stanza.
    pub header_prefix: bool,
}

impl Default for NsName {
    fn default() -> Self {
        NsName::Scope(0)
    }
}

struct Inner {
    bytes: Bytes,
    offset: u64,
    scope: Arc<StreamScope>,
    limits: Limits,
    index: Index,
    element: OnceLock<Element>,
}

/// A stanza (or other top-level element) as its wire bytes plus an index, from
/// [`Decoder::next_raw`](crate::Decoder::next_raw). Cloning it is cheap (a shared pointer), so a
/// fan-out hands the same bytes to every recipient.
///
/// ```
/// use bytes::BytesMut;
/// use xmppkit_codec::{Decoder, RawEvent, Routing};
///
/// let mut decoder = Decoder::fragments("jabber:client");
/// decoder.feed(b"<message to='juliet@example.com' type='chat' id='m1'><body>O &amp; R</body>\
///     <request xmlns='urn:xmpp:receipts'/></message>");
/// let Some(RawEvent::Stanza(message)) = decoder.next_raw().unwrap() else { panic!() };
/// assert_eq!(message.name(), "message");
/// assert_eq!(message.attr(Routing::To).as_deref(), Some("juliet@example.com"));
/// assert_eq!(message.first_child().map(|c| c.ns()), Some("jabber:client"));
/// assert!(message.has_child("request", "urn:xmpp:receipts"));
///
/// // Re-addressed for one recipient: the bytes are spliced, nothing is parsed again.
/// let mut out = BytesMut::new();
/// message.write_with(Routing::To, Some("juliet@example.com/balcony"), "jabber:client", &mut out);
/// assert!(out.starts_with(b"<message to='juliet@example.com/balcony' type='chat'"));
///
/// // The tree, when someone needs it.
/// let body = message.element().unwrap().get_child("body", "jabber:client").unwrap();
/// assert_eq!(body.text(), "O & R");
/// ```
#[derive(Clone)]
pub struct RawStanza(Arc<Inner>);

/// A top-level child of a [`RawStanza`].
#[derive(Debug, Clone, Copy)]
pub struct RawChild<'s> {
    name: &'s str,
    ns: &'s str,
    bytes: &'s [u8],
}

impl<'s> RawChild<'s> {
    /// The local name.
    pub fn name(&self) -> &'s str {
        self.name
    }
    /// The namespace name.
    pub fn ns(&self) -> &'s str {
        self.ns
    }
    /// The child's bytes as written (it may lean on namespaces declared above it).
    pub fn bytes(&self) -> &'s [u8] {
        self.bytes
    }
}

impl RawStanza {
    pub(crate) fn new(
        bytes: Bytes,
        offset: u64,
        scope: Arc<StreamScope>,
        limits: Limits,
        index: Index,
    ) -> Self {
        RawStanza(Arc::new(Inner {
            bytes,
            offset,
            scope,
            limits,
            index,
            element: OnceLock::new(),
        }))
    }

    /// The whole stanza as text, for building its tree: validated UTF-8 when it was decoded or
    /// spliced, so this never fails.
    /// A stanza made from a tree: written as it stands in a stream whose content namespace is
    /// `content_ns`, indexed, and the tree kept (so asking for it costs nothing). For the rare
    /// stanza a byte-routing server must rebuild as a tree, and for tests.
    ///
    /// ```
    /// use xmppkit_codec::{RawStanza, Routing};
    /// let tree: minidom::Element = "<iq xmlns='jabber:client' type='get' id='1'/>".parse().unwrap();
    /// let raw = RawStanza::from_element(&tree, "jabber:client").unwrap();
    /// assert_eq!(&raw.bytes()[..], b"<iq id='1' type='get'/>");
    /// assert_eq!(raw.attr(Routing::Id).as_deref(), Some("1"));
    /// assert_eq!(raw.element().unwrap(), &tree);
    /// ```
    pub fn from_element(element: &Element, content_ns: &str) -> Result<RawStanza, DecodeError> {
        let mut out = BytesMut::new();
        crate::write_element(element, content_ns, &mut out);
        let text = std::str::from_utf8(&out).unwrap_or_default();
        let scope = Arc::new(StreamScope {
            default_ns: content_ns.to_owned(),
            prefixes: Vec::new(),
        });
        // What was written from a tree is bounded by the tree, not by a peer's limits.
        let limits = Limits {
            max_stanza_bytes: usize::MAX,
            max_depth: usize::MAX,
            max_attributes: usize::MAX,
        };
        let mut scratch = crate::index::Scratch::default();
        let raw = crate::index::index(text, 0, &scope, &limits, &mut scratch)?;
        let _ = raw.0.element.set(element.clone());
        Ok(raw)
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.0.bytes).unwrap_or_default()
    }

    fn slice(&self, span: Span) -> &str {
        span_text(&self.0.bytes, span)
    }

    /// The bytes as received (or as spliced).
    pub fn bytes(&self) -> &Bytes {
        &self.0.bytes
    }

    /// The local name (`message`, `presence`, `iq`, ...).
    pub fn name(&self) -> &str {
        self.slice(self.0.index.name)
    }

    /// The namespace name, with the stream's default applied.
    pub fn ns(&self) -> &str {
        self.0.index.ns.resolve(&self.0.bytes, &self.0.scope)
    }

    /// A routing attribute's value, unescaped.
    pub fn attr(&self, which: Routing) -> Option<Cow<'_, str>> {
        let attr = self.0.index.routing[which as usize]?;
        let raw = self.slice(attr.value);
        if !attr.escaped {
            return Some(Cow::Borrowed(raw));
        }
        // The same normalization the tree builder applies (XML 1.0 §3.3.3); checked by the
        // indexing pass, so the raw form is a fallback that cannot be reached.
        let attribute = quick_xml::events::attributes::Attribute {
            key: quick_xml::name::QName(which.name()),
            value: Cow::Borrowed(raw),
        };
        Some(
            attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| Cow::Owned(v.into_owned()))
                .unwrap_or(Cow::Borrowed(raw)),
        )
    }

    /// The top-level children, in document order.
    pub fn children(&self) -> impl Iterator<Item = RawChild<'_>> {
        self.0.index.children.iter().map(|c| RawChild {
            name: self.slice(c.name),
            ns: c.ns.resolve(&self.0.bytes, &self.0.scope),
            bytes: &self.0.bytes[c.span.range()],
        })
    }

    /// The first top-level child: what an IQ is about (RFC 6120 §8.2.3).
    pub fn first_child(&self) -> Option<RawChild<'_>> {
        self.children().next()
    }

    /// Whether a top-level child has this name and namespace.
    pub fn has_child(&self, name: &str, ns: &str) -> bool {
        self.children().any(|c| c.name == name && c.ns == ns)
    }

    /// The first top-level child with this name and namespace, as a tree. Built from the child's
    /// own bytes when they say all there is (the root is unprefixed and declares no prefix, so
    /// the child sees only the root's default namespace and the stream header's prefixes), else
    /// taken from the stanza's tree. What a rule that looks inside one child reads (a body's text,
    /// an invitation) without the whole stanza's tree.
    ///
    /// ```
    /// use xmppkit_codec::{Decoder, RawEvent};
    /// let mut decoder = Decoder::fragments("jabber:client");
    /// decoder.feed(b"<message><body>hi &amp; bye</body></message>");
    /// let Some(RawEvent::Stanza(m)) = decoder.next_raw().unwrap() else { panic!() };
    /// let body = m.child_element("body", "jabber:client").unwrap();
    /// assert_eq!(body.text(), "hi & bye");
    /// assert!(m.child_element("subject", "jabber:client").is_none());
    /// ```
    pub fn child_element(&self, name: &str, ns: &str) -> Option<Element> {
        let at = self.0.index.children.iter().position(|c| {
            self.slice(c.name) == name && c.ns.resolve(&self.0.bytes, &self.0.scope) == ns
        })?;
        let index = &self.0.index;
        let whole =
            self.0.element.get().is_some() || index.root_prefixes || index.qname != index.name;
        if whole {
            return self.element().ok()?.get_child(name, ns).cloned();
        }
        let child = &index.children[at];
        let text = std::str::from_utf8(&self.0.bytes[child.span.range()]).ok()?;
        let scope = Scope {
            default_ns: self.ns(),
            prefixes: &self.0.scope.prefixes,
        };
        let offset = self.0.offset + u64::from(child.span.start);
        tree::build(text, offset, &scope, &self.0.limits).ok()
    }

    /// The stanza as a `minidom::Element`, built on first use and kept. It fails only if the
    /// indexing pass accepted something the tree builder refuses, which the codec's tests check
    /// never happens.
    pub fn element(&self) -> Result<&Element, DecodeError> {
        if let Some(element) = self.0.element.get() {
            return Ok(element);
        }
        let scope = Scope {
            default_ns: &self.0.scope.default_ns,
            prefixes: &self.0.scope.prefixes,
        };
        let built = tree::build(self.text(), self.0.offset, &scope, &self.0.limits)?;
        Ok(self.0.element.get_or_init(|| built))
    }

    /// The element, taken out when this is the last handle to a stanza whose tree was built.
    pub fn into_element(self) -> Result<Element, DecodeError> {
        match Arc::try_unwrap(self.0) {
            Ok(mut inner) => match inner.element.take() {
                Some(element) => Ok(element),
                None => RawStanza(Arc::new(inner)).element().cloned(),
            },
            Err(shared) => RawStanza(shared).element().cloned(),
        }
    }

    /// Whether the bytes say all there is: no name leans on a prefix the stream header bound.
    /// Stanzas always are; `stream:features` and `stream:error` are not.
    pub fn is_self_contained(&self) -> bool {
        !self.0.index.header_prefix
    }

    /// Whether its bytes mean the same inside a stream whose content namespace is `content_ns`:
    /// the stanza declares its own namespace, or it is the stream's, or both are stanza
    /// namespaces (a server writes a `jabber:client` stanza into a `jabber:server` stream as
    /// `jabber:server`, RFC 6120 §4.8.3).
    fn fits(&self, content_ns: &str) -> bool {
        let stanza_ns = |ns: &str| {
            matches!(
                ns,
                crate::ns::CLIENT | crate::ns::SERVER | crate::ns::COMPONENT_ACCEPT
            )
        };
        let ns = self.ns();
        self.is_self_contained()
            && (self.0.index.own_xmlns
                || ns == content_ns
                || (stanza_ns(ns) && stanza_ns(content_ns)))
    }

    /// The stanza's bytes for a stream whose content namespace is `content_ns`: its own bytes,
    /// shared (no copy), when they fit that stream, else its tree written for it.
    ///
    /// ```
    /// use xmppkit_codec::{Decoder, RawEvent};
    /// let mut decoder = Decoder::fragments("jabber:client");
    /// decoder.feed(b"<message><body>hi</body></message>");
    /// let Some(RawEvent::Stanza(m)) = decoder.next_raw().unwrap() else { panic!() };
    /// assert_eq!(m.bytes_for("jabber:client").as_ptr(), m.bytes().as_ptr());
    /// ```
    pub fn bytes_for(&self, content_ns: &str) -> Bytes {
        if self.fits(content_ns) {
            return self.0.bytes.clone();
        }
        let mut out = BytesMut::new();
        self.write_tree(content_ns, &mut out);
        out.freeze()
    }

    /// Writes the stanza into a stream whose content namespace is `content_ns`: a copy of its
    /// bytes, or, when they do not fit that stream, its tree.
    pub fn write_to(&self, content_ns: &str, out: &mut BytesMut) {
        if self.fits(content_ns) {
            out.put_slice(&self.0.bytes);
        } else {
            self.write_tree(content_ns, out)
        }
    }

    /// The stanza on its own, as a document: its namespace declared on the root (what a store
    /// keeps, and what [`to_string`](crate::to_string) writes for its tree). Its bytes with
    /// ` xmlns='…'` spliced in after the root's name when it lacks one, else its bytes as they
    /// are; the tree written when a name leans on the stream header or the root is prefixed.
    ///
    /// ```
    /// use xmppkit_codec::{Decoder, RawEvent};
    /// let mut decoder = Decoder::fragments("jabber:client");
    /// decoder.feed(b"<message type='chat'><body>hi</body></message>");
    /// let Some(RawEvent::Stanza(m)) = decoder.next_raw().unwrap() else { panic!() };
    /// assert_eq!(m.to_standalone(), "<message xmlns='jabber:client' type='chat'><body>hi</body></message>");
    /// ```
    pub fn to_standalone(&self) -> String {
        let index = &self.0.index;
        if !self.is_self_contained() || index.qname != index.name {
            return self.element().map(crate::to_string).unwrap_or_default();
        }
        let text = self.text();
        if index.own_xmlns {
            return text.to_owned();
        }
        let at = index.qname.end as usize;
        // ` xmlns='…'`: exact unless the name needs escaping, so that keeping it costs no copy.
        let mut out = BytesMut::with_capacity(text.len() + self.ns().len() + 9);
        out.put_slice(&text.as_bytes()[..at]);
        crate::encoder::write_attr(&mut out, "xmlns", self.ns());
        out.put_slice(&text.as_bytes()[at..]);
        String::from_utf8(Vec::from(out)).unwrap_or_default()
    }

    fn write_tree(&self, content_ns: &str, out: &mut BytesMut) {
        match self.element() {
            Ok(element) => crate::write_element(element, content_ns, out),
            // Unreachable (see `element`); the bytes are the closest to the truth.
            Err(_) => out.put_slice(&self.0.bytes),
        }
    }

    /// Writes the stanza with one routing attribute set (`Some`) or removed (`None`), splicing
    /// the bytes: the per-recipient `to` of a fan-out, the `from` a server stamps.
    pub fn write_with(
        &self,
        which: Routing,
        value: Option<&str>,
        content_ns: &str,
        out: &mut BytesMut,
    ) {
        if !self.fits(content_ns) {
            let spliced = self.with_attr(which, value);
            return spliced.write_tree(content_ns, out);
        }
        let (at, len) = self.attr_site(which);
        out.reserve(self.0.bytes.len() + value.map_or(0, |v| v.len() + 8));
        out.put_slice(&self.0.bytes[..at as usize]);
        if let Some(value) = value {
            crate::encoder::write_attr(out, which.name(), value);
        }
        out.put_slice(&self.0.bytes[(at + len) as usize..]);
    }

    /// Where a routing attribute is written (start and length), or would be inserted (after the
    /// root's name, length 0).
    fn attr_site(&self, which: Routing) -> (u32, u32) {
        match self.0.index.routing[which as usize] {
            Some(attr) => (attr.whole.start, attr.whole.end - attr.whole.start),
            None => (self.0.index.qname.end, 0),
        }
    }

    /// The stanza with one routing attribute set or removed.
    pub fn with_attr(&self, which: Routing, value: Option<&str>) -> RawStanza {
        let (at, len) = self.attr_site(which);
        let mut insert = BytesMut::new();
        if let Some(value) = value {
            crate::encoder::write_attr(&mut insert, which.name(), value);
        }
        let new_len = insert.len() as u32;
        let mut index = self.shifted_index(at, len, new_len);
        index.routing[which as usize] = value.map(|_| {
            let name_end = at + 1 + which.name().len() as u32;
            Attr {
                whole: Span::new(at, at + new_len),
                value: Span::new(name_end + 2, at + new_len - 1),
                escaped: needs_decoding(&insert),
            }
        });
        self.spliced(at, len, &insert, index)
    }

    /// The stanza with `child` appended as its last top-level child.
    pub fn with_child(&self, child: &Element) -> RawStanza {
        let ns = self.ns().to_owned();
        let mut insert = BytesMut::new();
        let (at, len) = match self.0.index.close {
            Some(close) => (close, 0),
            None => {
                // `<message .../>` becomes `<message ...>CHILD</message>`.
                let slash = self.0.bytes[..self.0.index.head_end as usize]
                    .iter()
                    .rposition(|b| *b == b'/')
                    .unwrap_or(self.0.index.head_end as usize - 1)
                    as u32;
                insert.put_u8(b'>');
                (slash, self.0.index.head_end - slash)
            }
        };
        let child_start = at + insert.len() as u32;
        crate::write_element(child, &ns, &mut insert);
        let child_end = at + insert.len() as u32;
        if self.0.index.close.is_none() {
            insert.put_slice(b"</");
            insert.put_slice(self.slice(self.0.index.qname).as_bytes());
            insert.put_u8(b'>');
        }
        let new_len = insert.len() as u32;
        let mut index = self.shifted_index(at, len, new_len);
        if self.0.index.close.is_none() {
            index.head_end = child_start;
            index.close = Some(child_end);
        }
        index.children.push(Child {
            name: Span::new(child_start + 1, child_start + 1 + child.name().len() as u32),
            ns: NsName::Owned(Arc::from(child.ns().as_str())),
            span: Span::new(child_start, child_end),
        });
        self.spliced(at, len, &insert, index)
    }

    fn shifted_index(&self, at: u32, len: u32, new_len: u32) -> Index {
        let old = &self.0.index;
        let shift = |s: Span| s.shifted(at, len, new_len);
        let start = |p: u32| shift_start(p, at, len, new_len);
        let end = |p: u32| shift_end(p, at, len, new_len);
        Index {
            qname: shift(old.qname),
            name: shift(old.name),
            ns: old.ns.shifted(at, len, new_len),
            own_xmlns: old.own_xmlns,
            root_prefixes: old.root_prefixes,
            routing: old.routing.map(|a| {
                a.map(|a| Attr {
                    whole: shift(a.whole),
                    value: shift(a.value),
                    escaped: a.escaped,
                })
            }),
            head_end: end(old.head_end),
            close: old.close.map(start),
            children: old
                .children
                .iter()
                .map(|c| Child {
                    name: shift(c.name),
                    ns: c.ns.shifted(at, len, new_len),
                    span: shift(c.span),
                })
                .collect(),
            header_prefix: old.header_prefix,
        }
    }

    fn spliced(&self, at: u32, len: u32, insert: &[u8], index: Index) -> RawStanza {
        let old = &self.0.bytes;
        let mut bytes = BytesMut::with_capacity(old.len() - len as usize + insert.len());
        bytes.put_slice(&old[..at as usize]);
        bytes.put_slice(insert);
        bytes.put_slice(&old[(at + len) as usize..]);
        RawStanza::new(
            bytes.freeze(),
            self.0.offset,
            self.0.scope.clone(),
            self.0.limits,
            index,
        )
    }
}

/// Whether an attribute value as written differs from its value: references, or whitespace that
/// attribute-value normalization turns into spaces.
pub(crate) fn needs_decoding(raw: &[u8]) -> bool {
    raw.iter()
        .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
}

/// ` name='escaped value'`.
impl fmt::Debug for RawStanza {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawStanza")
            .field(&String::from_utf8_lossy(&self.0.bytes))
            .finish()
    }
}

impl PartialEq for RawStanza {
    /// Equal bytes in the same namespace scope.
    fn eq(&self, other: &Self) -> bool {
        self.0.bytes == other.0.bytes && self.0.scope == other.0.scope
    }
}
