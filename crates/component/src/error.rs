//! Why a component stream ended: what the peer sent that the codec refused, the stream error
//! either side sent (RFC 6120 §4.9), or a handshake the server did not take (XEP-0114 §2).

use thiserror::Error;
use xmppkit_codec::DecodeError;
use xmppkit_stanza::StreamError;

/// A component stream failed; it is (being) closed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ComponentError {
    /// The peer sent bytes the codec refused; the matching stream error was sent.
    #[error("peer sent bad XML: {0}")]
    Decode(#[from] DecodeError),
    /// The peer closed with this stream error (e.g. `not-authorized` for a wrong secret).
    #[error("stream error from peer: {}", .0.condition)]
    FromPeer(StreamError),
    /// We closed with this stream error because of what the peer did.
    #[error("stream error sent to peer: {}", .0.condition)]
    ToPeer(StreamError),
    /// The peer closed its stream before the handshake completed.
    #[error("the peer closed the stream before the handshake completed")]
    ClosedEarly,
}
