//! Borrowed views of the prepared parts of an address (RFC 7622 §3.1): what [`Jid::node`],
//! [`Jid::domain`] and [`Jid::resource`] return. They hold text that is already prepared, so
//! building an address from them never prepares again.
//!
//! [`Jid::node`]: crate::Jid::node
//! [`Jid::domain`]: crate::Jid::domain
//! [`Jid::resource`]: crate::Jid::resource

use crate::{BareJid, Error};
use std::fmt;
use std::ops::Deref;

macro_rules! part {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name<'a>(pub(crate) &'a str);

        impl<'a> $name<'a> {
            /// The prepared text.
            pub fn as_str(&self) -> &'a str {
                self.0
            }
        }

        impl Deref for $name<'_> {
            type Target = str;
            fn deref(&self) -> &str {
                self.0
            }
        }

        impl AsRef<str> for $name<'_> {
            fn as_ref(&self) -> &str {
                self.0
            }
        }

        impl fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.0, f)
            }
        }

        impl PartialEq<str> for $name<'_> {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name<'_> {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

part!(
    /// A prepared localpart (`juliet` of `juliet@example.com/balcony`).
    NodeRef
);
part!(
    /// A prepared domainpart (`example.com` of `juliet@example.com/balcony`).
    DomainRef
);
part!(
    /// A prepared resourcepart (`balcony` of `juliet@example.com/balcony`).
    ResourceRef
);

impl NodeRef<'_> {
    /// The bare JID of this localpart at `domain`.
    pub fn with_domain(&self, domain: DomainRef<'_>) -> BareJid {
        BareJid::from_parts(Some(*self), domain)
    }
}

impl DomainRef<'_> {
    /// The bare JID of `node` at this domain.
    pub fn with_node(&self, node: NodeRef<'_>) -> BareJid {
        BareJid::from_parts(Some(node), *self)
    }

    /// The bare JID of `node`, prepared first (RFC 7622 §3.3), at this domain.
    pub fn with_node_str(&self, node: &str) -> Result<BareJid, Error> {
        let node = crate::precis::localpart(node)?;
        Ok(BareJid::from_parts(Some(NodeRef(&node)), *self))
    }
}
