//! The pieces `muc#user`, `muc#admin` and `muc#owner` share: `<item/>` with its `<actor/>`,
//! `<reason/>` and `<continue/>` (§9, §15.4–15.5), and `<destroy/>` (§10.9). They are written
//! in the namespace of the element that holds them.

use crate::{Affiliation, Role};
use minidom::Element;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_stanza::{set_attr, ParseError, Tag};

/// An `<item/>`: who (JID and/or nick), with which affiliation and role, and why.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Item {
    /// The affiliation.
    pub affiliation: Option<Affiliation>,
    /// The role.
    pub role: Option<Role>,
    /// The real JID.
    pub jid: Option<Jid>,
    /// The room nickname.
    pub nick: Option<String>,
    /// Who made the change.
    pub actor: Option<Actor>,
    /// Why.
    pub reason: Option<String>,
    /// `<continue/>`: the room continues a one-to-one chat (§7.9), with its thread.
    pub continue_: Option<Continue>,
}

/// `<actor/>`: the occupant (nick) or user (JID) who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actor {
    /// Real JID.
    pub jid: Option<Jid>,
    /// Room nickname.
    pub nick: Option<String>,
}

/// `<continue thread='…'/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Continue {
    /// The thread of the one-to-one chat.
    pub thread: Option<String>,
}

/// `<destroy jid='…'><reason/><password/></destroy>`: the room is gone; `jid` is an alternate
/// venue.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Destroy {
    /// The alternate room.
    pub jid: Option<BareJid>,
    /// Why.
    pub reason: Option<String>,
    /// The alternate room's password.
    pub password: Option<String>,
}

fn text_child(parent: &Element, name: &str, ns: &str) -> Option<String> {
    parent.get_child(name, ns).map(Element::text)
}

fn push_text(parent: &mut Element, name: &str, ns: &str, text: Option<String>) {
    if let Some(text) = text {
        let mut child = Element::builder(name, ns).build();
        if !text.is_empty() {
            child.append_text_node(text);
        }
        parent.append_child(child);
    }
}

impl Item {
    /// An item for a role change by nick (§8).
    pub fn role(nick: impl Into<String>, role: Role) -> Self {
        Item {
            role: Some(role),
            nick: Some(nick.into()),
            ..Item::default()
        }
    }

    /// An item for an affiliation change by JID (§9, §10).
    pub fn affiliation(jid: impl Into<Jid>, affiliation: Affiliation) -> Self {
        Item {
            affiliation: Some(affiliation),
            jid: Some(jid.into()),
            ..Item::default()
        }
    }

    /// Parses `<item/>` in `ns`.
    pub fn parse(el: &Element, ns: &'static str) -> Result<Self, ParseError> {
        let tag = Tag::new("item", ns);
        tag.check(el)?;
        let actor = match el.get_child("actor", ns) {
            Some(a) => {
                let actor_tag = Tag::new("actor", ns);
                Some(Actor {
                    jid: actor_tag.jid_attr(a, "jid")?,
                    nick: a.attr("nick").map(str::to_owned),
                })
            }
            None => None,
        };
        Ok(Item {
            affiliation: tag.parse_attr(el, "affiliation")?,
            role: tag.parse_attr(el, "role")?,
            jid: tag.jid_attr(el, "jid")?,
            nick: el.attr("nick").map(str::to_owned),
            actor,
            reason: text_child(el, "reason", ns),
            continue_: el.get_child("continue", ns).map(|c| Continue {
                thread: c.attr("thread").map(str::to_owned),
            }),
        })
    }

    /// Writes `<item/>` in `ns`.
    pub fn to_element(&self, ns: &str) -> Element {
        let mut el = Element::builder("item", ns).build();
        if let Some(a) = self.affiliation {
            set_attr(&mut el, "affiliation", a.name());
        }
        if let Some(j) = &self.jid {
            set_attr(&mut el, "jid", j.to_string());
        }
        if let Some(n) = &self.nick {
            set_attr(&mut el, "nick", n.clone());
        }
        if let Some(r) = self.role {
            set_attr(&mut el, "role", r.name());
        }
        if let Some(actor) = &self.actor {
            let mut a = Element::builder("actor", ns).build();
            if let Some(j) = &actor.jid {
                set_attr(&mut a, "jid", j.to_string());
            }
            if let Some(n) = &actor.nick {
                set_attr(&mut a, "nick", n.clone());
            }
            el.append_child(a);
        }
        push_text(&mut el, "reason", ns, self.reason.clone());
        if let Some(c) = &self.continue_ {
            let mut cont = Element::builder("continue", ns).build();
            if let Some(t) = &c.thread {
                set_attr(&mut cont, "thread", t.clone());
            }
            el.append_child(cont);
        }
        el
    }
}

impl Destroy {
    /// Parses `<destroy/>` in `ns`.
    pub fn parse(el: &Element, ns: &'static str) -> Result<Self, ParseError> {
        let tag = Tag::new("destroy", ns);
        tag.check(el)?;
        let jid = match el.attr("jid") {
            None => None,
            Some(v) => Some(
                v.parse::<BareJid>()
                    .map_err(|e| tag.bad("jid", v, format!("not a room JID: {e}")))?,
            ),
        };
        Ok(Destroy {
            jid,
            reason: text_child(el, "reason", ns),
            password: text_child(el, "password", ns),
        })
    }

    /// Writes `<destroy/>` in `ns`.
    pub fn to_element(&self, ns: &str) -> Element {
        let mut el = Element::builder("destroy", ns).build();
        if let Some(j) = &self.jid {
            set_attr(&mut el, "jid", j.to_string());
        }
        push_text(&mut el, "reason", ns, self.reason.clone());
        push_text(&mut el, "password", ns, self.password.clone());
        el
    }
}
