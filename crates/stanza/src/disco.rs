//! XEP-0030: Service Discovery — `disco#info` (identities, features, extension forms) and
//! `disco#items`, as requests (empty) and results.

use crate::data_forms::DataForm;
use crate::rsm::Set;
use crate::util::{set_attr, set_lang, Tag};
use crate::{ns, ParseError, Payload};
use minidom::Element;
use xmppkit_jid::Jid;

const INFO: Tag = Tag::new("query", ns::DISCO_INFO);
const ITEMS: Tag = Tag::new("query", ns::DISCO_ITEMS);
const IDENTITY: Tag = Tag::new("identity", ns::DISCO_INFO);
const ITEM: Tag = Tag::new("item", ns::DISCO_ITEMS);

/// An identity (XEP-0030 §3.1).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Identity {
    /// Category, e.g. `server`, `client`, `conference`.
    pub category: String,
    /// Type within the category, e.g. `im`, `pc`, `text`.
    pub type_: String,
    /// Language of the name.
    pub lang: Option<String>,
    /// Natural-language name.
    pub name: Option<String>,
}

impl Identity {
    /// An identity without name.
    pub fn new(category: impl Into<String>, type_: impl Into<String>) -> Self {
        Identity {
            category: category.into(),
            type_: type_.into(),
            lang: None,
            name: None,
        }
    }
}

/// A `disco#info` query: empty (with an optional node) as a request, filled as a result.
///
/// ```
/// use xmppkit_stanza::disco::{DiscoInfo, Identity};
/// let mut info = DiscoInfo::default();
/// info.identities.push(Identity::new("server", "im"));
/// info.features.push("http://jabber.org/protocol/disco#info".into());
/// assert!(info.has_feature("http://jabber.org/protocol/disco#info"));
/// let el: minidom::Element = info.clone().into();
/// assert_eq!(DiscoInfo::try_from(el).unwrap(), info);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiscoInfo {
    /// The node queried.
    pub node: Option<String>,
    /// Identities.
    pub identities: Vec<Identity>,
    /// Features (`var`s).
    pub features: Vec<String>,
    /// Extension forms (XEP-0128).
    pub extensions: Vec<DataForm>,
}

impl DiscoInfo {
    /// Whether the feature is listed.
    pub fn has_feature(&self, var: &str) -> bool {
        self.features.iter().any(|f| f == var)
    }
}

impl Payload for DiscoInfo {
    const NAME: &'static str = "query";
    const NS: &'static str = ns::DISCO_INFO;
}

impl TryFrom<Element> for DiscoInfo {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        INFO.check(&el)?;
        let mut info = DiscoInfo {
            node: el.attr("node").map(str::to_owned),
            ..Default::default()
        };
        for child in el.children() {
            if child.is("identity", ns::DISCO_INFO) {
                info.identities.push(Identity {
                    category: IDENTITY.required(child, "category")?.to_owned(),
                    type_: IDENTITY.required(child, "type")?.to_owned(),
                    lang: crate::util::lang(child),
                    name: child.attr("name").map(str::to_owned),
                });
            } else if child.is("feature", ns::DISCO_INFO) {
                let var = Tag::new("feature", ns::DISCO_INFO).required(child, "var")?;
                info.features.push(var.to_owned());
            } else if child.is("x", ns::DATA_FORMS) {
                info.extensions.push(DataForm::try_from(child.clone())?);
            }
        }
        Ok(info)
    }
}

impl From<DiscoInfo> for Element {
    fn from(info: DiscoInfo) -> Element {
        let mut el = INFO.element();
        if let Some(node) = info.node {
            set_attr(&mut el, "node", node);
        }
        for id in info.identities {
            let mut i = IDENTITY.element();
            set_attr(&mut i, "category", id.category);
            set_attr(&mut i, "type", id.type_);
            set_lang(&mut i, id.lang.as_deref());
            if let Some(name) = id.name {
                set_attr(&mut i, "name", name);
            }
            el.append_child(i);
        }
        for var in info.features {
            let mut f = Element::builder("feature", ns::DISCO_INFO).build();
            set_attr(&mut f, "var", var);
            el.append_child(f);
        }
        for form in info.extensions {
            el.append_child(form.into());
        }
        el
    }
}

/// An item (XEP-0030 §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The item's JID.
    pub jid: Jid,
    /// Its node.
    pub node: Option<String>,
    /// Its name.
    pub name: Option<String>,
}

/// A `disco#items` query: empty as a request, with items as a result; optionally paged (XEP-0059).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiscoItems {
    /// The node queried.
    pub node: Option<String>,
    /// Items.
    pub items: Vec<Item>,
    /// Paging.
    pub rsm: Option<Set>,
}

impl Payload for DiscoItems {
    const NAME: &'static str = "query";
    const NS: &'static str = ns::DISCO_ITEMS;
}

impl TryFrom<Element> for DiscoItems {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        ITEMS.check(&el)?;
        let mut items = DiscoItems {
            node: el.attr("node").map(str::to_owned),
            ..Default::default()
        };
        for child in el.children() {
            if child.is("item", ns::DISCO_ITEMS) {
                items.items.push(Item {
                    jid: ITEM
                        .jid_attr(child, "jid")?
                        .ok_or(ParseError::MissingAttribute {
                            element: "item",
                            ns: ns::DISCO_ITEMS,
                            attribute: "jid",
                        })?,
                    node: child.attr("node").map(str::to_owned),
                    name: child.attr("name").map(str::to_owned),
                });
            } else if child.is("set", ns::RSM) {
                items.rsm = Some(Set::try_from(child.clone())?);
            }
        }
        Ok(items)
    }
}

impl From<DiscoItems> for Element {
    fn from(items: DiscoItems) -> Element {
        let mut el = ITEMS.element();
        if let Some(node) = items.node {
            set_attr(&mut el, "node", node);
        }
        for item in items.items {
            let mut i = ITEM.element();
            set_attr(&mut i, "jid", item.jid.to_string());
            if let Some(node) = item.node {
                set_attr(&mut i, "node", node);
            }
            if let Some(name) = item.name {
                set_attr(&mut i, "name", name);
            }
            el.append_child(i);
        }
        if let Some(rsm) = items.rsm {
            el.append_child(rsm.into());
        }
        el
    }
}
