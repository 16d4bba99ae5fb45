//! Why a server-to-server stream ended, by the step of RFC 6120 / XEP-0220 negotiation that
//! failed or the stream error either side sent.

use thiserror::Error;
use xmppkit_codec::DecodeError;
use xmppkit_stanza::StreamError;

/// A server-to-server stream failed; it is (being) closed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LinkError {
    /// The peer sent bytes the codec refused; the matching stream error was sent.
    #[error("peer sent bad XML: {0}")]
    Decode(#[from] DecodeError),
    /// The peer closed with this stream error.
    #[error("stream error from peer: {}", .0.condition)]
    FromPeer(StreamError),
    /// We closed with this stream error because of what the peer sent.
    #[error("stream error sent to peer: {}", .0.condition)]
    ToPeer(StreamError),
    /// TLS is required and the peer does not offer STARTTLS (RFC 6120 §5.3.1).
    #[error("TLS is required but the peer does not offer STARTTLS")]
    TlsRequired,
    /// The peer answered STARTTLS with `<failure/>` (RFC 6120 §5.4.2.2).
    #[error("the peer refused STARTTLS")]
    TlsFailed,
    /// The peer offers neither SASL EXTERNAL that took our certificate nor dialback.
    #[error("no way to authenticate: the peer offers no dialback and refused SASL EXTERNAL")]
    NoAuthentication,
    /// The receiving server found our dialback key invalid, or answered with an error
    /// (XEP-0220 §2.4, §2.5).
    #[error("dialback refused: {0}")]
    DialbackRefused(String),
    /// The peer closed its stream before ours was authenticated.
    #[error("the peer closed the stream before it was authenticated")]
    Closed,
}
