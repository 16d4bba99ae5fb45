//! Rosters and presence subscriptions (RFC 6121 §2–§3): each user's contacts with their
//! subscription state, the transitions of the subscription state machine (Appendix A, without
//! the rarely used pre-approval), and the roster items as elements for results and pushes.

use minidom::Element;
use std::collections::{BTreeMap, HashMap};
use xmppkit::jid::BareJid;
use xmppkit::stanza::set_attr;

/// `jabber:iq:roster`.
pub const NS: &str = "jabber:iq:roster";

/// One contact on a roster.
#[derive(Debug, Clone, Default)]
pub struct Item {
    /// The user sees the contact's presence.
    pub to: bool,
    /// The contact sees the user's presence.
    pub from: bool,
    /// The user asked to see the contact's presence and waits (`ask='subscribe'`).
    pub ask: bool,
    /// The contact asked to see the user's presence and waits for approval.
    pub pending_in: bool,
    /// Display name.
    pub name: Option<String>,
    /// Groups.
    pub groups: Vec<String>,
}

impl Item {
    /// The `subscription` attribute.
    fn subscription(&self) -> &'static str {
        match (self.to, self.from) {
            (true, true) => "both",
            (true, false) => "to",
            (false, true) => "from",
            (false, false) => "none",
        }
    }

    /// `<item jid subscription [ask] [name]><group/>…</item>`.
    pub fn element(&self, jid: &BareJid) -> Element {
        let mut el = Element::builder("item", NS).build();
        set_attr(&mut el, "jid", jid.to_string());
        set_attr(&mut el, "subscription", self.subscription());
        if self.ask {
            set_attr(&mut el, "ask", "subscribe");
        }
        if let Some(name) = &self.name {
            set_attr(&mut el, "name", name.clone());
        }
        for group in &self.groups {
            let mut g = Element::builder("group", NS).build();
            g.append_text_node(group.clone());
            el.append_child(g);
        }
        el
    }
}

/// Every user's roster.
#[derive(Debug, Default)]
pub struct Rosters {
    users: HashMap<BareJid, BTreeMap<BareJid, Item>>,
}

impl Rosters {
    /// `user`'s roster.
    pub fn roster(&self, user: &BareJid) -> impl Iterator<Item = (&BareJid, &Item)> {
        self.users.get(user).into_iter().flatten()
    }

    /// `user`'s item for `contact`, if any.
    pub fn item(&self, user: &BareJid, contact: &BareJid) -> Option<&Item> {
        self.users.get(user)?.get(contact)
    }

    /// `user`'s item for `contact`, made when missing.
    pub fn item_mut(&mut self, user: &BareJid, contact: &BareJid) -> &mut Item {
        self.users
            .entry(user.clone())
            .or_default()
            .entry(contact.clone())
            .or_default()
    }

    /// Removes `contact` from `user`'s roster.
    pub fn remove(&mut self, user: &BareJid, contact: &BareJid) -> Option<Item> {
        self.users.get_mut(user)?.remove(contact)
    }

    /// Whether `contact` sees `user`'s presence (subscription `from` or `both`).
    pub fn is_subscriber(&self, user: &BareJid, contact: &BareJid) -> bool {
        self.item(user, contact).is_some_and(|i| i.from)
    }

    /// The contacts who see `user`'s presence.
    pub fn subscribers(&self, user: &BareJid) -> Vec<BareJid> {
        self.roster(user)
            .filter(|(_, i)| i.from)
            .map(|(j, _)| j.clone())
            .collect()
    }

    /// The contacts whose presence `user` sees.
    pub fn subscriptions(&self, user: &BareJid) -> Vec<BareJid> {
        self.roster(user)
            .filter(|(_, i)| i.to)
            .map(|(j, _)| j.clone())
            .collect()
    }

    /// A presence subscription stanza of `type_` from `user` to `contact`, both local: updates
    /// both rosters (RFC 6121 §3.1–§3.3, Appendix A). Returns the users whose item changed (for
    /// roster pushes) and whether the stanza should reach the contact. A `subscribe` the contact
    /// already approved is answered at once: the second value is then `false` and the third is
    /// the automatic `subscribed`.
    pub fn transition(
        &mut self,
        type_: &str,
        user: &BareJid,
        contact: &BareJid,
    ) -> (Vec<(BareJid, BareJid)>, bool, bool) {
        let mut changed = Vec::new();
        let mut deliver = true;
        let mut auto_approved = false;
        match type_ {
            "subscribe" => {
                if self.is_subscriber(contact, user) {
                    // Already approved (§3.1.3): the contact's server answers for it.
                    let mine = self.item_mut(user, contact);
                    mine.to = true;
                    mine.ask = false;
                    changed.push((user.clone(), contact.clone()));
                    deliver = false;
                    auto_approved = true;
                } else {
                    let mine = self.item_mut(user, contact);
                    if !mine.to {
                        mine.ask = true;
                        changed.push((user.clone(), contact.clone()));
                    }
                    self.item_mut(contact, user).pending_in = true;
                }
            }
            "subscribed" => {
                // Only an answer to a request counts (§3.1.5; pre-approval, §3.4, is not
                // offered).
                let asked = self.item(user, contact).is_some_and(|i| i.pending_in)
                    || self.item(contact, user).is_some_and(|i| i.ask);
                if !asked {
                    return (changed, false, false);
                }
                let mine = self.item_mut(user, contact);
                mine.from = true;
                mine.pending_in = false;
                changed.push((user.clone(), contact.clone()));
                let theirs = self.item_mut(contact, user);
                theirs.to = true;
                theirs.ask = false;
                changed.push((contact.clone(), user.clone()));
            }
            "unsubscribe" => {
                let mine = self.item_mut(user, contact);
                mine.to = false;
                mine.ask = false;
                changed.push((user.clone(), contact.clone()));
                let theirs = self.item_mut(contact, user);
                theirs.from = false;
                theirs.pending_in = false;
                changed.push((contact.clone(), user.clone()));
            }
            "unsubscribed" => {
                let mine = self.item_mut(user, contact);
                mine.from = false;
                mine.pending_in = false;
                changed.push((user.clone(), contact.clone()));
                let theirs = self.item_mut(contact, user);
                theirs.to = false;
                theirs.ask = false;
                changed.push((contact.clone(), user.clone()));
            }
            _ => deliver = false,
        }
        (changed, deliver, auto_approved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(s: &str) -> BareJid {
        s.parse().unwrap()
    }

    fn state(r: &Rosters, user: &str, contact: &str) -> String {
        match r.item(&jid(user), &jid(contact)) {
            Some(i) => format!(
                "{}{}{}",
                i.subscription(),
                if i.ask { "+ask" } else { "" },
                if i.pending_in { "+pending" } else { "" }
            ),
            None => "absent".into(),
        }
    }

    #[test]
    fn the_subscription_handshake_of_rfc_6121_section_3() {
        let (a, b) = ("alice@example.org", "bob@example.org");
        let mut r = Rosters::default();
        // §3.1.2: Alice asks; her item is none + ask, Bob's shows a pending request.
        let (changed, deliver, auto) = r.transition("subscribe", &jid(a), &jid(b));
        assert_eq!((changed.len(), deliver, auto), (1, true, false));
        assert_eq!(state(&r, a, b), "none+ask");
        assert_eq!(state(&r, b, a), "none+pending");
        // §3.1.5: Bob approves: from on his side, to on hers.
        let (changed, deliver, _) = r.transition("subscribed", &jid(b), &jid(a));
        assert_eq!((changed.len(), deliver), (2, true));
        assert_eq!(state(&r, b, a), "from");
        assert_eq!(state(&r, a, b), "to");
        assert!(r.is_subscriber(&jid(b), &jid(a)));
        // §3.1.3: asking again once approved is answered by the server.
        let (_, deliver, auto) = r.transition("subscribe", &jid(a), &jid(b));
        assert_eq!((deliver, auto), (false, true));
        // Bob subscribes back: both.
        r.transition("subscribe", &jid(b), &jid(a));
        r.transition("subscribed", &jid(a), &jid(b));
        assert_eq!(state(&r, a, b), "both");
        assert_eq!(state(&r, b, a), "both");
        // §3.3: Alice unsubscribes from Bob: she keeps from, he keeps to.
        r.transition("unsubscribe", &jid(a), &jid(b));
        assert_eq!(state(&r, a, b), "from");
        assert_eq!(state(&r, b, a), "to");
        // §3.2: Bob cancels Alice's view... she had none left; Alice cancels Bob's.
        r.transition("unsubscribed", &jid(a), &jid(b));
        assert_eq!(state(&r, a, b), "none");
        assert_eq!(state(&r, b, a), "none");
    }

    #[test]
    fn an_unsolicited_subscribed_changes_nothing_for_the_receiver() {
        let (a, b) = ("alice@example.org", "bob@example.org");
        let mut r = Rosters::default();
        let (changed, deliver, _) = r.transition("subscribed", &jid(b), &jid(a));
        assert!(!deliver && changed.is_empty());
        assert_eq!(state(&r, a, b), "absent");
        assert_eq!(state(&r, b, a), "absent");
    }
}
