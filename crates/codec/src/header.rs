//! The stream header (RFC 6120 §4.7): its attributes, how the decoder reads it from the opening
//! `<stream:stream>` tag, and the namespace scope it opens for every stanza of the stream.

use crate::error::{DecodeError, DecodeErrorKind};
use crate::ns;
use quick_xml::events::Event;
use quick_xml::name::PrefixDeclaration;
use quick_xml::{Reader, XmlVersion};

/// The attributes of an opening stream tag (RFC 6120 §4.7). Addresses are kept as strings: the
/// session layer parses them as JIDs, with the errors it must answer (`invalid-from`, `host-unknown`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamHeader {
    /// `from` (RFC 6120 §4.7.1).
    pub from: Option<String>,
    /// `to` (§4.7.2).
    pub to: Option<String>,
    /// `id`, set by the receiving entity (§4.7.3).
    pub id: Option<String>,
    /// `version`; `None` means a pre-RFC 3920 peer (§4.7.5).
    pub version: Option<String>,
    /// `xml:lang` (§4.7.4).
    pub lang: Option<String>,
    /// The content namespace (the default namespace): `jabber:client`, `jabber:server` or
    /// `jabber:component:accept` (§4.8.2).
    pub ns: String,
    /// Namespace prefixes declared besides `stream`, as (prefix, namespace): `db` for
    /// `jabber:server:dialback` on server-to-server streams (XEP-0220 §2.1).
    pub prefixes: Vec<(String, String)>,
}

impl StreamHeader {
    /// A client's initial header to `to`: `jabber:client`, version 1.0.
    ///
    /// ```
    /// let header = xmppkit_codec::StreamHeader::client("example.com");
    /// assert_eq!(header.ns, "jabber:client");
    /// assert_eq!(header.version.as_deref(), Some("1.0"));
    /// ```
    pub fn client(to: impl Into<String>) -> Self {
        StreamHeader {
            to: Some(to.into()),
            version: Some("1.0".into()),
            ns: ns::CLIENT.into(),
            ..Default::default()
        }
    }

    /// A server's response header from `from`, with stream `id`: `jabber:client`, version 1.0.
    pub fn server(from: impl Into<String>, id: impl Into<String>) -> Self {
        StreamHeader {
            from: Some(from.into()),
            id: Some(id.into()),
            version: Some("1.0".into()),
            ns: ns::CLIENT.into(),
            ..Default::default()
        }
    }
}

/// What the decoder keeps of the header to read the rest of the stream.
#[derive(Debug, Clone)]
pub(crate) struct OpenStream {
    /// The qualified name to expect in the closing tag (`stream:stream`).
    pub qname: String,
    /// Prefixes the header bound (`stream` and any other).
    pub prefixes: Vec<(String, String)>,
}

/// Parses the opening stream tag in `text` (a complete `<...>` tag).
pub(crate) fn parse(
    text: &str,
    offset: u64,
    allowed: &[String],
) -> Result<(StreamHeader, OpenStream), DecodeError> {
    let err = |kind| DecodeError::new(kind, offset);
    let not_wf = |e: &dyn std::fmt::Display| err(DecodeErrorKind::NotWellFormed(e.to_string()));
    let mut reader = Reader::from_str(text);
    let start = match reader.read_event().map_err(|e| not_wf(&e))? {
        Event::Start(start) | Event::Empty(start) => start,
        _ => {
            return Err(err(DecodeErrorKind::BadFormat(
                "expected a stream header".into(),
            )))
        }
    };
    let mut header = StreamHeader::default();
    let mut default_ns = None;
    let mut prefixes = Vec::new();
    for attr in start.attributes().with_checks(true) {
        let attr = attr.map_err(|e| not_wf(&e))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| err(DecodeErrorKind::RestrictedXml(e.to_string())))?
            .into_owned();
        match attr.key.as_namespace_binding() {
            Some(PrefixDeclaration::Default) => default_ns = Some(value),
            Some(PrefixDeclaration::Named(prefix)) => prefixes.push((prefix.to_owned(), value)),
            None => match attr.key.into_inner() {
                "from" => header.from = Some(value),
                "to" => header.to = Some(value),
                "id" => header.id = Some(value),
                "version" => header.version = Some(value),
                "xml:lang" => header.lang = Some(value),
                _ => {} // RFC 6120 §4.7: unknown attributes are ignored.
            },
        }
    }
    let qname = start.name().into_inner().to_owned();
    let (prefix, local) = match qname.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, qname.as_str()),
    };
    let stream_ns = match prefix {
        Some(p) => prefixes
            .iter()
            .find(|(q, _)| q == p)
            .map(|(_, ns)| ns.as_str()),
        None => default_ns.as_deref(),
    };
    match stream_ns {
        None => {
            return Err(err(DecodeErrorKind::UnboundPrefix(
                prefix.unwrap_or_default().into(),
            )))
        }
        Some(ns) if ns != ns::STREAMS || local != "stream" => {
            return Err(err(DecodeErrorKind::InvalidNamespace(format!(
                "the root element must be {{{}}}stream, not {{{ns}}}{local}",
                ns::STREAMS
            ))))
        }
        Some(_) => {}
    }
    let content = default_ns.unwrap_or_default();
    if !allowed.contains(&content) {
        return Err(err(DecodeErrorKind::InvalidNamespace(format!(
            "content namespace `{content}` is not accepted on this stream"
        ))));
    }
    header.ns = content;
    header.prefixes = prefixes
        .iter()
        .filter(|(_, namespace)| namespace != ns::STREAMS)
        .cloned()
        .collect();
    Ok((header, OpenStream { qname, prefixes }))
}
