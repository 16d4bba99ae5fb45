//! Rosters (RFC 6121 §2) with versioning (XEP-0237, RFC 6121 §2.6): each user's items with
//! their subscription state, the version of every change, removals remembered so that a client
//! holding an older version is sent only what changed; the `jabber:iq:roster` elements for
//! results and pushes; and the store trait behind them.

use crate::store::StoreError;
use crate::subscription::State;
use minidom::Element;
use std::collections::{BTreeMap, HashMap};
use xmppkit_jid::BareJid;
use xmppkit_stanza::set_attr;

/// `jabber:iq:roster`.
pub const NS: &str = "jabber:iq:roster";
/// The stream feature of roster versioning (RFC 6121 §2.6.1).
pub const NS_VERSIONING: &str = "urn:xmpp:features:rosterver";
/// The stream feature of subscription pre-approval (RFC 6121 §3.4.1).
pub const NS_PRE_APPROVAL: &str = "urn:xmpp:features:pre-approval";

/// One contact on a roster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    /// The subscription state.
    pub state: State,
    /// Display name (`name`).
    pub name: Option<String>,
    /// Groups.
    pub groups: Vec<String>,
    /// Whether the item shows on the roster: set by the user or by a subscription; an item that
    /// only holds an incoming request does not (RFC 6121 §3.1.3).
    pub listed: bool,
    /// The roster version of the item's last change.
    pub version: u64,
}

impl Item {
    /// `<item jid subscription [ask] [approved] [name]><group/>…</item>`.
    pub fn element(&self, jid: &BareJid) -> Element {
        let mut el = Element::builder("item", NS).build();
        set_attr(&mut el, "jid", jid.to_string());
        set_attr(&mut el, "subscription", self.state.subscription());
        if self.state.pending_out {
            set_attr(&mut el, "ask", "subscribe");
        }
        if self.state.approved {
            set_attr(&mut el, "approved", "true");
        }
        if let Some(name) = &self.name {
            set_attr(&mut el, "name", name.clone());
        }
        for group in &self.groups {
            el.append_child(Element::builder("group", NS).append(group.as_str()).build());
        }
        el
    }
}

/// `<item jid subscription='remove'/>`, the push of a removal.
pub fn removal(jid: &BareJid) -> Element {
    let mut el = Element::builder("item", NS).build();
    set_attr(&mut el, "jid", jid.to_string());
    set_attr(&mut el, "subscription", "remove");
    el
}

/// One user's roster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    /// The current version: bumped by every change.
    pub version: u64,
    /// The items by contact.
    pub items: BTreeMap<BareJid, Item>,
    /// Removed contacts with the version of their removal.
    pub removed: BTreeMap<BareJid, u64>,
}

/// What a client holding version `since` must be told (XEP-0237 §2.4).
#[derive(Debug, Clone, PartialEq)]
pub enum Sync {
    /// Up to date: an empty result.
    UpToDate,
    /// An empty result, then one push per change, oldest first, each with its version.
    Pushes(Vec<(u64, Element)>),
    /// The whole roster.
    Full(Element),
}

impl Roster {
    /// The item for `contact`, made (unlisted) when missing.
    pub fn entry(&mut self, contact: &BareJid) -> &mut Item {
        self.items.entry(contact.clone()).or_default()
    }

    /// Marks `contact`'s item changed: a new version. Returns the version.
    pub fn touch(&mut self, contact: &BareJid) -> u64 {
        self.version += 1;
        let version = self.version;
        self.removed.remove(contact);
        if let Some(item) = self.items.get_mut(contact) {
            item.version = version;
        }
        version
    }

    /// Removes `contact`; the removal gets a version of its own.
    pub fn remove(&mut self, contact: &BareJid) -> Option<Item> {
        let item = self.items.remove(contact)?;
        self.version += 1;
        self.removed.insert(contact.clone(), self.version);
        Some(item)
    }

    /// The listed items.
    pub fn listed(&self) -> impl Iterator<Item = (&BareJid, &Item)> {
        self.items.iter().filter(|(_, i)| i.listed)
    }

    /// The `<query/>` of the whole roster (with `ver` when `versioned`).
    pub fn query(&self, versioned: bool) -> Element {
        let mut query = Element::builder("query", NS).build();
        if versioned {
            set_attr(&mut query, "ver", self.version.to_string());
        }
        for (jid, item) in self.listed() {
            query.append_child(item.element(jid));
        }
        query
    }

    /// The answer to a roster get with `ver='since'` (RFC 6121 §2.6.3).
    pub fn sync(&self, since: &str) -> Sync {
        let Some(since) = since.parse::<u64>().ok().filter(|v| *v <= self.version) else {
            return Sync::Full(self.query(true));
        };
        if since == self.version {
            return Sync::UpToDate;
        }
        let mut changes: Vec<(u64, Element)> = self
            .listed()
            .filter(|(_, i)| i.version > since)
            .map(|(jid, i)| (i.version, i.element(jid)))
            .chain(
                self.removed
                    .iter()
                    .filter(|(_, v)| **v > since)
                    .map(|(jid, v)| (*v, removal(jid))),
            )
            .collect();
        changes.sort_by_key(|(v, _)| *v);
        Sync::Pushes(changes)
    }

    /// The contacts who receive the user's presence (`from` or `both`).
    pub fn subscribers(&self) -> impl Iterator<Item = &BareJid> {
        self.items
            .iter()
            .filter(|(_, i)| i.state.from)
            .map(|(j, _)| j)
    }

    /// The contacts whose presence the user receives (`to` or `both`).
    pub fn subscriptions(&self) -> impl Iterator<Item = &BareJid> {
        self.items
            .iter()
            .filter(|(_, i)| i.state.to)
            .map(|(j, _)| j)
    }
}

/// Where rosters are kept. The engine keeps the rosters it uses in memory and writes each change
/// through: a database store answers `load` from its cache and queues the writes.
pub trait RosterStore: Send {
    /// `user`'s roster (empty when there is none).
    fn load(&mut self, user: &BareJid) -> Result<Roster, StoreError>;
    /// `user`'s roster changed: `roster` is the new state.
    fn save(&mut self, user: &BareJid, roster: &Roster) -> Result<(), StoreError>;
    /// `user`'s roster is gone (the account was deleted).
    fn delete(&mut self, user: &BareJid) -> Result<(), StoreError>;
}

/// Rosters in memory.
#[derive(Debug, Default)]
pub struct MemoryRosters {
    rosters: HashMap<BareJid, Roster>,
}

impl RosterStore for MemoryRosters {
    fn load(&mut self, user: &BareJid) -> Result<Roster, StoreError> {
        Ok(self.rosters.get(user).cloned().unwrap_or_default())
    }

    fn save(&mut self, user: &BareJid, roster: &Roster) -> Result<(), StoreError> {
        self.rosters.insert(user.clone(), roster.clone());
        Ok(())
    }

    fn delete(&mut self, user: &BareJid) -> Result<(), StoreError> {
        self.rosters.remove(user);
        Ok(())
    }
}
