//! XEP-0059: Result Set Management — the `<set/>` element of paged requests and results.

use crate::util::{set_attr, text_element, Tag};
use crate::{ns, ParseError, Payload};
use minidom::Element;

const SET: Tag = Tag::new("set", ns::RSM);

/// A result set request or response. `before: Some("")` asks for the last page (XEP-0059 §2.5).
///
/// ```
/// use xmppkit_stanza::rsm::Set;
/// let req = Set { max: Some(10), ..Default::default() };
/// assert_eq!(xmppkit_codec::to_string(&req.clone().into()),
///     "<set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>");
/// let res = Set::try_from("<set xmlns='http://jabber.org/protocol/rsm'><first index='0'>stpeter@jabber.org</first>\
///     <last>peterpan@neverland.lit</last><count>800</count></set>".parse::<minidom::Element>().unwrap()).unwrap();
/// assert_eq!(res.first, Some(("stpeter@jabber.org".into(), Some(0))));
/// assert_eq!(res.count, Some(800));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Set {
    /// Page size requested.
    pub max: Option<u32>,
    /// Items after this id.
    pub after: Option<String>,
    /// Items before this id; empty for the last page.
    pub before: Option<String>,
    /// Page starting at this index.
    pub index: Option<u32>,
    /// First item of the page, with its index.
    pub first: Option<(String, Option<u32>)>,
    /// Last item of the page.
    pub last: Option<String>,
    /// Total number of items.
    pub count: Option<u32>,
}

impl Payload for Set {
    const NAME: &'static str = "set";
    const NS: &'static str = ns::RSM;
}

fn number(child: &Element) -> Result<u32, ParseError> {
    let text = child.text();
    text.trim().parse().map_err(|_| {
        SET.bad_content(format!(
            "<{}/> `{text}` is not a non-negative integer",
            child.name()
        ))
    })
}

impl TryFrom<Element> for Set {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        SET.check(&el)?;
        let mut set = Set::default();
        for child in el.children().filter(|c| c.has_ns(ns::RSM)) {
            match child.name() {
                "max" => set.max = Some(number(child)?),
                "index" => set.index = Some(number(child)?),
                "count" => set.count = Some(number(child)?),
                "after" => set.after = Some(child.text()),
                "before" => set.before = Some(child.text()),
                "last" => set.last = Some(child.text()),
                "first" => {
                    let index = Tag::new("first", ns::RSM).parse_attr(child, "index")?;
                    set.first = Some((child.text(), index));
                }
                _ => {}
            }
        }
        Ok(set)
    }
}

impl From<Set> for Element {
    fn from(s: Set) -> Element {
        let mut el = SET.element();
        let mut push = |name: &str, value: Option<String>| {
            if let Some(v) = value {
                el.append_child(text_element(name, ns::RSM, v));
            }
        };
        push("max", s.max.map(|n| n.to_string()));
        push("after", s.after);
        push("before", s.before);
        push("index", s.index.map(|n| n.to_string()));
        if let Some((id, index)) = s.first {
            let mut first = text_element("first", ns::RSM, id);
            if let Some(i) = index {
                set_attr(&mut first, "index", i.to_string());
            }
            el.append_child(first);
        }
        let mut push = |name: &str, value: Option<String>| {
            if let Some(v) = value {
                el.append_child(text_element(name, ns::RSM, v));
            }
        };
        push("last", s.last);
        push("count", s.count.map(|n| n.to_string()));
        el
    }
}
