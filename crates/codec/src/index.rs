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
#[derive(Clone, Copy)]
enum Prefix {
    Text(Span),
    Header(usize),
}

/// One namespace binding in force: the prefix (`None`: the default namespace) and its name.
type Binding = (Option<Prefix>, NsName);

/// Indexes `text`, which holds exactly one element and was validated as UTF-8 and XML characters.
pub(crate) fn index(
    text: &str,
    offset: u64,
    scope: &Arc<StreamScope>,
    limits: &Limits,
) -> Result<RawStanza, DecodeError> {
    let mut pass = Pass {
        text,
        offset,
        scope,
        limits,
        bindings: Vec::with_capacity(scope.prefixes.len() + 4),
        marks: Vec::new(),
        attrs: Vec::new(),
        index: Index::default(),
        header_prefix: false,
    };
    pass.run()?;
    let mut index = pass.index;
    index.header_prefix = pass.header_prefix;
    Ok(RawStanza::new(
        Bytes::copy_from_slice(text.as_bytes()),
        offset,
        scope.clone(),
        *limits,
        index,
    ))
}

struct Pass<'a> {
    text: &'a str,
    offset: u64,
    scope: &'a StreamScope,
    limits: &'a Limits,
    bindings: Vec<Binding>,
    /// `bindings.len()` when each open element started.
    marks: Vec<usize>,
    /// The current start tag's attributes other than declarations: prefix, local name, position.
    attrs: Vec<(Option<Span>, Span)>,
    index: Index,
    /// Some name leans on a prefix the stream header bound.
    header_prefix: bool,
}

impl<'a> Pass<'a> {
    fn run(&mut self) -> Result<(), DecodeError> {
        self.bindings.push((None, NsName::Scope(0)));
        for i in 0..self.scope.prefixes.len() {
            self.bindings
                .push((Some(Prefix::Header(i)), NsName::Scope(i + 1)));
        }
        let mut reader = Reader::from_str(self.text);
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
                    self.marks.push(self.bindings.len());
                    self.open(&start, depth, before, at as usize)?;
                    depth += 1;
                }
                Event::Empty(start) => {
                    let mark = self.bindings.len();
                    self.open(&start, depth, before, at as usize)?;
                    self.bindings.truncate(mark);
                    if depth == 1 {
                        self.close_child(at as usize);
                    }
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Event::End(_) => {
                    depth = depth.saturating_sub(1);
                    let mark = self.marks.pop().unwrap_or(self.bindings.len());
                    self.bindings.truncate(mark);
                    match depth {
                        0 => {
                            self.index.close = Some(before as u32);
                            return Ok(());
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
            let escaped = memchr::memchr(b'&', &self.text.as_bytes()[value.range()]).is_some();
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
                            self.slice(key)
                        ));
                        return Err(self.error(kind, at));
                    }
                    let ns = match resolved {
                        Some(uri) => NsName::Owned(Arc::from(uri)),
                        None => NsName::Bytes(value),
                    };
                    if let Some(prefix) = prefix_text {
                        self.declare(prefix, ns.resolve(self.text, self.scope), at)?;
                    } else if depth == 0 {
                        self.index.own_xmlns = true;
                    }
                    self.bindings.push((prefix.map(Prefix::Text), ns));
                }
                None => {
                    let (prefix, local) = split(key, self.text);
                    if prefix.is_none() && depth == 0 {
                        let routing = match self.slice(local) {
                            "to" => Some(Routing::To),
                            "from" => Some(Routing::From),
                            "id" => Some(Routing::Id),
                            "type" => Some(Routing::Type),
                            _ => None,
                        };
                        if let Some(r) = routing {
                            self.index.routing[r as usize] = Some(Attr {
                                whole: Span::new(key.start - 1, value.end + 1),
                                value,
                                escaped: needs_decoding(&self.text.as_bytes()[value.range()]),
                            });
                        }
                    }
                    self.attrs.push((prefix, local));
                }
            }
        }
        let qname = self.span_of(start.name().into_inner(), at)?;
        let (prefix, local) = split(qname, self.text);
        let ns = self.lookup(prefix, at)?.clone();
        self.header_prefix |= matches!(ns, NsName::Scope(i) if i > 0);
        if !is_ncname(self.slice(local)) {
            return Err(self.error(
                DecodeErrorKind::NotWellFormed(format!(
                    "`{}` is not an element name",
                    self.slice(local)
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
                        self.slice(local)
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
                            self.slice(local)
                        )),
                        at,
                    ));
                }
            }
        }
        Ok(())
    }

    /// The namespace name of an attribute with this prefix (none for no prefix).
    fn attribute_ns(&self, prefix: Option<Span>, at: u64) -> Result<&str, DecodeError> {
        match prefix.map(|p| self.slice(p)) {
            None => Ok(""),
            Some("xml") => Ok(crate::ns::XML),
            Some(_) => Ok(self.lookup(prefix, at)?.resolve(self.text, self.scope)),
        }
    }

    fn declare(&self, prefix: &str, uri: &str, at: u64) -> Result<(), DecodeError> {
        let bad = |why: &str| DecodeErrorKind::NotWellFormed(format!("xmlns:{prefix}: {why}"));
        if !is_ncname(prefix) {
            return Err(self.error(bad("not a prefix name"), at));
        }
        if uri.is_empty() {
            return Err(self.error(bad("a prefix cannot be unbound"), at));
        }
        if prefix == "xmlns" || (prefix == "xml") != (uri == crate::ns::XML) {
            return Err(self.error(bad("reserved prefix or namespace"), at));
        }
        Ok(())
    }

    fn lookup(&self, prefix: Option<Span>, at: u64) -> Result<&NsName, DecodeError> {
        let wanted = prefix.map(|p| self.slice(p));
        if wanted == Some("xml") {
            return Ok(&NsName::Xml);
        }
        self.bindings
            .iter()
            .rev()
            .find(|(p, _)| p.map(|p| self.prefix_text(p)) == wanted)
            .map(|(_, ns)| ns)
            .ok_or_else(|| {
                self.error(
                    DecodeErrorKind::UnboundPrefix(wanted.unwrap_or_default().to_owned()),
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
    fn prefix_text(&self, prefix: Prefix) -> &str {
        match prefix {
            Prefix::Header(i) => &self.scope.prefixes[i].0,
            Prefix::Text(span) => self.slice(span),
        }
    }

    fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or_default()
    }

    /// Where a slice quick-xml handed out lies in the input (it always borrows from it).
    fn span_of(&self, part: &str, at: u64) -> Result<Span, DecodeError> {
        let start = part.as_ptr() as usize;
        let base = self.text.as_ptr() as usize;
        if start >= base && start + part.len() <= base + self.text.len() {
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
fn split(qname: Span, text: &str) -> (Option<Span>, Span) {
    let name = text.as_bytes().get(qname.range()).unwrap_or_default();
    match memchr::memchr(b':', name) {
        Some(i) => (
            Some(Span::new(qname.start, qname.start + i as u32)),
            Span::new(qname.start + i as u32 + 1, qname.end),
        ),
        None => (None, qname),
    }
}

fn predefined(name: &str) -> bool {
    matches!(name, "lt" | "gt" | "amp" | "apos" | "quot")
}
