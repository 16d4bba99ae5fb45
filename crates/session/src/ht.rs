//! The Hashed Token SASL mechanisms that XEP-0484 FAST logs in with
//! (draft-schmaus-kitten-sasl-ht): `HT-SHA-256-NONE`, `-EXPR` (bound to `tls-exporter`) and
//! `-ENDP` (bound to `tls-server-end-point`). One round trip: the client sends its name and
//! `HMAC(token, "Initiator" || channel-binding data)`; the server answers, as the success's
//! additional data, `HMAC(token, "Responder" || channel-binding data)`, so each side proves it
//! holds the token.

use crate::scram::{CbType, ChannelBindings, ScramHash};

/// An HT mechanism: its channel binding (`None`: `-NONE`). Only SHA-256 is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HtMechanism {
    /// The channel-binding type it is bound to, if any.
    pub binding: Option<CbType>,
}

impl HtMechanism {
    /// The three mechanisms, strongest first.
    pub const ALL: [HtMechanism; 3] = [
        HtMechanism {
            binding: Some(CbType::TlsExporter),
        },
        HtMechanism {
            binding: Some(CbType::TlsServerEndPoint),
        },
        HtMechanism { binding: None },
    ];

    /// The mechanism name.
    pub fn name(self) -> &'static str {
        match self.binding {
            Some(CbType::TlsExporter) => "HT-SHA-256-EXPR",
            Some(CbType::TlsServerEndPoint) => "HT-SHA-256-ENDP",
            None => "HT-SHA-256-NONE",
        }
    }

    /// From its name.
    ///
    /// ```
    /// use xmppkit_session::ht::HtMechanism;
    /// assert_eq!(HtMechanism::from_name("HT-SHA-256-NONE").map(|m| m.name()), Some("HT-SHA-256-NONE"));
    /// assert_eq!(HtMechanism::from_name("HT-SHA-1-NONE"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<HtMechanism> {
        HtMechanism::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether this connection can use it.
    pub fn usable(self, bindings: &ChannelBindings) -> bool {
        self.binding
            .is_none_or(|kind| bindings.data(kind).is_some())
    }

    fn proof(self, token: &str, label: &[u8], bindings: &ChannelBindings) -> Option<Vec<u8>> {
        let mut data = label.to_vec();
        if let Some(kind) = self.binding {
            data.extend_from_slice(bindings.data(kind)?);
        }
        Some(ScramHash::Sha256.hmac(token.as_bytes(), &data))
    }

    /// The client's initial response: `username NUL HMAC(token, "Initiator" || cb-data)`;
    /// `None` when the connection lacks the binding.
    pub fn initial_response(
        self,
        username: &str,
        token: &str,
        bindings: &ChannelBindings,
    ) -> Option<Vec<u8>> {
        let mut out = username.as_bytes().to_vec();
        out.push(0);
        out.extend(self.proof(token, b"Initiator", bindings)?);
        Some(out)
    }

    /// The user name in an initial response (for the token lookup).
    pub fn username(initial: &[u8]) -> Option<&str> {
        let at = initial.iter().position(|b| *b == 0)?;
        std::str::from_utf8(&initial[..at]).ok()
    }

    /// Server side: whether `initial` proves `token`, compared in constant time.
    pub fn verify(self, initial: &[u8], token: &str, bindings: &ChannelBindings) -> bool {
        let Some(at) = initial.iter().position(|b| *b == 0) else {
            return false;
        };
        self.proof(token, b"Initiator", bindings)
            .is_some_and(|expected| constant_time_eq(&initial[at + 1..], &expected))
    }

    /// The server's answer, sent as the success's additional data.
    pub fn responder(self, token: &str, bindings: &ChannelBindings) -> Option<Vec<u8>> {
        self.proof(token, b"Responder", bindings)
    }

    /// Client side: whether the server's additional data proves it holds the token too.
    pub fn verify_responder(self, data: &[u8], token: &str, bindings: &ChannelBindings) -> bool {
        self.responder(token, bindings)
            .is_some_and(|expected| constant_time_eq(data, &expected))
    }
}

/// Equal bytes, compared without an early exit.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_agree_and_nothing_else_passes() {
        let none = ChannelBindings::default();
        let bound = ChannelBindings {
            tls_exporter: Some(vec![1; 32]),
            tls_server_end_point: Some(vec![2; 32]),
        };
        for m in HtMechanism::ALL {
            let bindings = if m.binding.is_some() { &bound } else { &none };
            let initial = m.initial_response("juliet", "s3cret", bindings).unwrap();
            assert_eq!(HtMechanism::username(&initial), Some("juliet"));
            assert!(m.verify(&initial, "s3cret", bindings), "{}", m.name());
            assert!(!m.verify(&initial, "other", bindings), "{}", m.name());
            let answer = m.responder("s3cret", bindings).unwrap();
            assert!(m.verify_responder(&answer, "s3cret", bindings));
            assert!(!m.verify_responder(&answer, "other", bindings));
            // Another connection's binding data do not pass.
            if m.binding.is_some() {
                let elsewhere = ChannelBindings {
                    tls_exporter: Some(vec![9; 32]),
                    tls_server_end_point: Some(vec![9; 32]),
                };
                assert!(!m.verify(&initial, "s3cret", &elsewhere));
                assert!(!m.usable(&none));
            }
        }
        // The -NONE proof is HMAC-SHA-256(token, "Initiator"), as xmpp.js computes it.
        let initial = HtMechanism { binding: None }
            .initial_response("u", "key", &none)
            .unwrap();
        assert_eq!(
            initial[2..],
            ScramHash::Sha256.hmac(b"key", b"Initiator")[..]
        );
        assert!(!HtMechanism { binding: None }.verify(b"no separator", "key", &none));
    }
}
