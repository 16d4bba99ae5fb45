//! The roster protocol (RFC 6121 §2): get with versioning (§2.6), set to add or update an item
//! (§2.3, §2.4) and remove it (§2.5, which ends both subscriptions), and the pushes that tell
//! every interested resource (§2.1.6).

use crate::roster::{removal, Sync, NS};
use crate::server::Server;
use crate::subscription::Kind;
use minidom::Element;
use std::collections::BTreeSet;
use xmppkit_jid::{BareJid, FullJid};
use xmppkit_stanza::{set_attr, DefinedCondition, Iq, IqPayload, StanzaError};

/// Longest name and group accepted (RFC 6121 §2.1.2.4 lets the server choose).
const MAX_TEXT: usize = 1024;

impl Server {
    /// A roster IQ from `from` about its own roster.
    pub(crate) fn roster_iq(&mut self, from: &FullJid, iq: Iq) {
        let user = from.to_bare();
        match &iq.payload {
            IqPayload::Get(query) => {
                if let Some(r) = self.resources.get_mut(from) {
                    r.roster_requested = true;
                }
                let roster = self.load_roster(&user);
                let answer = match query.attr("ver") {
                    None => (Some(roster.query(false)), Vec::new()),
                    Some(ver) => match roster.sync(ver) {
                        Sync::UpToDate => (None, Vec::new()),
                        Sync::Pushes(items) => (None, items),
                        Sync::Full(query) => (Some(query), Vec::new()),
                    },
                };
                self.reply(iq.result(answer.0));
                // XEP-0237 §2.4: each push carries the version after its change, so a client
                // cut off in the middle resumes from the last one it saw.
                for (version, item) in answer.1 {
                    self.push_to(from, item, version);
                }
            }
            IqPayload::Set(query) => match self.roster_set(from, query) {
                Ok(()) => self.reply(iq.result(None)),
                Err(e) => self.reply(iq.error(*e)),
            },
            _ => {}
        }
    }

    fn roster_set(&mut self, from: &FullJid, query: &Element) -> Result<(), Box<StanzaError>> {
        let user = from.to_bare();
        let bad = |c| Err(Box::new(StanzaError::new(c)));
        let items: Vec<&Element> = query.children().filter(|c| c.is("item", NS)).collect();
        let [item] = items.as_slice() else {
            // §2.3.3: exactly one item.
            return bad(DefinedCondition::BadRequest);
        };
        let Some(contact) = item.attr("jid").and_then(|j| j.parse::<BareJid>().ok()) else {
            return bad(DefinedCondition::BadRequest);
        };
        if item.attr("subscription") == Some("remove") {
            let listed = self
                .load_roster(&user)
                .items
                .get(&contact)
                .filter(|i| i.listed)
                .map(|i| i.state);
            let Some(state) = listed else {
                return bad(DefinedCondition::ItemNotFound);
            };
            // §2.5.2: removing a contact ends both subscriptions.
            if state.to || state.pending_out {
                self.outbound_subscription(from, Kind::Unsubscribe, contact.clone());
            }
            if state.from || state.pending_in {
                self.outbound_subscription(from, Kind::Unsubscribed, contact.clone());
            }
            let roster = self.load_roster(&user);
            roster.remove(&contact);
            self.save_roster(&user);
            self.push(&user, &contact);
            return Ok(());
        }
        let name = item.attr("name").map(str::to_owned);
        let groups: Vec<String> = item
            .children()
            .filter(|g| g.is("group", NS))
            .map(Element::text)
            .collect();
        if groups.iter().any(String::is_empty)
            || name.as_ref().is_some_and(|n| n.len() > MAX_TEXT)
            || groups.iter().any(|g| g.len() > MAX_TEXT)
        {
            return bad(DefinedCondition::NotAcceptable);
        }
        if groups.iter().collect::<BTreeSet<_>>().len() != groups.len() {
            return bad(DefinedCondition::BadRequest);
        }
        let roster = self.load_roster(&user);
        let entry = roster.entry(&contact);
        entry.name = name;
        entry.groups = groups;
        entry.listed = true;
        roster.touch(&contact);
        self.save_roster(&user);
        self.push(&user, &contact);
        Ok(())
    }

    /// A roster push of `owner`'s item for `contact` (or its removal) to every resource of
    /// `owner` that asked for the roster.
    pub(crate) fn push(&mut self, owner: &BareJid, contact: &BareJid) {
        let roster = self.load_roster(owner);
        let version = roster.version;
        let item = match roster.items.get(contact).filter(|i| i.listed) {
            Some(item) => item.element(contact),
            None => removal(contact),
        };
        let interested: Vec<FullJid> = self
            .resources
            .of(owner)
            .filter(|(_, r)| r.roster_requested)
            .map(|(j, _)| j)
            .collect();
        for jid in interested {
            self.push_to(&jid, item.clone(), version);
        }
    }

    fn push_to(&mut self, jid: &FullJid, item: Element, version: u64) {
        let mut query = Element::builder("query", NS).build();
        set_attr(&mut query, "ver", version.to_string());
        query.append_child(item);
        let id = format!("push-{}", self.new_id());
        let mut iq: Element = Iq::set(id, Some(jid.clone().into()), query).into();
        set_attr(&mut iq, "from", jid.to_bare().to_string());
        let _ = self.send_to(jid, iq);
    }

    /// Routes an answer the server made.
    pub(crate) fn reply(&mut self, iq: Iq) {
        self.route_from_service(iq.into());
    }
}
