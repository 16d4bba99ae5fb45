//! Conversions to and from the `jid` crate's types, for code that mixes xmppkit with
//! xmpp-parsers. That crate prepares with RFC 6122 stringprep, this one with RFC 7622 PRECIS:
//! every conversion prepares again, and may refuse (a symbol in a localpart, for instance) or
//! change the address (stringprep maps `ß` to `ss`).
//!
//! ```
//! # #[cfg(feature = "jid")] {
//! use xmppkit_jid::Jid;
//! let ours: Jid = "fußball@example.com".parse().unwrap();
//! let theirs = jid::Jid::try_from(&ours).unwrap();
//! assert_eq!(theirs.as_str(), "fussball@example.com");
//! assert_eq!(Jid::try_from(&theirs).unwrap().as_str(), "fussball@example.com");
//! # }
//! ```

use crate::{BareJid, Error, FullJid, Jid};

/// Why an address could not go over to the `jid` crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the jid crate (RFC 6122 stringprep) refuses {address}: {reason}")]
pub struct StringprepRefused {
    /// The address.
    pub address: String,
    /// What the `jid` crate said.
    pub reason: String,
}

macro_rules! convert {
    ($ours:ty, $theirs:ty) => {
        impl TryFrom<&$theirs> for $ours {
            type Error = Error;
            fn try_from(theirs: &$theirs) -> Result<$ours, Error> {
                <$ours>::new(theirs.as_str())
            }
        }

        impl TryFrom<&$ours> for $theirs {
            type Error = StringprepRefused;
            fn try_from(ours: &$ours) -> Result<$theirs, StringprepRefused> {
                <$theirs>::new(ours.as_str()).map_err(|e| StringprepRefused {
                    address: ours.to_string(),
                    reason: e.to_string(),
                })
            }
        }
    };
}

convert!(Jid, jid::Jid);
convert!(BareJid, jid::BareJid);
convert!(FullJid, jid::FullJid);
