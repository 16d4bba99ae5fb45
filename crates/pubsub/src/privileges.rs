//! Who may do what on a node (§4.1 affiliation table, §4.5 access models, §6.1.3 and §6.5.9
//! error cases), as pure functions returning the refusal XEP-0060 prescribes.

use crate::error::{Condition, Refusal};
use crate::model::{AccessModel, Affiliation, PublishModel};
use xmppkit_stanza::DefinedCondition;

/// What the service knows of the requester's relation to the node's owners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relation {
    /// The requester has a presence subscription (`from` or `both`) to an owner.
    pub presence: bool,
    /// The requester is in one of the allowed roster groups of an owner.
    pub roster_group: bool,
}

/// Subscribing (§6.1.3). `Ok(true)`: subscribed at once; `Ok(false)`: pending the owner's
/// approval (`authorize`).
///
/// ```
/// use xmppkit_pubsub::privileges::{may_subscribe, Relation};
/// use xmppkit_pubsub::{AccessModel, Affiliation, Condition};
/// let refusal = may_subscribe(Affiliation::None, AccessModel::Whitelist, Relation::default()).unwrap_err();
/// assert_eq!(refusal.pubsub, Some(Condition::ClosedNode));
/// ```
pub fn may_subscribe(
    affiliation: Affiliation,
    access: AccessModel,
    relation: Relation,
) -> Result<bool, Refusal> {
    if !affiliation.may_subscribe() {
        return Err(Refusal::plain(DefinedCondition::Forbidden));
    }
    if matches!(affiliation, Affiliation::Owner | Affiliation::Publisher) {
        return Ok(true);
    }
    access_check(affiliation, access, relation)?;
    Ok(access != AccessModel::Authorize || affiliation == Affiliation::Member)
}

fn access_check(
    affiliation: Affiliation,
    access: AccessModel,
    relation: Relation,
) -> Result<(), Refusal> {
    match access {
        AccessModel::Open | AccessModel::Authorize => Ok(()),
        AccessModel::Presence if relation.presence => Ok(()),
        AccessModel::Presence => Err(Refusal::new(
            DefinedCondition::NotAuthorized,
            Condition::PresenceSubscriptionRequired,
        )),
        AccessModel::Roster if relation.roster_group => Ok(()),
        AccessModel::Roster => Err(Refusal::new(
            DefinedCondition::NotAuthorized,
            Condition::NotInRosterGroup,
        )),
        AccessModel::Whitelist if affiliation == Affiliation::Member => Ok(()),
        AccessModel::Whitelist => Err(Refusal::new(
            DefinedCondition::NotAllowed,
            Condition::ClosedNode,
        )),
    }
}

/// Retrieving items (§6.5.9): `subscribed` says whether the requester has an approved
/// subscription (needed under `authorize`).
pub fn may_retrieve(
    affiliation: Affiliation,
    access: AccessModel,
    relation: Relation,
    subscribed: bool,
) -> Result<(), Refusal> {
    if !affiliation.may_retrieve() {
        return Err(Refusal::plain(DefinedCondition::Forbidden));
    }
    if matches!(affiliation, Affiliation::Owner | Affiliation::Publisher) {
        return Ok(());
    }
    access_check(affiliation, access, relation)?;
    if access == AccessModel::Authorize && !subscribed {
        return Err(Refusal::new(
            DefinedCondition::NotAuthorized,
            Condition::NotSubscribed,
        ));
    }
    Ok(())
}

/// Publishing (§7.1.3.1 and `pubsub#publish_model`).
pub fn may_publish(
    affiliation: Affiliation,
    model: PublishModel,
    subscribed: bool,
) -> Result<(), Refusal> {
    let allowed = match model {
        PublishModel::Publishers => affiliation.may_publish(),
        PublishModel::Subscribers => affiliation.may_publish() || subscribed,
        PublishModel::Open => affiliation != Affiliation::Outcast,
    };
    if allowed {
        Ok(())
    } else {
        Err(Refusal::plain(DefinedCondition::Forbidden))
    }
}

/// Retracting an item (§7.2.3.1): owners and publishers any item, publish-only their own.
pub fn may_retract(affiliation: Affiliation, own_item: bool) -> Result<(), Refusal> {
    match affiliation {
        Affiliation::Owner | Affiliation::Publisher => Ok(()),
        Affiliation::PublishOnly if own_item => Ok(()),
        _ => Err(Refusal::plain(DefinedCondition::Forbidden)),
    }
}

/// Purging (§8.5.3.2): owners and publishers.
pub fn may_purge(affiliation: Affiliation) -> Result<(), Refusal> {
    match affiliation {
        Affiliation::Owner | Affiliation::Publisher => Ok(()),
        _ => Err(Refusal::plain(DefinedCondition::Forbidden)),
    }
}

/// Configuring, deleting, and managing subscriptions and affiliations (§8): owners.
pub fn may_own(affiliation: Affiliation) -> Result<(), Refusal> {
    if affiliation == Affiliation::Owner {
        Ok(())
    } else {
        Err(Refusal::plain(DefinedCondition::Forbidden))
    }
}
