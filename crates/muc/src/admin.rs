//! `<query xmlns='http://jabber.org/protocol/muc#admin'>`: role and affiliation changes (set)
//! and lists (get and result) of §8–§10.

use crate::item::Item;
use crate::ns;
use minidom::Element;
use xmppkit_stanza::{ParseError, Payload, Tag};

const QUERY: Tag = Tag::new("query", ns::ADMIN);

/// The admin query: items to change, or the one item naming the list wanted, or the list.
///
/// ```
/// use xmppkit_muc::{AdminQuery, Item, Role};
/// let el: minidom::Element = "<query xmlns='http://jabber.org/protocol/muc#admin'>\
///     <item nick='pistol' role='none'><reason>Avaunt, you cullion!</reason></item></query>"
///     .parse().unwrap();
/// let q = AdminQuery::try_from(el).unwrap();
/// assert_eq!(q.items[0].role, Some(Role::None));
/// assert_eq!(q.items[0].reason.as_deref(), Some("Avaunt, you cullion!"));
/// let kick = AdminQuery { items: vec![Item::role("pistol", Role::None)] };
/// assert_eq!(AdminQuery::try_from(minidom::Element::from(kick.clone())).unwrap(), kick);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AdminQuery {
    /// The items.
    pub items: Vec<Item>,
}

impl Payload for AdminQuery {
    const NAME: &'static str = "query";
    const NS: &'static str = ns::ADMIN;
}

impl TryFrom<Element> for AdminQuery {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        QUERY.check(&el)?;
        let items = el
            .children()
            .filter(|c| c.is("item", ns::ADMIN))
            .map(|c| Item::parse(c, ns::ADMIN))
            .collect::<Result<_, _>>()?;
        Ok(AdminQuery { items })
    }
}

impl From<AdminQuery> for Element {
    fn from(q: AdminQuery) -> Element {
        let mut el = QUERY.element();
        for item in q.items {
            el.append_child(item.to_element(ns::ADMIN));
        }
        el
    }
}
