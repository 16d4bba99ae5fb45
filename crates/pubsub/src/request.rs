//! `<pubsub xmlns='http://jabber.org/protocol/pubsub'>`: every entity use case of §5–§7 as a
//! request, and the results that carry data (create, subscription, items, publish,
//! subscriptions, affiliations, options, default).

use crate::item::{Item, SubscriptionInfo};
use crate::{ns, Affiliation};
use minidom::Element;
use xmppkit_jid::Jid;
use xmppkit_stanza::data_forms::DataForm;
use xmppkit_stanza::rsm::Set;
use xmppkit_stanza::{ns as stanza_ns, set_attr, ParseError, Payload, Tag};

const PUBSUB: Tag = Tag::new("pubsub", ns::PUBSUB);

/// The `pubsub` element, one variant per use case.
///
/// ```
/// use xmppkit_pubsub::PubSub;
/// let el: minidom::Element = "<pubsub xmlns='http://jabber.org/protocol/pubsub'>\
///     <subscribe node='princely_musings' jid='francisco@denmark.lit'/></pubsub>".parse().unwrap();
/// let PubSub::Subscribe { node, jid, .. } = PubSub::try_from(el).unwrap() else { panic!() };
/// assert_eq!(node.as_deref(), Some("princely_musings"));
/// assert_eq!(jid.to_string(), "francisco@denmark.lit");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PubSub {
    /// §8.1 create a node (no node: an instant node), optionally configured; also the result
    /// naming an instant node.
    Create {
        /// The node id.
        node: Option<String>,
        /// `<configure/>` was present, with this form (§8.1.3).
        configure: Option<Option<DataForm>>,
    },
    /// §6.1 subscribe, optionally with options (§6.3.7).
    Subscribe {
        /// The node.
        node: Option<String>,
        /// The subscriber.
        jid: Jid,
        /// Subscription options.
        options: Option<DataForm>,
    },
    /// The subscription (result of subscribe, §6.1.2).
    Subscription(SubscriptionInfo),
    /// §6.2 unsubscribe.
    Unsubscribe {
        /// The node.
        node: Option<String>,
        /// The subscriber.
        jid: Jid,
        /// Which subscription.
        subid: Option<String>,
    },
    /// §6.3 subscription options (request, form, or submission).
    Options {
        /// The node.
        node: Option<String>,
        /// The subscriber.
        jid: Jid,
        /// Which subscription.
        subid: Option<String>,
        /// The form.
        form: Option<DataForm>,
    },
    /// §6.4 default subscription options (request or result).
    Default {
        /// The node.
        node: Option<String>,
        /// The form.
        form: Option<DataForm>,
    },
    /// §6.5 items: the request (`max_items`, or ids as empty items) or the result.
    Items {
        /// The node.
        node: String,
        /// At most this many, newest.
        max_items: Option<u32>,
        /// The subscription asking.
        subid: Option<String>,
        /// The items (only ids in requests).
        items: Vec<Item>,
        /// Paging (XEP-0059).
        rsm: Option<Set>,
    },
    /// §7.1 publish, with preconditions (§7.1.5); also the result with the item ids.
    Publish {
        /// The node.
        node: String,
        /// The items.
        items: Vec<Item>,
        /// `publish-options` preconditions.
        options: Option<DataForm>,
    },
    /// §7.2 retract.
    Retract {
        /// The node.
        node: String,
        /// Whether subscribers are told.
        notify: bool,
        /// The item ids.
        ids: Vec<String>,
    },
    /// §5.6 the requester's subscriptions (request or result).
    Subscriptions {
        /// Only this node.
        node: Option<String>,
        /// The list.
        list: Vec<SubscriptionInfo>,
    },
    /// §5.7 the requester's affiliations (request or result).
    Affiliations {
        /// Only this node.
        node: Option<String>,
        /// `(node, affiliation)`.
        list: Vec<(String, Affiliation)>,
    },
}

impl Payload for PubSub {
    const NAME: &'static str = "pubsub";
    const NS: &'static str = ns::PUBSUB;
}

fn form_in(parent: Option<&Element>) -> Result<Option<DataForm>, ParseError> {
    parent
        .and_then(|p| p.get_child("x", stanza_ns::DATA_FORMS))
        .map(|x| DataForm::try_from(x.clone()))
        .transpose()
}

fn node(el: &Element) -> Option<String> {
    el.attr("node").map(str::to_owned)
}

fn required_node(el: &Element, tag: Tag) -> Result<String, ParseError> {
    tag.required(el, "node").map(str::to_owned)
}

fn jid(el: &Element, tag: Tag) -> Result<Jid, ParseError> {
    tag.jid_attr(el, "jid")?
        .ok_or(ParseError::MissingAttribute {
            element: tag.name,
            ns: tag.ns,
            attribute: "jid",
        })
}

impl TryFrom<Element> for PubSub {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        PUBSUB.check(&el)?;
        let child = |name: &str| el.get_child(name, ns::PUBSUB);
        let Some(main) = el.children().find(|c| {
            c.has_ns(ns::PUBSUB) && !matches!(c.name(), "configure" | "options" | "publish-options")
        }) else {
            // Only <options/>: the options request or form.
            if let Some(o) = child("options") {
                let tag = Tag::new("options", ns::PUBSUB);
                return Ok(PubSub::Options {
                    node: node(o),
                    jid: jid(o, tag)?,
                    subid: o.attr("subid").map(str::to_owned),
                    form: form_in(Some(o))?,
                });
            }
            return Err(PUBSUB.bad_content("no request element"));
        };
        let tag = Tag::new(
            match main.name() {
                "create" => "create",
                "subscribe" => "subscribe",
                "subscription" => "subscription",
                "unsubscribe" => "unsubscribe",
                "default" => "default",
                "items" => "items",
                "publish" => "publish",
                "retract" => "retract",
                "subscriptions" => "subscriptions",
                "affiliations" => "affiliations",
                _ => return Err(PUBSUB.bad_content(format!("unknown request <{}/>", main.name()))),
            },
            ns::PUBSUB,
        );
        Ok(match tag.name {
            "create" => PubSub::Create {
                node: node(main),
                configure: child("configure").map(|c| form_in(Some(c))).transpose()?,
            },
            "subscribe" => PubSub::Subscribe {
                node: node(main),
                jid: jid(main, tag)?,
                options: form_in(child("options"))?,
            },
            "subscription" => PubSub::Subscription(SubscriptionInfo::parse(main, ns::PUBSUB)?),
            "unsubscribe" => PubSub::Unsubscribe {
                node: node(main),
                jid: jid(main, tag)?,
                subid: main.attr("subid").map(str::to_owned),
            },
            "default" => PubSub::Default {
                node: node(main),
                form: form_in(Some(main))?,
            },
            "items" => PubSub::Items {
                node: required_node(main, tag)?,
                max_items: tag.parse_attr(main, "max_items")?,
                subid: main.attr("subid").map(str::to_owned),
                items: main
                    .children()
                    .filter(|c| c.is("item", ns::PUBSUB))
                    .map(|c| Item::parse(c, ns::PUBSUB))
                    .collect::<Result<_, _>>()?,
                rsm: el
                    .get_child("set", stanza_ns::RSM)
                    .map(|s| Set::try_from(s.clone()))
                    .transpose()?,
            },
            "publish" => PubSub::Publish {
                node: required_node(main, tag)?,
                items: main
                    .children()
                    .filter(|c| c.is("item", ns::PUBSUB))
                    .map(|c| Item::parse(c, ns::PUBSUB))
                    .collect::<Result<_, _>>()?,
                options: form_in(child("publish-options"))?,
            },
            "retract" => PubSub::Retract {
                node: required_node(main, tag)?,
                notify: matches!(main.attr("notify"), Some("1" | "true")),
                ids: main
                    .children()
                    .filter(|c| c.is("item", ns::PUBSUB))
                    .map(|c| {
                        Tag::new("item", ns::PUBSUB)
                            .required(c, "id")
                            .map(str::to_owned)
                    })
                    .collect::<Result<_, _>>()?,
            },
            "subscriptions" => PubSub::Subscriptions {
                node: node(main),
                list: main
                    .children()
                    .filter(|c| c.is("subscription", ns::PUBSUB))
                    .map(|c| SubscriptionInfo::parse(c, ns::PUBSUB))
                    .collect::<Result<_, _>>()?,
            },
            _ => PubSub::Affiliations {
                node: node(main),
                list: main
                    .children()
                    .filter(|c| c.is("affiliation", ns::PUBSUB))
                    .map(|c| {
                        let t = Tag::new("affiliation", ns::PUBSUB);
                        let node = t.required(c, "node")?.to_owned();
                        let a = t
                            .parse_attr(c, "affiliation")?
                            .ok_or_else(|| t.missing_child("affiliation attribute"))?;
                        Ok((node, a))
                    })
                    .collect::<Result<_, ParseError>>()?,
            },
        })
    }
}

fn element(name: &str, node: Option<&str>) -> Element {
    let mut el = Element::builder(name, ns::PUBSUB).build();
    if let Some(n) = node {
        set_attr(&mut el, "node", n.to_owned());
    }
    el
}

fn with_form(name: &str, form: Option<DataForm>) -> Element {
    let mut el = Element::builder(name, ns::PUBSUB).build();
    if let Some(f) = form {
        el.append_child(f.into());
    }
    el
}

impl From<PubSub> for Element {
    fn from(p: PubSub) -> Element {
        let mut root = PUBSUB.element();
        match p {
            PubSub::Create { node, configure } => {
                root.append_child(element("create", node.as_deref()));
                if let Some(form) = configure {
                    root.append_child(with_form("configure", form));
                }
            }
            PubSub::Subscribe { node, jid, options } => {
                let mut s = element("subscribe", node.as_deref());
                set_attr(&mut s, "jid", jid.to_string());
                root.append_child(s);
                if let Some(form) = options {
                    root.append_child(with_form("options", Some(form)));
                }
            }
            PubSub::Subscription(info) => {
                root.append_child(info.to_element(ns::PUBSUB));
            }
            PubSub::Unsubscribe { node, jid, subid } => {
                let mut s = element("unsubscribe", node.as_deref());
                set_attr(&mut s, "jid", jid.to_string());
                if let Some(id) = subid {
                    set_attr(&mut s, "subid", id);
                }
                root.append_child(s);
            }
            PubSub::Options {
                node,
                jid,
                subid,
                form,
            } => {
                let mut o = with_form("options", form);
                if let Some(n) = node {
                    set_attr(&mut o, "node", n);
                }
                set_attr(&mut o, "jid", jid.to_string());
                if let Some(id) = subid {
                    set_attr(&mut o, "subid", id);
                }
                root.append_child(o);
            }
            PubSub::Default { node, form } => {
                let mut d = with_form("default", form);
                if let Some(n) = node {
                    set_attr(&mut d, "node", n);
                }
                root.append_child(d);
            }
            PubSub::Items {
                node,
                max_items,
                subid,
                items,
                rsm,
            } => {
                let mut i = element("items", Some(&node));
                if let Some(m) = max_items {
                    set_attr(&mut i, "max_items", m.to_string());
                }
                if let Some(s) = subid {
                    set_attr(&mut i, "subid", s);
                }
                for item in items {
                    i.append_child(item.to_element(ns::PUBSUB));
                }
                root.append_child(i);
                if let Some(set) = rsm {
                    root.append_child(set.into());
                }
            }
            PubSub::Publish {
                node,
                items,
                options,
            } => {
                let mut p = element("publish", Some(&node));
                for item in items {
                    p.append_child(item.to_element(ns::PUBSUB));
                }
                root.append_child(p);
                if let Some(form) = options {
                    root.append_child(with_form("publish-options", Some(form)));
                }
            }
            PubSub::Retract { node, notify, ids } => {
                let mut r = element("retract", Some(&node));
                if notify {
                    set_attr(&mut r, "notify", "true");
                }
                for id in ids {
                    let mut item = Element::builder("item", ns::PUBSUB).build();
                    set_attr(&mut item, "id", id);
                    r.append_child(item);
                }
                root.append_child(r);
            }
            PubSub::Subscriptions { node, list } => {
                let mut s = element("subscriptions", node.as_deref());
                for info in list {
                    s.append_child(info.to_element(ns::PUBSUB));
                }
                root.append_child(s);
            }
            PubSub::Affiliations { node, list } => {
                let mut a = element("affiliations", node.as_deref());
                for (n, affiliation) in list {
                    let mut e = element("affiliation", Some(&n));
                    set_attr(&mut e, "affiliation", affiliation.name());
                    a.append_child(e);
                }
                root.append_child(a);
            }
        }
        root
    }
}
