//! Affiliations (long-lived, per bare JID) and roles (per visit, per occupant) of XEP-0045 §5,
//! ordered by power so that permission rules read as comparisons.

use std::fmt;
use std::str::FromStr;

/// A user's lasting relation to a room (§5.2), weakest first: `Outcast < None < Member < Admin <
/// Owner`.
///
/// ```
/// use xmppkit_muc::Affiliation;
/// assert!(Affiliation::Admin > Affiliation::Member);
/// assert_eq!("outcast".parse::<Affiliation>().unwrap(), Affiliation::Outcast);
/// assert_eq!(Affiliation::Owner.to_string(), "owner");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Affiliation {
    /// Banned.
    Outcast,
    /// No affiliation.
    #[default]
    None,
    /// On the member list.
    Member,
    /// Room administrator.
    Admin,
    /// Room owner.
    Owner,
}

/// An occupant's role during a visit (§5.1), weakest first: `None < Visitor < Participant <
/// Moderator`.
///
/// ```
/// use xmppkit_muc::Role;
/// assert!(Role::Moderator > Role::Participant);
/// assert_eq!("visitor".parse::<Role>().unwrap(), Role::Visitor);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Role {
    /// Not in the room (used to kick).
    #[default]
    None,
    /// Present, without voice in a moderated room.
    Visitor,
    /// Present with voice.
    Participant,
    /// Moderator.
    Moderator,
}

impl Affiliation {
    /// The attribute value.
    pub fn name(self) -> &'static str {
        match self {
            Affiliation::Outcast => "outcast",
            Affiliation::None => "none",
            Affiliation::Member => "member",
            Affiliation::Admin => "admin",
            Affiliation::Owner => "owner",
        }
    }

    /// The role a user with this affiliation gets on entering (§5.1.2 table); `None` for
    /// outcasts, who may not enter.
    pub fn default_role(self, moderated: bool) -> Role {
        match self {
            Affiliation::Owner | Affiliation::Admin => Role::Moderator,
            Affiliation::Member => Role::Participant,
            Affiliation::None if moderated => Role::Visitor,
            Affiliation::None => Role::Participant,
            Affiliation::Outcast => Role::None,
        }
    }
}

impl Role {
    /// The attribute value.
    pub fn name(self) -> &'static str {
        match self {
            Role::None => "none",
            Role::Visitor => "visitor",
            Role::Participant => "participant",
            Role::Moderator => "moderator",
        }
    }
}

/// A value that is not one of the names of §5.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a MUC {what}")]
pub struct UnknownName {
    /// `role` or `affiliation`.
    pub what: &'static str,
    /// The value found.
    pub value: String,
}

impl FromStr for Affiliation {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        Ok(match s {
            "outcast" => Affiliation::Outcast,
            "none" => Affiliation::None,
            "member" => Affiliation::Member,
            "admin" => Affiliation::Admin,
            "owner" => Affiliation::Owner,
            _ => {
                return Err(UnknownName {
                    what: "affiliation",
                    value: s.to_owned(),
                })
            }
        })
    }
}

impl FromStr for Role {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        Ok(match s {
            "none" => Role::None,
            "visitor" => Role::Visitor,
            "participant" => Role::Participant,
            "moderator" => Role::Moderator,
            _ => {
                return Err(UnknownName {
                    what: "role",
                    value: s.to_owned(),
                })
            }
        })
    }
}

impl fmt::Display for Affiliation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
