//! The defined stream error conditions of RFC 6120 §4.9.3. They live in the codec because the codec
//! is where most of them are detected; `xmppkit-stanza` builds the `<stream:error/>` element on top.

use std::fmt;
use std::str::FromStr;

/// Declares the conditions once: the enum, the list of all, and the wire names.
macro_rules! conditions {
    ($($variant:ident = $name:literal,)*) => {
        /// A stream error condition (RFC 6120 §4.9.3), named as on the wire by [`fmt::Display`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)] // each variant is the RFC 6120 §4.9.3.x condition of the same name
        pub enum StreamErrorCondition {
            $($variant,)*
        }

        impl StreamErrorCondition {
            /// Every condition, in the order of RFC 6120 §4.9.3.
            pub const ALL: &'static [StreamErrorCondition] = &[$(StreamErrorCondition::$variant,)*];

            /// The element name of the condition, e.g. `not-well-formed`.
            pub fn name(self) -> &'static str {
                match self {
                    $(StreamErrorCondition::$variant => $name,)*
                }
            }
        }
    };
}

conditions! {
    BadFormat = "bad-format",
    BadNamespacePrefix = "bad-namespace-prefix",
    Conflict = "conflict",
    ConnectionTimeout = "connection-timeout",
    HostGone = "host-gone",
    HostUnknown = "host-unknown",
    ImproperAddressing = "improper-addressing",
    InternalServerError = "internal-server-error",
    InvalidFrom = "invalid-from",
    InvalidNamespace = "invalid-namespace",
    InvalidXml = "invalid-xml",
    NotAuthorized = "not-authorized",
    NotWellFormed = "not-well-formed",
    PolicyViolation = "policy-violation",
    RemoteConnectionFailed = "remote-connection-failed",
    Reset = "reset",
    ResourceConstraint = "resource-constraint",
    RestrictedXml = "restricted-xml",
    SeeOtherHost = "see-other-host",
    SystemShutdown = "system-shutdown",
    UndefinedCondition = "undefined-condition",
    UnsupportedEncoding = "unsupported-encoding",
    UnsupportedFeature = "unsupported-feature",
    UnsupportedStanzaType = "unsupported-stanza-type",
    UnsupportedVersion = "unsupported-version",
}

impl fmt::Display for StreamErrorCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The name is not one of the RFC 6120 §4.9.3 conditions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a stream error condition of RFC 6120 §4.9.3")]
pub struct UnknownCondition(pub String);

impl FromStr for StreamErrorCondition {
    type Err = UnknownCondition;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.name() == s)
            .ok_or_else(|| UnknownCondition(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(StreamErrorCondition::ALL.len(), 25);
        for &c in StreamErrorCondition::ALL {
            assert_eq!(c.name().parse::<StreamErrorCondition>(), Ok(c));
        }
        assert!("nope".parse::<StreamErrorCondition>().is_err());
    }
}
