//! The hub: who is online, RFC 6121 delivery between them, the server's own answers (disco,
//! ping, an empty roster), offline storage, and the MUC and PubSub engines at their domains.
//! Everything a connection hands it comes back out as stanzas addressed to connections.

use crate::roster::{self, Rosters};
use minidom::Element;
use std::collections::HashMap;
use std::time::Instant;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc::UnboundedSender;
use xmppkit::carbons::{copies, Direction, Toggle};
use xmppkit::jid::{BareJid, FullJid, Jid};
use xmppkit::mam::{ArchiveKind, Mam, MamConfig, MemoryArchive};
use xmppkit::muc::{MamHook, ReadMarkersHook, Service, ServiceConfig};
use xmppkit::pubsub::{Engine, PubSubConfig, Relations, ServiceKind};
use xmppkit::read_markers::{MemoryStore, ReadMarkers};
use xmppkit::sm::{DetachedSession, DetachedSessions};
use xmppkit::stanza::datetime::DateTime;
use xmppkit::stanza::delay::Delay;
use xmppkit::stanza::disco::{DiscoInfo, DiscoItems, Identity, Item};
use xmppkit::stanza::sid::stamp;
use xmppkit::stanza::{error_reply, ns, DefinedCondition, Iq, IqPayload, StanzaError};

/// What the hub tells a connection.
pub enum ToConnection {
    /// Send this stanza.
    Stanza(Element),
    /// Close the stream.
    Close,
}

struct Resource {
    /// The connection; `None` while the session is detached, waiting for resumption.
    tx: Option<UnboundedSender<ToConnection>>,
    available: bool,
    priority: i8,
    /// Message Carbons enabled (XEP-0280).
    carbons: bool,
    /// The last available presence broadcast, for probes.
    presence: Option<Element>,
}

type RoomHooks = (MamHook<MemoryArchive>, ReadMarkersHook<MemoryStore>);

/// Everything shared between connections.
pub struct Hub {
    domain: BareJid,
    muc_domain: BareJid,
    pubsub_domain: BareJid,
    resources: HashMap<FullJid, Resource>,
    offline: HashMap<BareJid, Vec<Element>>,
    detached: DetachedSessions,
    detached_ids: HashMap<FullJid, String>,
    muc: Service<RoomHooks>,
    pubsub: Engine<xmppkit::pubsub::MemoryStore>,
    /// Users' own archives (XEP-0313).
    mam: Mam<MemoryArchive>,
    rosters: Rosters,
    next_id: u64,
}

/// What PEP learns from the hub: presence subscriptions from the rosters, and that the owner's
/// online resources and those of its subscribers want every namespace (entity capabilities and
/// `+notify` are not read yet).
struct Presence<'a> {
    resources: &'a HashMap<FullJid, Resource>,
    rosters: &'a Rosters,
}

impl Relations for Presence<'_> {
    fn presence_subscribed(&self, owner: &BareJid, contact: &BareJid) -> bool {
        self.rosters.is_subscriber(owner, contact)
    }

    fn interested(&self, owner: &BareJid, _namespace: &str) -> Vec<Jid> {
        self.resources
            .iter()
            .filter(|(jid, r)| {
                let bare = jid.to_bare();
                r.available && (bare == *owner || self.rosters.is_subscriber(owner, &bare))
            })
            .map(|(jid, _)| jid.clone().into())
            .collect()
    }
}

fn now() -> DateTime {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    // Microseconds at most: some clients (slixmpp) cannot read nine fraction digits.
    let nanos = since.subsec_micros() * 1000;
    DateTime::from_unix(since.as_secs() as i64, nanos).expect("a valid time")
}

impl Hub {
    /// A hub for `domain`, with MUC at `conference.<domain>` and PubSub at `pubsub.<domain>`.
    pub fn new(domain: &str) -> Result<Self, String> {
        let parse = |d: String| d.parse::<BareJid>().map_err(|e| format!("{d}: {e}"));
        let muc_domain = parse(format!("conference.{domain}"))?;
        let hooks = (
            MamHook(Mam::new(MemoryArchive::default(), MamConfig::default())),
            ReadMarkersHook(ReadMarkers::new(MemoryStore::default())),
        );
        let muc_config = ServiceConfig {
            create: xmppkit::muc::CreatePolicy::Domains(vec![domain.to_owned()]),
            ..ServiceConfig::default()
        };
        let pubsub_config = PubSubConfig {
            create: xmppkit::pubsub::CreatePolicy::Domains(vec![domain.to_owned()]),
            ..PubSubConfig::default()
        };
        Ok(Hub {
            domain: parse(domain.to_owned())?,
            muc: Service::new(muc_domain.clone(), muc_config, hooks),
            muc_domain,
            pubsub_domain: parse(format!("pubsub.{domain}"))?,
            resources: HashMap::new(),
            offline: HashMap::new(),
            detached: DetachedSessions::default(),
            detached_ids: HashMap::new(),
            pubsub: Engine::new(xmppkit::pubsub::MemoryStore::default(), pubsub_config),
            mam: Mam::new(MemoryArchive::default(), MamConfig::default()),
            rosters: Rosters::default(),
            next_id: 0,
        })
    }

    /// A resource is bound.
    pub fn online(&mut self, jid: FullJid, tx: UnboundedSender<ToConnection>) {
        let resource = Resource {
            tx: Some(tx),
            available: false,
            priority: 0,
            carbons: false,
            presence: None,
        };
        if let Some(old) = self.resources.insert(jid, resource) {
            if let Some(tx) = old.tx {
                let _ = tx.send(ToConnection::Close);
            }
        }
    }

    /// A resumable session lost its connection (XEP-0198 §5): it stays, and what is sent to it
    /// waits in its stream until it resumes or expires.
    pub fn detach(&mut self, session: DetachedSession) {
        if let Some(r) = self.resources.get_mut(&session.jid) {
            r.tx = None;
        }
        self.detached_ids
            .insert(session.jid.clone(), session.id.clone());
        self.detached.insert(session);
    }

    /// The detached session a `<resume/>` names, if it is still kept.
    pub fn take_detached(&mut self, id: &str) -> Option<DetachedSession> {
        let session = self.detached.take(id)?;
        self.detached_ids.remove(&session.jid);
        Some(session)
    }

    /// A session that could not be resumed after all goes back into the table.
    pub fn put_back(&mut self, session: DetachedSession) {
        self.detached_ids
            .insert(session.jid.clone(), session.id.clone());
        self.detached.insert(session);
    }

    /// `h` of a detached session that expired, for `<failed h='…'/>`.
    pub fn expired_h(&self, id: &str) -> Option<u32> {
        self.detached.expired_h(id)
    }

    /// A session resumed on a new connection.
    pub fn resumed(&mut self, jid: FullJid, tx: UnboundedSender<ToConnection>) {
        match self.resources.get_mut(&jid) {
            Some(r) => r.tx = Some(tx),
            None => self.online(jid, tx),
        }
    }

    /// Detached sessions past their time: they go offline, their unacknowledged messages are
    /// stored for later.
    pub fn tick(&mut self, now: Instant) {
        for expired in self.detached.handle_timeout(now) {
            self.detached_ids.remove(&expired.jid);
            self.offline(&expired.jid);
            self.undelivered(expired.unacked);
        }
    }

    /// A resource's connection ended: it leaves its rooms, its other resources see it go.
    pub fn offline(&mut self, jid: &FullJid) {
        let Some(resource) = self.resources.remove(jid) else {
            return;
        };
        self.muc.disconnected(jid);
        self.drain_muc();
        if resource.available {
            let mut p = Element::builder("presence", ns::CLIENT).build();
            xmppkit::stanza::set_attr(&mut p, "from", jid.to_string());
            xmppkit::stanza::set_attr(&mut p, "type", "unavailable");
            self.broadcast(jid, p);
        }
    }

    /// Stanzas a connection could not deliver: messages with a body are kept for later.
    pub fn undelivered(&mut self, stanzas: Vec<Element>) {
        for stanza in stanzas {
            if stanza.name() == "message" && xmppkit::stanza::has_body(&stanza) {
                if let Some(to) = stanza.attr("to").and_then(|t| t.parse::<Jid>().ok()) {
                    self.store_offline(to.to_bare(), stanza);
                }
            }
        }
    }

    /// Ctrl-C: rooms say goodbye (332), then every stream is closed.
    pub fn shutdown(&mut self) {
        self.muc.shutdown();
        self.drain_muc();
        for tx in self.resources.values().filter_map(|r| r.tx.as_ref()) {
            let _ = tx.send(ToConnection::Close);
        }
    }

    /// A stanza from `from` (its `from` already stamped by the session).
    pub fn route(&mut self, from: &FullJid, stanza: Element) {
        let to = match stanza.attr("to").map(str::parse::<Jid>) {
            None => None,
            Some(Ok(to)) => Some(to),
            Some(Err(_)) => return self.bounce(&stanza, DefinedCondition::JidMalformed),
        };
        let Some(to) = to else {
            return self.for_own_account(from, stanza);
        };
        if stanza.name() == "message" {
            self.outgoing_message(from, &to, &stanza);
        }
        let bare = to.to_bare();
        let subscription = matches!(
            stanza.attr("type"),
            Some("subscribe" | "subscribed" | "unsubscribe" | "unsubscribed")
        );
        if stanza.name() == "presence" && subscription && to.domain() == self.domain.domain() {
            return self.subscription(from, bare, stanza);
        }
        if to.domain() == self.muc_domain.domain() {
            self.muc.handle_stanza(stanza, now());
            self.drain_muc();
        } else if bare == self.pubsub_domain {
            self.pubsub_iq(stanza, ServiceKind::Service);
        } else if to.domain() != self.domain.domain() {
            self.bounce(&stanza, DefinedCondition::RemoteServerNotFound);
        } else if to.node().is_none() {
            self.server_iq(stanza);
        } else {
            self.for_user(to, stanza);
        }
    }

    fn drain_muc(&mut self) {
        while let Some(stanza) = self.muc.poll_transmit() {
            self.deliver(stanza);
        }
    }

    /// A stanza produced here (engines, the server) for one of our users.
    fn deliver(&mut self, stanza: Element) {
        if let Some(to) = stanza.attr("to").and_then(|t| t.parse::<Jid>().ok()) {
            if to.domain() == self.domain.domain() && to.node().is_some() {
                self.for_user(to, stanza);
            }
        }
    }

    fn bounce(&mut self, stanza: &Element, condition: DefinedCondition) {
        if let Some(reply) = error_reply(stanza, &StanzaError::new(condition)) {
            self.deliver(reply);
        }
    }

    fn send_to(&mut self, jid: &FullJid, stanza: Element) -> bool {
        match self.resources.get(jid).map(|r| r.tx.as_ref()) {
            Some(Some(tx)) => tx.send(ToConnection::Stanza(stanza)).is_ok(),
            Some(None) => {
                let id = self.detached_ids.get(jid);
                match id.and_then(|id| self.detached.get_mut(id)) {
                    Some(session) => {
                        session.stream.queue(stanza);
                        true
                    }
                    None => false,
                }
            }
            None => false,
        }
    }

    /// RFC 6121 §8.5: a stanza to a local user's bare or full JID.
    fn for_user(&mut self, to: Jid, stanza: Element) {
        if stanza.name() == "message" {
            return self.incoming_message(to, stanza);
        }
        let full = to.clone().try_into_full().ok();
        if let Some(full) = &full {
            if self.resources.contains_key(full) {
                self.send_to(full, stanza);
                return;
            }
        }
        match stanza.name() {
            "iq" if full.is_none() && is_pubsub(&stanza) => {
                self.pubsub_iq(stanza, ServiceKind::Pep)
            }
            "iq" if full.is_none() && has_child_ns(&stanza, xmppkit::mam::NS) => {
                self.mam_iq(stanza)
            }
            "iq" if full.is_none() => self.server_iq(stanza),
            "iq" => self.bounce(&stanza, DefinedCondition::ServiceUnavailable),
            _ => {
                // Presence to a bare JID goes to each available resource.
                for jid in self.available(&to.to_bare()) {
                    self.send_to(&jid, stanza.clone());
                }
            }
        }
    }

    fn available(&self, user: &BareJid) -> Vec<FullJid> {
        self.resources
            .iter()
            .filter(|(jid, r)| r.available && jid.to_bare() == *user)
            .map(|(jid, _)| jid.clone())
            .collect()
    }

    /// A message from a local user (`from`) to anyone: archived in the sender's archive and
    /// copied to the sender's other carbons-enabled resources (XEP-0280 §6, `sent`).
    fn outgoing_message(&mut self, from: &FullJid, to: &Jid, message: &Element) {
        let id = self.new_id();
        let _ = self.mam.store(
            &from.to_bare(),
            ArchiveKind::User,
            to,
            true,
            message,
            id,
            now(),
        );
        let enabled = self.carbons_enabled(&from.to_bare());
        for copy in copies(
            message,
            Direction::Sent,
            &from.to_bare(),
            &enabled,
            std::slice::from_ref(from),
        ) {
            self.send_to_resource(copy);
        }
    }

    /// RFC 6121 §8.5: a message to a local user — to the full JID when that resource is
    /// online, else to the available resources of highest non-negative priority (§8.5.2.1.1),
    /// else offline storage for chat and normal messages with a body (§8.5.2.2.1). It goes into
    /// the recipient's archive (its stanza-id stamped) and to the recipient's other
    /// carbons-enabled resources (`received`).
    fn incoming_message(&mut self, to: Jid, mut message: Element) {
        let user = to.to_bare();
        if let Some(from) = message.attr("from").and_then(|f| f.parse::<Jid>().ok()) {
            let id = self.new_id();
            if let Ok(Some(sid)) =
                self.mam
                    .store(&user, ArchiveKind::User, &from, true, &message, id, now())
            {
                stamp(&mut message, &sid);
            }
        }
        let full = to
            .try_into_full()
            .ok()
            .filter(|f| self.resources.contains_key(f));
        let targets: Vec<FullJid> = match full {
            Some(full) => vec![full],
            None => {
                let candidates: Vec<(FullJid, i8)> = self
                    .resources
                    .iter()
                    .filter(|(jid, r)| r.available && r.priority >= 0 && jid.to_bare() == user)
                    .map(|(jid, r)| (jid.clone(), r.priority))
                    .collect();
                let best = candidates.iter().map(|(_, p)| *p).max();
                candidates
                    .into_iter()
                    .filter(|(_, p)| Some(*p) == best)
                    .map(|(jid, _)| jid)
                    .collect()
            }
        };
        if targets.is_empty() {
            return match message.attr("type").unwrap_or("normal") {
                "chat" | "normal" if xmppkit::stanza::has_body(&message) => {
                    self.store_offline(user, message)
                }
                "groupchat" => self.bounce(&message, DefinedCondition::ServiceUnavailable),
                _ => {}
            };
        }
        for jid in &targets {
            self.send_to(jid, message.clone());
        }
        let enabled = self.carbons_enabled(&user);
        for copy in copies(&message, Direction::Received, &user, &enabled, &targets) {
            self.send_to_resource(copy);
        }
    }

    fn carbons_enabled(&self, user: &BareJid) -> Vec<FullJid> {
        self.resources
            .iter()
            .filter(|(jid, r)| r.carbons && jid.to_bare() == *user)
            .map(|(jid, _)| jid.clone())
            .collect()
    }

    /// A stanza addressed to one of our resources.
    fn send_to_resource(&mut self, stanza: Element) {
        if let Some(to) = stanza.attr("to").and_then(|t| t.parse::<FullJid>().ok()) {
            self.send_to(&to, stanza);
        }
    }

    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("{}-{}", now().0.timestamp_micros(), self.next_id)
    }

    /// XEP-0280 §4: `<enable/>` / `<disable/>` for the sending resource.
    fn carbons_iq(&mut self, from: &FullJid, stanza: Element) {
        let Ok(iq) = Iq::try_from(stanza.clone()) else {
            return self.bounce(&stanza, DefinedCondition::BadRequest);
        };
        let toggle = match &iq.payload {
            IqPayload::Set(el) => Toggle::try_from(el.clone()).ok(),
            _ => None,
        };
        let Some(toggle) = toggle else {
            return self.bounce(&stanza, DefinedCondition::BadRequest);
        };
        if let Some(r) = self.resources.get_mut(from) {
            r.carbons = toggle == Toggle::Enable;
        }
        self.deliver(iq.result(None).into());
    }

    /// XEP-0313 queries of the user's own archive.
    fn mam_iq(&mut self, stanza: Element) {
        let Ok(iq) = Iq::try_from(stanza.clone()) else {
            return self.bounce(&stanza, DefinedCondition::BadRequest);
        };
        if let Some(out) = self.mam.handle_iq(&iq, ArchiveKind::User, |_| false) {
            for mut s in out {
                if s.attr("to").is_none() {
                    if let Some(from) = &iq.from {
                        xmppkit::stanza::set_attr(&mut s, "to", from.to_string());
                    }
                }
                self.deliver(s);
            }
        }
    }

    fn store_offline(&mut self, user: BareJid, mut stanza: Element) {
        let delay = Delay {
            from: Some(self.domain.clone().into()),
            stamp: now(),
            reason: Some("Offline Storage".into()),
        };
        stanza.append_child(delay.into());
        let queue = self.offline.entry(user).or_default();
        if queue.len() < 1000 {
            queue.push(stanza);
        }
    }

    /// A stanza without `to`: presence updates, and requests to the user's own account.
    fn for_own_account(&mut self, from: &FullJid, stanza: Element) {
        match stanza.name() {
            "presence" => self.presence_broadcast(from, stanza),
            "iq" if is_pubsub(&stanza) => self.pubsub_iq(stanza, ServiceKind::Pep),
            "iq" if has_child_ns(&stanza, xmppkit::mam::NS) => self.mam_iq(stanza),
            "iq" if has_child_ns(&stanza, xmppkit::carbons::NS) => self.carbons_iq(from, stanza),
            "iq" if has_child_ns(&stanza, roster::NS) => self.roster_iq(from, stanza),
            "iq" => self.server_iq(stanza),
            _ => self.incoming_message(from.to_bare().into(), stanza),
        }
    }

    /// RFC 6121 §4.2–§4.4: a presence without `to` goes to the user's other resources and to
    /// every subscriber's available resources. The first available presence of a resource also
    /// probes the contacts it is subscribed to (their current presences come back), replays
    /// pending subscription requests, and delivers stored messages.
    fn presence_broadcast(&mut self, from: &FullJid, stanza: Element) {
        let available = stanza.attr("type").is_none();
        if !available && stanza.attr("type") != Some("unavailable") {
            return;
        }
        let priority = stanza
            .get_child("priority", ns::CLIENT)
            .and_then(|p| p.text().trim().parse().ok())
            .unwrap_or(0);
        let was = self.resources.get(from).is_some_and(|r| r.available);
        if let Some(r) = self.resources.get_mut(from) {
            r.available = available;
            r.priority = priority;
            r.presence = available.then(|| stanza.clone());
        }
        self.broadcast(from, stanza);
        if !available || was {
            return;
        }
        let user = from.to_bare();
        for contact in self.rosters.subscriptions(&user) {
            let presences: Vec<Element> = self
                .resources
                .iter()
                .filter(|(jid, r)| r.available && jid.to_bare() == contact)
                .filter_map(|(_, r)| r.presence.clone())
                .collect();
            for mut p in presences {
                xmppkit::stanza::set_attr(&mut p, "to", from.to_string());
                self.send_to(from, p);
            }
        }
        let asking: Vec<BareJid> = self
            .rosters
            .roster(&user)
            .filter(|(_, i)| i.pending_in)
            .map(|(j, _)| j.clone())
            .collect();
        for contact in asking {
            let request = subscription_stanza("subscribe", &contact, &user);
            self.send_to(from, request);
        }
        for message in self.offline.remove(&user).unwrap_or_default() {
            self.send_to(from, message);
        }
    }

    /// Sends `from`'s presence to its other resources and its subscribers' resources.
    fn broadcast(&mut self, from: &FullJid, stanza: Element) {
        let user = from.to_bare();
        let mut to: Vec<FullJid> = self.available(&user);
        for contact in self.rosters.subscribers(&user) {
            to.extend(self.available(&contact));
        }
        for jid in to.into_iter().filter(|j| j != from) {
            let mut copy = stanza.clone();
            xmppkit::stanza::set_attr(&mut copy, "to", jid.to_string());
            self.send_to(&jid, copy);
        }
    }

    /// RFC 6121 §3: a subscription stanza between two local users updates both rosters, pushes
    /// the changed items, and reaches the contact (or is answered for it when already approved).
    fn subscription(&mut self, from: &FullJid, contact: BareJid, stanza: Element) {
        let user = from.to_bare();
        let type_ = stanza.attr("type").unwrap_or("").to_owned();
        let (changed, deliver, auto_approved) = self.rosters.transition(&type_, &user, &contact);
        for (owner, item) in changed {
            self.push(&owner, &item);
        }
        if deliver {
            let request = subscription_stanza(&type_, &user, &contact);
            for jid in self.available(&contact) {
                self.send_to(&jid, request.clone());
            }
        }
        if auto_approved || (type_ == "subscribed" && deliver) {
            // The subscriber now sees the approver's current presence (§3.1.5).
            let (approver, subscriber) = if auto_approved {
                (contact.clone(), user.clone())
            } else {
                (user.clone(), contact.clone())
            };
            if auto_approved {
                let answer = subscription_stanza("subscribed", &contact, &user);
                for jid in self.available(&user) {
                    self.send_to(&jid, answer.clone());
                }
            }
            let presences: Vec<Element> = self
                .resources
                .iter()
                .filter(|(jid, r)| r.available && jid.to_bare() == approver)
                .filter_map(|(_, r)| r.presence.clone())
                .collect();
            for target in self.available(&subscriber) {
                for p in &presences {
                    let mut copy = p.clone();
                    xmppkit::stanza::set_attr(&mut copy, "to", target.to_string());
                    self.send_to(&target, copy);
                }
            }
        }
    }

    /// A roster push (RFC 6121 §2.1.6) of `owner`'s item for `contact` to `owner`'s resources.
    fn push(&mut self, owner: &BareJid, contact: &BareJid) {
        let item = match self.rosters.item(owner, contact) {
            Some(item) => item.element(contact),
            None => {
                let mut el = Element::builder("item", roster::NS).build();
                xmppkit::stanza::set_attr(&mut el, "jid", contact.to_string());
                xmppkit::stanza::set_attr(&mut el, "subscription", "remove");
                el
            }
        };
        let mut query = Element::builder("query", roster::NS).build();
        query.append_child(item);
        for jid in self.available(owner) {
            let id = self.new_id();
            let mut iq: Element = Iq::set(
                format!("push-{id}"),
                Some(jid.clone().into()),
                query.clone(),
            )
            .into();
            xmppkit::stanza::set_attr(&mut iq, "from", owner.to_string());
            self.send_to(&jid, iq);
        }
    }

    /// RFC 6121 §2.1.3 roster get and §2.1.5 / §2.5 roster set (add, update, remove).
    fn roster_iq(&mut self, from: &FullJid, stanza: Element) {
        let Ok(iq) = Iq::try_from(stanza.clone()) else {
            return self.bounce(&stanza, DefinedCondition::BadRequest);
        };
        let user = from.to_bare();
        match &iq.payload {
            IqPayload::Get(_) => {
                let mut query = Element::builder("query", roster::NS).build();
                for (jid, item) in self.rosters.roster(&user) {
                    query.append_child(item.element(jid));
                }
                self.deliver(iq.result(Some(query)).into());
            }
            IqPayload::Set(query) => {
                let items: Vec<&Element> = query
                    .children()
                    .filter(|c| c.is("item", roster::NS))
                    .collect();
                let [item] = items.as_slice() else {
                    return self.bounce(&stanza, DefinedCondition::BadRequest);
                };
                let Some(contact) = item.attr("jid").and_then(|j| j.parse::<BareJid>().ok()) else {
                    return self.bounce(&stanza, DefinedCondition::BadRequest);
                };
                if item.attr("subscription") == Some("remove") {
                    if let Some(old) = self.rosters.item(&user, &contact).cloned() {
                        // §2.5.2: removing a contact ends both subscriptions.
                        if old.to || old.ask {
                            self.subscription(
                                from,
                                contact.clone(),
                                subscription_stanza("unsubscribe", &user, &contact),
                            );
                        }
                        if old.from {
                            self.subscription(
                                from,
                                contact.clone(),
                                subscription_stanza("unsubscribed", &user, &contact),
                            );
                        }
                    }
                    self.rosters.remove(&user, &contact);
                } else {
                    let entry = self.rosters.item_mut(&user, &contact);
                    entry.name = item.attr("name").map(str::to_owned);
                    entry.groups = item
                        .children()
                        .filter(|g| g.is("group", roster::NS))
                        .map(Element::text)
                        .collect();
                }
                self.deliver(iq.result(None).into());
                self.push(&user, &contact);
            }
            _ => {}
        }
    }

    fn pubsub_iq(&mut self, stanza: Element, kind: ServiceKind) {
        let Ok(iq) = Iq::try_from(stanza.clone()) else {
            return self.bounce(&stanza, DefinedCondition::BadRequest);
        };
        let relations = Presence {
            resources: &self.resources,
            rosters: &self.rosters,
        };
        match self.pubsub.handle_iq(&iq, kind, &relations, now()) {
            Some(out) => {
                for s in out {
                    self.deliver(s);
                }
            }
            None if iq.payload.is_request() => {
                self.bounce(&stanza, DefinedCondition::ServiceUnavailable)
            }
            None => {}
        }
    }

    /// The server's own answers (to its domain or a user's bare JID): ping, disco, roster.
    fn server_iq(&mut self, stanza: Element) {
        let Ok(iq) = Iq::try_from(stanza.clone()) else {
            return self.bounce(&stanza, DefinedCondition::BadRequest);
        };
        let IqPayload::Get(query) = &iq.payload else {
            if iq.payload.is_request() {
                self.bounce(&stanza, DefinedCondition::ServiceUnavailable);
            }
            return;
        };
        let for_server = iq.to.as_ref().is_none_or(|t| t.node().is_none());
        let answer: Option<Element> = match query.ns().as_str() {
            "urn:xmpp:ping" => None,
            ns::DISCO_INFO if for_server => {
                let mut info = DiscoInfo::default();
                info.identities.push(Identity::new("server", "im"));
                info.features = [
                    ns::DISCO_INFO,
                    ns::DISCO_ITEMS,
                    "urn:xmpp:ping",
                    "urn:xmpp:sm:3",
                    xmppkit::carbons::NS,
                    "msgoffline",
                    "jabber:iq:roster",
                ]
                .iter()
                .map(|f| (*f).to_owned())
                .collect();
                Some(info.into())
            }
            ns::DISCO_INFO => {
                let mut info = DiscoInfo::default();
                info.identities.push(Identity::new("account", "registered"));
                info.identities.push(Identity::new("pubsub", "pep"));
                // XEP-0163 §6.1 and XEP-0313 §7: what the account serves.
                info.features = [
                    ns::DISCO_INFO,
                    xmppkit::mam::NS,
                    xmppkit::pubsub::ns::PUBSUB,
                ]
                .iter()
                .map(|f| (*f).to_owned())
                .chain(
                    xmppkit::pubsub::FEATURES
                        .iter()
                        .map(|f| xmppkit::pubsub::ns::feature(f)),
                )
                .collect();
                Some(info.into())
            }
            ns::DISCO_ITEMS if for_server => {
                let item = |jid: &BareJid| Item {
                    jid: jid.clone().into(),
                    node: None,
                    name: None,
                };
                let items = DiscoItems {
                    items: vec![item(&self.muc_domain), item(&self.pubsub_domain)],
                    ..DiscoItems::default()
                };
                Some(items.into())
            }
            _ => return self.bounce(&stanza, DefinedCondition::ServiceUnavailable),
        };
        let mut reply: Element = iq.result(answer).into();
        if iq.to.is_none() {
            // An IQ to the account itself is answered from the account.
            if let Some(from) = &iq.from {
                xmppkit::stanza::set_attr(&mut reply, "from", from.to_bare().to_string());
            }
        }
        self.deliver(reply);
    }
}

/// A presence subscription stanza between two bare JIDs.
fn subscription_stanza(type_: &str, from: &BareJid, to: &BareJid) -> Element {
    let mut p = Element::builder("presence", ns::CLIENT).build();
    xmppkit::stanza::set_attr(&mut p, "from", from.to_string());
    xmppkit::stanza::set_attr(&mut p, "to", to.to_string());
    xmppkit::stanza::set_attr(&mut p, "type", type_.to_owned());
    p
}

fn has_child_ns(stanza: &Element, namespace: &str) -> bool {
    stanza.children().any(|c| c.ns() == namespace)
}

fn is_pubsub(stanza: &Element) -> bool {
    stanza
        .children()
        .any(|c| c.ns() == xmppkit::pubsub::ns::PUBSUB || c.ns() == xmppkit::pubsub::ns::OWNER)
}
