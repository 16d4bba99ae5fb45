//! The TLS configuration: the certificate and key files of the settings, or a self-signed
//! certificate for the domain and its services made at start.

use std::sync::Arc;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The acceptor for `names` (the certificate's names when self-signed).
pub fn acceptor(
    settings: &crate::config::Settings,
    names: &[String],
) -> Result<tokio_rustls::TlsAcceptor, String> {
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
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
