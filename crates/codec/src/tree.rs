//! Builds one `minidom::Element` from the bytes of one complete top-level element, with quick-xml as
//! the tokenizer: namespaces resolved against the stream's scope (XML Namespaces 1.0), references
//! resolved, and every RFC 6120 §11 restriction that shows only inside an element checked.

use crate::chars::{illegal, is_xml_char};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::intern::{self, Interner, NsRef};
use crate::Limits;
use minidom::rxml::{Namespace, NcName};
use minidom::Element;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::PrefixDeclaration;
use quick_xml::{Reader, XmlVersion};
use std::borrow::Cow;

/// The namespace declarations in force where the element starts: the stream header's.
pub(crate) struct Scope<'s> {
    /// The default namespace (the stream's content namespace).
    pub default_ns: &'s str,
    /// Prefixes bound on the stream header (`stream`, `db`, ...).
    pub prefixes: &'s [(String, String)],
}

/// One binding in scope while building: `None` is the default namespace.
type Binding<'a> = (Option<&'a str>, NsRef<'a>);

/// A non-declaration attribute waiting for the element's declarations to be known.
type PendingAttr<'a> = (Option<&'a str>, &'a str, String);

/// Parses `text`, which holds exactly one element, into an `Element`.
pub(crate) fn build<'a>(
    text: &'a str,
    offset: u64,
    scope: &Scope<'a>,
    limits: &'a Limits,
) -> Result<Element, DecodeError> {
    intern::with(|interner| {
        let scratch = std::mem::take(&mut interner.scratch);
        let mut builder = Builder::new(interner, text, offset, limits, scratch);
        let result = builder.run(scope);
        let scratch = builder.into_scratch();
        interner.scratch = scratch;
        result
    })
}

/// Buffers reused from one build to the next on a thread, so that building a stanza allocates
/// only what the element keeps.
#[derive(Default)]
pub(crate) struct Scratch {
    bindings: Vec<Binding<'static>>,
    attrs: Vec<PendingAttr<'static>>,
    marks: Vec<usize>,
    stack: Vec<Element>,
}

/// Reuses an empty vector's allocation for another lifetime of the same type (an in-place collect
/// of an empty iterator keeps the buffer).
fn relabel<'x, 'y>(mut v: Vec<Binding<'x>>) -> Vec<Binding<'y>> {
    v.clear();
    v.into_iter()
        .map(|_| unreachable!("the vector is empty"))
        .collect()
}

/// [`relabel`] for the pending attributes.
fn relabel_attrs<'x, 'y>(mut v: Vec<PendingAttr<'x>>) -> Vec<PendingAttr<'y>> {
    v.clear();
    v.into_iter()
        .map(|_| unreachable!("the vector is empty"))
        .collect()
}

struct Builder<'i, 'a> {
    interner: &'i mut Interner,
    text: &'a str,
    offset: u64,
    limits: &'a Limits,
    bindings: Vec<Binding<'a>>,
    /// `bindings.len()` when each open element started.
    marks: Vec<usize>,
    stack: Vec<Element>,
    pending_text: Option<String>,
    attrs: Vec<PendingAttr<'a>>,
}

impl<'i, 'a> Builder<'i, 'a> {
    fn new(
        interner: &'i mut Interner,
        text: &'a str,
        offset: u64,
        limits: &'a Limits,
        scratch: Scratch,
    ) -> Self {
        let Scratch {
            bindings,
            attrs,
            mut marks,
            mut stack,
        } = scratch;
        marks.clear();
        stack.clear();
        Builder {
            interner,
            text,
            offset,
            limits,
            bindings: relabel(bindings),
            marks,
            stack,
            pending_text: None,
            attrs: relabel_attrs(attrs),
        }
    }

    fn into_scratch(mut self) -> Scratch {
        // After an error, partial elements are dropped now rather than kept until the next build.
        self.stack.clear();
        Scratch {
            bindings: relabel(self.bindings),
            attrs: relabel_attrs(self.attrs),
            marks: self.marks,
            stack: self.stack,
        }
    }

    fn run(&mut self, scope: &Scope<'a>) -> Result<Element, DecodeError> {
        let default = self.interner.resolve(Cow::Borrowed(scope.default_ns));
        self.bindings.push((None, default));
        for (prefix, uri) in scope.prefixes {
            let ns = self.interner.resolve(Cow::Borrowed(uri.as_str()));
            self.bindings.push((Some(prefix.as_str()), ns));
        }
        let base = self.bindings.len();
        let mut reader = Reader::from_str(self.text);
        reader.config_mut().check_end_names = true;
        loop {
            let event = reader
                .read_event()
                .map_err(|e| self.escape_error(e, reader.error_position()))?;
            let at = reader.buffer_position();
            match event {
                Event::Start(start) => {
                    self.flush_text();
                    self.marks.push(self.bindings.len());
                    let element = self.open(&start, at)?;
                    self.stack.push(element);
                }
                Event::Empty(start) => {
                    self.flush_text();
                    let mark = self.bindings.len();
                    let element = self.open(&start, at)?;
                    self.bindings.truncate(mark);
                    if let Some(done) = self.attach(element) {
                        return Ok(done);
                    }
                }
                Event::End(_) => {
                    self.flush_text();
                    let element = self.stack.pop().ok_or_else(|| {
                        self.error(
                            DecodeErrorKind::NotWellFormed("unmatched end tag".into()),
                            at,
                        )
                    })?;
                    let mark = self.marks.pop().unwrap_or(base);
                    self.bindings.truncate(mark);
                    if let Some(done) = self.attach(element) {
                        return Ok(done);
                    }
                }
                Event::Text(t) => self.push_text(&t.xml10_content()),
                Event::CData(c) => self.push_text(&c.xml10_content()),
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        Ok(None) => predefined(&r).ok_or_else(|| {
                            self.error(
                                DecodeErrorKind::RestrictedXml(format!(
                                    "entity reference &{};",
                                    &*r
                                )),
                                at,
                            )
                        })?,
                        Err(e) => {
                            return Err(
                                self.error(DecodeErrorKind::NotWellFormed(e.to_string()), at)
                            )
                        }
                    };
                    if !is_xml_char(c) {
                        return Err(illegal(c as u32, self.offset + at));
                    }
                    let mut buf = [0u8; 4];
                    self.push_text(c.encode_utf8(&mut buf));
                }
                Event::Comment(_) => return Err(self.restricted("comment", at)),
                Event::PI(_) | Event::Decl(_) => {
                    return Err(self.restricted("processing instruction", at))
                }
                Event::DocType(_) => return Err(self.restricted("document type declaration", at)),
                Event::Eof => {
                    return Err(self.error(DecodeErrorKind::UnexpectedEnd, at));
                }
            }
        }
    }

    /// Creates the element of a start tag, pushing its namespace declarations.
    fn open(&mut self, start: &BytesStart<'_>, at: u64) -> Result<Element, DecodeError> {
        self.attrs.clear();
        let mut count = 0;
        let first_binding = self.bindings.len();
        // Uniqueness is checked below, on resolved names (XML Namespaces §6.3), which also covers
        // the raw-name check quick-xml would repeat.
        for attr in start.attributes().with_checks(false) {
            let attr =
                attr.map_err(|e| self.error(DecodeErrorKind::NotWellFormed(e.to_string()), at))?;
            count += 1;
            if count > self.limits.max_attributes {
                let limit = self.limits.max_attributes;
                return Err(self.error(DecodeErrorKind::TooManyAttributes { limit }, at));
            }
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| self.escape_error(e, at))?;
            if let Cow::Owned(v) = &value {
                if let Some(c) = v.chars().find(|c| !is_xml_char(*c)) {
                    return Err(illegal(c as u32, self.offset + at));
                }
            }
            let key = self.reborrow(attr.key.into_inner());
            match attr.key.as_namespace_binding() {
                Some(declaration) => {
                    let prefix = match declaration {
                        PrefixDeclaration::Default => None,
                        PrefixDeclaration::Named(p) => Some(self.reborrow(p)),
                    };
                    if self.bindings[first_binding..]
                        .iter()
                        .any(|(p, _)| *p == prefix)
                    {
                        let kind = DecodeErrorKind::NotWellFormed(format!(
                            "namespace declaration `{}` given twice",
                            attr.key.into_inner()
                        ));
                        return Err(self.error(kind, at));
                    }
                    match prefix {
                        None => {
                            let ns = own(self.interner.resolve(value));
                            self.bindings.push((None, ns));
                        }
                        Some(prefix) => self.declare(prefix, value, at)?,
                    }
                }
                None => {
                    let (prefix, local) = split(key);
                    self.attrs.push((prefix, local, value.into_owned()));
                }
            }
        }
        let (prefix, local) = split(self.reborrow(start.name().into_inner()));
        let ns = self.lookup(prefix, at)?;
        let mut element = self.interner.element(&ns, local).ok_or_else(|| {
            self.error(
                DecodeErrorKind::NotWellFormed(format!("`{local}` is not an element name")),
                at,
            )
        })?;
        let mut attrs = std::mem::take(&mut self.attrs);
        let result = self.set_attributes(&mut element, &mut attrs, at);
        attrs.clear();
        self.attrs = attrs;
        result.map(|()| element)
    }

    /// Sets the attributes collected from a start tag, resolving their prefixes.
    fn set_attributes(
        &mut self,
        element: &mut Element,
        attrs: &mut Vec<PendingAttr<'a>>,
        at: u64,
    ) -> Result<(), DecodeError> {
        for (prefix, local, value) in attrs.drain(..) {
            let name = self.interner.attribute_name(local).ok_or_else(|| {
                self.error(
                    DecodeErrorKind::NotWellFormed(format!("`{local}` is not an attribute name")),
                    at,
                )
            })?;
            let namespace = match prefix {
                None => Namespace::NONE,
                Some("xml") => Namespace::XML,
                Some(p) => {
                    let ns = self.lookup(Some(p), at)?;
                    self.interner.namespace(&ns)
                }
            };
            if element.attrs_mut().insert(namespace, name, value).is_some() {
                return Err(self.error(
                    DecodeErrorKind::NotWellFormed(format!("attribute `{local}` given twice")),
                    at,
                ));
            }
        }
        Ok(())
    }

    fn declare(&mut self, prefix: &'a str, uri: Cow<'_, str>, at: u64) -> Result<(), DecodeError> {
        let bad = |why: &str| DecodeErrorKind::NotWellFormed(format!("xmlns:{prefix}: {why}"));
        if NcName::try_from(prefix).is_err() {
            return Err(self.error(bad("not a prefix name"), at));
        }
        if uri.is_empty() {
            return Err(self.error(bad("a prefix cannot be unbound"), at));
        }
        if prefix == "xmlns" || (prefix == "xml") != (uri == crate::ns::XML) {
            return Err(self.error(bad("reserved prefix or namespace"), at));
        }
        let ns = own(self.interner.resolve(uri));
        self.bindings.push((Some(prefix), ns));
        Ok(())
    }

    fn lookup(&self, prefix: Option<&str>, at: u64) -> Result<NsRef<'a>, DecodeError> {
        if prefix == Some("xml") {
            return Ok(NsRef::Uri(Cow::Borrowed(crate::ns::XML)));
        }
        self.bindings
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .map(|(_, ns)| ns.clone())
            .ok_or_else(|| {
                self.error(
                    DecodeErrorKind::UnboundPrefix(prefix.unwrap_or_default().to_owned()),
                    at,
                )
            })
    }

    /// Adds a finished element to its parent; returns it when it is the top-level one.
    fn attach(&mut self, element: Element) -> Option<Element> {
        match self.stack.last_mut() {
            Some(parent) => {
                parent.append_child(element);
                None
            }
            None => Some(element),
        }
    }

    fn push_text(&mut self, s: &str) {
        match &mut self.pending_text {
            Some(buf) => buf.push_str(s),
            None => self.pending_text = Some(s.to_owned()),
        }
    }

    fn flush_text(&mut self) {
        if let Some(text) = self.pending_text.take() {
            if let Some(parent) = self.stack.last_mut() {
                parent.append_text_node(text);
            }
        }
    }

    /// A string quick-xml handed out, as a slice of the input with the input's lifetime.
    fn reborrow(&self, part: &str) -> &'a str {
        slice_of(self.text, part)
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

/// `NsRef` values borrowed from a declaration's `Cow` are made independent of it.
fn own(ns: NsRef<'_>) -> NsRef<'static> {
    match ns {
        NsRef::Id(id) => NsRef::Id(id),
        NsRef::Uri(uri) => NsRef::Uri(Cow::Owned(uri.into_owned())),
    }
}

/// Returns `part` as a slice of `text`. quick-xml's slice reader always borrows names from its
/// input, so `part` lies inside `text`; were it ever not, the empty name returned makes the element
/// fail as not well-formed rather than be misread.
fn slice_of<'a>(text: &'a str, part: &str) -> &'a str {
    let start = part.as_ptr() as usize;
    let base = text.as_ptr() as usize;
    if start >= base && start + part.len() <= base + text.len() {
        let from = start - base;
        return &text[from..from + part.len()];
    }
    ""
}

fn split(qname: &str) -> (Option<&str>, &str) {
    match qname.split_once(':') {
        Some((prefix, local)) => (Some(prefix), local),
        None => (None, qname),
    }
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}
