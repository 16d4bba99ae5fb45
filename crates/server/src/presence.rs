//! Presence (RFC 6121 §4): the user's broadcast to its own resources and its subscribers, the
//! probes and replays of a first available presence, directed presence (§4.6), inbound presence
//! and probes for local accounts, and the unavailable presence that follows a resource that
//! goes away. A user's server reads only that user's state: what concerns a contact leaves as a
//! stanza to the contact's bare JID (a broadcast copy, a probe, an answer to one), routed like
//! any other, so the contact may be on another shard or another server.

use crate::server::Server;
use crate::subscription::Kind;
use crate::Output;
use minidom::Element;
use xmppkit_jid::{BareJid, FullJid, Jid};
use xmppkit_stanza::{ns, set_attr};

fn unavailable(from: &FullJid) -> Element {
    let mut p = Element::builder("presence", ns::CLIENT).build();
    set_attr(&mut p, "from", from.to_string());
    set_attr(&mut p, "type", "unavailable");
    p
}

/// §4.3.1: a probe for `to`'s presence on behalf of `from` (a resource, or the whole account).
fn probe(from: &Jid, to: &BareJid) -> Element {
    let mut p = Element::builder("presence", ns::CLIENT).build();
    set_attr(&mut p, "from", from.to_string());
    set_attr(&mut p, "to", to.to_string());
    set_attr(&mut p, "type", "probe");
    p
}

impl Server {
    /// A stanza without `to`: presence broadcasts, requests to the user's own account, and a
    /// message to the user's own bare JID (RFC 6120 §10.3).
    pub(crate) fn for_own_account(&mut self, from: &FullJid, stanza: Element) {
        match stanza.name() {
            "presence" => self.presence_update(from, stanza),
            "iq" => self.account_iq(from, stanza),
            _ => self.deliver_message(from.to_bare().into(), stanza),
        }
    }

    /// §4.2–§4.4: available or unavailable presence from a resource.
    fn presence_update(&mut self, from: &FullJid, stanza: Element) {
        let available = match stanza.attr("type") {
            None => true,
            Some("unavailable") => false,
            _ => return,
        };
        let priority = stanza
            .get_child("priority", ns::CLIENT)
            .and_then(|p| p.text().trim().parse().ok())
            .unwrap_or(0i8);
        let Some(r) = self.resources.get_mut(from) else {
            return;
        };
        let first = available && !r.available;
        r.available = available;
        r.priority = priority;
        r.presence = available.then(|| stanza.clone());
        let directed = if available {
            Vec::new()
        } else {
            std::mem::take(&mut r.directed).into_iter().collect()
        };
        self.broadcast(from, &stanza);
        for jid in directed {
            let mut copy = stanza.clone();
            set_attr(&mut copy, "to", jid.to_string());
            self.route_to(jid, copy);
        }
        if first {
            self.first_presence(from);
        }
        if available && priority >= 0 && self.offline.count(&from.to_bare()).unwrap_or(1) > 0 {
            self.flush_offline(from);
        }
    }

    /// `from`'s presence to its own available resources (itself included) and to its
    /// subscribers' bare JIDs (§4.2.2, §4.4.2), unless the user blocks them (XEP-0191 §3.6);
    /// a subscriber's server delivers the copy to its available resources unless it blocks
    /// the user (§3.5).
    pub(crate) fn broadcast(&mut self, from: &FullJid, stanza: &Element) {
        let user = from.to_bare();
        let subscribers: Vec<BareJid> = self.load_roster(&user).subscribers().cloned().collect();
        // §4.2.2 / §4.4.2: the originating resource gets its own presence back too.
        for jid in self.resources.available(&user) {
            let mut copy = stanza.clone();
            set_attr(&mut copy, "to", jid.to_string());
            let _ = self.send_to(&jid, copy);
        }
        for contact in subscribers {
            let to: Jid = contact.into();
            if !self.blocks(&user, &to) {
                let mut copy = stanza.clone();
                set_attr(&mut copy, "to", to.to_string());
                self.route_to(to, copy);
            }
        }
    }

    /// The first available presence of a resource: a probe from it to each contact it is
    /// subscribed to (§4.3.1; the contacts' servers answer to this resource) and the
    /// subscription requests that wait (§3.1.3). Stored messages follow any available presence of non-negative
    /// priority (XEP-0160 §4).
    fn first_presence(&mut self, from: &FullJid) {
        let user = from.to_bare();
        let roster = self.load_roster(&user);
        let contacts: Vec<BareJid> = roster.subscriptions().cloned().collect();
        let asking: Vec<BareJid> = roster
            .items
            .iter()
            .filter(|(_, i)| i.state.pending_in)
            .map(|(j, _)| j.clone())
            .collect();
        let prober: Jid = from.clone().into();
        for contact in contacts {
            if !self.blocks(&user, &contact.clone().into()) {
                self.route_to(contact.clone().into(), probe(&prober, &contact));
            }
        }
        for contact in asking {
            let request = crate::routing::subscription_stanza(Kind::Subscribe, &contact, &user);
            let _ = self.send_to(from, request);
        }
    }

    /// Hands stored messages to `jid` while its connection has room (half the bound), keeping
    /// the rest, in order, for when it has written what it got.
    pub(crate) fn flush_offline(&mut self, jid: &FullJid) {
        let user = jid.to_bare();
        let room = self.config.max_queued_bytes / 2;
        let waiting = match self.offline.list(&user) {
            Ok(waiting) => waiting,
            Err(e) => {
                self.outputs.push_back(Output::StoreFailed(e));
                Vec::new()
            }
        };
        let mut handed = None;
        let mut more = false;
        for (seq, message) in waiting {
            let queued = self
                .resources
                .get(jid)
                .and_then(|r| r.conn)
                .and_then(|c| self.conns.get(&c))
                .map_or(usize::MAX, |c| c.queued);
            let size = crate::routing::wire_size(&message);
            if queued.saturating_add(size) > room || self.send_to(jid, message).is_err() {
                more = true;
                break;
            }
            handed = Some(seq);
        }
        // Removed once handed on, never before: a failure in between delivers twice, not never.
        if let Some(seq) = handed {
            if let Err(e) = self.offline.remove_through(&user, seq) {
                self.outputs.push_back(Output::StoreFailed(e));
            }
        }
        if let Some(r) = self.resources.get_mut(jid) {
            r.flushing_offline = more;
        }
    }

    /// `user`'s current presence, each available resource's last one, to `to` (a contact's bare
    /// JID, or the resource that probed), unless `user` blocks it.
    pub(crate) fn presence_to(&mut self, user: &BareJid, to: Jid) {
        if self.blocks(user, &to) {
            return;
        }
        let presences: Vec<Element> = self
            .resources
            .of(user)
            .filter(|(_, r)| r.available)
            .filter_map(|(_, r)| r.presence.clone())
            .collect();
        for mut p in presences {
            set_attr(&mut p, "to", to.to_string());
            self.route_to(to.clone(), p);
        }
    }

    /// §4.3.1 for an account rather than a resource: a probe from `user`'s bare JID for
    /// `contact`'s presence (the answer reaches all of `user`'s available resources).
    pub(crate) fn probe_from_account(&mut self, user: &BareJid, contact: &BareJid) {
        if !self.blocks(user, &contact.clone().into()) {
            let stanza = probe(&user.clone().into(), contact);
            self.route_to(contact.clone().into(), stanza);
        }
    }

    /// `from`'s available resources tell `to` they are unavailable (a subscription ended, or
    /// `to` was blocked); `to`'s server hands it to its available resources.
    pub(crate) fn unavailable_to(&mut self, from: &BareJid, to: &BareJid) {
        for sender in self.resources.available(from) {
            let mut p = unavailable(&sender);
            set_attr(&mut p, "to", to.to_string());
            self.route_to(to.clone().into(), p);
        }
    }

    /// §4.6: presence to a specific entity; the server remembers it, to send unavailable
    /// presence there when the resource goes unavailable.
    pub(crate) fn directed_presence(&mut self, from: &FullJid, to: &Jid, stanza: &Element) {
        let available = stanza.attr("type").is_none();
        if let Some(r) = self.resources.get_mut(from) {
            if available && r.available {
                r.directed.insert(to.clone());
            } else if !available {
                r.directed.remove(to);
            }
        }
    }

    /// §4.3 and §4.5–§4.6: presence for a local account from anyone.
    pub(crate) fn incoming_presence(&mut self, to: Jid, stanza: Element) {
        let user = to.to_bare();
        let from = stanza.attr("from").and_then(|f| f.parse::<Jid>().ok());
        match stanza.attr("type") {
            Some("probe") => {
                // §4.3.2: answered for subscribers only.
                if let Some(from) = from {
                    let subscribed = self
                        .load_roster(&user)
                        .items
                        .get(&from.to_bare())
                        .is_some_and(|i| i.state.from);
                    if subscribed {
                        // To the prober as it asked: one resource, or the whole account.
                        self.presence_to(&user, from);
                    }
                }
            }
            Some(t) if Kind::from_type(t).is_some() => {
                if let (Some(from), Some(kind)) = (from, Kind::from_type(t)) {
                    self.inbound_subscription(&from.to_bare(), kind, &user);
                }
            }
            Some("error") | Some("unavailable") | None => {
                let targets = match to.clone().try_into_full() {
                    Ok(full) => vec![full],
                    Err(_) => self.resources.available(&user),
                };
                for jid in targets {
                    let _ = self.send_to(&jid, stanza.clone());
                }
            }
            Some(_) => {}
        }
    }

    /// A resource is gone for good: unbound, its unavailable presence sent where its available
    /// one went, its rooms and other components told.
    pub(crate) fn resource_gone(&mut self, jid: &FullJid) {
        let Some(resource) = self.resources.remove(jid) else {
            return;
        };
        if let Some(id) = &resource.sm_id {
            self.detached_bytes.remove(id);
        }
        if resource.available {
            let p = unavailable(jid);
            self.broadcast(jid, &p);
            for to in resource.directed {
                let mut copy = p.clone();
                set_attr(&mut copy, "to", to.to_string());
                self.route_to(to, copy);
            }
        }
        let mut out = Vec::new();
        for component in self.components.values_mut() {
            component.disconnected(jid, &mut out);
        }
        for outgoing in out {
            self.route_outgoing(outgoing);
        }
    }
}
