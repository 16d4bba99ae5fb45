//! The sans-IO stream decoder: bytes in, in chunks split anywhere; stream open, stanzas, whitespace
//! keepalives and stream close out (RFC 6120 §4). A resumable scanner finds where each top-level
//! element ends, enforcing the limits and the §11 restrictions as bytes arrive; each complete element
//! is then built by [`crate::tree`]. All state transitions are in [`Decoder::step`]. The raw path
//! indexes an element that is already buffered whole in place ([`crate::index::pass`] finds its
//! end), and leaves anything else to the scanner.

use crate::chars;
use crate::error::{DecodeError, DecodeErrorKind};
use crate::header::{self, OpenStream, StreamHeader};
use crate::index;
use crate::ns;
use crate::raw::{RawStanza, StreamScope};
use crate::tree::{self, Scope};
use crate::Limits;
use bytes::Bytes;
use memchr::{memchr, memchr2, memchr3, memmem};
use minidom::Element;
use quick_xml::events::Event as XmlEvent;
use std::sync::Arc;

/// What the scanner found: the events other than stanzas, or a complete top-level element starting
/// at this index of the buffer (and ending at `pos`), to be built or indexed.
enum Frame {
    Open(StreamHeader),
    Whitespace,
    Close,
    Element(usize),
}

/// What [`Decoder::next_raw`] read: as [`Event`], with stanzas as [`RawStanza`]s.
#[derive(Debug, Clone, PartialEq)]
pub enum RawEvent {
    /// The peer opened (or re-opened) the stream.
    StreamOpen(StreamHeader),
    /// A complete top-level element, as its bytes and an index.
    Stanza(RawStanza),
    /// Whitespace between stanzas: a keepalive.
    Whitespace,
    /// The peer closed the stream.
    StreamClose,
}

/// What the decoder read.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The peer opened (or, after a restart, re-opened) the stream.
    StreamOpen(StreamHeader),
    /// A complete top-level element: a stanza, or `stream:features`, SASL, STARTTLS, SM and other
    /// stream-level elements, in its namespace with the stream's default namespace applied.
    Stanza(Element),
    /// Whitespace between stanzas: a keepalive (RFC 6120 §4.6.1).
    Whitespace,
    /// The peer closed the stream (`</stream:stream>`).
    StreamClose,
}

/// Where the decoder is in the stream.
#[derive(Debug, Clone)]
enum Phase {
    /// Waiting for the stream header.
    Prolog,
    /// Inside the stream (or, in fragment mode, always).
    Open,
    /// After `</stream:stream>`.
    Closed,
    /// After a fatal error, which every later call returns again.
    Failed(DecodeError),
}

/// What the scanner is in the middle of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    /// Character data, looking for `<`.
    Text,
    /// Just after `<`, deciding what kind of markup this is.
    Markup,
    /// Inside a start tag, possibly inside a quoted attribute value.
    StartTag { quote: Option<u8> },
    /// Inside an end tag.
    EndTag,
    /// Inside a CDATA section.
    Cdata,
    /// Inside the XML declaration.
    Decl,
}

/// A sans-IO XMPP stream decoder. Feed it bytes with [`feed`](Self::feed), then call
/// [`next_event`](Self::next_event) until it returns `Ok(None)`.
///
/// ```
/// use xmppkit_codec::{Decoder, Event};
///
/// let mut decoder = Decoder::new();
/// // Chunks may split anything, even a UTF-8 sequence.
/// let bytes = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
///     version='1.0'><message><body>h€llo</body></message></stream:stream>".as_bytes();
/// let mut events = Vec::new();
/// for chunk in bytes.chunks(7) {
///     decoder.feed(chunk);
///     while let Some(event) = decoder.next_event().unwrap() {
///         events.push(event);
///     }
/// }
/// assert!(matches!(&events[0], Event::StreamOpen(h) if h.version.as_deref() == Some("1.0")));
/// let Event::Stanza(message) = &events[1] else { panic!() };
/// assert_eq!(message.get_child("body", "jabber:client").unwrap().text(), "h€llo");
/// assert_eq!(events[2], Event::StreamClose);
/// ```
///
/// Errors are fatal: after one, send the stream error of [`DecodeError::condition`] and close.
///
/// Memory: the decoder holds the bytes fed and not yet decoded, and never more than
/// [`Limits::max_stanza_bytes`] of one element; feed it what one socket read returned, then drain.
#[derive(Debug, Clone)]
pub struct Decoder {
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// Next byte to scan.
    pos: usize,
    /// Where the markup unit being scanned starts (its `<`).
    unit: usize,
    /// Where the top-level element in progress starts.
    stanza: Option<usize>,
    /// Open elements inside the stream; 0 between stanzas.
    depth: usize,
    lex: Lex,
    phase: Phase,
    /// Stream offset where the current stream starts (after a BOM): the XML declaration may only
    /// stand there.
    stream_start: u64,
    /// Whether the byte-order mark may still come.
    sniff: bool,
    /// The stream was restarted (SASL, STARTTLS): whitespace left over from the previous stream
    /// may stand before the new one's XML declaration.
    restarted: bool,
    close_pending: bool,
    /// Fragment mode: elements without a stream header, in this default namespace.
    fragments: bool,
    content_ns: String,
    open: Option<OpenStream>,
    /// The namespace scope handed to raw stanzas, made once per stream.
    scope: Option<Arc<StreamScope>>,
    allowed: Vec<String>,
    limits: Limits,
    /// The indexing pass's buffers, reused from one stanza to the next.
    scratch: index::Scratch,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder for a stream that starts with a stream header in `jabber:client`,
    /// `jabber:server` or `jabber:component:accept`, with the default [`Limits`].
    pub fn new() -> Self {
        Decoder {
            buf: Vec::new(),
            base: 0,
            pos: 0,
            unit: 0,
            stanza: None,
            depth: 0,
            lex: Lex::Text,
            phase: Phase::Prolog,
            stream_start: 0,
            sniff: true,
            restarted: false,
            close_pending: false,
            fragments: false,
            content_ns: String::new(),
            open: None,
            scope: None,
            allowed: [ns::CLIENT, ns::SERVER, ns::COMPONENT_ACCEPT]
                .map(String::from)
                .into(),
            limits: Limits::default(),
            scratch: index::Scratch::default(),
        }
    }

    /// A decoder for a sequence of elements without a stream header (files, tests, BOSH-like
    /// framings), each in `default_ns` unless it declares its own.
    ///
    /// ```
    /// use xmppkit_codec::{Decoder, Event};
    /// let mut decoder = Decoder::fragments("jabber:client");
    /// decoder.feed(b"<presence/> <iq type='get' id='1'/>");
    /// assert!(matches!(decoder.next_event().unwrap(), Some(Event::Stanza(e)) if e.name() == "presence"));
    /// assert_eq!(decoder.next_event().unwrap(), Some(Event::Whitespace));
    /// assert!(matches!(decoder.next_event().unwrap(), Some(Event::Stanza(e)) if e.name() == "iq"));
    /// assert_eq!(decoder.next_event().unwrap(), None);
    /// decoder.finish().unwrap();
    /// ```
    pub fn fragments(default_ns: impl Into<String>) -> Self {
        Decoder {
            fragments: true,
            phase: Phase::Open,
            content_ns: default_ns.into(),
            ..Self::new()
        }
    }

    /// Sets the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Accepts only these content namespaces in the stream header (e.g. only `jabber:client` on a
    /// c2s port); another one is an `invalid-namespace` error.
    pub fn with_namespaces<S: Into<String>>(
        mut self,
        namespaces: impl IntoIterator<Item = S>,
    ) -> Self {
        self.allowed = namespaces.into_iter().map(Into::into).collect();
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Appends received bytes. Nothing is decoded until [`next_event`](Self::next_event).
    pub fn feed(&mut self, bytes: &[u8]) {
        self.compact();
        self.buf.extend_from_slice(bytes);
    }

    /// Frees the input buffer's memory when it holds nothing still needed (between stanzas, all
    /// input decoded), and the indexing pass's working buffers: what an idle connection's decoder
    /// need not keep. The next [`feed`](Self::feed) allocates again.
    pub fn release_buffers(&mut self) {
        self.compact();
        if self.buf.is_empty() {
            self.buf = Vec::new();
        }
        self.scratch = index::Scratch::default();
    }

    /// Bytes fed but not yet decoded.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.keep_from()
    }

    /// Stream offset of the next byte to be scanned: how many bytes were consumed since the start.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Restarts the stream after SASL success (RFC 6120 §6.4.6): a new header is expected; bytes
    /// already fed after the last element are kept, as they belong to the new stream.
    pub fn restart(&mut self) {
        self.compact();
        self.phase = Phase::Prolog;
        self.lex = Lex::Text;
        self.depth = 0;
        self.stanza = None;
        self.open = None;
        self.scope = None;
        self.close_pending = false;
        self.sniff = true;
        self.restarted = true;
        self.stream_start = self.offset();
    }

    /// Restarts the stream after STARTTLS (RFC 6120 §5.4.3.3): bytes fed after the `<proceed/>` or
    /// `<starttls/>` are plaintext that must not be trusted, so they are dropped. Returns how many.
    pub fn restart_discarding(&mut self) -> usize {
        let dropped = self.buf.len() - self.pos;
        self.buf.truncate(self.pos);
        self.restart();
        dropped
    }

    /// Checks that the input ended cleanly, between elements (for files and tests; a live stream
    /// ends with [`Event::StreamClose`] instead).
    pub fn finish(&self) -> Result<(), DecodeError> {
        if let Phase::Failed(e) = &self.phase {
            return Err(e.clone());
        }
        if self.stanza.is_some() || self.lex != Lex::Text || self.pos < self.buf.len() {
            return Err(self.error(DecodeErrorKind::UnexpectedEnd, self.buf.len()));
        }
        Ok(())
    }

    /// Decodes the next event from the bytes fed so far; `Ok(None)` when more bytes are needed.
    pub fn next_event(&mut self) -> Result<Option<Event>, DecodeError> {
        self.guarded(|d| {
            Ok(Some(match d.step()? {
                None => return Ok(None),
                Some(Frame::Open(header)) => Event::StreamOpen(header),
                Some(Frame::Whitespace) => Event::Whitespace,
                Some(Frame::Close) => Event::StreamClose,
                Some(Frame::Element(start)) => Event::Stanza(d.build(start)?),
            }))
        })
    }

    /// Like [`next_event`](Self::next_event), but a top-level element comes out as a
    /// [`RawStanza`]: its bytes and an index of what routing reads, checked exactly as strictly
    /// and built in the same pass, with no tree (the tree is built on demand).
    ///
    /// ```
    /// use xmppkit_codec::{Decoder, RawEvent, Routing};
    /// let mut decoder = Decoder::new();
    /// decoder.feed(b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
    ///     version='1.0'><iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>");
    /// assert!(matches!(decoder.next_raw().unwrap(), Some(RawEvent::StreamOpen(_))));
    /// let Some(RawEvent::Stanza(iq)) = decoder.next_raw().unwrap() else { panic!() };
    /// assert_eq!(iq.attr(Routing::Type).as_deref(), Some("get"));
    /// assert_eq!(iq.first_child().map(|c| (c.name(), c.ns())), Some(("ping", "urn:xmpp:ping")));
    /// assert_eq!(&iq.bytes()[..], b"<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>");
    /// ```
    pub fn next_raw(&mut self) -> Result<Option<RawEvent>, DecodeError> {
        if let Some(stanza) = self.index_in_place() {
            return Ok(Some(RawEvent::Stanza(stanza)));
        }
        self.guarded(|d| {
            Ok(Some(match d.step()? {
                None => return Ok(None),
                Some(Frame::Open(header)) => RawEvent::StreamOpen(header),
                Some(Frame::Whitespace) => RawEvent::Whitespace,
                Some(Frame::Close) => RawEvent::StreamClose,
                Some(Frame::Element(start)) => RawEvent::Stanza(d.index(start)?),
            }))
        })
    }

    /// Runs one decoding step; an error is fatal and returned by every later call.
    fn guarded<T>(
        &mut self,
        step: impl FnOnce(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        if let Phase::Failed(e) = &self.phase {
            return Err(e.clone());
        }
        let result = step(self);
        if let Err(e) = &result {
            self.phase = Phase::Failed(e.clone());
        }
        result
    }

    /// The scanner: every transition of the decoder, top to bottom.
    fn step(&mut self) -> Result<Option<Frame>, DecodeError> {
        if self.close_pending {
            self.close_pending = false;
            self.phase = Phase::Closed;
            return Ok(Some(Frame::Close));
        }
        if self.sniff && !self.sniff_encoding()? {
            return Ok(None);
        }
        loop {
            match self.lex {
                Lex::Text => {
                    let found = memchr(b'<', &self.buf[self.pos..]).map(|i| self.pos + i);
                    let end = found.unwrap_or(self.buf.len());
                    let keepalive = self.stream_level_text(self.pos, end)?;
                    if self.restarted
                        && matches!(self.phase, Phase::Prolog)
                        && self.base + self.pos as u64 == self.stream_start
                    {
                        // Whitespace after the last element of the old stream (`</auth>\n`)
                        // belongs to it: the new stream, and its declaration, start after it.
                        self.stream_start = self.base + end as u64;
                    }
                    self.pos = end;
                    if let Some(lt) = found {
                        self.unit = lt;
                        self.pos = lt + 1;
                        self.lex = Lex::Markup;
                    }
                    if keepalive {
                        return Ok(Some(Frame::Whitespace));
                    }
                    if found.is_none() {
                        return self.need_more();
                    }
                }
                Lex::Markup => {
                    let Some(&b) = self.buf.get(self.pos) else {
                        return self.need_more();
                    };
                    match b {
                        b'/' => {
                            self.pos += 1;
                            self.lex = Lex::EndTag;
                        }
                        b'?' => match self.declaration_start()? {
                            true => self.lex = Lex::Decl,
                            false => return self.need_more(),
                        },
                        b'!' => match self.bang()? {
                            true => self.lex = Lex::Cdata,
                            false => return self.need_more(),
                        },
                        _ => self.lex = Lex::StartTag { quote: None },
                    }
                }
                Lex::StartTag { quote } => match self.scan_start_tag(quote)? {
                    Some(quote) => {
                        self.lex = Lex::StartTag { quote };
                        return self.need_more();
                    }
                    None => {
                        self.lex = Lex::Text;
                        if let Some(event) = self.start_tag()? {
                            return Ok(Some(event));
                        }
                    }
                },
                Lex::EndTag => match memchr(b'>', &self.buf[self.pos..]) {
                    None => {
                        self.pos = self.buf.len();
                        return self.need_more();
                    }
                    Some(i) => {
                        self.pos += i + 1;
                        self.lex = Lex::Text;
                        if let Some(event) = self.end_tag()? {
                            return Ok(Some(event));
                        }
                    }
                },
                Lex::Cdata => match memmem::find(&self.buf[self.pos..], b"]]>") {
                    None => {
                        self.pos = self.pos.max(self.buf.len().saturating_sub(2));
                        return self.need_more();
                    }
                    Some(i) => {
                        self.pos += i + 3;
                        self.lex = Lex::Text;
                    }
                },
                Lex::Decl => match memmem::find(&self.buf[self.pos..], b"?>") {
                    None => {
                        self.pos = self.pos.max(self.buf.len().saturating_sub(1));
                        return self.need_more();
                    }
                    Some(i) => {
                        self.pos += i + 2;
                        self.lex = Lex::Text;
                        self.declaration()?;
                    }
                },
            }
            self.check_size()?;
        }
    }

    /// At the start of a stream: skips a UTF-8 byte-order mark, refuses UTF-16/32 (RFC 6120 §11.6).
    /// Returns false while too few bytes have arrived to tell.
    fn sniff_encoding(&mut self) -> Result<bool, DecodeError> {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let rest = &self.buf[self.pos..];
        if rest.len() < BOM.len() && BOM.starts_with(rest) {
            return Ok(false);
        }
        if rest.starts_with(BOM) {
            self.pos += BOM.len();
            self.stream_start = self.offset();
        } else if matches!(rest.first(), Some(0x00 | 0xFE | 0xFF)) {
            return Err(self.error(
                DecodeErrorKind::UnsupportedEncoding("the stream is not UTF-8".into()),
                self.pos,
            ));
        }
        self.sniff = false;
        Ok(true)
    }

    /// Character data outside any stanza: only whitespace is allowed. Returns whether it is a
    /// keepalive to report.
    fn stream_level_text(&self, from: usize, to: usize) -> Result<bool, DecodeError> {
        if self.depth > 0 || from == to {
            return Ok(false);
        }
        let text = &self.buf[from..to];
        if let Some(i) = text
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            let kind = match self.phase {
                Phase::Open => DecodeErrorKind::BadFormat("character data between stanzas".into()),
                _ => DecodeErrorKind::NotWellFormed("character data outside the stream".into()),
            };
            return Err(self.error(kind, from + i));
        }
        Ok(matches!(self.phase, Phase::Open))
    }

    /// After `<?`: the XML declaration is allowed only at the very start of a stream; any other
    /// processing instruction is restricted. Returns false while more bytes are needed.
    fn declaration_start(&self) -> Result<bool, DecodeError> {
        let rest = &self.buf[self.pos..];
        const DECL: &[u8] = b"?xml";
        if rest.len() <= DECL.len() {
            if DECL.starts_with(rest) || rest.starts_with(DECL) {
                return Ok(false);
            }
        } else if rest.starts_with(DECL)
            && rest[DECL.len()].is_ascii_whitespace()
            && self.base + self.unit as u64 == self.stream_start
        {
            return Ok(true);
        }
        Err(self.error(
            DecodeErrorKind::RestrictedXml("processing instruction".into()),
            self.unit,
        ))
    }

    /// Checks the XML declaration: version 1.0, UTF-8 (RFC 6120 §11.5, §11.6).
    fn declaration(&self) -> Result<(), DecodeError> {
        let text = chars::validate(&self.buf[self.unit..self.pos], self.at(self.unit))?;
        let bad = |kind| Err(self.error(kind, self.unit));
        let mut reader = quick_xml::Reader::from_str(text);
        let Ok(XmlEvent::Decl(decl)) = reader.read_event() else {
            return bad(DecodeErrorKind::NotWellFormed(
                "malformed XML declaration".into(),
            ));
        };
        match decl.version() {
            Ok(v) if v == "1.0" => {}
            _ => return bad(DecodeErrorKind::BadFormat("only XML 1.0 is allowed".into())),
        }
        if let Some(encoding) = decl.encoding() {
            match encoding {
                Ok(e) if e.eq_ignore_ascii_case("utf-8") => {}
                Ok(e) => {
                    return bad(DecodeErrorKind::UnsupportedEncoding(format!(
                        "declared encoding `{e}`"
                    )))
                }
                Err(e) => return bad(DecodeErrorKind::NotWellFormed(e.to_string())),
            }
        }
        Ok(())
    }

    /// After `<!`: only CDATA sections inside stanzas are allowed; comments and DTDs are
    /// restricted (RFC 6120 §11.1). Returns true on a CDATA start, false while more bytes are needed.
    fn bang(&mut self) -> Result<bool, DecodeError> {
        const CDATA: &[u8] = b"![CDATA[";
        let rest = &self.buf[self.pos..];
        let restricted = |what: &str| DecodeErrorKind::RestrictedXml(what.into());
        match rest.get(1) {
            None => Ok(false),
            Some(b'-') => Err(self.error(restricted("comment"), self.unit)),
            Some(b'[') => {
                if rest.len() < CDATA.len() {
                    if CDATA.starts_with(rest) {
                        return Ok(false);
                    }
                } else if rest.starts_with(CDATA) {
                    if self.depth == 0 {
                        let kind =
                            DecodeErrorKind::BadFormat("CDATA section between stanzas".into());
                        return Err(self.error(kind, self.unit));
                    }
                    self.pos += CDATA.len();
                    return Ok(true);
                }
                Err(self.error(
                    DecodeErrorKind::NotWellFormed("bad `<![` markup".into()),
                    self.unit,
                ))
            }
            Some(_) => Err(self.error(restricted("document type declaration"), self.unit)),
        }
    }

    /// Scans a start tag to its `>`, skipping quoted values. Returns the quote state when the tag
    /// is not complete yet, `None` when it is.
    fn scan_start_tag(&mut self, mut quote: Option<u8>) -> Result<Option<Option<u8>>, DecodeError> {
        loop {
            let rest = &self.buf[self.pos..];
            match quote {
                None => match memchr3(b'>', b'"', b'\'', rest) {
                    None => {
                        self.pos = self.buf.len();
                        return Ok(Some(None));
                    }
                    Some(i) => {
                        let b = rest[i];
                        self.pos += i + 1;
                        if b == b'>' {
                            return Ok(None);
                        }
                        quote = Some(b);
                    }
                },
                Some(q) => match memchr2(q, b'<', rest) {
                    None => {
                        self.pos = self.buf.len();
                        return Ok(Some(quote));
                    }
                    Some(i) if rest[i] == b'<' => {
                        let kind =
                            DecodeErrorKind::NotWellFormed("`<` in an attribute value".into());
                        return Err(self.error(kind, self.pos + i));
                    }
                    Some(i) => {
                        self.pos += i + 1;
                        quote = None;
                    }
                },
            }
        }
    }

    /// A complete start tag `buf[unit..pos]`.
    fn start_tag(&mut self) -> Result<Option<Frame>, DecodeError> {
        let empty = self.buf[self.pos - 2] == b'/';
        match self.phase {
            Phase::Prolog => {
                let text = chars::validate(&self.buf[self.unit..self.pos], self.at(self.unit))?;
                let (header, open) = header::parse(text, self.at(self.unit), &self.allowed)?;
                self.content_ns = header.ns.clone();
                self.open = Some(open);
                self.scope = None;
                self.phase = Phase::Open;
                self.close_pending = empty;
                Ok(Some(Frame::Open(header)))
            }
            Phase::Open => {
                if self.depth == 0 {
                    self.stanza = Some(self.unit);
                }
                if self.depth + 1 > self.limits.max_depth {
                    let limit = self.limits.max_depth;
                    return Err(self.error(DecodeErrorKind::TooDeep { limit }, self.unit));
                }
                if empty {
                    return self.element_closed();
                }
                self.depth += 1;
                Ok(None)
            }
            Phase::Closed | Phase::Failed(_) => Err(self.after_close()),
        }
    }

    /// A complete end tag `buf[unit..pos]`.
    fn end_tag(&mut self) -> Result<Option<Frame>, DecodeError> {
        match self.phase {
            Phase::Open if self.depth > 0 => {
                self.depth -= 1;
                self.element_closed()
            }
            Phase::Open if !self.fragments => {
                let name = std::str::from_utf8(&self.buf[self.unit + 2..self.pos - 1])
                    .unwrap_or_default()
                    .trim_end();
                let expected = self
                    .open
                    .as_ref()
                    .map(|o| o.qname.as_str())
                    .unwrap_or_default();
                if name != expected {
                    let kind = DecodeErrorKind::NotWellFormed(format!(
                        "end tag `{name}` does not close `{expected}`"
                    ));
                    return Err(self.error(kind, self.unit));
                }
                self.phase = Phase::Closed;
                Ok(Some(Frame::Close))
            }
            Phase::Closed | Phase::Failed(_) => Err(self.after_close()),
            Phase::Open | Phase::Prolog => Err(self.error(
                DecodeErrorKind::NotWellFormed("end tag without a start tag".into()),
                self.unit,
            )),
        }
    }

    /// An element closed; when it was a top-level one, it is `buf[start..pos]`.
    fn element_closed(&mut self) -> Result<Option<Frame>, DecodeError> {
        if self.depth > 0 {
            return Ok(None);
        }
        let start = self.stanza.take().unwrap_or(self.unit);
        Ok(Some(Frame::Element(start)))
    }

    /// The complete top-level element `buf[start..pos]`, checked as UTF-8 and XML characters.
    fn element_text(&self, start: usize) -> Result<&str, DecodeError> {
        chars::validate(&self.buf[start..self.pos], self.at(start))
    }

    /// Builds the tree of the element that ends at `pos`.
    fn build(&self, start: usize) -> Result<Element, DecodeError> {
        let text = self.element_text(start)?;
        let prefixes = self
            .open
            .as_ref()
            .map(|o| o.prefixes.as_slice())
            .unwrap_or_default();
        let scope = Scope {
            default_ns: &self.content_ns,
            prefixes,
        };
        tree::build(text, self.at(start), &scope, &self.limits)
    }

    /// Indexes the element that ends at `pos`, without a tree.
    fn index(&mut self, start: usize) -> Result<RawStanza, DecodeError> {
        let scope = self.stream_scope();
        let text = chars::validate(&self.buf[start..self.pos], self.base + start as u64)?;
        let offset = self.base + start as u64;
        index::index(text, offset, &scope, &self.limits, &mut self.scratch)
    }

    /// The fast path of [`next_raw`](Self::next_raw) for a stanza that is buffered whole, the
    /// usual case when a socket read brings several: the indexing pass reads it where it lies
    /// and finds its end, so the scanner does not go over it first. It is taken only when it
    /// succeeds; an incomplete element, one past the size limit or anything the pass or the
    /// character rules refuse is left to the scanner, which then decodes (or refuses) it exactly
    /// as it would have.
    fn index_in_place(&mut self) -> Option<RawStanza> {
        if !matches!(self.phase, Phase::Open)
            || self.depth != 0
            || self.stanza.is_some()
            || self.close_pending
            || self.sniff
        {
            return None;
        }
        let lt = match self.lex {
            Lex::Text if self.buf.get(self.pos) == Some(&b'<') => self.pos,
            Lex::Markup if self.pos == self.unit + 1 => self.unit,
            _ => return None,
        };
        if matches!(self.buf.get(lt + 1), None | Some(b'/' | b'?' | b'!')) {
            return None;
        }
        let scope = self.stream_scope();
        let offset = self.base + lt as u64;
        let end = self.buf.len().min(lt + self.limits.max_stanza_bytes);
        let window = &self.buf[lt..end];
        let (index, len) =
            index::pass(window, offset, &scope, &self.limits, &mut self.scratch).ok()?;
        let bytes = &window[..len];
        chars::validate(bytes, offset).ok()?;
        let stanza = RawStanza::new(
            Bytes::copy_from_slice(bytes),
            offset,
            scope,
            self.limits,
            index,
        );
        self.unit = lt;
        self.pos = lt + len;
        self.lex = Lex::Text;
        Some(stanza)
    }

    /// The namespace scope of the stream's stanzas, made once per stream.
    fn stream_scope(&mut self) -> Arc<StreamScope> {
        if let Some(scope) = &self.scope {
            return scope.clone();
        }
        let scope = Arc::new(StreamScope {
            default_ns: self.content_ns.clone(),
            prefixes: self
                .open
                .as_ref()
                .map(|o| o.prefixes.clone())
                .unwrap_or_default(),
        });
        self.scope = Some(scope.clone());
        scope
    }

    fn after_close(&self) -> DecodeError {
        self.error(
            DecodeErrorKind::NotWellFormed("markup after the stream was closed".into()),
            self.unit,
        )
    }

    /// Fails when the element in progress (or the markup unit, between elements) outgrew the limit.
    fn check_size(&self) -> Result<(), DecodeError> {
        let start = match (self.stanza, self.lex) {
            (Some(start), _) => start,
            (None, Lex::Text) => return Ok(()),
            (None, _) => self.unit,
        };
        let limit = self.limits.max_stanza_bytes;
        if self.pos - start > limit {
            return Err(self.error(DecodeErrorKind::StanzaTooLarge { limit }, start + limit));
        }
        Ok(())
    }

    fn need_more(&mut self) -> Result<Option<Frame>, DecodeError> {
        self.check_size()?;
        Ok(None)
    }

    /// The first byte still needed.
    fn keep_from(&self) -> usize {
        match (self.stanza, self.lex) {
            (Some(start), _) => start,
            (None, Lex::Text) => self.pos,
            (None, _) => self.unit,
        }
    }

    /// Drops consumed bytes, when that is worth a copy.
    fn compact(&mut self) {
        let keep = self.keep_from();
        if keep == 0 || (keep < self.buf.len() && keep < 16 * 1024) {
            return;
        }
        self.buf.drain(..keep);
        self.base += keep as u64;
        self.pos -= keep;
        self.unit = self.unit.saturating_sub(keep);
        self.stanza = self.stanza.map(|s| s - keep);
    }

    fn at(&self, index: usize) -> u64 {
        self.base + index as u64
    }

    fn error(&self, kind: DecodeErrorKind, index: usize) -> DecodeError {
        DecodeError::new(kind, self.at(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &[u8] = b"<stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

    fn opened(limits: Limits) -> Decoder {
        let mut decoder = Decoder::new().with_limits(limits);
        decoder.feed(HEADER);
        assert!(matches!(
            decoder.next_raw(),
            Ok(Some(RawEvent::StreamOpen(_)))
        ));
        decoder
    }

    #[test]
    fn a_whole_stanza_is_indexed_in_place() {
        let mut decoder = opened(Limits::default());
        decoder.feed(b"<message id='a'><body>1</body></message> <iq id='b'/><presence");
        let first = decoder.index_in_place().expect("whole: in place");
        assert_eq!(
            &first.bytes()[..],
            b"<message id='a'><body>1</body></message>"
        );
        // Whitespace between stanzas is the scanner's to report; after it, in place again.
        assert!(decoder.index_in_place().is_none());
        assert_eq!(decoder.next_raw(), Ok(Some(RawEvent::Whitespace)));
        let second = decoder
            .index_in_place()
            .expect("after the keepalive: in place");
        assert_eq!(&second.bytes()[..], b"<iq id='b'/>");
        // Incomplete: left to the scanner, which waits for the rest.
        assert!(decoder.index_in_place().is_none());
        assert_eq!(decoder.next_raw(), Ok(None));
        decoder.feed(b"/>");
        let Ok(Some(RawEvent::Stanza(third))) = decoder.next_raw() else {
            panic!("the scanner completes it")
        };
        assert_eq!(&third.bytes()[..], b"<presence/>");
    }

    #[test]
    fn releasing_buffers_keeps_what_is_still_needed() {
        let mut decoder = opened(Limits::default());
        decoder.feed(b"<message><body>half");
        assert_eq!(decoder.next_raw(), Ok(None));
        decoder.release_buffers();
        assert!(decoder.buf.capacity() > 0, "a stanza in progress is kept");
        decoder.feed(b"</body></message>");
        let Ok(Some(RawEvent::Stanza(whole))) = decoder.next_raw() else {
            panic!("completed after the release")
        };
        assert_eq!(&whole.bytes()[..], b"<message><body>half</body></message>");
        decoder.release_buffers();
        assert_eq!(decoder.buf.capacity(), 0, "idle: nothing held");
        decoder.feed(b"<iq id='1' type='get'/>");
        assert!(matches!(decoder.next_raw(), Ok(Some(RawEvent::Stanza(_)))));
    }

    #[test]
    fn what_the_fast_path_refuses_gets_the_scanners_error() {
        let limits = Limits {
            max_stanza_bytes: 64,
            max_depth: 3,
            max_attributes: 8,
        };
        for (body, kind) in [
            (
                &b"<message a='<'/>"[..],
                DecodeErrorKind::NotWellFormed("`<` in an attribute value".into()),
            ),
            (
                b"<a><b><c><d/></c></b></a>",
                DecodeErrorKind::TooDeep { limit: 3 },
            ),
            (
                &[b"<message>".as_slice(), &[b'x'; 64], b"</message>"].concat(),
                DecodeErrorKind::StanzaTooLarge { limit: 64 },
            ),
            (
                b"<message>\x01</message>",
                DecodeErrorKind::IllegalCharacter(1),
            ),
        ] {
            let mut decoder = opened(limits);
            decoder.feed(body);
            assert!(decoder.index_in_place().is_none(), "{body:?}");
            let err = decoder.next_raw().unwrap_err();
            assert_eq!(err.kind, kind, "{body:?}");
            let mut tree = opened(limits);
            tree.feed(body);
            assert_eq!(tree.next_event(), Err(err), "the tree path agrees");
        }
    }
}
