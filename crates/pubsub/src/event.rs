//! `<event xmlns='http://jabber.org/protocol/pubsub#event'>`: the notifications of §7.1.2 (items,
//! with or without payload), §7.2.2 (retractions), §8.2.5 (configuration), §8.4.2 (deletion),
//! §8.5.2 (purge) and §8.8.4 (subscription state).

use crate::item::{Item, SubscriptionInfo};
use crate::ns;
use minidom::Element;
use xmppkit_stanza::data_forms::DataForm;
use xmppkit_stanza::{ns as stanza_ns, set_attr, ParseError, Payload, Tag};

const EVENT: Tag = Tag::new("event", ns::EVENT);

/// A notification.
///
/// ```
/// use xmppkit_pubsub::Event;
/// let el: minidom::Element = "<event xmlns='http://jabber.org/protocol/pubsub#event'>\
///     <items node='princely_musings'><retract id='ae890ac52d0df67ed7cfdf51b644e901'/></items></event>"
///     .parse().unwrap();
/// let Event::Items { node, retracts, .. } = Event::try_from(el).unwrap() else { panic!() };
/// assert_eq!(node, "princely_musings");
/// assert_eq!(retracts, ["ae890ac52d0df67ed7cfdf51b644e901"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Items published and/or retracted.
    Items {
        /// The node.
        node: String,
        /// Published items (payload absent in notification-only nodes).
        items: Vec<Item>,
        /// Retracted item ids.
        retracts: Vec<String>,
    },
    /// The node was deleted.
    Delete {
        /// The node.
        node: String,
        /// Where to go instead.
        redirect: Option<String>,
    },
    /// Every item was purged.
    Purge {
        /// The node.
        node: String,
    },
    /// The configuration changed (with the form when `pubsub#notification_type` says so).
    Configuration {
        /// The node.
        node: String,
        /// The new configuration.
        form: Option<DataForm>,
    },
    /// A subscription changed state (e.g. approved).
    Subscription(SubscriptionInfo),
}

impl Payload for Event {
    const NAME: &'static str = "event";
    const NS: &'static str = ns::EVENT;
}

impl TryFrom<Element> for Event {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        EVENT.check(&el)?;
        let Some(main) = el.children().find(|c| c.has_ns(ns::EVENT)) else {
            return Err(EVENT.bad_content("empty event"));
        };
        let tag = Tag::new("items", ns::EVENT);
        let node = || {
            main.attr("node")
                .map(str::to_owned)
                .ok_or(ParseError::MissingAttribute {
                    element: "event child",
                    ns: ns::EVENT,
                    attribute: "node",
                })
        };
        Ok(match main.name() {
            "items" => {
                let mut items = Vec::new();
                let mut retracts = Vec::new();
                for c in main.children() {
                    if c.is("item", ns::EVENT) {
                        items.push(Item::parse(c, ns::EVENT)?);
                    } else if c.is("retract", ns::EVENT) {
                        retracts.push(tag.required(c, "id")?.to_owned());
                    }
                }
                Event::Items {
                    node: node()?,
                    items,
                    retracts,
                }
            }
            "delete" => Event::Delete {
                node: node()?,
                redirect: main
                    .get_child("redirect", ns::EVENT)
                    .and_then(|r| r.attr("uri"))
                    .map(str::to_owned),
            },
            "purge" => Event::Purge { node: node()? },
            "configuration" => Event::Configuration {
                node: node()?,
                form: main
                    .get_child("x", stanza_ns::DATA_FORMS)
                    .map(|x| DataForm::try_from(x.clone()))
                    .transpose()?,
            },
            "subscription" => Event::Subscription(SubscriptionInfo::parse(main, ns::EVENT)?),
            other => return Err(EVENT.bad_content(format!("unknown event <{other}/>"))),
        })
    }
}

impl From<Event> for Element {
    fn from(e: Event) -> Element {
        let mut root = EVENT.element();
        let with_node = |name: &str, node: String| {
            let mut el = Element::builder(name, ns::EVENT).build();
            set_attr(&mut el, "node", node);
            el
        };
        let child = match e {
            Event::Items {
                node,
                items,
                retracts,
            } => {
                let mut el = with_node("items", node);
                for item in items {
                    el.append_child(item.to_element(ns::EVENT));
                }
                for id in retracts {
                    let mut r = Element::builder("retract", ns::EVENT).build();
                    set_attr(&mut r, "id", id);
                    el.append_child(r);
                }
                el
            }
            Event::Delete { node, redirect } => {
                let mut el = with_node("delete", node);
                if let Some(uri) = redirect {
                    let mut r = Element::builder("redirect", ns::EVENT).build();
                    set_attr(&mut r, "uri", uri);
                    el.append_child(r);
                }
                el
            }
            Event::Purge { node } => with_node("purge", node),
            Event::Configuration { node, form } => {
                let mut el = with_node("configuration", node);
                if let Some(f) = form {
                    el.append_child(f.into());
                }
                el
            }
            Event::Subscription(info) => info.to_element(ns::EVENT),
        };
        root.append_child(child);
        root
    }
}
