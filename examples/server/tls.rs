//! The TLS configuration: the certificate and key files of the settings, or a self-signed
//! certificate for the domain and its services made at start.

use std::sync::Arc;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use xmppkit::session::scram::{tls_server_end_point, ChannelBindings};

#[path = "../support/client_io.rs"]
mod client_io;

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
    let tls_exporter = client_io::tls_exporter::tls_exporter(connection);
    ChannelBindings {
        tls_exporter,
        tls_server_end_point: Some(tls.end_point.to_vec()),
    }
}

/// The certificate chain and key of the settings, or a self-signed certificate for `names`.
pub fn certificate(
    settings: &crate::config::Settings,
    names: &[String],
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    match (&settings.tls.certificate, &settings.tls.key) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("{cert}: {e}"))?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{key}: {e}"))?;
            Ok((chain, key))
        }
        (None, None) => {
            let certified =
                rcgen::generate_simple_self_signed(names.to_vec()).map_err(|e| e.to_string())?;
            let key = PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
            Ok((vec![certified.cert.der().clone()], key))
        }
        _ => Err("[tls] needs both certificate and key".into()),
    }
}

/// The TLS side for clients, with `chain` and `key`.
pub fn acceptor(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Tls, String> {
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

/// TLS for server-to-server links: the same certificate on both sides of a link, offered as
/// the client certificate when connecting out (for SASL EXTERNAL, XEP-0178). With trust roots
/// (`ca`), peers' certificates are verified (a client certificate is asked for, not required);
/// without, outgoing TLS is not verified and dialback authenticates the peer.
#[derive(Clone)]
pub struct S2sTls {
    /// Accepts a peer's TLS handshake.
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// Starts TLS to a peer.
    pub connector: tokio_rustls::TlsConnector,
    /// Whether peers' certificates are verified against trust roots.
    pub verifies: bool,
}

/// Builds [`S2sTls`] from our certificate and the trust roots file, if any.
pub fn s2s(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    ca: Option<&str>,
) -> Result<S2sTls, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = match ca {
        Some(path) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(path).map_err(|e| format!("{path}: {e}"))? {
                let cert = cert.map_err(|e| format!("{path}: {e}"))?;
                roots.add(cert).map_err(|e| format!("{path}: {e}"))?;
            }
            Some(Arc::new(roots))
        }
        None => None,
    };
    let server = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let server = match &roots {
        Some(roots) => {
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                roots.clone(),
                provider.clone(),
            )
            .allow_unauthenticated()
            .build()
            .map_err(|e| e.to_string())?;
            server.with_client_cert_verifier(verifier)
        }
        None => server.with_no_client_auth(),
    }
    .with_single_cert(chain.clone(), key.clone_key())
    .map_err(|e| e.to_string())?;
    let mut server = server;
    // XEP-0368 §3: direct TLS names the protocol.
    server.alpn_protocols = vec![b"xmpp-server".to_vec()];
    let client = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let client = match &roots {
        Some(roots) => client.with_root_certificates(roots.clone()),
        None => client
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(client_io::AcceptAnyCertificate(provider))),
    }
    .with_client_auth_cert(chain, key)
    .map_err(|e| e.to_string())?;
    let mut client = client;
    client.alpn_protocols = vec![b"xmpp-server".to_vec()];
    Ok(S2sTls {
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(server)),
        connector: tokio_rustls::TlsConnector::from(Arc::new(client)),
        verifies: roots.is_some(),
    })
}

/// A peer's certificate whose chain rustls verified against the trust roots, as the
/// server-to-server streams ask about it: does it name this domain (RFC 6125 DNS-ID)?
pub struct PeerCert(Option<CertificateDer<'static>>);

impl PeerCert {
    /// The leaf of a verified chain; `None` when none was presented or nothing verifies.
    pub fn new(chain: Option<&[CertificateDer<'_>]>, verified: bool) -> PeerCert {
        let leaf = chain.and_then(|c| c.first()).filter(|_| verified);
        PeerCert(leaf.map(|c| c.clone().into_owned()))
    }
}

impl xmppkit::s2s::PeerCertificate for PeerCert {
    fn proves(&self, domain: &str) -> bool {
        let Some(leaf) = &self.0 else {
            return false;
        };
        let Ok(cert) = webpki::EndEntityCert::try_from(leaf) else {
            return false;
        };
        rustls::pki_types::ServerName::try_from(domain.to_owned())
            .is_ok_and(|name| cert.verify_is_valid_for_subject_name(&name).is_ok())
    }
}
