//! Why an address was refused: which part (RFC 7622 §3.2–§3.4) and what about it.

use std::fmt;

/// One of the three parts of an address (RFC 7622 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The localpart (before `@`), prepared by the UsernameCaseMapped profile.
    Localpart,
    /// The domainpart, prepared by IDNA2008 (UTS #46 mapping).
    Domainpart,
    /// The resourcepart (after the first `/`), prepared by the OpaqueString profile.
    Resourcepart,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Localpart => "localpart",
            Part::Domainpart => "domainpart",
            Part::Resourcepart => "resourcepart",
        })
    }
}

/// An address that is not a valid XMPP address (RFC 7622).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A part that is present is empty (`@example.com`, `example.com/`, `juliet@`).
    #[error("the {0} is empty (RFC 7622 §3.1)")]
    Empty(Part),
    /// A part is longer than 1023 bytes once prepared.
    #[error("the {0} is longer than 1023 bytes once prepared (RFC 7622 §3.1)")]
    TooLong(Part),
    /// A code point the part's profile does not allow (a symbol, a space or a compatibility
    /// character in a localpart, a control character anywhere), with its place in the part.
    #[error(
        "the {part} may not contain U+{code_point:04X} (at character {position}; RFC 7622 §3)"
    )]
    CodePoint {
        /// The part.
        part: Part,
        /// The code point refused.
        code_point: u32,
        /// Where it is in the part, counted in characters.
        position: usize,
    },
    /// The part's profile refused it for another reason (the bidi rule, a context rule).
    #[error("the {0} is refused by its PRECIS profile (RFC 7622 §3)")]
    Refused(Part),
    /// The domainpart is not a valid internationalized domain name, IPv4 address or bracketed
    /// IPv6 address.
    #[error("the domainpart is not a valid domain name or IP address (RFC 7622 §3.2)")]
    Domain,
    /// Preparing the part again kept changing it (RFC 8264 §7 asks to refuse such strings).
    #[error("preparing the {0} does not reach a stable result (RFC 8264 §7)")]
    Unstable(Part),
    /// More than one `@` before the resourcepart.
    #[error("the address has an `@` in its domainpart")]
    TooManyAts,
    /// A full JID was required and the address has no resourcepart.
    #[error("a full JID needs a resourcepart")]
    ResourceMissingInFullJid,
    /// A bare JID was required and the address has a resourcepart.
    #[error("a bare JID has no resourcepart")]
    ResourceInBareJid,
}
