//! The enumerations of XEP-0060 §4: affiliations (§4.1), subscription states (§4.2), access
//! models (§4.5), publish models and when the last item is sent (§16.4.4).

use std::fmt;
use std::str::FromStr;

/// A value that is not one of the names of XEP-0060.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a pubsub {what}")]
pub struct UnknownName {
    /// What was being read.
    pub what: &'static str,
    /// The value found.
    pub value: String,
}

macro_rules! names {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// The protocol name.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownName { what: $what, value: s.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

names!(
    /// An entity's affiliation with a node (§4.1), weakest first.
    ///
    /// ```
    /// use xmppkit_pubsub::Affiliation;
    /// assert_eq!("publish-only".parse::<Affiliation>().unwrap(), Affiliation::PublishOnly);
    /// assert!(Affiliation::Owner > Affiliation::Publisher);
    /// ```
    Affiliation, "affiliation", {
        /// Banned.
        Outcast = "outcast",
        /// No affiliation.
        None = "none",
        /// May subscribe and retrieve items (on the whitelist).
        Member = "member",
        /// May publish, but not subscribe or retrieve.
        PublishOnly = "publish-only",
        /// May publish, subscribe and retrieve.
        Publisher = "publisher",
        /// Everything.
        Owner = "owner",
    }
);

names!(
    /// A subscription's state (§4.2).
    Subscription, "subscription state", {
        /// Not subscribed (in answers to unsubscribe, or removals).
        None = "none",
        /// Awaiting the owner's approval.
        Pending = "pending",
        /// Subscribed, options not yet set.
        Unconfigured = "unconfigured",
        /// Subscribed.
        Subscribed = "subscribed",
    }
);

names!(
    /// Who may subscribe and retrieve items (§4.5).
    AccessModel, "access model", {
        /// Anyone.
        Open = "open",
        /// Entities subscribed to the owner's presence.
        Presence = "presence",
        /// Entities in the allowed roster groups.
        Roster = "roster",
        /// Subscriptions need the owner's approval.
        Authorize = "authorize",
        /// Only entities on the whitelist (affiliation member or higher).
        Whitelist = "whitelist",
    }
);

names!(
    /// Who may publish (`pubsub#publish_model`).
    PublishModel, "publish model", {
        /// Owners and publishers.
        Publishers = "publishers",
        /// Subscribers too.
        Subscribers = "subscribers",
        /// Anyone.
        Open = "open",
    }
);

names!(
    /// When the last published item goes to a subscriber (`pubsub#send_last_published_item`).
    SendLastItem, "send_last_published_item value", {
        /// Never.
        Never = "never",
        /// When it subscribes.
        OnSub = "on_sub",
        /// When it subscribes and when it comes online.
        OnSubAndPresence = "on_sub_and_presence",
    }
);

impl Affiliation {
    /// §4.1 table: may subscribe.
    pub fn may_subscribe(self) -> bool {
        matches!(
            self,
            Affiliation::Owner | Affiliation::Publisher | Affiliation::Member | Affiliation::None
        )
    }

    /// §4.1 table: may retrieve items (the access model may still refuse `none`).
    pub fn may_retrieve(self) -> bool {
        matches!(
            self,
            Affiliation::Owner | Affiliation::Publisher | Affiliation::Member | Affiliation::None
        )
    }

    /// §4.1 table: may publish (under the `publishers` model).
    pub fn may_publish(self) -> bool {
        matches!(
            self,
            Affiliation::Owner | Affiliation::Publisher | Affiliation::PublishOnly
        )
    }
}
