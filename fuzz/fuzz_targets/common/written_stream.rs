//! The check the server-side fuzz targets share: everything a session or link wrote is one
//! well-formed XML stream (restarted after an RFC 6120 SASL success, §6.4.6).
#![allow(dead_code)]

use xmppkit_codec::{Decoder, Event};
use xmppkit_session::ServerSession;

/// Drains what `server` wrote and panics unless it decodes as a stream.
pub fn assert_well_formed(server: &mut ServerSession) {
    let mut out = Vec::new();
    while let Some(bytes) = server.poll_transmit() {
        out.extend_from_slice(&bytes);
    }
    assert_bytes_well_formed(&out);
}

/// Panics unless `out` decodes as a stream.
pub fn assert_bytes_well_formed(out: &[u8]) {
    let mut decoder = Decoder::new();
    decoder.feed(out);
    loop {
        match decoder.next_event() {
            Ok(Some(Event::Stanza(e))) if e.is("success", "urn:ietf:params:xml:ns:xmpp-sasl") => {
                decoder.restart()
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => panic!("server wrote bad XML: {e}: {}", String::from_utf8_lossy(out)),
        }
    }
}
