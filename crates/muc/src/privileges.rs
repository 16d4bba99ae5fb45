//! Who may do what (§5.1.1 and §5.2.1 privilege tables, with the restrictions of §8–§10), as
//! pure functions over roles, affiliations and the room configuration. Each returns the error
//! condition the XEP prescribes when the action is refused.

use crate::config::{AllowPm, RoomConfig};
use crate::{Affiliation, Role};
use xmppkit_stanza::DefinedCondition;

/// The requester's standing: affiliation and (when in the room) role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Affiliation.
    pub affiliation: Affiliation,
    /// Role (`None` when not in the room).
    pub role: Role,
}

/// Setting `target`'s role to `new` (§8, §9.6–9.7): moderators kick and grant or revoke voice,
/// admins and owners grant and revoke moderator status; nobody kicks someone of a higher
/// affiliation, nor takes voice or moderation from an admin or owner.
///
/// ```
/// use xmppkit_muc::privileges::{may_set_role, Standing};
/// use xmppkit_muc::{Affiliation, Role};
/// use xmppkit_stanza::DefinedCondition;
/// let moderator = Standing { affiliation: Affiliation::None, role: Role::Moderator };
/// let admin = Standing { affiliation: Affiliation::Admin, role: Role::Participant };
/// assert_eq!(may_set_role(moderator, admin, Role::None), Err(DefinedCondition::NotAllowed));
/// ```
pub fn may_set_role(actor: Standing, target: Standing, new: Role) -> Result<(), DefinedCondition> {
    if actor.role != Role::Moderator {
        return Err(DefinedCondition::Forbidden);
    }
    let moderation_change = new == Role::Moderator || target.role == Role::Moderator;
    if moderation_change && new != Role::None && actor.affiliation < Affiliation::Admin {
        return Err(DefinedCondition::Forbidden);
    }
    match new {
        Role::Moderator => Ok(()),
        Role::None if target.affiliation > actor.affiliation => Err(DefinedCondition::NotAllowed),
        Role::None => Ok(()),
        _ if target.affiliation >= Affiliation::Admin => Err(DefinedCondition::NotAllowed),
        Role::Visitor if target.affiliation > actor.affiliation => {
            Err(DefinedCondition::NotAllowed)
        }
        Role::Visitor | Role::Participant => Ok(()),
    }
}

/// Setting a user's affiliation from `current` to `new` (§9, §10.3–10.8): admins edit the
/// member and ban lists, owners every list; an admin cannot touch an admin or owner; nobody bans
/// themselves, and the last owner stays.
///
/// ```
/// use xmppkit_muc::privileges::may_set_affiliation;
/// use xmppkit_muc::Affiliation::*;
/// use xmppkit_stanza::DefinedCondition;
/// assert!(may_set_affiliation(Admin, None, Outcast, false, 1).is_ok());
/// assert_eq!(may_set_affiliation(Admin, Owner, Outcast, false, 1), Err(DefinedCondition::NotAllowed));
/// assert_eq!(may_set_affiliation(Owner, Owner, Admin, true, 1), Err(DefinedCondition::Conflict));
/// ```
pub fn may_set_affiliation(
    actor: Affiliation,
    current: Affiliation,
    new: Affiliation,
    is_self: bool,
    owners: usize,
) -> Result<(), DefinedCondition> {
    if actor < Affiliation::Admin {
        return Err(DefinedCondition::Forbidden);
    }
    if actor < Affiliation::Owner {
        if current >= Affiliation::Admin {
            return Err(DefinedCondition::NotAllowed);
        }
        if new >= Affiliation::Admin {
            return Err(DefinedCondition::Forbidden);
        }
    }
    if is_self && new == Affiliation::Outcast {
        return Err(DefinedCondition::Conflict);
    }
    if current == Affiliation::Owner && new != Affiliation::Owner && owners <= 1 {
        return Err(DefinedCondition::Conflict);
    }
    Ok(())
}

/// Retrieving the list of users with `affiliation` (§9.2, §9.5, §10.5, §10.8): admins get the
/// ban and member lists, owners the admin and owner lists.
pub fn may_list_affiliation(
    actor: Affiliation,
    affiliation: Affiliation,
) -> Result<(), DefinedCondition> {
    let needed = match affiliation {
        Affiliation::Outcast | Affiliation::Member => Affiliation::Admin,
        Affiliation::Admin | Affiliation::Owner => Affiliation::Owner,
        Affiliation::None => return Err(DefinedCondition::BadRequest),
    };
    if actor >= needed {
        Ok(())
    } else {
        Err(DefinedCondition::Forbidden)
    }
}

/// Retrieving the occupants with `role` (§8.5 voice list, §9.8 moderator list).
pub fn may_list_role(actor: Standing, role: Role) -> Result<(), DefinedCondition> {
    let allowed = match role {
        Role::Moderator => actor.affiliation >= Affiliation::Admin,
        Role::Participant | Role::Visitor => actor.role == Role::Moderator,
        Role::None => return Err(DefinedCondition::BadRequest),
    };
    if allowed {
        Ok(())
    } else {
        Err(DefinedCondition::Forbidden)
    }
}

/// Sending a message to all occupants (§7.4): visitors may not.
pub fn may_send_to_all(role: Role) -> Result<(), DefinedCondition> {
    match role {
        Role::Participant | Role::Moderator => Ok(()),
        Role::Visitor => Err(DefinedCondition::Forbidden),
        Role::None => Err(DefinedCondition::NotAcceptable),
    }
}

/// Changing the subject (§7.3, §8.1): moderators, and participants when the room allows it.
pub fn may_change_subject(role: Role, config: &RoomConfig) -> Result<(), DefinedCondition> {
    if role == Role::Moderator || (config.change_subject && role == Role::Participant) {
        Ok(())
    } else {
        Err(DefinedCondition::Forbidden)
    }
}

/// Sending a private message (§7.5, `muc#roomconfig_allowpm`).
pub fn may_send_private(role: Role, config: &RoomConfig) -> Result<(), DefinedCondition> {
    let needed = match config.allow_pm {
        AllowPm::Anyone => Role::Visitor,
        AllowPm::Participants => Role::Participant,
        AllowPm::Moderators => Role::Moderator,
        AllowPm::Nobody => return Err(DefinedCondition::Forbidden),
    };
    if role >= needed {
        Ok(())
    } else {
        Err(DefinedCondition::Forbidden)
    }
}

/// Inviting (§7.8.2): any occupant of an open room; in a members-only room admins and owners,
/// and members too when `allow_invites` is on.
pub fn may_invite(actor: Standing, config: &RoomConfig) -> Result<(), DefinedCondition> {
    if actor.role == Role::None {
        return Err(DefinedCondition::NotAcceptable);
    }
    let allowed = !config.members_only
        || actor.affiliation >= Affiliation::Admin
        || (config.allow_invites && actor.affiliation >= Affiliation::Member);
    if allowed {
        Ok(())
    } else {
        Err(DefinedCondition::Forbidden)
    }
}

/// Configuring or destroying the room (§10): owners only.
pub fn may_own(actor: Affiliation) -> Result<(), DefinedCondition> {
    if actor == Affiliation::Owner {
        Ok(())
    } else {
        Err(DefinedCondition::Forbidden)
    }
}
