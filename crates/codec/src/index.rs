//! The one pass that turns the bytes of a complete top-level element into a [`RawStanza`]: it checks
//! everything [`crate::tree`] checks (XML Namespaces 1.0, references, the RFC 6120 §11 restrictions,
//! the attribute limit) and records what routing reads (RFC 6120 §8.1), but builds no tree.

use crate::chars::{illegal, is_ncname, is_xml_char};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::raw::{
    needs_decoding, Attr, Child, Index, NsName, RawStanza, Routing, Span, StreamScope,
};
use crate::Limits;
use bytes::Bytes;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::PrefixDeclaration;
use quick_xml::{Reader, XmlVersion};
use std::sync::Arc;

/// A bound prefix: written in the element, or bound by the stream header (its index there).
#[derive(Debug, Clone, Copy)]
enum Prefix {
    Text(Span),
    Header(usize),
}

/// One namespace binding in force: the prefix (`None`: the default namespace) and its name.
type Binding = (Option<Prefix>, NsName);

/// The pass's working buffers, kept by the decoder from one element to the next so that indexing
/// a stanza allocates nothing but the stanza.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    bindings: Vec<Binding>,
    /// `bindings.len()` when each open element started.
    marks: Vec<usize>,
    /// The current start tag's attributes other than declarations: prefix, local name.
    attrs: Vec<(Option<Span>, Span)>,
}

/// Indexes `text`, which holds exactly one element and was validated as UTF-8 and XML characters.
pub(crate) fn index(
    text: &str,
    offset: u64,
    scope: &Arc<StreamScope>,
    limits: &Limits,
    scratch: &mut Scratch,
) -> Result<RawStanza, DecodeError> {
    let (index, _) = run(text.as_bytes(), false, offset, scope, limits, scratch)?;
    Ok(RawStanza::new(
        Bytes::copy_from_slice(text.as_bytes()),
        offset,
        scope.clone(),
        *limits,
        index,
    ))
}

/// Indexes the element that `bytes` start with and returns the index and the element's length;
/// the bytes may go on past it. Besides what [`index`] checks, it refuses what the decoder's
/// scanner otherwise refuses while an element streams in (nesting deeper than the limit, `<` in
/// an attribute value), so that the decoder can index a complete element in place without
/// scanning it first. The UTF-8 and XML character rules are left to the caller.
pub(crate) fn pass(
    bytes: &[u8],
    offset: u64,
    scope: &StreamScope,
    limits: &Limits,
    scratch: &mut Scratch,
) -> Result<(Index, usize), DecodeError> {
    run(bytes, true, offset, scope, limits, scratch)
}

/// The pass over `bytes`; `in_place` adds the scanner's checks. Those stay out of the pass
/// behind the scanner, whose errors for malformed input come in the tree builder's order.
fn run(
    bytes: &[u8],
    in_place: bool,
    offset: u64,
    scope: &StreamScope,
    limits: &Limits,
    scratch: &mut Scratch,
) -> Result<(Index, usize), DecodeError> {
    scratch.bindings.clear();
    scratch.marks.clear();
    let mut pass = Pass {
        bytes,
        in_place,
        offset,
        scope,
        limits,
        bindings: std::mem::take(&mut scratch.bindings),
        marks: std::mem::take(&mut scratch.marks),
        attrs: std::mem::take(&mut scratch.attrs),
        index: Index::default(),
        header_prefix: false,
    };
    let end = pass.read();
    scratch.bindings = std::mem::take(&mut pass.bindings);
    scratch.marks = std::mem::take(&mut pass.marks);
    scratch.attrs = std::mem::take(&mut pass.attrs);
    let mut index = pass.index;
    index.header_prefix = pass.header_prefix;
    Ok((index, end?))
}

struct Pass<'a> {
    bytes: &'a [u8],
    /// Indexing in place, without the scanner before it: its checks are made here.
    in_place: bool,
    offset: u64,
    scope: &'a StreamScope,
    limits: &'a Limits,
    bindings: Vec<Binding>,
    /// `bindings.len()` when each open element started.
    marks: Vec<usize>,
    /// The current start tag's attributes other than declarations: prefix, local name.
    attrs: Vec<(Option<Span>, Span)>,
    index: Index,
    /// Some name leans on a prefix the stream header bound.
    header_prefix: bool,
}

impl<'a> Pass<'a> {
    /// Reads the element to its end, which it returns.
    fn read(&mut self) -> Result<usize, DecodeError> {
        self.bindings.push((None, NsName::Scope(0)));
        for i in 0..self.scope.prefixes.len() {
            self.bindings
                .push((Some(Prefix::Header(i)), NsName::Scope(i + 1)));
        }
        let mut reader = Reader::from_reader(self.bytes);
        reader.config_mut().check_end_names = true;
        let mut depth = 0usize;
        loop {
            let before = reader.buffer_position() as usize;
            let event = reader
                .read_event()
                .map_err(|e| self.escape_error(e, reader.error_position()))?;
            let at = reader.buffer_position();
            match event {
                Event::Start(start) => {
                    self.check_depth(depth, at)?;
                    self.marks.push(self.bindings.len());
                    self.open(&start, depth, before, at as usize)?;
                    depth += 1;
                }
                Event::Empty(start) => {
                    self.check_depth(depth, at)?;
                    let mark = self.bindings.len();
                    self.open(&start, depth, before, at as usize)?;
                    self.bindings.truncate(mark);
                    if depth == 1 {
                        self.close_child(at as usize);
                    }
                    if depth == 0 {
                        return Ok(at as usize);
                    }
                }
                Event::End(_) => {
                    depth = depth.saturating_sub(1);
                    let mark = self.marks.pop().unwrap_or(self.bindings.len());
                    self.bindings.truncate(mark);
                    match depth {
                        0 => {
                            self.index.close = Some(before as u32);
                            return Ok(at as usize);
                        }
                        1 => self.close_child(at as usize),
                        _ => {}
                    }
                }
                Event::Text(_) | Event::CData(_) => {}
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        Ok(None) if predefined(&r) => continue,
                        Ok(None) => {
                            return Err(self.error(
                                DecodeErrorKind::RestrictedXml(format!(
                                    "entity reference &{};",
                                    &*r
                                )),
                                at,
                            ))
                        }
                        Err(e) => {
                            return Err(
                                self.error(DecodeErrorKind::NotWellFormed(e.to_string()), at)
                            )
                        }
                    };
                    if !is_xml_char(c) {
                        return Err(illegal(c as u32, self.offset + at));
                    }
                }
                Event::Comment(_) => return Err(self.restricted("comment", at)),
                Event::PI(_) | Event::Decl(_) => {
                    return Err(self.restricted("processing instruction", at))
                }
                Event::DocType(_) => return Err(self.restricted("document type declaration", at)),
                Event::Eof => return Err(self.error(DecodeErrorKind::UnexpectedEnd, at)),
            }
        }
    }

    /// An element opening inside `depth` others must stay within the nesting limit.
    fn check_depth(&self, depth: usize, at: u64) -> Result<(), DecodeError> {
        let limit = self.limits.max_depth;
        if self.in_place && depth + 1 > limit {
            return Err(self.error(DecodeErrorKind::TooDeep { limit }, at));
        }
        Ok(())
    }

    /// Checks a start tag and records it: the root's name and routing attributes, or a child.
    fn open(
        &mut self,
        start: &BytesStart<'_>,
        depth: usize,
        from: usize,
        to: usize,
    ) -> Result<(), DecodeError> {
        let at = to as u64;
        self.attrs.clear();
        let first_binding = self.bindings.len();
        let mut count = 0;
        for attr in start.attributes().with_checks(false) {
            let attr =
                attr.map_err(|e| self.error(DecodeErrorKind::NotWellFormed(e.to_string()), at))?;
            count += 1;
            if count > self.limits.max_attributes {
                let limit = self.limits.max_attributes;
                return Err(self.error(DecodeErrorKind::TooManyAttributes { limit }, at));
            }
            let key = self.span_of(attr.key.into_inner(), at)?;
            let value = self.span_of(&attr.value, at)?;
            let raw_value = &self.bytes[value.range()];
            if self.in_place && memchr::memchr(b'<', raw_value).is_some() {
                let kind = DecodeErrorKind::NotWellFormed("`<` in an attribute value".into());
                return Err(self.error(kind, at));
            }
            let escaped = memchr::memchr(b'&', raw_value).is_some();
            let resolved = if escaped {
                let v = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| self.escape_error(e, at))?;
                if let Some(c) = v.chars().find(|c| !is_xml_char(*c)) {
                    return Err(illegal(c as u32, self.offset + at));
                }
                Some(v.into_owned())
            } else {
                None
            };
            match attr.key.as_namespace_binding() {
                Some(declaration) => {
                    let prefix = match declaration {
                        PrefixDeclaration::Default => None,
                        PrefixDeclaration::Named(_) => Some(Span::new(key.start + 6, key.end)),
                    };
                    let prefix_text = prefix.map(|p| self.slice(p));
                    if self.bindings[first_binding..]
                        .iter()
                        .any(|(p, _)| p.map(|p| self.prefix_text(p)) == prefix_text)
                    {
                        let kind = DecodeErrorKind::NotWellFormed(format!(
                            "namespace declaration `{}` given twice",
                            lossy(self.slice(key))
                        ));
                        return Err(self.error(kind, at));
                    }
                    let ns = match resolved {
                        Some(uri) => NsName::Owned(Arc::from(uri)),
                        None => NsName::Bytes(value),
                    };
                    if let Some(prefix) = prefix_text {
                        self.declare(prefix, ns.resolve(self.bytes, self.scope), at)?;
                        self.index.root_prefixes |= depth == 0;
                    } else if depth == 0 {
                        self.index.own_xmlns = true;
                    }
                    self.bindings.push((prefix.map(Prefix::Text), ns));
                }
                None => {
                    let (prefix, local) = split(key, self.bytes);
                    if prefix.is_none() && depth == 0 {
                        let routing = match self.slice(local) {
                            b"to" => Some(Routing::To),
                            b"from" => Some(Routing::From),
                            b"id" => Some(Routing::Id),
                            b"type" => Some(Routing::Type),
                            _ => None,
                        };
                        if let Some(r) = routing {
                            self.index.routing[r as usize] = Some(Attr {
                                whole: Span::new(key.start - 1, value.end + 1),
                                value,
                                escaped: needs_decoding(&self.bytes[value.range()]),
                            });
                        }
                    }
                    self.attrs.push((prefix, local));
                }
            }
        }
        let qname = self.span_of(start.name().into_inner(), at)?;
        let (prefix, local) = split(qname, self.bytes);
        let ns = self.lookup(prefix, at)?.clone();
        self.header_prefix |= matches!(ns, NsName::Scope(i) if i > 0);
        if !is_ncname(self.slice(local)) {
            return Err(self.error(
                DecodeErrorKind::NotWellFormed(format!(
                    "`{}` is not an element name",
                    lossy(self.slice(local))
                )),
                at,
            ));
        }
        self.check_attributes(at)?;
        match depth {
            0 => {
                self.index.qname = qname;
                self.index.name = local;
                self.index.ns = ns;
                self.index.head_end = to as u32;
            }
            1 => self.index.children.push(Child {
                name: local,
                ns,
                span: Span::new(from as u32, to as u32),
            }),
            _ => {}
        }
        Ok(())
    }

    /// Resolves the collected attributes' prefixes and checks that no two have the same
    /// expanded name (XML Namespaces §6.3).
    fn check_attributes(&mut self, at: u64) -> Result<(), DecodeError> {
        for i in 0..self.attrs.len() {
            let (prefix, local) = self.attrs[i];
            if !is_ncname(self.slice(local)) {
                return Err(self.error(
                    DecodeErrorKind::NotWellFormed(format!(
                        "`{}` is not an attribute name",
                        lossy(self.slice(local))
                    )),
                    at,
                ));
            }
            if prefix.is_some() {
                let from_header = matches!(self.lookup(prefix, at), Ok(NsName::Scope(i)) if *i > 0);
                self.header_prefix |= from_header;
            }
            let ns = self.attribute_ns(prefix, at)?;
            for &(other_prefix, other_local) in &self.attrs[..i] {
                if self.slice(other_local) == self.slice(local)
                    && self.attribute_ns(other_prefix, at)? == ns
                {
                    return Err(self.error(
                        DecodeErrorKind::NotWellFormed(format!(
                            "attribute `{}` given twice",
                            lossy(self.slice(local))
                        )),
                        at,
                    ));
                }
            }
        }
        Ok(())
    }

    /// The namespace name of an attribute with this prefix (none for no prefix).
    fn attribute_ns(&self, prefix: Option<Span>, at: u64) -> Result<&[u8], DecodeError> {
        match prefix.map(|p| self.slice(p)) {
            None => Ok(b""),
            Some(b"xml") => Ok(crate::ns::XML.as_bytes()),
            Some(_) => Ok(self
                .lookup(prefix, at)?
                .resolve(self.bytes, self.scope)
                .as_bytes()),
        }
    }

    fn declare(&self, prefix: &[u8], uri: &str, at: u64) -> Result<(), DecodeError> {
        let bad =
            |why: &str| DecodeErrorKind::NotWellFormed(format!("xmlns:{}: {why}", lossy(prefix)));
        if !is_ncname(prefix) {
            return Err(self.error(bad("not a prefix name"), at));
        }
        if uri.is_empty() {
            return Err(self.error(bad("a prefix cannot be unbound"), at));
        }
        if prefix == b"xmlns" || (prefix == b"xml") != (uri == crate::ns::XML) {
            return Err(self.error(bad("reserved prefix or namespace"), at));
        }
        Ok(())
    }

    fn lookup(&self, prefix: Option<Span>, at: u64) -> Result<&NsName, DecodeError> {
        let wanted = prefix.map(|p| self.slice(p));
        if wanted == Some(b"xml") {
            return Ok(&NsName::Xml);
        }
        self.bindings
            .iter()
            .rev()
            .find(|(p, _)| p.map(|p| self.prefix_text(p)) == wanted)
            .map(|(_, ns)| ns)
            .ok_or_else(|| {
                self.error(
                    DecodeErrorKind::UnboundPrefix(lossy(wanted.unwrap_or_default()).into_owned()),
                    at,
                )
            })
    }

    fn close_child(&mut self, end: usize) {
        if let Some(child) = self.index.children.last_mut() {
            child.span.end = end as u32;
        }
    }

    /// The text of a binding's prefix: a span of the input, or a prefix of the stream header.
    fn prefix_text(&self, prefix: Prefix) -> &[u8] {
        match prefix {
            Prefix::Header(i) => self.scope.prefixes[i].0.as_bytes(),
            Prefix::Text(span) => self.slice(span),
        }
    }

    /// The bytes of a span: names and values inside events quick-xml checked as UTF-8.
    fn slice(&self, span: Span) -> &'a [u8] {
        self.bytes.get(span.range()).unwrap_or_default()
    }

    /// Where a slice quick-xml handed out lies in the input (it always borrows from it).
    fn span_of(&self, part: &str, at: u64) -> Result<Span, DecodeError> {
        let start = part.as_ptr() as usize;
        let base = self.bytes.as_ptr() as usize;
        if start >= base && start + part.len() <= base + self.bytes.len() {
            let from = (start - base) as u32;
            return Ok(Span::new(from, from + part.len() as u32));
        }
        Err(self.error(
            DecodeErrorKind::NotWellFormed("a name or value outside the element".into()),
            at,
        ))
    }

    fn error(&self, kind: DecodeErrorKind, at: u64) -> DecodeError {
        DecodeError::new(kind, self.offset + at)
    }

    fn restricted(&self, what: &str, at: u64) -> DecodeError {
        self.error(DecodeErrorKind::RestrictedXml(what.to_owned()), at)
    }

    fn escape_error(&self, e: quick_xml::Error, at: u64) -> DecodeError {
        DecodeError::from_quick_xml(e, self.offset + at)
    }
}

/// Splits a qualified name's span at its colon.
fn split(qname: Span, bytes: &[u8]) -> (Option<Span>, Span) {
    let name = bytes.get(qname.range()).unwrap_or_default();
    match memchr::memchr(b':', name) {
        Some(i) => (
            Some(Span::new(qname.start, qname.start + i as u32)),
            Span::new(qname.start + i as u32 + 1, qname.end),
        ),
        None => (None, qname),
    }
}

/// A name or value for an error message.
fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn predefined(name: &str) -> bool {
    matches!(name, "lt" | "gt" | "amp" | "apos" | "quot")
}
