//! A pubsub engine driven with literal IQs, a roster the tests set up, and readers for what
//! comes back.
#![allow(dead_code)]

use minidom::Element;
use std::collections::{HashMap, HashSet};
use xmppkit_jid::{BareJid, Jid};
use xmppkit_pubsub::{Engine, Event, MemoryStore, PubSubConfig, Relations, ServiceKind};
use xmppkit_stanza::datetime::DateTime;

pub const SERVICE: &str = "pubsub.shakespeare.lit";
pub const NODE: &str = "princely_musings";
pub const HAMLET: &str = "hamlet@denmark.lit/elsinore";
pub const FRANCISCO: &str = "francisco@denmark.lit/barracks";
pub const BERNARDO: &str = "bernardo@denmark.lit/pda";
pub const HORATIO: &str = "horatio@denmark.lit/castle";

#[derive(Default)]
pub struct Roster {
    /// (owner, contact): contact has a presence subscription to owner.
    pub presence: HashSet<(String, String)>,
    /// (owner, contact) → groups.
    pub groups: HashMap<(String, String), Vec<String>>,
    /// (owner, namespace) → interested full JIDs (PEP +notify).
    pub interested: HashMap<(String, String), Vec<String>>,
}

impl Relations for Roster {
    fn presence_subscribed(&self, owner: &BareJid, contact: &BareJid) -> bool {
        self.presence
            .contains(&(owner.to_string(), contact.to_string()))
    }
    fn roster_groups(&self, owner: &BareJid, contact: &BareJid) -> Vec<String> {
        self.groups
            .get(&(owner.to_string(), contact.to_string()))
            .cloned()
            .unwrap_or_default()
    }
    fn interested(&self, owner: &BareJid, namespace: &str) -> Vec<Jid> {
        self.interested
            .get(&(owner.to_string(), namespace.to_owned()))
            .map(|v| v.iter().map(|j| j.parse().unwrap()).collect())
            .unwrap_or_default()
    }
}

pub struct World {
    pub ps: Engine<MemoryStore>,
    pub roster: Roster,
    pub clock: i64,
}

impl World {
    pub fn new() -> Self {
        Self::with(PubSubConfig::default())
    }

    pub fn with(config: PubSubConfig) -> Self {
        World {
            ps: Engine::new(MemoryStore::default(), config),
            roster: Roster::default(),
            clock: 0,
        }
    }

    pub fn now(&self) -> DateTime {
        DateTime::from_unix(1_071_340_202 + self.clock, 0).unwrap()
    }

    fn iq(
        &mut self,
        kind: ServiceKind,
        from: &str,
        to: Option<&str>,
        type_: &str,
        payload: &str,
    ) -> Out {
        let to = to.map(|t| format!(" to='{t}'")).unwrap_or_default();
        let xml = format!(
            "<iq xmlns='jabber:client' type='{type_}' id='q1' from='{from}'{to}>{payload}</iq>"
        );
        let el: Element = xml.parse().unwrap_or_else(|e| panic!("{e}: {xml}"));
        let iq = xmppkit_stanza::Iq::try_from(el).unwrap();
        let now = self.now();
        Out(self
            .ps
            .handle_iq(&iq, kind, &self.roster, now)
            .expect("a pubsub IQ"))
    }

    /// A `pubsub` request to the service.
    pub fn pubsub(&mut self, from: &str, type_: &str, inner: &str) -> Out {
        self.iq(
            ServiceKind::Service,
            from,
            Some(SERVICE),
            type_,
            &format!("<pubsub xmlns='http://jabber.org/protocol/pubsub'>{inner}</pubsub>"),
        )
    }

    /// A `pubsub#owner` request to the service.
    pub fn owner(&mut self, from: &str, type_: &str, inner: &str) -> Out {
        self.iq(
            ServiceKind::Service,
            from,
            Some(SERVICE),
            type_,
            &format!("<pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>{inner}</pubsub>"),
        )
    }

    /// A `pubsub` request to a PEP account (`to` None: the sender's own).
    pub fn pep(&mut self, from: &str, to: Option<&str>, type_: &str, inner: &str) -> Out {
        self.iq(
            ServiceKind::Pep,
            from,
            to,
            type_,
            &format!("<pubsub xmlns='http://jabber.org/protocol/pubsub'>{inner}</pubsub>"),
        )
    }

    /// hamlet creates NODE with these configuration fields.
    pub fn create(&mut self, fields: &str) {
        let configure = if fields.is_empty() {
            String::new()
        } else {
            format!("<configure><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'>\
                <value>http://jabber.org/protocol/pubsub#node_config</value></field>{fields}</x></configure>")
        };
        let out = self.pubsub(
            HAMLET,
            "set",
            &format!("<create node='{NODE}'/>{configure}"),
        );
        assert_eq!(out.0[0].attr("type"), Some("result"), "{out:?}");
    }

    pub fn subscribe(&mut self, who: &str) -> Out {
        let bare = who.split('/').next().unwrap();
        self.pubsub(
            who,
            "set",
            &format!("<subscribe node='{NODE}' jid='{bare}'/>"),
        )
    }

    pub fn publish(&mut self, who: &str, id: &str, title: &str) -> Out {
        self.pubsub(who, "set", &format!("<publish node='{NODE}'><item id='{id}'>\
            <entry xmlns='http://www.w3.org/2005/Atom'><title>{title}</title></entry></item></publish>"))
    }

    pub fn items(&mut self, who: &str, attrs: &str) -> Out {
        self.pubsub(who, "get", &format!("<items node='{NODE}'{attrs}/>"))
    }
}

pub fn field(var: &str, value: &str) -> String {
    format!("<field var='pubsub#{var}'><value>{value}</value></field>")
}

#[derive(Debug)]
pub struct Out(pub Vec<Element>);

impl Out {
    /// The IQ answer (always first).
    pub fn answer(&self) -> &Element {
        &self.0[0]
    }

    pub fn ok(&self) -> bool {
        self.answer().attr("type") == Some("result")
    }

    /// `condition` or `condition/pubsub-condition` of the error answer; "ok" for a result.
    pub fn outcome(&self) -> String {
        let a = self.answer();
        if a.attr("type") == Some("result") {
            return "ok".into();
        }
        let error = a.get_child("error", "jabber:client").expect("an error");
        let defined = error
            .children()
            .find(|c| c.ns() == "urn:ietf:params:xml:ns:xmpp-stanzas" && c.name() != "text")
            .unwrap()
            .name()
            .to_owned();
        match error
            .children()
            .find(|c| c.ns() == xmppkit_pubsub::ns::ERRORS)
        {
            Some(app) => format!("{defined}/{}", app.name()),
            None => defined,
        }
    }

    /// The notifications (everything after the answer), as (to, event).
    pub fn events(&self) -> Vec<(String, Event)> {
        self.0[1..]
            .iter()
            .map(|m| {
                (
                    m.attr("to").unwrap().to_owned(),
                    xmppkit_pubsub::client::event(m).unwrap(),
                )
            })
            .collect()
    }

    pub fn recipients(&self) -> Vec<String> {
        let mut r: Vec<String> = self.events().into_iter().map(|(to, _)| to).collect();
        r.sort();
        r
    }

    /// The payload of the answer.
    pub fn payload(&self) -> Element {
        self.answer().children().next().expect("a payload").clone()
    }
}

impl World {
    /// A disco query to the service (optionally about a node).
    pub fn iq_disco(&mut self, from: &str, namespace: &str, node: Option<&str>) -> Out {
        let node = node.map(|n| format!(" node='{n}'")).unwrap_or_default();
        self.iq(
            ServiceKind::Service,
            from,
            Some(SERVICE),
            "get",
            &format!("<query xmlns='{namespace}'{node}/>"),
        )
    }
}
