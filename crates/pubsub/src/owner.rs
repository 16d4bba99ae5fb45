//! `<pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>`: node configuration (§8.2),
//! default configuration (§8.3), deletion with redirect (§8.4), purge (§8.5), and the owner's
//! management of subscriptions (§8.8) and affiliations (§8.9).

use crate::item::SubscriptionInfo;
use crate::{ns, Affiliation};
use minidom::Element;
use xmppkit_jid::Jid;
use xmppkit_stanza::data_forms::DataForm;
use xmppkit_stanza::{ns as stanza_ns, set_attr, ParseError, Payload, Tag};

const PUBSUB: Tag = Tag::new("pubsub", ns::OWNER);

/// The owner element, one variant per use case.
///
/// ```
/// use xmppkit_pubsub::PubSubOwner;
/// let el: minidom::Element = "<pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>\
///     <delete node='princely_musings'><redirect uri='xmpp:hamlet@denmark.lit?;node=blog'/></delete>\
///     </pubsub>".parse().unwrap();
/// let PubSubOwner::Delete { node, redirect } = PubSubOwner::try_from(el).unwrap() else { panic!() };
/// assert_eq!(node, "princely_musings");
/// assert_eq!(redirect.as_deref(), Some("xmpp:hamlet@denmark.lit?;node=blog"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PubSubOwner {
    /// §8.2: the form request, the form, or the submission.
    Configure {
        /// The node.
        node: Option<String>,
        /// The form.
        form: Option<DataForm>,
    },
    /// §8.3: the default configuration (request or result).
    Default {
        /// The form.
        form: Option<DataForm>,
    },
    /// §8.4: delete, with an optional redirect URI.
    Delete {
        /// The node.
        node: String,
        /// Where subscribers should go.
        redirect: Option<String>,
    },
    /// §8.5: purge every item.
    Purge {
        /// The node.
        node: String,
    },
    /// §8.8: the node's subscriptions (request, result, or changes).
    Subscriptions {
        /// The node.
        node: String,
        /// The list.
        list: Vec<SubscriptionInfo>,
    },
    /// §8.9: the node's affiliations (request, result, or changes).
    Affiliations {
        /// The node.
        node: String,
        /// `(jid, affiliation)`.
        list: Vec<(Jid, Affiliation)>,
    },
}

impl Payload for PubSubOwner {
    const NAME: &'static str = "pubsub";
    const NS: &'static str = ns::OWNER;
}

fn form_in(el: &Element) -> Result<Option<DataForm>, ParseError> {
    el.get_child("x", stanza_ns::DATA_FORMS)
        .map(|x| DataForm::try_from(x.clone()))
        .transpose()
}

impl TryFrom<Element> for PubSubOwner {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        PUBSUB.check(&el)?;
        let Some(main) = el.children().find(|c| c.has_ns(ns::OWNER)) else {
            return Err(PUBSUB.bad_content("no request element"));
        };
        let tag = |name: &'static str| Tag::new(name, ns::OWNER);
        let node = |name| tag(name).required(main, "node").map(str::to_owned);
        Ok(match main.name() {
            "configure" => PubSubOwner::Configure {
                node: main.attr("node").map(str::to_owned),
                form: form_in(main)?,
            },
            "default" => PubSubOwner::Default {
                form: form_in(main)?,
            },
            "delete" => PubSubOwner::Delete {
                node: node("delete")?,
                redirect: main
                    .get_child("redirect", ns::OWNER)
                    .and_then(|r| r.attr("uri"))
                    .map(str::to_owned),
            },
            "purge" => PubSubOwner::Purge {
                node: node("purge")?,
            },
            "subscriptions" => PubSubOwner::Subscriptions {
                node: node("subscriptions")?,
                list: main
                    .children()
                    .filter(|c| c.is("subscription", ns::OWNER))
                    .map(|c| SubscriptionInfo::parse(c, ns::OWNER))
                    .collect::<Result<_, _>>()?,
            },
            "affiliations" => PubSubOwner::Affiliations {
                node: node("affiliations")?,
                list: main
                    .children()
                    .filter(|c| c.is("affiliation", ns::OWNER))
                    .map(|c| {
                        let t = tag("affiliation");
                        let jid = t
                            .jid_attr(c, "jid")?
                            .ok_or_else(|| t.missing_child("jid attribute"))?;
                        let a = t
                            .parse_attr(c, "affiliation")?
                            .ok_or_else(|| t.missing_child("affiliation attribute"))?;
                        Ok((jid, a))
                    })
                    .collect::<Result<_, ParseError>>()?,
            },
            other => return Err(PUBSUB.bad_content(format!("unknown request <{other}/>"))),
        })
    }
}

fn element(name: &str, node: Option<&str>) -> Element {
    let mut el = Element::builder(name, ns::OWNER).build();
    if let Some(n) = node {
        set_attr(&mut el, "node", n.to_owned());
    }
    el
}

impl From<PubSubOwner> for Element {
    fn from(p: PubSubOwner) -> Element {
        let mut root = PUBSUB.element();
        let child = match p {
            PubSubOwner::Configure { node, form } => {
                let mut c = element("configure", node.as_deref());
                if let Some(f) = form {
                    c.append_child(f.into());
                }
                c
            }
            PubSubOwner::Default { form } => {
                let mut d = element("default", None);
                if let Some(f) = form {
                    d.append_child(f.into());
                }
                d
            }
            PubSubOwner::Delete { node, redirect } => {
                let mut d = element("delete", Some(&node));
                if let Some(uri) = redirect {
                    let mut r = Element::builder("redirect", ns::OWNER).build();
                    set_attr(&mut r, "uri", uri);
                    d.append_child(r);
                }
                d
            }
            PubSubOwner::Purge { node } => element("purge", Some(&node)),
            PubSubOwner::Subscriptions { node, list } => {
                let mut s = element("subscriptions", Some(&node));
                for info in list {
                    s.append_child(info.to_element(ns::OWNER));
                }
                s
            }
            PubSubOwner::Affiliations { node, list } => {
                let mut a = element("affiliations", Some(&node));
                for (jid, affiliation) in list {
                    let mut e = element("affiliation", None);
                    set_attr(&mut e, "jid", jid.to_string());
                    set_attr(&mut e, "affiliation", affiliation.name());
                    a.append_child(e);
                }
                a
            }
        };
        root.append_child(child);
        root
    }
}
