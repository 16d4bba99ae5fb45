//! PubSub and PEP nodes (XEP-0060, XEP-0163). The engine reads nodes by reference, so they are a
//! working set held here, loaded whole at open; every node inserted, removed or handed out for
//! change is marked, and [`NodeStore::flush`] writes the marked ones in one transaction before
//! the engine answers.

use crate::database::{backend, corrupt};
use crate::Database;
use minidom::Element;
use rusqlite::params;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use xmppkit_jid::{BareJid, Jid};
use xmppkit_pubsub::{MemoryStore, Node, NodeConfig, NodeStore, StoredItem, Sub};
use xmppkit_server::StoreError;
use xmppkit_stanza::data_forms::{DataForm, FormType};
use xmppkit_stanza::set_attr;

const STORE: &str = "pubsub";
/// The namespace of the documents this store writes (never on the wire).
const NS: &str = "urn:xmppkit:store:pubsub:0";

/// The PubSub and PEP nodes in a [`Database`].
#[derive(Debug)]
pub struct SqliteNodes {
    db: Database,
    nodes: MemoryStore,
    /// Changed since the last flush: (service, node).
    dirty: BTreeSet<(BareJid, String)>,
}

fn pubsub_error(e: StoreError) -> xmppkit_pubsub::StoreError {
    xmppkit_pubsub::StoreError(e.to_string())
}

impl SqliteNodes {
    pub(crate) fn load(
        db: Database,
        wanted: fn(&BareJid) -> bool,
    ) -> Result<SqliteNodes, StoreError> {
        let mut nodes = MemoryStore::default();
        {
            let conn = db.lock();
            let mut items: HashMap<(String, String), VecDeque<StoredItem>> = HashMap::new();
            let mut select = conn
                .prepare(
                    "SELECT service, node, item FROM pubsub_items ORDER BY service, node, position",
                )
                .map_err(backend(STORE))?;
            let rows = select
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .map_err(backend(STORE))?;
            for row in rows {
                let (service, node, item) = row.map_err(backend(STORE))?;
                let item = read_item(&item)?;
                items.entry((service, node)).or_default().push_back(item);
            }
            let mut select = conn
                .prepare("SELECT service, node, config, affiliations, subscriptions, last FROM pubsub_nodes")
                .map_err(backend(STORE))?;
            let rows = select
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                })
                .map_err(backend(STORE))?;
            for row in rows {
                let (service, id, config, affiliations, subscriptions, last) =
                    row.map_err(backend(STORE))?;
                let node = Node {
                    config: read_config(&config)?,
                    affiliations: read_affiliations(&affiliations)?,
                    subscriptions: read_subscriptions(&subscriptions)?,
                    items: items
                        .remove(&(service.clone(), id.clone()))
                        .unwrap_or_default(),
                    last: last.as_deref().map(read_item).transpose()?,
                    id,
                };
                let service = BareJid::new(&service)
                    .map_err(|e| corrupt(STORE, format!("service `{service}`: {e}")))?;
                if wanted(&service) {
                    nodes
                        .insert(&service, node)
                        .map_err(|e| corrupt(STORE, e))?;
                }
            }
        }
        Ok(SqliteNodes {
            db,
            nodes,
            dirty: BTreeSet::new(),
        })
    }

    fn write(&mut self) -> Result<(), StoreError> {
        let mut conn = self.db.writer().map_err(backend(STORE))?;
        let tx = conn.savepoint().map_err(backend(STORE))?;
        for (service, id) in &self.dirty {
            let (s, n) = (service.as_str(), id.as_str());
            tx.execute(
                "DELETE FROM pubsub_items WHERE service = ?1 AND node = ?2",
                [s, n],
            )
            .map_err(backend(STORE))?;
            let Some(node) = self.nodes.node(service, id) else {
                tx.execute(
                    "DELETE FROM pubsub_nodes WHERE service = ?1 AND node = ?2",
                    [s, n],
                )
                .map_err(backend(STORE))?;
                continue;
            };
            tx.execute(
                "INSERT OR REPLACE INTO pubsub_nodes \
                 (service, node, config, affiliations, subscriptions, last) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    s,
                    n,
                    write_config(&node.config),
                    write_affiliations(node),
                    write_subscriptions(node),
                    node.last.as_ref().map(write_item),
                ],
            )
            .map_err(backend(STORE))?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO pubsub_items (service, node, position, item) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(backend(STORE))?;
            for (position, item) in node.items.iter().enumerate() {
                insert
                    .execute(params![s, n, position as i64, write_item(item)])
                    .map_err(backend(STORE))?;
            }
        }
        tx.commit().map_err(backend(STORE))
    }
}

impl NodeStore for SqliteNodes {
    fn node(&self, service: &BareJid, node: &str) -> Option<&Node> {
        self.nodes.node(service, node)
    }

    fn node_mut(&mut self, service: &BareJid, node: &str) -> Option<&mut Node> {
        let found = self.nodes.node_mut(service, node)?;
        self.dirty.insert((service.clone(), node.to_owned()));
        Some(found)
    }

    fn insert(&mut self, service: &BareJid, node: Node) -> Result<(), xmppkit_pubsub::StoreError> {
        self.dirty.insert((service.clone(), node.id.clone()));
        self.nodes.insert(service, node)
    }

    fn remove(&mut self, service: &BareJid, node: &str) -> Option<Node> {
        let removed = self.nodes.remove(service, node)?;
        self.dirty.insert((service.clone(), node.to_owned()));
        Some(removed)
    }

    fn nodes<'a>(&'a self, service: &BareJid) -> Box<dyn Iterator<Item = &'a Node> + 'a> {
        self.nodes.nodes(service)
    }

    fn count(&self, service: &BareJid) -> usize {
        self.nodes.count(service)
    }

    fn flush(&mut self) -> Result<(), xmppkit_pubsub::StoreError> {
        if self.dirty.is_empty() {
            return Ok(());
        }
        // Marks stay until a write succeeds: a failed flush is retried by the next one.
        self.write().map_err(pubsub_error)?;
        self.dirty.clear();
        Ok(())
    }
}

fn parse(text: &str, what: &str) -> Result<Element, StoreError> {
    text.parse::<Element>()
        .map_err(|e| corrupt(STORE, format!("{what}: {e}")))
}

fn write_config(config: &NodeConfig) -> String {
    let mut form = config.to_form();
    form.type_ = FormType::Submit;
    String::from(&Element::from(form))
}

fn read_config(text: &str) -> Result<NodeConfig, StoreError> {
    let form = DataForm::try_from(parse(text, "configuration")?)
        .map_err(|e| corrupt(STORE, format!("configuration: {e}")))?;
    let mut config = NodeConfig::default();
    config
        .apply(&form)
        .map_err(|e| corrupt(STORE, format!("configuration: {e}")))?;
    Ok(config)
}

fn write_affiliations(node: &Node) -> String {
    let mut list = Element::builder("affiliations", NS).build();
    for (jid, affiliation) in &node.affiliations {
        let mut a = Element::builder("affiliation", NS).build();
        set_attr(&mut a, "jid", jid.to_string());
        set_attr(&mut a, "affiliation", affiliation.name());
        list.append_child(a);
    }
    String::from(&list)
}

fn read_affiliations(
    text: &str,
) -> Result<BTreeMap<BareJid, xmppkit_pubsub::Affiliation>, StoreError> {
    let bad = |e: String| corrupt(STORE, format!("affiliations: {e}"));
    parse(text, "affiliations")?
        .children()
        .map(|a| {
            let jid =
                BareJid::new(a.attr("jid").unwrap_or_default()).map_err(|e| bad(e.to_string()))?;
            let affiliation = a
                .attr("affiliation")
                .unwrap_or_default()
                .parse()
                .map_err(|e: xmppkit_pubsub::UnknownName| bad(e.to_string()))?;
            Ok((jid, affiliation))
        })
        .collect()
}

fn write_subscriptions(node: &Node) -> String {
    let mut list = Element::builder("subscriptions", NS).build();
    for sub in &node.subscriptions {
        let mut s = Element::builder("subscription", NS).build();
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

fn read_subscriptions(text: &str) -> Result<Vec<Sub>, StoreError> {
    let bad = |e: String| corrupt(STORE, format!("subscriptions: {e}"));
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
                    .map_err(|e: xmppkit_pubsub::UnknownName| bad(e.to_string()))?,
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
    let mut el = Element::builder("item", NS).build();
    set_attr(&mut el, "id", item.id.clone());
    set_attr(&mut el, "publisher", item.publisher.to_string());
    set_attr(&mut el, "stamp", item.stamp.to_string());
    if let Some(payload) = &item.payload {
        el.append_child(payload.clone());
    }
    String::from(&el)
}

fn read_item(text: &str) -> Result<StoredItem, StoreError> {
    let el = parse(text, "item")?;
    let bad = |e: String| corrupt(STORE, format!("item: {e}"));
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
