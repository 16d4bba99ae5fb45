//! RFC 9266 `tls-exporter` channel-binding data of a rustls connection, on either side: 32 bytes
//! of keying material with the label `EXPORTER-Channel-Binding` and no context, under TLS 1.3
//! only (the binding is not defined for TLS 1.2 without extended master secret).

use tokio_rustls::rustls;

/// The connection's `tls-exporter` data, when it is TLS 1.3.
pub fn tls_exporter<Data>(connection: &rustls::ConnectionCommon<Data>) -> Option<Vec<u8>> {
    if connection.protocol_version() != Some(rustls::ProtocolVersion::TLSv1_3) {
        return None;
    }
    connection
        .export_keying_material([0u8; 32], b"EXPORTER-Channel-Binding", None)
        .ok()
        .map(|key| key.to_vec())
}
