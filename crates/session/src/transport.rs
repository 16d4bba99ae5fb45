//! The byte side every session shares: the codec's decoder and encoder, and the buffer of bytes
//! waiting to be written (RFC 6120 §4: one stream each way).

use bytes::{Bytes, BytesMut};
use minidom::Element;
use std::sync::Arc;
use std::time::Instant;
use xmppkit_codec::{Decoder, Encoder, StreamHeader};
use xmppkit_sm::{Queued, SmStream};

/// Decoder, encoder and outgoing bytes of one connection.
#[derive(Debug)]
pub(crate) struct Transport {
    pub decoder: Decoder,
    encoder: Encoder,
    /// The encoder's content namespace, shared by the stanzas kept for XEP-0198.
    content_ns: Arc<str>,
    out: BytesMut,
    /// Whether our closing tag has been written.
    pub closed_ours: bool,
}

impl Transport {
    pub fn new(decoder: Decoder) -> Self {
        Transport {
            decoder,
            encoder: Encoder::new(),
            content_ns: Arc::from(xmppkit_codec::ns::CLIENT),
            out: BytesMut::with_capacity(1024),
            closed_ours: false,
        }
    }

    pub fn send_header(&mut self, header: &StreamHeader) {
        self.encoder.header(header, &mut self.out);
        if *self.content_ns != *self.encoder.content_ns() {
            self.content_ns = Arc::from(self.encoder.content_ns());
        }
    }

    /// Writes a stanza; under stream management (`stream`), the outbox keeps the bytes written
    /// (not the tree) until acknowledged, and an `<r/>` follows when one is due.
    pub fn send_stanza(&mut self, stanza: &Element, stream: Option<&mut SmStream>, now: Instant) {
        let Some(stream) = stream else {
            return self.send(stanza);
        };
        // After our closing tag nothing is written; the stanza is still counted and kept.
        let queued = match self.closed_ours {
            false => Queued::write(stanza, &self.content_ns, &mut self.out),
            true => Queued::new(stanza),
        };
        self.kept(queued, stream, now);
    }

    /// Writes a stanza serialized earlier; under stream management the outbox keeps those same
    /// bytes (shared, not copied).
    pub fn send_serialized(&mut self, stanza: Queued, stream: Option<&mut SmStream>, now: Instant) {
        self.send_bytes(stanza.bytes());
        if let Some(stream) = stream {
            self.kept(stanza, stream, now);
        }
    }

    fn kept(&mut self, stanza: Queued, stream: &mut SmStream, now: Instant) {
        if let Some(request) = stream.sent_queued(stanza, now) {
            self.send(&request);
        }
    }

    /// Writes bytes kept from an earlier write (a resumed stream's resend, XEP-0198 §5).
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        if !self.closed_ours {
            self.out.extend_from_slice(bytes);
        }
    }

    pub fn send(&mut self, element: &Element) {
        if !self.closed_ours {
            self.encoder.stanza(element, &mut self.out);
        }
    }

    /// Writes `</stream:stream>` once.
    pub fn close(&mut self) {
        if !self.closed_ours {
            self.encoder.close(&mut self.out);
            self.closed_ours = true;
        }
    }

    /// Ends the stream on our side: the stream error (if any), then our closing tag.
    pub fn abort(&mut self, stream_error: Option<xmppkit_stanza::StreamError>) {
        if let Some(stream_error) = stream_error {
            self.send(&stream_error.into());
        }
        self.close();
    }

    /// Frees what an idle connection need not keep: the input buffer when all was decoded, the
    /// output buffer when all was taken.
    pub fn release_buffers(&mut self) {
        self.decoder.release_buffers();
        if self.out.is_empty() {
            self.out = BytesMut::new();
        }
    }

    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        (!self.out.is_empty()).then(|| self.out.split().freeze())
    }
}
