//! A node as text, for stores that keep nodes in database columns (XEP-0060 §8.2 configuration,
//! §8.8/§8.9 subscriptions and affiliations, §7.1 items): the configuration as a submitted
//! `pubsub#node_config` form, the lists and each item as small XML documents in a namespace of
//! ours (they never go on the wire). Every store writes the same text, so a database moves
//! between them.

use crate::config::NodeConfig;
use crate::model::{Affiliation, UnknownName};
use crate::store::{Node, StoredItem, Sub};
use minidom::Element;
use std::collections::{BTreeMap, VecDeque};
use xmppkit_jid::{BareJid, Jid};
use xmppkit_stanza::data_forms::{DataForm, FormType};
use xmppkit_stanza::set_attr;

/// The namespace of the documents (never on the wire).
pub const NS_SAVED: &str = "urn:xmppkit:store:pubsub:0";

/// A node's columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeText {
    /// The configuration: a submitted `pubsub#node_config` form.
    pub config: String,
    /// `<affiliations><affiliation jid='' affiliation=''/>…</affiliations>`.
    pub affiliations: String,
    /// `<subscriptions><subscription jid='' subid='' subscription=''>[options form]…`.
    pub subscriptions: String,
    /// The last published item, when items are not persisted.
    pub last: Option<String>,
    /// The stored items, oldest first.
    pub items: Vec<String>,
}

/// Stored text that does not read back as a node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored pubsub {what}: {reason}")]
pub struct Unreadable {
    /// Which part.
    pub what: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

fn unreadable(what: &'static str) -> impl Fn(String) -> Unreadable {
    move |reason| Unreadable { what, reason }
}

impl NodeText {
    /// The columns of `node`.
    pub fn of(node: &Node) -> NodeText {
        NodeText {
            config: write_config(&node.config),
            affiliations: write_affiliations(node),
            subscriptions: write_subscriptions(node),
            last: node.last.as_ref().map(write_item),
            items: node.items.iter().map(write_item).collect(),
        }
    }

    /// The node `id` these columns hold.
    pub fn read(&self, id: String) -> Result<Node, Unreadable> {
        Ok(Node {
            config: read_config(&self.config)?,
            affiliations: read_affiliations(&self.affiliations)?,
            subscriptions: read_subscriptions(&self.subscriptions)?,
            items: self
                .items
                .iter()
                .map(|i| read_item(i))
                .collect::<Result<VecDeque<_>, _>>()?,
            last: self.last.as_deref().map(read_item).transpose()?,
            id,
        })
    }
}

fn parse(text: &str, what: &'static str) -> Result<Element, Unreadable> {
    text.parse::<Element>()
        .map_err(|e| unreadable(what)(e.to_string()))
}

fn write_config(config: &NodeConfig) -> String {
    let mut form = config.to_form();
    form.type_ = FormType::Submit;
    String::from(&Element::from(form))
}

fn read_config(text: &str) -> Result<NodeConfig, Unreadable> {
    let bad = unreadable("configuration");
    let form = DataForm::try_from(parse(text, "configuration")?).map_err(|e| bad(e.to_string()))?;
    let mut config = NodeConfig::default();
    config.apply(&form).map_err(|e| bad(e.to_string()))?;
    Ok(config)
}

fn write_affiliations(node: &Node) -> String {
    let mut list = Element::builder("affiliations", NS_SAVED).build();
    for (jid, affiliation) in &node.affiliations {
        let mut a = Element::builder("affiliation", NS_SAVED).build();
        set_attr(&mut a, "jid", jid.to_string());
        set_attr(&mut a, "affiliation", affiliation.name());
        list.append_child(a);
    }
    String::from(&list)
}

fn read_affiliations(text: &str) -> Result<BTreeMap<BareJid, Affiliation>, Unreadable> {
    let bad = unreadable("affiliations");
    parse(text, "affiliations")?
        .children()
        .map(|a| {
            let jid =
                BareJid::new(a.attr("jid").unwrap_or_default()).map_err(|e| bad(e.to_string()))?;
            let affiliation = a
                .attr("affiliation")
                .unwrap_or_default()
                .parse()
                .map_err(|e: UnknownName| bad(e.to_string()))?;
            Ok((jid, affiliation))
        })
        .collect()
}

fn write_subscriptions(node: &Node) -> String {
    let mut list = Element::builder("subscriptions", NS_SAVED).build();
    for sub in &node.subscriptions {
        let mut s = Element::builder("subscription", NS_SAVED).build();
        set_attr(&mut s, "jid", sub.jid.to_string());
        set_attr(&mut s, "subid", sub.subid.clone());
        set_attr(&mut s, "subscription", sub.state.name());
        if let Some(options) = &sub.options {
            s.append_child(options.clone().into());
        }
        list.append_child(s);
    }
    String::from(&list)
}

fn read_subscriptions(text: &str) -> Result<Vec<Sub>, Unreadable> {
    let bad = unreadable("subscriptions");
    parse(text, "subscriptions")?
        .children()
        .map(|s| {
            Ok(Sub {
                jid: s
                    .attr("jid")
                    .unwrap_or_default()
                    .parse::<Jid>()
                    .map_err(|e| bad(e.to_string()))?,
                subid: s.attr("subid").unwrap_or_default().to_owned(),
                state: s
                    .attr("subscription")
                    .unwrap_or_default()
                    .parse()
                    .map_err(|e: UnknownName| bad(e.to_string()))?,
                options: s
                    .children()
                    .next()
                    .map(|f| DataForm::try_from(f.clone()).map_err(|e| bad(e.to_string())))
                    .transpose()?,
            })
        })
        .collect()
}

fn write_item(item: &StoredItem) -> String {
    let mut el = Element::builder("item", NS_SAVED).build();
    set_attr(&mut el, "id", item.id.clone());
    set_attr(&mut el, "publisher", item.publisher.to_string());
    set_attr(&mut el, "stamp", item.stamp.to_string());
    if let Some(payload) = &item.payload {
        el.append_child(payload.clone());
    }
    String::from(&el)
}

fn read_item(text: &str) -> Result<StoredItem, Unreadable> {
    let el = parse(text, "item")?;
    let bad = unreadable("item");
    Ok(StoredItem {
        id: el.attr("id").unwrap_or_default().to_owned(),
        publisher: el
            .attr("publisher")
            .unwrap_or_default()
            .parse()
            .map_err(|e: xmppkit_jid::Error| bad(e.to_string()))?,
        stamp: el
            .attr("stamp")
            .unwrap_or_default()
            .parse()
            .map_err(|e: xmppkit_stanza::datetime::DateTimeError| bad(e.to_string()))?,
        payload: el.children().next().cloned(),
    })
}
