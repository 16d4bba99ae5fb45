//! RFC 6121 §8 delivery: where a stanza goes (a component's domain, the server, a local
//! account's bare or full JID), the "no such user" and "no available resource" cases with the
//! errors the RFC names, the sender-side steps of a user's message (archive, `sent` carbons),
//! and the bound on what waits for one connection.

use crate::blocking::{blocked_error, covers};
use crate::components::Context;
use crate::relations::View;
use crate::server::{Now, Output, Server};
use crate::store::StoreError;
use crate::subscription::Kind;
use minidom::{Element, Node};
use std::collections::BTreeMap;
use xmppkit_carbons::{copies, eligible, Direction};
use xmppkit_jid::{BareJid, FullJid, Jid};
use xmppkit_mam::{should_archive, ArchiveKind};
use xmppkit_sm::Queued;
use xmppkit_stanza::delay::Delay;
use xmppkit_stanza::sid::stamp;
use xmppkit_stanza::{
    error_reply, has_body, DefinedCondition, FanOut, Outgoing, StanzaError, StreamError,
    StreamErrorCondition,
};

/// About how many bytes `el` takes serialized: names, attributes and text, without escaping.
/// Cheap (no allocation); used to bound what waits for a connection.
pub fn wire_size(el: &Element) -> usize {
    let name = el.name().len();
    let attrs: usize = el
        .attrs()
        .into_iter()
        .map(|((_, k), v)| k.len() + v.len() + 4)
        .sum();
    let children: usize = el
        .nodes()
        .map(|n| match n {
            Node::Element(e) => wire_size(e),
            Node::Text(t) => t.len(),
        })
        .sum();
    2 * name + attrs + children + 5
}

/// The error answering `stanza` (none for an error). A message's payload is left out (RFC 6120
/// §8.3.1 lets the server choose): a bounce costs its sender a few hundred bytes, not the whole
/// message again.
pub(crate) fn error_to(stanza: &Element, error: &StanzaError) -> Option<Element> {
    if stanza.name() != "message" {
        return error_reply(stanza, error);
    }
    let mut bare = Element::builder("message", stanza.ns()).build();
    for ((ns, name), value) in stanza.attrs() {
        bare.set_attr(ns.clone(), name.clone(), value.clone());
    }
    error_reply(&bare, error)
}

fn to_of(stanza: &Element) -> Option<Jid> {
    stanza.attr("to").and_then(|t| t.parse().ok())
}

fn from_of(stanza: &Element) -> Option<Jid> {
    stanza.attr("from").and_then(|t| t.parse().ok())
}

impl Server {
    /// A stanza from a local user's session (`from` stamped by the session).
    pub(crate) fn route(&mut self, from: &FullJid, stanza: Element) {
        let to = match stanza.attr("to").map(str::parse::<Jid>) {
            None => return self.for_own_account(from, stanza),
            Some(Ok(to)) => to,
            Some(Err(_)) => return self.bounce(&stanza, DefinedCondition::JidMalformed),
        };
        let user = from.to_bare();
        if to.node().is_some() && to.resource().is_none() && to.to_bare() == user {
            // RFC 6120 §10.3.3 / §10.5.3: the user's own bare JID, served by the server.
            if stanza.name() != "message" {
                return self.for_own_account(from, stanza);
            }
        }
        // XEP-0191 §3.6: nothing goes to a blocked entity.
        if self.blocks(&user, &to) {
            if stanza.name() != "presence" {
                let error = blocked_error();
                if let Some(reply) = error_to(&stanza, &error) {
                    // Straight back: the blocked sender's address must not filter it out.
                    let _ = self.send_to(from, reply);
                }
            }
            return;
        }
        match stanza.name() {
            "message" => self.outgoing_message(from, &to, &stanza),
            "presence" => {
                if let Some(kind) = stanza.attr("type").and_then(Kind::from_type) {
                    return self.outbound_subscription(from, kind, to.to_bare());
                }
                self.directed_presence(from, &to, &stanza);
            }
            _ => {}
        }
        self.route_to(to, stanza);
    }

    /// What a component sent: a stanza, or a fan-out.
    pub(crate) fn route_outgoing(&mut self, outgoing: Outgoing) {
        match outgoing {
            Outgoing::Stanza(stanza) => self.route_from_service(stanza),
            Outgoing::FanOut(fan) => self.route_fan_out(fan),
            Outgoing::Raw(raw) => self.route_raw(raw),
        }
    }

    /// A stanza for many recipients (a room's message to its occupants, a pubsub notification).
    /// Where the copy goes straight to one bound resource here and none of the per-recipient
    /// steps of [`Self::deliver_local`] apply to it (no archive of the recipient keeps it, no
    /// carbon copies it: a `groupchat` message, a headline notification), the recipient's copy
    /// is the fan-out's one serialization with `to` spliced in; a recipient who blocked the
    /// sender, is not bound (a bare JID), or is elsewhere gets a tree routed the usual way.
    fn route_fan_out(&mut self, fan: FanOut) {
        let stanza = fan.stanza();
        let plain = stanza.name() == "message"
            && !should_archive(stanza, ArchiveKind::User)
            && !eligible(stanza, Direction::Received);
        let from = plain.then(|| from_of(stanza)).flatten();
        // Recipients served by other shards get one fan-out each, with their share of the list.
        let mut elsewhere: BTreeMap<u32, Vec<Jid>> = BTreeMap::new();
        for to in fan.recipients() {
            if let Some(shard) = self.elsewhere(to) {
                elsewhere.entry(shard).or_default().push(to.clone());
                continue;
            }
            let Some(from) = &from else {
                self.route_to(to.clone(), fan.addressed(to));
                continue;
            };
            let bound = to
                .clone()
                .try_into_full()
                .ok()
                .filter(|full| self.resources.get(full).is_some());
            match bound {
                Some(full) if !self.blocks(&full.to_bare(), from) => {
                    let copy = Queued::client(fan.unaddressed().addressed(full.as_str()));
                    if let Err(copy) = self.send_queued_to(&full, copy) {
                        self.handle_undelivered(vec![copy.into_element()]);
                    }
                }
                _ => self.route_to(to.clone(), fan.addressed(to)),
            }
        }
        for (shard, recipients) in elsewhere {
            let stanza = Outgoing::FanOut(fan.with_recipients(recipients));
            self.outputs.push_back(Output::Forward { shard, stanza });
        }
    }

    /// The other shard that serves `to`, if it is not this one's.
    pub(crate) fn elsewhere(&self, to: &Jid) -> Option<u32> {
        self.config.shards.elsewhere(&self.config.domain, to)
    }

    /// A stanza made by a component or the server, routed like a user's.
    pub(crate) fn route_from_service(&mut self, stanza: Element) {
        if let Some(to) = to_of(&stanza) {
            self.route_to(to, stanza);
        }
    }

    /// Routes by domain: another shard's account or service, an external or in-process
    /// component's, ours, or another server's.
    pub(crate) fn route_to(&mut self, to: Jid, stanza: Element) {
        if let Some(shard) = self.elsewhere(&to) {
            let stanza = Outgoing::Stanza(stanza);
            return self.outputs.push_back(Output::Forward { shard, stanza });
        }
        let domain = to.domain().as_str();
        if let Some(link) = self.component_link(domain) {
            self.outputs.push_back(Output::Transmit { link, stanza });
        } else if let Some(component) = self.components.get_mut(domain) {
            let view = View {
                resources: &self.resources,
                rosters: &self.rosters,
                config: &self.config,
            };
            let cx = Context {
                now: self.now.utc,
                relations: &view,
            };
            let mut out = Vec::new();
            component.handle_stanza(stanza, &cx, &mut out);
            for outgoing in out {
                self.route_outgoing(outgoing);
            }
        } else if domain != self.config.domain.as_str() {
            let domain = domain.to_owned();
            self.route_remote(&domain, stanza);
        } else if to.node().is_none() {
            self.server_stanza(stanza);
        } else {
            self.deliver_local(to, stanza);
        }
    }

    /// RFC 6121 §8.5: a stanza for a local account.
    pub(crate) fn deliver_local(&mut self, to: Jid, stanza: Element) {
        let user = to.to_bare();
        let bound = self.resources.of(&user).next().is_some();
        let subscription = stanza.attr("type").and_then(Kind::from_type).is_some();
        if !bound && stanza.name() == "presence" && !subscription {
            // §8.5.1 / §8.5.2.2: ignored without an account or an available resource alike, so
            // a broadcast to offline subscribers costs no store lookup.
            return;
        }
        // An account with a bound resource exists: no store lookup on the hot path.
        let exists = bound || to.node().is_some_and(|n| self.accounts.exists(n.as_str()));
        if !exists {
            // §8.5.1: no such account.
            return match stanza.name() {
                "presence" => {
                    if stanza.attr("type") == Some("subscribe") {
                        if let Some(from) = from_of(&stanza) {
                            let answer =
                                subscription_stanza(Kind::Unsubscribed, &user, &from.to_bare());
                            self.route_from_service(answer);
                        }
                    }
                }
                _ => self.bounce(&stanza, DefinedCondition::ServiceUnavailable),
            };
        }
        if let Some(from) = from_of(&stanza) {
            // XEP-0191 §3.5: what a blocked entity sends is not delivered.
            if self.blocks(&user, &from) {
                let request = matches!(stanza.attr("type"), Some("get" | "set"));
                if stanza.name() == "message" || (stanza.name() == "iq" && request) {
                    self.bounce(&stanza, DefinedCondition::ServiceUnavailable);
                }
                return;
            }
        }
        match stanza.name() {
            "message" => self.incoming_message(to, stanza),
            "presence" => self.incoming_presence(to, stanza),
            _ => self.incoming_iq(to, stanza),
        }
    }

    /// A message from a local user: archived in the sender's archive and copied to the
    /// sender's other carbons-enabled resources (XEP-0280 §6, `sent`).
    fn outgoing_message(&mut self, from: &FullJid, to: &Jid, message: &Element) {
        let user = from.to_bare();
        let in_roster = self.in_roster(&user, &to.to_bare());
        let id = self.new_id();
        if self.config.archive {
            let _ = self.mam.store(
                &user,
                ArchiveKind::User,
                to,
                in_roster,
                message,
                id,
                self.now.utc,
            );
        }
        let enabled = self.carbons_enabled(&user);
        for copy in copies(
            message,
            Direction::Sent,
            &user,
            &enabled,
            std::slice::from_ref(from),
        ) {
            self.send_to_addressed(copy);
        }
    }

    /// §8.5.2 / §8.5.3: a message for a local account: archived in the recipient's archive
    /// (its stanza-id stamped), then delivered.
    fn incoming_message(&mut self, to: Jid, mut message: Element) {
        let user = to.to_bare();
        let archived = self.config.archive && should_archive(&message, ArchiveKind::User);
        if let Some(from) = from_of(&message).filter(|_| archived) {
            let in_roster = self.in_roster(&user, &from.to_bare());
            let id = self.new_id();
            if let Ok(Some(sid)) = self.mam.store(
                &user,
                ArchiveKind::User,
                &from,
                in_roster,
                &message,
                id,
                self.now.utc,
            ) {
                stamp(&mut message, &sid);
            }
        }
        self.deliver_message(to, message);
    }

    /// Delivers a message by the rules of §8.5: the full JID when bound, else the available
    /// resources of highest non-negative priority (chat, normal), all non-negative ones
    /// (headline), offline storage when none (chat and normal with a body); `received` carbons
    /// to the other carbons-enabled resources.
    pub(crate) fn deliver_message(&mut self, to: Jid, message: Element) {
        let user = to.to_bare();
        let type_ = message.attr("type").unwrap_or("normal").to_owned();
        let full = to
            .clone()
            .try_into_full()
            .ok()
            .filter(|f| self.resources.get(f).is_some());
        let targets: Vec<FullJid> = match (&full, type_.as_str()) {
            (Some(full), _) => vec![full.clone()],
            // §8.5.3.2.1: to a resource that is not there.
            (None, "groupchat") => {
                return self.bounce(&message, DefinedCondition::ServiceUnavailable)
            }
            (None, "error") => return,
            (None, "headline") if to.resource().is_some() => return,
            (None, "headline") => self
                .resources
                .of(&user)
                .filter(|(_, r)| r.available && !r.closing && r.priority >= 0)
                .map(|(j, _)| j)
                .collect(),
            (None, _) => self.resources.best(&user),
        };
        if targets.is_empty() {
            if crate::offline::worth_keeping(&message) {
                // Behind what a closing connection still holds, so that the order stays.
                let held = match self.resources.closing(&user) {
                    Some(jid) => self.send_to(&jid, message),
                    None => Err(message),
                };
                if let Err(message) = held {
                    self.store_offline(&user, message);
                }
            } else if matches!(type_.as_str(), "chat" | "normal") && has_body(&message) {
                // XEP-0334 `no-store`: not kept, so the sender learns it was not delivered
                // (RFC 6121 §8.5.2.2.1); chat states and the like go quietly.
                self.bounce(&message, DefinedCondition::ServiceUnavailable);
            }
            return;
        }
        let (mut failed, mut delivered) = (None, 0);
        for jid in &targets {
            match self.send_to(jid, message.clone()) {
                Ok(()) => delivered += 1,
                Err(back) => failed = Some(back),
            }
        }
        let enabled = self.carbons_enabled(&user);
        for copy in copies(&message, Direction::Received, &user, &enabled, &targets) {
            self.send_to_addressed(copy);
        }
        if let Some(message) = failed.filter(|_| delivered == 0) {
            // The resource went away meanwhile: as to the bare JID, without it.
            self.handle_undelivered(vec![message]);
        }
    }

    /// XEP-0160: kept for later with a `<delay/>`; a full store answers the sender.
    fn store_offline(&mut self, user: &BareJid, mut message: Element) {
        let full = match self.offline.count(user) {
            Ok(count) => count >= self.config.offline_limit,
            Err(e) => return self.offline_failed(&message, e),
        };
        if full {
            let error = StanzaError::new(DefinedCondition::ServiceUnavailable)
                .with_text("en", "the recipient's offline storage is full");
            if let Some(reply) = error_to(&message, &error) {
                self.route_from_service(reply);
            }
            return;
        }
        let delay = Delay {
            from: Some(self.config.domain.clone().into()),
            stamp: self.now.utc,
            reason: Some("Offline Storage".into()),
        };
        message.append_child(delay.into());
        if let Err(e) = self.offline.push(user, message.clone()) {
            self.offline_failed(&message, e);
        }
    }

    /// The offline store failed: the sender learns the message was not kept.
    fn offline_failed(&mut self, message: &Element, e: StoreError) {
        self.outputs.push_back(Output::StoreFailed(e));
        let error = StanzaError::new(DefinedCondition::InternalServerError)
            .with_text("en", "the recipient's offline storage failed");
        if let Some(reply) = error_to(message, &error) {
            self.route_from_service(reply);
        }
    }

    /// Stanzas that were meant for a resource and did not reach it (unacknowledged under
    /// XEP-0198, or still waiting when its connection closed): messages go to the account's
    /// other resources or offline storage, requests are answered `service-unavailable`.
    pub fn handle_undelivered(&mut self, stanzas: Vec<Element>) {
        for stanza in stanzas {
            let Some(to) = to_of(&stanza) else { continue };
            match stanza.name() {
                "message"
                    if has_body(&stanza)
                        && matches!(stanza.attr("type"), None | Some("chat" | "normal")) =>
                {
                    let bare: Jid = to.to_bare().into();
                    self.deliver_message(bare, stanza);
                }
                "iq" if matches!(stanza.attr("type"), Some("get" | "set")) => {
                    self.bounce(&stanza, DefinedCondition::ServiceUnavailable)
                }
                _ => {}
            }
        }
    }

    /// A forward ([`Output::Forward`]) the application could not hand to its shard (that
    /// shard's queue is full, or it has stopped): every stanza in it but errors is answered
    /// `resource-constraint` (RFC 6120 §8.3.3.18, type `wait`), so its sender learns it was
    /// not delivered and may try again. A room or a node whose fan-out is refused hears it from
    /// each recipient, as from one that cannot be reached.
    pub fn handle_not_forwarded(&mut self, stanza: Outgoing, now: Now) {
        self.now = now;
        let error = StanzaError::new(DefinedCondition::ResourceConstraint)
            .with_text("en", "the recipient's shard of this server is overloaded");
        for stanza in stanza.into_stanzas() {
            if stanza.attr("type") == Some("error") {
                continue;
            }
            if let Some(reply) = error_to(&stanza, &error) {
                self.route_from_service(reply);
            }
        }
    }

    /// Sends `stanza` to the bound resource `jid`: on its connection, or into its detached
    /// session's queue. Gives it back when the resource cannot take it (not bound, or past the
    /// bound on queued bytes: then the session is closed and the resource goes offline).
    pub(crate) fn send_to(&mut self, jid: &FullJid, stanza: Element) -> Result<(), Element> {
        if self.resources.get(jid).is_none() {
            return Err(stanza);
        }
        match self.send_queued_to(jid, Queued::new(&stanza)) {
            Ok(()) => Ok(()),
            Err(_) => Err(stanza),
        }
    }

    /// [`Self::send_to`] for a stanza serialized already.
    pub(crate) fn send_queued_to(&mut self, jid: &FullJid, stanza: Queued) -> Result<(), Queued> {
        let Some(resource) = self.resources.get(jid) else {
            return Err(stanza);
        };
        let size = stanza.bytes().len();
        let limit = self.config.max_queued_bytes;
        let closing = resource.closing;
        match (resource.conn, resource.sm_id.clone()) {
            (Some(conn), _) => {
                let Some(c) = self.conns.get_mut(&conn) else {
                    return Err(stanza);
                };
                if closing {
                    // Held in order, up to the bound again; past it, rerouted at once.
                    if c.held_bytes + size > limit {
                        return Err(stanza);
                    }
                    c.held_bytes += size;
                    c.held.push(stanza);
                    return Ok(());
                }
                if c.closing {
                    return Err(stanza);
                }
                if c.queued + size > limit {
                    let error = StreamError::new(StreamErrorCondition::PolicyViolation).with_text(
                        Some("en"),
                        "too much is waiting to be written to this connection",
                    );
                    c.held_bytes = size;
                    c.held.push(stanza);
                    self.close(conn, Some(error));
                    if let Some(r) = self.resources.get_mut(jid) {
                        r.closing = true;
                    }
                    return Ok(());
                }
                c.queued += size;
                self.outputs
                    .push_back(Output::Deliver { conn, stanza, size });
                Ok(())
            }
            (None, Some(id)) => {
                let queued = self.detached_bytes.entry(id.clone()).or_default();
                if *queued + size > limit {
                    // A detached session that cannot keep up expires now.
                    if let Some(mut detached) = self.detached.take(&id) {
                        self.detached_bytes.remove(&id);
                        self.resource_gone(jid);
                        self.handle_undelivered(detached.stream.take_unacked());
                    }
                    return Err(stanza);
                }
                *queued += size;
                match self.detached.get_mut(&id) {
                    Some(session) => {
                        session.stream.queue_queued(stanza);
                        Ok(())
                    }
                    None => Err(stanza),
                }
            }
            (None, None) => Err(stanza),
        }
    }

    /// Sends a stanza addressed to one of our resources (a carbon, a push).
    pub(crate) fn send_to_addressed(&mut self, stanza: Element) {
        if let Some(to) = stanza.attr("to").and_then(|t| t.parse::<FullJid>().ok()) {
            let _ = self.send_to(&to, stanza);
        }
    }

    /// Answers `stanza` with `condition` (nothing for an error).
    pub(crate) fn bounce(&mut self, stanza: &Element, condition: DefinedCondition) {
        if let Some(reply) = error_to(stanza, &StanzaError::new(condition)) {
            self.route_from_service(reply);
        }
    }

    /// Whether `user` blocked `jid` (XEP-0191).
    pub(crate) fn blocks(&mut self, user: &BareJid, jid: &Jid) -> bool {
        self.blocklist(user).iter().any(|item| covers(item, jid))
    }

    pub(crate) fn in_roster(&mut self, user: &BareJid, contact: &BareJid) -> bool {
        self.load_roster(user)
            .items
            .get(contact)
            .is_some_and(|i| i.listed)
    }

    pub(crate) fn carbons_enabled(&self, user: &BareJid) -> Vec<FullJid> {
        self.resources
            .of(user)
            .filter(|(_, r)| r.carbons)
            .map(|(j, _)| j)
            .collect()
    }
}

/// A presence subscription stanza between two bare JIDs.
pub(crate) fn subscription_stanza(kind: Kind, from: &BareJid, to: &BareJid) -> Element {
    let mut p = Element::builder("presence", xmppkit_stanza::ns::CLIENT).build();
    xmppkit_stanza::set_attr(&mut p, "from", from.to_string());
    xmppkit_stanza::set_attr(&mut p, "to", to.to_string());
    xmppkit_stanza::set_attr(&mut p, "type", kind.name());
    p
}
