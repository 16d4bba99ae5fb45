//! What the application's TLS layer found about the peer's certificate, as the streams ask it:
//! does it prove this domain? (RFC 6125 DNS-ID / SRV-ID against a trusted root, XEP-0178.) The
//! check itself is the application's, as TLS is; a list of proven domains does for tests.

/// The peer's certificate, as far as domains go.
pub trait PeerCertificate: Send {
    /// Whether the certificate is valid, chains to a trusted root, and names `domain`.
    fn proves(&self, domain: &str) -> bool;
}

/// No certificate, or one that proves nothing.
impl PeerCertificate for () {
    fn proves(&self, _: &str) -> bool {
        false
    }
}

/// The domains a certificate was found to prove.
///
/// ```
/// use xmppkit_s2s::PeerCertificate;
/// let proven = vec!["a.example".to_string()];
/// assert!(proven.proves("A.example"));
/// assert!(!proven.proves("b.example"));
/// ```
impl PeerCertificate for Vec<String> {
    fn proves(&self, domain: &str) -> bool {
        self.iter().any(|d| d.eq_ignore_ascii_case(domain))
    }
}
