//! One connection's byte side for the simpler streams (server-to-server, XEP-0114 components):
//! the decoder for what arrives, the encoder and the buffer of what waits to be written
//! (RFC 6120 §4: one stream each way, closed once).

use crate::{Decoder, Encoder, StreamHeader};
use bytes::{Bytes, BytesMut};
use minidom::Element;

/// Decoder, encoder and outgoing bytes of one stream.
///
/// ```
/// use xmppkit_codec::{Decoder, StreamHeader, Wire};
/// let mut wire = Wire::new(Decoder::new());
/// wire.header(&StreamHeader::client("example.com"));
/// wire.close();
/// wire.close(); // written once
/// let bytes = wire.poll_transmit().unwrap();
/// assert!(bytes.ends_with(b"'1.0'></stream:stream>"));
/// assert!(wire.poll_transmit().is_none());
/// ```
#[derive(Debug)]
pub struct Wire {
    /// What the peer sent, decoded.
    pub decoder: Decoder,
    encoder: Encoder,
    out: BytesMut,
    closed: bool,
}

impl Wire {
    /// A wire reading with `decoder`.
    pub fn new(decoder: Decoder) -> Self {
        Wire {
            decoder,
            encoder: Encoder::new(),
            out: BytesMut::new(),
            closed: false,
        }
    }

    /// Writes our stream header (again after a restart).
    pub fn header(&mut self, header: &StreamHeader) {
        if !self.closed {
            self.encoder.header(header, &mut self.out);
        }
    }

    /// Writes a stanza or stream-level element in the header's content namespace.
    pub fn send(&mut self, element: &Element) {
        if !self.closed {
            self.encoder.stanza(element, &mut self.out);
        }
    }

    /// Writes `</stream:stream>`, once; nothing is written after it.
    pub fn close(&mut self) {
        if !self.closed {
            self.encoder.close(&mut self.out);
            self.closed = true;
        }
    }

    /// Whether our closing tag was written.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The bytes waiting to be written, if any.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        (!self.out.is_empty()).then(|| self.out.split().freeze())
    }
}
