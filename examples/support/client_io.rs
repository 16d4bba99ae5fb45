//! What the client examples share: the socket (plain TCP until STARTTLS, then TLS over it), the
//! rustls client configuration (with certificate checks off for test servers), and nonces.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

#[path = "tls_exporter.rs"]
pub mod tls_exporter;

/// The connection: plain TCP until STARTTLS, then TLS over it.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
    Upgrading,
}

impl Conn {
    /// Resets the TCP connection (RST, no closing tag): what a dead network looks like.
    pub fn kill(self) {
        let tcp = match &self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => s.get_ref().0,
            Conn::Upgrading => return,
        };
        // A zero linger resets at once on drop; the blocking that deprecated this needs a
        // non-zero linger.
        #[allow(deprecated)]
        let _ = tcp.set_linger(Some(Duration::ZERO));
    }

    pub fn io(&mut self) -> &mut (dyn Io + Send) {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => s.as_mut(),
            Conn::Upgrading => unreachable!("no I/O during the TLS upgrade"),
        }
    }
}

pub trait Io: AsyncRead + AsyncWrite + Unpin {}
impl<T: AsyncRead + AsyncWrite + Unpin> Io for T {}

pub fn tls_config(insecure: bool) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions");
    if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let roots =
            rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        builder.with_root_certificates(roots).with_no_client_auth()
    }
}

/// For `--insecure-tls` only: test servers with self-signed certificates.
#[derive(Debug)]
pub struct AcceptAnyCertificate(pub Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// What a client's TLS connection can bind to for SCRAM-*-PLUS: RFC 9266 `tls-exporter` under
/// TLS 1.3, and RFC 5929 `tls-server-end-point` from the server's certificate.
pub fn bindings(connection: &rustls::ClientConnection) -> xmppkit::session::scram::ChannelBindings {
    let tls_exporter = tls_exporter::tls_exporter(connection);
    let tls_server_end_point = connection
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|cert| xmppkit::session::scram::tls_server_end_point(cert.as_ref()));
    xmppkit::session::scram::ChannelBindings {
        tls_exporter,
        tls_server_end_point,
    }
}

/// A random nonce for SCRAM.
pub fn nonce() -> String {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).expect("the OS has randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
