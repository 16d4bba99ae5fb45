//! The errors of XEP-0060: the stanza error with its pubsub-specific condition from the
//! `#errors` namespace (§16.2, §7–§8 error cases), and the `feature` attribute of
//! `<unsupported/>`.

use crate::ns;
use minidom::Element;
use xmppkit_stanza::{set_attr, DefinedCondition, StanzaError};

/// The pubsub-specific conditions (`http://jabber.org/protocol/pubsub#errors`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // named after their elements
pub enum Condition {
    ClosedNode,
    ConfigurationRequired,
    InvalidJid,
    InvalidOptions,
    InvalidPayload,
    InvalidSubid,
    ItemForbidden,
    ItemRequired,
    JidRequired,
    MaxItemsExceeded,
    MaxNodesExceeded,
    NodeidRequired,
    /// §7.1.3.4: the node is full and `publish_node_full` says reject.
    NodeFull,
    NotInRosterGroup,
    NotSubscribed,
    PayloadTooBig,
    PayloadRequired,
    PendingSubscription,
    PreconditionNotMet,
    PresenceSubscriptionRequired,
    SubidRequired,
    TooManySubscriptions,
    /// `<unsupported feature='…'/>`.
    Unsupported(&'static str),
    UnsupportedAccessModel,
}

impl Condition {
    /// The element name.
    pub fn name(&self) -> &'static str {
        match self {
            Condition::ClosedNode => "closed-node",
            Condition::ConfigurationRequired => "configuration-required",
            Condition::InvalidJid => "invalid-jid",
            Condition::InvalidOptions => "invalid-options",
            Condition::InvalidPayload => "invalid-payload",
            Condition::InvalidSubid => "invalid-subid",
            Condition::ItemForbidden => "item-forbidden",
            Condition::ItemRequired => "item-required",
            Condition::JidRequired => "jid-required",
            Condition::MaxItemsExceeded => "max-items-exceeded",
            Condition::MaxNodesExceeded => "max-nodes-exceeded",
            Condition::NodeidRequired => "nodeid-required",
            Condition::NodeFull => "node-full",
            Condition::NotInRosterGroup => "not-in-roster-group",
            Condition::NotSubscribed => "not-subscribed",
            Condition::PayloadTooBig => "payload-too-big",
            Condition::PayloadRequired => "payload-required",
            Condition::PendingSubscription => "pending-subscription",
            Condition::PreconditionNotMet => "precondition-not-met",
            Condition::PresenceSubscriptionRequired => "presence-subscription-required",
            Condition::SubidRequired => "subid-required",
            Condition::TooManySubscriptions => "too-many-subscriptions",
            Condition::Unsupported(_) => "unsupported",
            Condition::UnsupportedAccessModel => "unsupported-access-model",
        }
    }

    /// The element.
    pub fn to_element(&self) -> Element {
        let mut el = Element::builder(self.name(), ns::ERRORS).build();
        if let Condition::Unsupported(feature) = self {
            set_attr(&mut el, "feature", *feature);
        }
        el
    }

    /// The condition an element names (`feature` of `<unsupported/>` is not kept).
    pub fn from_element(el: &Element) -> Option<Condition> {
        if el.ns() != ns::ERRORS {
            return None;
        }
        ALL.iter().find(|c| c.name() == el.name()).cloned()
    }
}

const ALL: [Condition; 24] = [
    Condition::ClosedNode,
    Condition::ConfigurationRequired,
    Condition::InvalidJid,
    Condition::InvalidOptions,
    Condition::InvalidPayload,
    Condition::InvalidSubid,
    Condition::ItemForbidden,
    Condition::ItemRequired,
    Condition::JidRequired,
    Condition::MaxItemsExceeded,
    Condition::MaxNodesExceeded,
    Condition::NodeidRequired,
    Condition::NodeFull,
    Condition::NotInRosterGroup,
    Condition::NotSubscribed,
    Condition::PayloadTooBig,
    Condition::PayloadRequired,
    Condition::PendingSubscription,
    Condition::PreconditionNotMet,
    Condition::PresenceSubscriptionRequired,
    Condition::SubidRequired,
    Condition::TooManySubscriptions,
    Condition::Unsupported(""),
    Condition::UnsupportedAccessModel,
];

/// A refused request: the defined condition and, usually, the pubsub-specific one.
///
/// ```
/// use xmppkit_pubsub::{Condition, Refusal};
/// use xmppkit_stanza::DefinedCondition;
/// let r = Refusal::new(DefinedCondition::NotAllowed, Condition::ClosedNode);
/// let error = r.stanza_error();
/// assert_eq!(error.app_specific.unwrap().name(), "closed-node");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The RFC 6120 condition.
    pub condition: DefinedCondition,
    /// The pubsub-specific condition.
    pub pubsub: Option<Condition>,
}

impl Refusal {
    /// A refusal with a pubsub-specific condition.
    pub fn new(condition: DefinedCondition, pubsub: Condition) -> Self {
        Refusal {
            condition,
            pubsub: Some(pubsub),
        }
    }

    /// A refusal with only the defined condition.
    pub fn plain(condition: DefinedCondition) -> Self {
        Refusal {
            condition,
            pubsub: None,
        }
    }

    /// `feature-not-implemented` with `<unsupported feature='…'/>`.
    pub fn unsupported(feature: &'static str) -> Self {
        Refusal::new(
            DefinedCondition::FeatureNotImplemented,
            Condition::Unsupported(feature),
        )
    }

    /// The stanza error.
    pub fn stanza_error(&self) -> StanzaError {
        let mut error = StanzaError::new(self.condition.clone());
        error.app_specific = self.pubsub.as_ref().map(Condition::to_element);
        error
    }
}

impl From<DefinedCondition> for Refusal {
    fn from(condition: DefinedCondition) -> Self {
        Refusal::plain(condition)
    }
}
