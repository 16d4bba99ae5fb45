//! What one server-to-server stream needs to know: our domains, the TLS policy, and the
//! dialback secret.

use crate::DialbackSecret;

/// Whether a stream must be encrypted (RFC 6120 §5; XEP-0178 and XEP-0344 advise requiring it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S2sTls {
    /// STARTTLS (or direct TLS) is required: a peer without it is refused.
    Required,
    /// STARTTLS when the peer offers it, plaintext otherwise (tests, private networks).
    Optional,
    /// Never: no STARTTLS offered or asked for (tests only).
    Off,
}

/// Configuration of one server-to-server stream.
#[derive(Debug, Clone)]
pub struct S2sConfig {
    /// The domains this server serves on server-to-server streams (its own and its
    /// components'): an incoming stream must be addressed to one of them.
    pub domains: Vec<String>,
    /// The TLS policy.
    pub tls: S2sTls,
    /// TLS is already on (XEP-0368 direct TLS): no STARTTLS step.
    pub direct_tls: bool,
    /// The dialback secret.
    pub secret: DialbackSecret,
    /// XEP-0288 bidirectional streams: offered when receiving, asked for when initiating (on
    /// by default), so that one connection carries both directions of a domain pair.
    pub bidi: bool,
}

impl S2sConfig {
    /// A configuration for `domain` with TLS required.
    pub fn new(domain: impl Into<String>, secret: DialbackSecret) -> Self {
        S2sConfig {
            domains: vec![domain.into()],
            tls: S2sTls::Required,
            direct_tls: false,
            secret,
            bidi: true,
        }
    }

    pub(crate) fn serves(&self, domain: &str) -> bool {
        self.domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
    }
}
