//! The limits a decoder enforces while bytes stream in (RFC 6120 §13.12 asks servers to bound what
//! a peer can make them hold); each violation is a `policy-violation` stream error.

/// Limits on what one peer may send. The defaults suit a public c2s or s2s listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes one top-level element (a stanza, or the stream header) may take on the wire.
    /// Checked while the element streams in, so memory never grows past it. Default 256 KiB.
    pub max_stanza_bytes: usize,
    /// The deepest element nesting inside a stanza, the stanza itself being depth 1. Default 64.
    pub max_depth: usize,
    /// The most attributes (namespace declarations included) on one element. Default 64.
    pub max_attributes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_stanza_bytes: 256 * 1024,
            max_depth: 64,
            max_attributes: 64,
        }
    }
}
