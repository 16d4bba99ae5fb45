//! [`BareJid`] and [`FullJid`]: a [`Jid`] known to have no resourcepart (an account, a room, a
//! domain) or one (a connected resource, a room occupant), RFC 6120 §1.4. Both read as a `Jid`.

use crate::parts::{DomainRef, NodeRef, ResourceRef};
use crate::{Error, Jid};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

/// An address without a resourcepart (`juliet@example.com`, `example.com`).
///
/// ```
/// use xmppkit_jid::BareJid;
/// let bare: BareJid = "juliet@example.com".parse().unwrap();
/// let full = bare.with_resource_str("balcony").unwrap();
/// assert_eq!(full.as_str(), "juliet@example.com/balcony");
/// assert!("juliet@example.com/balcony".parse::<BareJid>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BareJid(pub(crate) Jid);

/// An address with a resourcepart (`juliet@example.com/balcony`).
///
/// ```
/// use xmppkit_jid::FullJid;
/// let full: FullJid = "juliet@example.com/balcony".parse().unwrap();
/// assert_eq!(full.resource(), "balcony");
/// assert_eq!(full.to_bare().as_str(), "juliet@example.com");
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FullJid(pub(crate) Jid);

impl BareJid {
    /// Parses and prepares a bare address; one with a resourcepart is refused.
    pub fn new(unprepared: &str) -> Result<BareJid, Error> {
        BareJid::try_from(Jid::new(unprepared)?)
    }

    /// A bare address from parts already prepared.
    pub fn from_parts(node: Option<NodeRef<'_>>, domain: DomainRef<'_>) -> BareJid {
        BareJid(Jid::from_parts(node, domain, None))
    }

    /// This address with `resource` (already prepared).
    pub fn with_resource(&self, resource: ResourceRef<'_>) -> FullJid {
        FullJid(Jid::from_parts(self.node(), self.domain(), Some(resource)))
    }

    /// This address with `resource`, prepared first (RFC 7622 §3.4).
    pub fn with_resource_str(&self, resource: &str) -> Result<FullJid, Error> {
        let resource = crate::precis::resourcepart(resource)?;
        Ok(self.with_resource(ResourceRef(&resource)))
    }

    /// The prepared address, as a `String`.
    pub fn into_inner(self) -> String {
        self.0.into_inner()
    }
}

impl FullJid {
    /// Parses and prepares a full address; one without a resourcepart is refused.
    pub fn new(unprepared: &str) -> Result<FullJid, Error> {
        FullJid::try_from(Jid::new(unprepared)?)
    }

    /// A full address from parts already prepared.
    pub fn from_parts(
        node: Option<NodeRef<'_>>,
        domain: DomainRef<'_>,
        resource: ResourceRef<'_>,
    ) -> FullJid {
        FullJid(Jid::from_parts(node, domain, Some(resource)))
    }

    /// The resourcepart.
    pub fn resource(&self) -> ResourceRef<'_> {
        // A FullJid is only ever made from a Jid with a resourcepart.
        self.0.resource().unwrap_or(ResourceRef(""))
    }

    /// The address without its resourcepart, reusing this one's memory.
    pub fn into_bare(self) -> BareJid {
        self.0.into_bare()
    }

    /// The prepared address, as a `String`.
    pub fn into_inner(self) -> String {
        self.0.into_inner()
    }
}

macro_rules! typed {
    ($name:ident, $check:expr, $wrong:expr) => {
        impl Deref for $name {
            type Target = Jid;
            fn deref(&self) -> &Jid {
                &self.0
            }
        }

        impl Borrow<Jid> for $name {
            fn borrow(&self) -> &Jid {
                &self.0
            }
        }

        impl AsRef<Jid> for $name {
            fn as_ref(&self) -> &Jid {
                &self.0
            }
        }

        impl From<$name> for Jid {
            fn from(typed: $name) -> Jid {
                typed.0
            }
        }

        impl TryFrom<Jid> for $name {
            type Error = Error;
            fn try_from(jid: Jid) -> Result<$name, Error> {
                let check: fn(&Jid) -> bool = $check;
                if check(&jid) {
                    Ok($name(jid))
                } else {
                    Err($wrong)
                }
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<$name, Error> {
                $name::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = Error;
            fn try_from(s: &str) -> Result<$name, Error> {
                $name::new(s)
            }
        }

        impl PartialEq<Jid> for $name {
            fn eq(&self, other: &Jid) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for Jid {
            fn eq(&self, other: &$name) -> bool {
                self == &other.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0.as_str())
            }
        }

        impl minidom::IntoAttributeValue for $name {
            fn into_attribute_value(self) -> Option<String> {
                Some(self.0.into_inner())
            }
        }

        impl From<$name> for minidom::Node {
            fn from(jid: $name) -> minidom::Node {
                minidom::Node::Text(jid.0.into_inner())
            }
        }
    };
}

typed!(BareJid, Jid::is_bare, Error::ResourceInBareJid);
typed!(FullJid, Jid::is_full, Error::ResourceMissingInFullJid);

impl From<DomainRef<'_>> for BareJid {
    fn from(domain: DomainRef<'_>) -> BareJid {
        BareJid::from_parts(None, domain)
    }
}
