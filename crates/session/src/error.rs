//! Why a session ended: each variant says which step of RFC 6120 stream negotiation or which later
//! event failed.

use thiserror::Error;
use xmppkit_codec::DecodeError;
use xmppkit_stanza::{StanzaError, StreamError};

/// A session failed; the stream is (being) closed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SessionError {
    /// The peer sent bytes the codec refused; the matching stream error was sent.
    #[error("peer sent bad XML: {0}")]
    Decode(#[from] DecodeError),
    /// The peer closed with a stream error (RFC 6120 §4.9).
    #[error("stream error from peer: {}", .0.condition)]
    Stream(StreamError),
    /// TLS is required by policy but the server does not offer STARTTLS (RFC 6120 §5.3.1).
    #[error("TLS is required but the server does not offer STARTTLS")]
    TlsRequired,
    /// The server answered STARTTLS with `<failure/>` (RFC 6120 §5.4.2.2).
    #[error("the server refused STARTTLS")]
    TlsFailed,
    /// No SASL mechanism both sides accept (RFC 6120 §6.4.1).
    #[error("no acceptable SASL mechanism among {offered:?}")]
    NoCommonMechanism {
        /// What the server offered.
        offered: Vec<String>,
    },
    /// The server requires XEP-0388 tasks after the mechanism and none of them is one the
    /// application can carry out ([`crate::ClientConfig::sasl2_tasks`]).
    #[error("no SASL2 task the client can carry out among {offered:?}")]
    NoCommonTask {
        /// What the server asked for.
        offered: Vec<String>,
    },
    /// SASL failed: the server's `<failure/>` condition, e.g. `not-authorized` (RFC 6120 §6.5).
    #[error("authentication failed: {condition}{}", .text.as_deref().map(|t| format!(" ({t})")).unwrap_or_default())]
    AuthFailed {
        /// The SASL failure condition.
        condition: String,
        /// The server's text, if any.
        text: Option<String>,
    },
    /// The SASL mechanism itself failed (a malformed challenge, a wrong server signature).
    #[error("SASL mechanism error: {0}")]
    Mechanism(String),
    /// Resource binding was refused (RFC 6120 §7.6.2).
    #[error("resource binding failed: {}", .0.condition)]
    BindFailed(StanzaError),
    /// The peer did something the protocol does not allow at this point.
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// A negotiation step, or a keepalive ping, got no answer in time.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
}
