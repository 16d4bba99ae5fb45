//! `<x xmlns='http://jabber.org/protocol/muc'>`: the join request of §7.2 with its password
//! (§7.2.6) and discussion-history limits (§7.2.15).

use crate::ns;
use minidom::Element;
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::{set_attr, ParseError, Payload, Tag};

const X: Tag = Tag::new("x", ns::MUC);
const HISTORY: Tag = Tag::new("history", ns::MUC);
const PASSWORD: Tag = Tag::new("password", ns::MUC);

/// The join element.
///
/// ```
/// use xmppkit_muc::Muc;
/// let el: minidom::Element = "<x xmlns='http://jabber.org/protocol/muc'>\
///     <history maxstanzas='20'/><password>cauldronburn</password></x>".parse().unwrap();
/// let muc = Muc::try_from(el).unwrap();
/// assert_eq!(muc.password.as_deref(), Some("cauldronburn"));
/// assert_eq!(muc.history.unwrap().maxstanzas, Some(20));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Muc {
    /// The room password, in clear.
    pub password: Option<String>,
    /// How much history the user wants.
    pub history: Option<History>,
}

/// `<history/>`: every limit given applies; none given means the room's default.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct History {
    /// At most this many characters of XML (the whole stanzas, as sent).
    pub maxchars: Option<u32>,
    /// At most this many messages.
    pub maxstanzas: Option<u32>,
    /// Only messages of the last this many seconds.
    pub seconds: Option<u32>,
    /// Only messages sent after this time.
    pub since: Option<DateTime>,
}

impl Payload for Muc {
    const NAME: &'static str = "x";
    const NS: &'static str = ns::MUC;
}

impl TryFrom<Element> for Muc {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        X.check(&el)?;
        let mut muc = Muc::default();
        for child in el.children() {
            if PASSWORD.check(child).is_ok() {
                muc.password = Some(child.text());
            } else if HISTORY.check(child).is_ok() {
                muc.history = Some(History {
                    maxchars: HISTORY.parse_attr(child, "maxchars")?,
                    maxstanzas: HISTORY.parse_attr(child, "maxstanzas")?,
                    seconds: HISTORY.parse_attr(child, "seconds")?,
                    since: HISTORY.parse_attr(child, "since")?,
                });
            }
        }
        Ok(muc)
    }
}

impl From<Muc> for Element {
    fn from(m: Muc) -> Element {
        let mut el = X.element();
        if let Some(h) = m.history {
            let mut history = HISTORY.element();
            if let Some(v) = h.maxchars {
                set_attr(&mut history, "maxchars", v.to_string());
            }
            if let Some(v) = h.maxstanzas {
                set_attr(&mut history, "maxstanzas", v.to_string());
            }
            if let Some(v) = h.seconds {
                set_attr(&mut history, "seconds", v.to_string());
            }
            if let Some(v) = h.since {
                set_attr(&mut history, "since", v.to_string());
            }
            el.append_child(history);
        }
        if let Some(p) = m.password {
            let mut password = PASSWORD.element();
            password.append_text_node(p);
            el.append_child(password);
        }
        el
    }
}
