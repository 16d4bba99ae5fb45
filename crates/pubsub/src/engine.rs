//! The service engine (XEP-0060 §5–§8, XEP-0163 for PEP): one entry point for pubsub IQs, the
//! request dispatched to one handler per use case (files under `engine/`), and notifications
//! built once and addressed to every recipient.

mod entity;
mod owner;
mod publish;

use crate::config::NodeConfig;
use crate::error::Refusal;
use crate::event::Event;
use crate::privileges::Relation;
use crate::store::{Node, NodeStore};
use crate::{ns, PubSub, PubSubOwner, SendLastItem, Subscription};
use minidom::Element;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::delay::Delay;
use xmppkit_stanza::disco::{DiscoInfo, DiscoItems, Identity};
use xmppkit_stanza::{
    ns as stanza_ns, set_attr, DefinedCondition, FanOut, Iq, IqPayload, Outgoing, StanzaError,
};

/// Which kind of service an IQ is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceKind {
    /// A pubsub component (e.g. `pubsub.example.org`).
    Service,
    /// A user's own PEP service at their bare JID (XEP-0163): only they create and publish,
    /// nodes are created on first publish, the default access model is `presence`.
    Pep,
}

/// Who may create nodes on a [`ServiceKind::Service`]; with `Nobody` creation answers
/// `feature-not-implemented` (`create-nodes`).
pub type CreatePolicy = xmppkit_jid::route::Admission;

/// Limits and defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubSubConfig {
    /// Who may create nodes on a service.
    pub create: CreatePolicy,
    /// The configuration of new nodes on a service.
    pub default_node: NodeConfig,
    /// The configuration of new PEP nodes.
    pub pep_node: NodeConfig,
    /// Publishing to a missing node creates it (always on for PEP).
    pub auto_create: bool,
    /// The most nodes per service (or per PEP account).
    pub max_nodes: usize,
    /// The largest payload, in characters of XML.
    pub max_payload: usize,
    /// The most subscriptions one bare JID may hold on one node.
    pub max_subscriptions: usize,
}

impl Default for PubSubConfig {
    fn default() -> Self {
        PubSubConfig {
            create: CreatePolicy::Anyone,
            default_node: NodeConfig::default(),
            pep_node: NodeConfig {
                access_model: crate::AccessModel::Presence,
                max_items: 1,
                send_last_published_item: SendLastItem::OnSubAndPresence,
                ..NodeConfig::default()
            },
            auto_create: true,
            max_nodes: 10_000,
            max_payload: 64 * 1024,
            max_subscriptions: 8,
        }
    }
}

/// What the engine needs to know about users, from the server's roster and presence.
pub trait Relations {
    /// `contact` has a presence subscription (`from` or `both`) to `owner`.
    fn presence_subscribed(&self, owner: &BareJid, contact: &BareJid) -> bool {
        let _ = (owner, contact);
        false
    }

    /// The groups `owner` put `contact` in.
    fn roster_groups(&self, owner: &BareJid, contact: &BareJid) -> Vec<String> {
        let _ = (owner, contact);
        Vec::new()
    }

    /// PEP (XEP-0163 §4): the full JIDs that want notifications for `namespace` from `owner` —
    /// online resources of `owner` and of its contacts with a presence subscription whose
    /// entity capabilities include `namespace+notify`.
    fn interested(&self, owner: &BareJid, namespace: &str) -> Vec<Jid> {
        let _ = (owner, namespace);
        Vec::new()
    }
}

impl Relations for () {}

/// The pubsub engine over a [`NodeStore`].
///
/// ```
/// use xmppkit_pubsub::{Engine, MemoryStore, PubSubConfig, ServiceKind};
/// use xmppkit_stanza::Iq;
/// let now = "2003-12-13T18:30:02Z".parse().unwrap();
/// let mut pubsub = Engine::new(MemoryStore::default(), PubSubConfig::default());
/// let iq = |xml: &str| Iq::try_from(xml.parse::<minidom::Element>().unwrap()).unwrap();
/// let out = pubsub.handle_iq(&iq("<iq xmlns='jabber:client' type='set' id='c1' from='hamlet@denmark.lit/elsinore' \
///     to='pubsub.shakespeare.lit'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
///     <create node='princely_musings'/></pubsub></iq>"), ServiceKind::Service, &(), now).unwrap();
/// assert_eq!(out[0].attr("type"), Some("result"));
/// let out = pubsub.handle_iq(&iq("<iq xmlns='jabber:client' type='set' id='s1' from='francisco@denmark.lit/barracks' \
///     to='pubsub.shakespeare.lit'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
///     <subscribe node='princely_musings' jid='francisco@denmark.lit'/></pubsub></iq>"), ServiceKind::Service, &(), now).unwrap();
/// assert_eq!(out[0].attr("type"), Some("result"));
/// let out = pubsub.handle_iq(&iq("<iq xmlns='jabber:client' type='set' id='p1' from='hamlet@denmark.lit/elsinore' \
///     to='pubsub.shakespeare.lit'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
///     <publish node='princely_musings'><item id='bnd81g37d61f49fgn581'>\
///     <entry xmlns='http://www.w3.org/2005/Atom'><title>Soliloquy</title></entry></item></publish>\
///     </pubsub></iq>"), ServiceKind::Service, &(), now).unwrap();
/// // The result, then the notification to the subscriber.
/// assert_eq!(out.len(), 2);
/// assert_eq!(out[1].attr("to"), Some("francisco@denmark.lit"));
/// ```
#[derive(Debug, Default)]
pub struct Engine<S> {
    store: S,
    config: PubSubConfig,
    next_id: u64,
}

/// One request being handled.
pub(crate) struct Request<'a> {
    pub iq: &'a Iq,
    pub service: BareJid,
    pub requester: Jid,
    pub bare: BareJid,
    pub kind: ServiceKind,
    pub relations: &'a dyn Relations,
    pub now: DateTime,
    pub out: Vec<Outgoing>,
}

impl Request<'_> {
    pub fn result(&mut self, payload: Option<Element>) {
        self.send(self.iq.result(payload).into());
    }

    pub fn refuse(&mut self, refusal: Refusal) {
        self.send(self.iq.error(refusal.stanza_error()).into());
    }

    /// Queues one addressed stanza.
    pub fn send(&mut self, stanza: Element) {
        self.out.push(Outgoing::Stanza(stanza));
    }

    /// The requester's relation to `node`'s owners.
    pub fn relation(&self, node: &Node) -> Relation {
        relation_of(self.relations, node, &self.bare)
    }
}

/// `who`'s relation to `node`'s owners: a presence subscription, an allowed roster group.
fn relation_of(relations: &dyn Relations, node: &Node, who: &BareJid) -> Relation {
    let mut relation = Relation::default();
    for owner in node.owners() {
        if relations.presence_subscribed(owner, who) {
            relation.presence = true;
        }
        let groups = relations.roster_groups(owner, who);
        if groups
            .iter()
            .any(|g| node.config.roster_groups_allowed.contains(g))
        {
            relation.roster_group = true;
        }
    }
    relation
}

impl<S: NodeStore> Engine<S> {
    /// An engine over `store`.
    pub fn new(store: S, config: PubSubConfig) -> Self {
        Engine {
            store,
            config,
            next_id: 0,
        }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The store, to change (e.g. load nodes).
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// The configuration.
    pub fn config(&self) -> &PubSubConfig {
        &self.config
    }

    fn new_id(&mut self, now: DateTime) -> String {
        self.next_id += 1;
        format!("{:x}-{}", now.0.timestamp_micros(), self.next_id)
    }

    /// An IQ to a pubsub service (`kind`) or PEP account: `None` when it is not for pubsub (or
    /// disco on a service); otherwise the stanzas to route, each addressed: the answer first,
    /// then the notifications it caused. A PEP IQ without `to` is for the sender's own account.
    pub fn handle_iq(
        &mut self,
        iq: &Iq,
        kind: ServiceKind,
        relations: &dyn Relations,
        now: DateTime,
    ) -> Option<Vec<Element>> {
        let out = self.handle_iq_outgoing(iq, kind, relations, now)?;
        Some(out.into_iter().flat_map(Outgoing::into_stanzas).collect())
    }

    /// [`Engine::handle_iq`], with each notification kept as one [`FanOut`] to its recipients
    /// (serialized once) for a server to write per recipient.
    pub fn handle_iq_outgoing(
        &mut self,
        iq: &Iq,
        kind: ServiceKind,
        relations: &dyn Relations,
        now: DateTime,
    ) -> Option<Vec<Outgoing>> {
        let (element, set) = match &iq.payload {
            IqPayload::Get(e) => (e, false),
            IqPayload::Set(e) => (e, true),
            _ => return None,
        };
        let namespace = element.ns();
        let ours = matches!(namespace.as_str(), ns::PUBSUB | ns::OWNER)
            || (kind == ServiceKind::Service
                && matches!(
                    namespace.as_str(),
                    stanza_ns::DISCO_INFO | stanza_ns::DISCO_ITEMS
                ));
        if !ours {
            return None;
        }
        let Some(requester) = iq.from.clone() else {
            let error: Element = iq
                .error(StanzaError::new(DefinedCondition::BadRequest))
                .into();
            return Some(vec![error.into()]);
        };
        let bare = requester.to_bare();
        let service = iq.to.as_ref().map_or_else(|| bare.clone(), Jid::to_bare);
        let mut request = Request {
            iq,
            service,
            requester,
            bare,
            kind,
            relations,
            now,
            out: Vec::new(),
        };
        match namespace.as_str() {
            ns::PUBSUB => match PubSub::try_from(element.clone()) {
                Ok(p) => self.entity(&mut request, p, set),
                Err(e) => request.send(
                    iq.error(
                        StanzaError::new(DefinedCondition::BadRequest)
                            .with_text("en", e.to_string()),
                    )
                    .into(),
                ),
            },
            ns::OWNER => match PubSubOwner::try_from(element.clone()) {
                Ok(p) => self.owner(&mut request, p, set),
                Err(e) => request.send(
                    iq.error(
                        StanzaError::new(DefinedCondition::BadRequest)
                            .with_text("en", e.to_string()),
                    )
                    .into(),
                ),
            },
            stanza_ns::DISCO_INFO if !set => self.disco_info(&mut request, element.attr("node")),
            stanza_ns::DISCO_ITEMS if !set => self.disco_items(&mut request, element.attr("node")),
            _ => request.refuse(DefinedCondition::BadRequest.into()),
        }
        if set && self.store.flush().is_err() {
            // Nothing is answered as done that is not stored; nobody is told of it either.
            let error = StanzaError::new(DefinedCondition::InternalServerError)
                .with_text("en", "the change could not be stored");
            return Some(vec![Outgoing::Stanza(iq.error(error).into())]);
        }
        Some(request.out)
    }

    /// `subscriber` came online (XEP-0060 §6.1.7, `on_sub_and_presence`): the last item of each
    /// node of `service` it is subscribed to with that setting, as notifications to it.
    pub fn presence_available(&self, service: &BareJid, subscriber: &Jid) -> Vec<Element> {
        let bare = subscriber.to_bare();
        let mut out = Vec::new();
        for node in self.store.nodes(service) {
            let subscribed = node
                .subscriptions_of(&bare)
                .any(|s| s.state == Subscription::Subscribed);
            if subscribed && node.config.send_last_published_item == SendLastItem::OnSubAndPresence
            {
                if let Some(message) = last_item_message(service, node, subscriber) {
                    out.push(message);
                }
            }
        }
        out
    }

    fn disco_info(&self, r: &mut Request<'_>, node: Option<&str>) {
        let mut info = DiscoInfo::default();
        match node {
            None => {
                info.identities.push(Identity::new("pubsub", "service"));
                info.features = FEATURES.iter().map(|f| ns::feature(f)).collect();
                info.features.push(stanza_ns::DISCO_INFO.to_owned());
                info.features.push(stanza_ns::DISCO_ITEMS.to_owned());
                info.features.push(ns::PUBSUB.to_owned());
            }
            Some(id) => {
                let Some(n) = self.store.node(&r.service, id) else {
                    return r.refuse(DefinedCondition::ItemNotFound.into());
                };
                info.node = Some(id.to_owned());
                info.identities.push(Identity::new("pubsub", "leaf"));
                info.features.push(stanza_ns::DISCO_INFO.to_owned());
                let mut meta = n.config.to_form();
                meta.type_ = xmppkit_stanza::data_forms::FormType::Result;
                if let Some(f) = meta.fields.first_mut() {
                    f.values = vec![ns::META_DATA.to_owned()];
                }
                info.extensions.push(meta);
            }
        }
        r.result(Some(info.into()));
    }

    fn disco_items(&self, r: &mut Request<'_>, node: Option<&str>) {
        let mut items = DiscoItems::default();
        if node.is_none() {
            for n in self.store.nodes(&r.service) {
                items.items.push(xmppkit_stanza::disco::Item {
                    jid: r.service.clone().into(),
                    node: Some(n.id.clone()),
                    name: Some(n.config.title.clone()).filter(|t| !t.is_empty()),
                });
            }
        } else {
            items.node = node.map(str::to_owned);
            if let Some(n) = node.and_then(|id| self.store.node(&r.service, id)) {
                for item in &n.items {
                    items.items.push(xmppkit_stanza::disco::Item {
                        jid: r.service.clone().into(),
                        node: None,
                        name: Some(item.id.clone()),
                    });
                }
            } else {
                return r.refuse(DefinedCondition::ItemNotFound.into());
            }
        }
        r.result(Some(items.into()));
    }
}

/// The features of §16.5 this engine serves.
pub const FEATURES: [&str; 24] = [
    "access-authorize",
    "access-open",
    "access-presence",
    "access-roster",
    "access-whitelist",
    "auto-create",
    "config-node",
    "create-and-configure",
    "create-nodes",
    "delete-items",
    "delete-nodes",
    "instant-nodes",
    "item-ids",
    "last-published",
    "manage-subscriptions",
    "modify-affiliations",
    "multi-subscribe",
    "outcast-affiliation",
    "persistent-items",
    "publish",
    "publish-options",
    "purge-nodes",
    "retract-items",
    "subscribe",
];

/// The notification message carrying `event` from `service`, without `to`.
pub(crate) fn event_message(service: &BareJid, event: Event, id: String) -> Element {
    let mut m = Element::builder("message", stanza_ns::CLIENT).build();
    set_attr(&mut m, "from", service.to_string());
    set_attr(&mut m, "type", "headline");
    set_attr(&mut m, "id", id);
    m.append_child(event.into());
    m
}

/// Sends `message` (built once, without `to`) to each recipient of `node`'s notifications:
/// approved subscribers, and for PEP the interested resources the server names that the node's
/// access model lets retrieve its items (XEP-0163 §4.3: a `whitelist` node, bookmarks or
/// XEP-0490 read state, notifies its owner's resources only, never the owner's contacts); each
/// JID once.
pub(crate) fn notify(
    message: Element,
    service: &BareJid,
    node: &Node,
    kind: ServiceKind,
    relations: &dyn Relations,
    out: &mut Vec<Outgoing>,
) {
    let interested = match kind {
        ServiceKind::Pep => relations
            .interested(service, &node.id)
            .into_iter()
            .filter(|jid| {
                let bare = jid.to_bare();
                let relation = relation_of(relations, node, &bare);
                crate::privileges::may_retrieve(
                    node.affiliation(&bare),
                    node.config.access_model,
                    relation,
                    false,
                )
                .is_ok()
            })
            .collect(),
        ServiceKind::Service => Vec::new(),
    };
    let subscribers = node
        .subscriptions
        .iter()
        .filter(|s| s.state == Subscription::Subscribed)
        .map(|s| &s.jid);
    let mut seen = std::collections::HashSet::with_capacity(node.subscriptions.len());
    let recipients: Vec<Jid> = subscribers
        .chain(interested.iter())
        .filter(|jid| seen.insert(jid.as_str()))
        .cloned()
        .collect();
    fan_out(message, recipients, out);
}

/// Sends `message` to each of `to`, serialized once.
pub(crate) fn fan_out(message: Element, to: Vec<Jid>, out: &mut Vec<Outgoing>) {
    if !to.is_empty() {
        out.push(Outgoing::FanOut(FanOut::new(message, to)));
    }
}

/// The last item of `node` as a notification to `to`, stamped with its publication time
/// (§6.1.7).
pub(crate) fn last_item_message(service: &BareJid, node: &Node, to: &Jid) -> Option<Element> {
    let last = node.last.as_ref()?;
    let event = Event::Items {
        node: node.id.clone(),
        items: vec![crate::Item {
            id: Some(last.id.clone()),
            publisher: None,
            payload: last
                .payload
                .clone()
                .filter(|_| node.config.deliver_payloads),
        }],
        retracts: Vec::new(),
    };
    let mut m = event_message(service, event, format!("last-{}", last.id));
    set_attr(&mut m, "to", to.to_string());
    m.append_child(
        Delay {
            from: Some(service.clone().into()),
            stamp: last.stamp,
            reason: None,
        }
        .into(),
    );
    Some(m)
}
