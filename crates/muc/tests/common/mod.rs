//! A room service driven with literal stanzas, and readers for what it sends back.
#![allow(dead_code)]

use minidom::Element;
use std::collections::BTreeSet;
use xmppkit_muc::{Item, MucUser, RoomHooks, Service, ServiceConfig};
use xmppkit_stanza::datetime::DateTime;

pub const ROOM: &str = "coven@chat.shakespeare.lit";
pub const CRONE: &str = "crone1@shakespeare.lit/desktop";
pub const WICCA: &str = "wiccarocks@shakespeare.lit/laptop";
pub const HAG: &str = "hag66@shakespeare.lit/pda";
pub const PISTOL: &str = "pistol@shakespeare.lit/harfleur";

pub struct World<H: RoomHooks = ()> {
    pub muc: Service<H>,
    pub clock: i64,
}

impl World<()> {
    pub fn new() -> Self {
        Self::with(ServiceConfig::default(), ())
    }
}

impl<H: RoomHooks> World<H> {
    pub fn with(config: ServiceConfig, hooks: H) -> Self {
        World {
            muc: Service::new("chat.shakespeare.lit".parse().unwrap(), config, hooks),
            clock: 0,
        }
    }

    pub fn now(&self) -> DateTime {
        DateTime::from_unix(1_034_553_517 + self.clock, 0).unwrap()
    }

    pub fn tick(&mut self, seconds: i64) {
        self.clock += seconds;
    }

    /// Sends one stanza (`xmlns='jabber:client'` added to its root) and returns what came out.
    pub fn send(&mut self, xml: &str) -> Out {
        let name_end = xml.find([' ', '>']).unwrap();
        let xml = format!(
            "{} xmlns='jabber:client'{}",
            &xml[..name_end],
            &xml[name_end..]
        );
        let el: Element = xml.parse().unwrap_or_else(|e| panic!("{e}: {xml}"));
        self.muc.handle_stanza(el, self.now());
        self.drain()
    }

    pub fn drain(&mut self) -> Out {
        let mut out = Vec::new();
        while let Some(s) = self.muc.poll_transmit() {
            out.push(s);
        }
        Out(out)
    }

    /// `who` enters ROOM as `nick` (with extra children in the MUC element).
    pub fn join_with(&mut self, who: &str, nick: &str, inner: &str) -> Out {
        self.send(&format!(
            "<presence from='{who}' to='{ROOM}/{nick}'><x xmlns='http://jabber.org/protocol/muc'>{inner}</x></presence>"
        ))
    }

    pub fn join(&mut self, who: &str, nick: &str) -> Out {
        self.join_with(who, nick, "")
    }

    pub fn leave(&mut self, who: &str, nick: &str) -> Out {
        self.send(&format!(
            "<presence from='{who}' to='{ROOM}/{nick}' type='unavailable'/>"
        ))
    }

    /// An IQ from `who` to the room with this payload.
    pub fn iq(&mut self, who: &str, type_: &str, payload: &str) -> Out {
        self.send(&format!(
            "<iq from='{who}' to='{ROOM}' type='{type_}' id='q1'>{payload}</iq>"
        ))
    }

    pub fn admin(&mut self, who: &str, items: &str) -> Out {
        self.iq(
            who,
            "set",
            &format!("<query xmlns='http://jabber.org/protocol/muc#admin'>{items}</query>"),
        )
    }

    pub fn configure(&mut self, who: &str, fields: &str) -> Out {
        self.iq(who, "set", &format!(
            "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'>\
             <field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>{fields}</x></query>"
        ))
    }

    /// crone1 creates ROOM as firstwitch and accepts the instant room (§10.1.2), with
    /// `fields` as configuration.
    pub fn create(&mut self, fields: &str) {
        self.join(CRONE, "firstwitch");
        let out = self.configure(CRONE, fields);
        assert_eq!(out.only_to(CRONE).attr("type"), Some("result"), "{out:?}");
    }

    pub fn message(&mut self, who: &str, body: &str) -> Out {
        self.send(&format!(
            "<message from='{who}' to='{ROOM}' type='groupchat' id='m-{body}'><body>{body}</body></message>"
        ))
    }
}

pub fn field(var: &str, value: &str) -> String {
    format!("<field var='muc#roomconfig_{var}'><value>{value}</value></field>")
}

#[derive(Debug)]
pub struct Out(pub Vec<Element>);

impl Out {
    pub fn to(&self, jid: &str) -> Vec<&Element> {
        self.0
            .iter()
            .filter(|s| s.attr("to") == Some(jid))
            .collect()
    }

    pub fn only_to(&self, jid: &str) -> &Element {
        let to = self.to(jid);
        assert_eq!(to.len(), 1, "expected one stanza to {jid}: {self:?}");
        to[0]
    }

    pub fn recipients(&self) -> BTreeSet<&str> {
        self.0.iter().filter_map(|s| s.attr("to")).collect()
    }

    /// The `from` of each stanza to `jid`, in order.
    pub fn froms_to(&self, jid: &str) -> Vec<&str> {
        self.to(jid)
            .iter()
            .map(|s| s.attr("from").unwrap())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

pub fn muc_user(el: &Element) -> MucUser {
    MucUser::try_from(
        el.get_child("x", "http://jabber.org/protocol/muc#user")
            .unwrap_or_else(|| panic!("no muc#user in {}", String::from(el)))
            .clone(),
    )
    .unwrap()
}

pub fn codes(el: &Element) -> Vec<u16> {
    muc_user(el).status
}

pub fn item(el: &Element) -> Item {
    muc_user(el).items.into_iter().next().unwrap()
}

/// The defined condition of an error stanza.
pub fn condition(el: &Element) -> String {
    assert_eq!(el.attr("type"), Some("error"), "{}", String::from(el));
    let error = el.get_child("error", "jabber:client").unwrap();
    error
        .children()
        .find(|c| c.ns() == "urn:ietf:params:xml:ns:xmpp-stanzas" && c.name() != "text")
        .unwrap()
        .name()
        .to_owned()
}
