//! XEP-0191 Blocking Command: the `urn:xmpp:blocking` payloads, which JIDs an item blocks (the
//! XEP-0016 §2.1 matching rules the XEP refers to), and the store of blocklists.

use crate::store::StoreError;
use minidom::Element;
use std::collections::{BTreeSet, HashMap};
use xmppkit_jid::{BareJid, Jid};
use xmppkit_stanza::{set_attr, DefinedCondition, StanzaError};

/// `urn:xmpp:blocking`.
pub const NS: &str = "urn:xmpp:blocking";
/// `urn:xmpp:blocking:errors`, the application condition of a stanza to a blocked entity.
pub const NS_ERRORS: &str = "urn:xmpp:blocking:errors";

/// Whether the blocklist item `item` covers `jid` (XEP-0016 §2.1): a full JID covers itself; a
/// bare JID every resource of it; `domain/resource` that one; a domain everything at it.
pub fn covers(item: &Jid, jid: &Jid) -> bool {
    match (item.node(), item.resource()) {
        (Some(_), Some(_)) => item == jid,
        (Some(_), None) => item.to_bare() == jid.to_bare(),
        (None, Some(resource)) => {
            jid.node().is_none()
                && jid.domain() == item.domain()
                && jid.resource() == Some(resource)
        }
        (None, None) => jid.domain() == item.domain(),
    }
}

/// A `<block/>`, `<unblock/>` or `<blocklist/>` with these items.
pub fn element(name: &str, items: &[Jid]) -> Element {
    let mut el = Element::builder(name, NS).build();
    for jid in items {
        let mut item = Element::builder("item", NS).build();
        set_attr(&mut item, "jid", jid.to_string());
        el.append_child(item);
    }
    el
}

/// The items of a `<block/>` or `<unblock/>`; `None` when one has no valid JID (XEP-0191
/// §3.3 answers `jid-malformed`).
pub fn items(el: &Element) -> Option<Vec<Jid>> {
    el.children()
        .filter(|c| c.is("item", NS))
        .map(|c| c.attr("jid").and_then(|j| j.parse::<Jid>().ok()))
        .collect()
}

/// The error for a stanza sent to a blocked entity (XEP-0191 §3.6).
pub fn blocked_error() -> StanzaError {
    let mut error = StanzaError::new(DefinedCondition::NotAcceptable)
        .with_text("en", "you have blocked this contact");
    error.app_specific = Some(Element::builder("blocked", NS_ERRORS).build());
    error
}

/// Where blocklists are kept.
pub trait BlockingStore: Send {
    /// `user`'s blocklist.
    fn load(&mut self, user: &BareJid) -> Result<BTreeSet<Jid>, StoreError>;
    /// `user`'s blocklist is now `list` (empty: the user blocks no one).
    fn save(&mut self, user: &BareJid, list: &BTreeSet<Jid>) -> Result<(), StoreError>;
}

/// Blocklists in memory.
#[derive(Debug, Default)]
pub struct MemoryBlocking {
    lists: HashMap<BareJid, BTreeSet<Jid>>,
}

impl BlockingStore for MemoryBlocking {
    fn load(&mut self, user: &BareJid) -> Result<BTreeSet<Jid>, StoreError> {
        Ok(self.lists.get(user).cloned().unwrap_or_default())
    }

    fn save(&mut self, user: &BareJid, list: &BTreeSet<Jid>) -> Result<(), StoreError> {
        if list.is_empty() {
            self.lists.remove(user);
        } else {
            self.lists.insert(user.clone(), list.clone());
        }
        Ok(())
    }
}
