//! The TLS configuration: the certificate and key files of the settings, or a self-signed
//! certificate for the domain and its services made at start.

use std::sync::Arc;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use xmppkit::session::scram::{tls_server_end_point, ChannelBindings};

#[path = "../support/tls_exporter.rs"]
mod tls_exporter;

/// The TLS side of the server: the acceptor, and the `tls-server-end-point` data of its
/// certificate (RFC 5929), the same for every connection.
#[derive(Clone)]
pub struct Tls {
    /// Accepts a connection's TLS handshake.
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// The certificate's hash, for SCRAM-*-PLUS.
    pub end_point: Arc<Vec<u8>>,
}

/// What a TLS connection can bind to: RFC 9266 `tls-exporter` under TLS 1.3 (32 bytes of keying
/// material, label `EXPORTER-Channel-Binding`, no context), and the certificate's hash.
pub fn bindings(connection: &rustls::ServerConnection, tls: &Tls) -> ChannelBindings {
    let tls_exporter = tls_exporter::tls_exporter(connection);
    ChannelBindings {
        tls_exporter,
        tls_server_end_point: Some(tls.end_point.to_vec()),
    }
}

/// The TLS side for `names` (the certificate's names when self-signed).
pub fn acceptor(settings: &crate::config::Settings, names: &[String]) -> Result<Tls, String> {
    let (chain, key) = match (&settings.tls.certificate, &settings.tls.key) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("{cert}: {e}"))?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{key}: {e}"))?;
            (chain, key)
        }
        (None, None) => {
            let certified =
                rcgen::generate_simple_self_signed(names.to_vec()).map_err(|e| e.to_string())?;
            let key = PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
            (vec![certified.cert.der().clone()], key)
        }
        _ => return Err("[tls] needs both certificate and key".into()),
    };
    let end_point = Arc::new(tls_server_end_point(
        chain.first().map(|c| c.as_ref()).unwrap_or_default(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    Ok(Tls {
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        end_point,
    })
}
