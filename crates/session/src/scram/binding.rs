//! Channel binding for SCRAM-*-PLUS (RFC 5802 §6): the types a TLS connection offers
//! (`tls-exporter` of RFC 9266 for TLS 1.3, `tls-server-end-point` of RFC 5929 §4), their data as
//! the application reads it from its TLS library, the XEP-0440 stream feature that advertises
//! them, and the GS2 header flag a client sends (RFC 5802 §7).

use minidom::Element;

/// The namespace of the XEP-0440 feature.
pub const NS_SASL_CB: &str = "urn:xmpp:sasl-cb:0";

/// A channel-binding type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CbType {
    /// RFC 9266: 32 bytes of TLS keying material, label `EXPORTER-Channel-Binding`, no context.
    TlsExporter,
    /// RFC 5929 §4: the hash of the server's certificate.
    TlsServerEndPoint,
}

impl CbType {
    /// The IANA name.
    pub fn name(self) -> &'static str {
        match self {
            CbType::TlsExporter => "tls-exporter",
            CbType::TlsServerEndPoint => "tls-server-end-point",
        }
    }

    /// From its IANA name.
    pub fn from_name(name: &str) -> Option<CbType> {
        match name {
            "tls-exporter" => Some(CbType::TlsExporter),
            "tls-server-end-point" => Some(CbType::TlsServerEndPoint),
            _ => None,
        }
    }
}

/// What one TLS connection can bind to, as the application read it from its TLS library after
/// the handshake. Empty without TLS.
///
/// ```
/// use xmppkit_session::scram::{CbType, ChannelBindings};
/// let bindings = ChannelBindings { tls_exporter: Some(vec![7; 32]), tls_server_end_point: None };
/// assert_eq!(bindings.types(), [CbType::TlsExporter]);
/// assert_eq!(bindings.data(CbType::TlsExporter), Some(&[7u8; 32][..]));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelBindings {
    /// RFC 9266 keying material (TLS 1.3).
    pub tls_exporter: Option<Vec<u8>>,
    /// RFC 5929 certificate hash.
    pub tls_server_end_point: Option<Vec<u8>>,
}

impl ChannelBindings {
    /// The types available, strongest first.
    pub fn types(&self) -> Vec<CbType> {
        let mut types = Vec::new();
        if self.tls_exporter.is_some() {
            types.push(CbType::TlsExporter);
        }
        if self.tls_server_end_point.is_some() {
            types.push(CbType::TlsServerEndPoint);
        }
        types
    }

    /// The data of one type.
    pub fn data(&self, kind: CbType) -> Option<&[u8]> {
        match kind {
            CbType::TlsExporter => self.tls_exporter.as_deref(),
            CbType::TlsServerEndPoint => self.tls_server_end_point.as_deref(),
        }
    }

    /// Whether there is anything to bind to.
    pub fn is_empty(&self) -> bool {
        self.tls_exporter.is_none() && self.tls_server_end_point.is_none()
    }
}

/// The XEP-0440 stream feature: `<sasl-channel-binding>` listing `types`.
pub fn feature(types: &[CbType]) -> Element {
    let mut el = Element::builder("sasl-channel-binding", NS_SASL_CB).build();
    for kind in types {
        let mut child = Element::builder("channel-binding", NS_SASL_CB).build();
        xmppkit_stanza::set_attr(&mut child, "type", kind.name());
        el.append_child(child);
    }
    el
}

/// The channel-binding types a server advertised (XEP-0440) in its stream features, by name
/// (unknown ones included, for the downgrade hash); `None` when it advertised none.
pub fn advertised(features: &Element) -> Option<Vec<String>> {
    let el = features.get_child("sasl-channel-binding", NS_SASL_CB)?;
    Some(
        el.children()
            .filter(|c| c.is("channel-binding", NS_SASL_CB))
            .filter_map(|c| c.attr("type").map(str::to_owned))
            .collect(),
    )
}

/// What a client says about channel binding in its GS2 header (RFC 5802 §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientBinding {
    /// `n`: it does not support channel binding.
    Unsupported,
    /// `y`: it supports channel binding but thinks the server does not (a server that does
    /// must then fail the exchange: a downgrade).
    NotOffered,
    /// `p=type`: it binds to this type's data.
    Bound(CbType, Vec<u8>),
}

impl ClientBinding {
    /// The GS2 channel-binding flag.
    pub(crate) fn flag(&self) -> String {
        match self {
            ClientBinding::Unsupported => "n".into(),
            ClientBinding::NotOffered => "y".into(),
            ClientBinding::Bound(kind, _) => format!("p={}", kind.name()),
        }
    }

    /// The data bound to (empty without binding).
    pub(crate) fn data(&self) -> &[u8] {
        match self {
            ClientBinding::Bound(_, data) => data,
            _ => &[],
        }
    }
}
