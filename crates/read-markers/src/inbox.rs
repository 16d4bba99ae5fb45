//! XEP-0430 Inbox 0.2 (`urn:xmpp:inbox:1`): the query (`<inbox unread-only messages/>` with
//! XEP-0059 paging), each conversation's `<entry jid unread id/>` (sent in a `<message/>`,
//! followed by the conversation's last message as a MAM `<result/>`), and the `<fin total
//! unread all-unread/>` that ends the answer (§Protocol Elements, §Examples).

use minidom::Element;
use xmppkit_jid::BareJid;
use xmppkit_stanza::rsm::Set;
use xmppkit_stanza::{ns, set_attr, ParseError, Tag};

/// `urn:xmpp:inbox:1`.
pub const NS: &str = "urn:xmpp:inbox:1";

const INBOX: Tag = Tag::new("inbox", NS);
const ENTRY: Tag = Tag::new("entry", NS);
const FIN: Tag = Tag::new("fin", NS);

fn flag(tag: Tag, el: &Element, name: &'static str, default: bool) -> Result<bool, ParseError> {
    match el.attr(name) {
        None => Ok(default),
        Some("true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        Some(other) => Err(tag.bad(name, other, "not a boolean")),
    }
}

/// `<inbox/>`: the request for the user's conversations.
///
/// ```
/// use xmppkit_read_markers::inbox::InboxQuery;
/// let el: minidom::Element = "<inbox xmlns='urn:xmpp:inbox:1'/>".parse().unwrap();
/// let query = InboxQuery::try_from(el).unwrap();
/// assert!(!query.unread_only && query.messages && query.set.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxQuery {
    /// `unread-only`: only conversations with something unread (default false).
    pub unread_only: bool,
    /// `messages`: each entry is followed by the conversation's last message (default true).
    pub messages: bool,
    /// The page asked for (items are conversations, by JID).
    pub set: Option<Set>,
}

impl Default for InboxQuery {
    fn default() -> Self {
        InboxQuery {
            unread_only: false,
            messages: true,
            set: None,
        }
    }
}

impl TryFrom<Element> for InboxQuery {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        INBOX.check(&el)?;
        let set = match el.get_child("set", ns::RSM) {
            Some(set) => Some(Set::try_from(set.clone())?),
            None => None,
        };
        Ok(InboxQuery {
            unread_only: flag(INBOX, &el, "unread-only", false)?,
            messages: flag(INBOX, &el, "messages", true)?,
            set,
        })
    }
}

impl From<InboxQuery> for Element {
    fn from(q: InboxQuery) -> Element {
        let mut el = INBOX.element();
        if q.unread_only {
            set_attr(&mut el, "unread-only", "true");
        }
        if !q.messages {
            set_attr(&mut el, "messages", "false");
        }
        if let Some(set) = q.set {
            el.append_child(set.into());
        }
        el
    }
}

/// `<entry jid unread id/>`: one conversation of the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEntry {
    /// The conversation: a contact's or a room's bare JID.
    pub jid: BareJid,
    /// Its unread messages.
    pub unread: u64,
    /// The archive id of its last message.
    pub id: String,
}

impl TryFrom<&Element> for InboxEntry {
    type Error = ParseError;
    fn try_from(el: &Element) -> Result<Self, ParseError> {
        ENTRY.check(el)?;
        let jid = ENTRY.required_bare_jid(el, "jid")?;
        let unread =
            ENTRY
                .parse_attr::<u64>(el, "unread")?
                .ok_or(ParseError::MissingAttribute {
                    element: ENTRY.name,
                    ns: NS,
                    attribute: "unread",
                })?;
        Ok(InboxEntry {
            jid,
            unread,
            id: ENTRY.required(el, "id")?.to_owned(),
        })
    }
}

impl From<InboxEntry> for Element {
    fn from(e: InboxEntry) -> Element {
        let mut el = ENTRY.element();
        set_attr(&mut el, "unread", e.unread.to_string());
        set_attr(&mut el, "jid", e.jid.to_string());
        set_attr(&mut el, "id", e.id);
        el
    }
}

/// `<fin total unread all-unread/>`: the end of the answer, in the IQ result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InboxFin {
    /// Conversations in the inbox.
    pub total: u64,
    /// Conversations with something unread.
    pub unread: u64,
    /// Unread messages in all of them.
    pub all_unread: u64,
    /// The page given (first, last, count).
    pub set: Option<Set>,
}

impl TryFrom<&Element> for InboxFin {
    type Error = ParseError;
    fn try_from(el: &Element) -> Result<Self, ParseError> {
        FIN.check(el)?;
        let number = |name: &'static str| -> Result<u64, ParseError> {
            FIN.parse_attr::<u64>(el, name)?
                .ok_or(ParseError::MissingAttribute {
                    element: FIN.name,
                    ns: NS,
                    attribute: name,
                })
        };
        let set = match el.get_child("set", ns::RSM) {
            Some(set) => Some(Set::try_from(set.clone())?),
            None => None,
        };
        Ok(InboxFin {
            total: number("total")?,
            unread: number("unread")?,
            all_unread: number("all-unread")?,
            set,
        })
    }
}

impl From<InboxFin> for Element {
    fn from(f: InboxFin) -> Element {
        let mut el = FIN.element();
        set_attr(&mut el, "total", f.total.to_string());
        set_attr(&mut el, "unread", f.unread.to_string());
        set_attr(&mut el, "all-unread", f.all_unread.to_string());
        if let Some(set) = f.set {
            el.append_child(set.into());
        }
        el
    }
}
