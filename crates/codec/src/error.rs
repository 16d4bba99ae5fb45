//! What the decoder reports when the peer broke the XML rules of RFC 6120 §11 or a limit: each error
//! says what was wrong and at which byte of the stream, and maps to the stream error to send.

use crate::StreamErrorCondition;
use thiserror::Error;

/// A fatal stream decoding error. After one, the stream is over: send
/// `<stream:error>` with [`DecodeError::condition`] and close.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind} at byte {offset}")]
pub struct DecodeError {
    /// What was wrong.
    pub kind: DecodeErrorKind,
    /// The offset, from the start of the stream (restarts included), of the byte where it was seen.
    pub offset: u64,
}

impl DecodeError {
    pub(crate) fn new(kind: DecodeErrorKind, offset: u64) -> Self {
        DecodeError { kind, offset }
    }

    /// A quick-xml error at `offset`: an unknown entity is restricted XML (RFC 6120 §11.1),
    /// anything else is not well-formed.
    pub(crate) fn from_quick_xml(e: quick_xml::Error, offset: u64) -> Self {
        let kind = match e {
            quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(
                _,
                name,
            )) => DecodeErrorKind::RestrictedXml(format!("entity reference &{name};")),
            e => DecodeErrorKind::NotWellFormed(e.to_string()),
        };
        DecodeError::new(kind, offset)
    }

    /// The stream error condition (RFC 6120 §4.9.3) the receiving entity must send.
    pub fn condition(&self) -> StreamErrorCondition {
        self.kind.condition()
    }
}

/// The kinds of decoding errors.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeErrorKind {
    /// The XML is not well-formed (mismatched tags, bad syntax, a name that is not a name, ...).
    #[error("XML not well-formed: {0}")]
    NotWellFormed(String),
    /// A character that XML 1.0 forbids (a control character, U+FFFE, U+FFFF), raw or as a reference.
    #[error("character U+{0:04X} is not allowed in XML 1.0")]
    IllegalCharacter(u32),
    /// A prefix that no namespace declaration in scope binds.
    #[error("unbound namespace prefix `{0}`")]
    UnboundPrefix(String),
    /// The bytes are not UTF-8, or the stream declared or signalled another encoding (RFC 6120 §11.6).
    #[error("not UTF-8: {0}")]
    UnsupportedEncoding(String),
    /// XML that RFC 6120 §11.1 forbids: comments, processing instructions, DTDs, entity references
    /// other than the five predefined ones.
    #[error("restricted XML (RFC 6120 §11.1): {0}")]
    RestrictedXml(String),
    /// The stream header or a stanza is in a namespace the stream does not allow (RFC 6120 §4.8).
    #[error("invalid namespace: {0}")]
    InvalidNamespace(String),
    /// XML that is well-formed but not an XMPP stream (text between stanzas, a bad root element).
    #[error("bad format: {0}")]
    BadFormat(String),
    /// A top-level element grew past [`crate::Limits::max_stanza_bytes`].
    #[error("element larger than the limit of {limit} bytes")]
    StanzaTooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// Elements nested deeper than [`crate::Limits::max_depth`].
    #[error("elements nested deeper than the limit of {limit}")]
    TooDeep {
        /// The limit in force.
        limit: usize,
    },
    /// An element with more attributes than [`crate::Limits::max_attributes`].
    #[error("element with more than {limit} attributes")]
    TooManyAttributes {
        /// The limit in force.
        limit: usize,
    },
    /// The input ended inside an element (only reported by [`crate::Decoder::finish`]).
    #[error("input ended inside an element")]
    UnexpectedEnd,
}

impl DecodeErrorKind {
    /// The stream error condition (RFC 6120 §4.9.3) that answers this error.
    pub fn condition(&self) -> StreamErrorCondition {
        use DecodeErrorKind::*;
        match self {
            NotWellFormed(_) | IllegalCharacter(_) | UnexpectedEnd => {
                StreamErrorCondition::NotWellFormed
            }
            UnboundPrefix(_) => StreamErrorCondition::BadNamespacePrefix,
            UnsupportedEncoding(_) => StreamErrorCondition::UnsupportedEncoding,
            RestrictedXml(_) => StreamErrorCondition::RestrictedXml,
            InvalidNamespace(_) => StreamErrorCondition::InvalidNamespace,
            BadFormat(_) => StreamErrorCondition::BadFormat,
            StanzaTooLarge { .. } | TooDeep { .. } | TooManyAttributes { .. } => {
                StreamErrorCondition::PolicyViolation
            }
        }
    }
}
