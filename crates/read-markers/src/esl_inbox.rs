//! MongooseIM's inbox (`erlang-solutions.com:xmpp:inbox:0`, the open extension XEP-0430 grew
//! from): the query (`<inbox queryid/>` with an optional form of `start`, `end`, `order`,
//! `hidden_read`, `box`, `archive`, and an RSM `<max/>`), each entry's `<result unread
//! queryid>` with the forwarded last message and its properties, the `<fin/>` counts, and the
//! conversation properties (`#conversation`: `box`, `archive`, `mute`, `read`) read, set and
//! pushed to the user's resources as `<x jid/>`; and `<empty-bin/>`.

use minidom::Element;
use xmppkit_jid::BareJid;
use xmppkit_stanza::data_forms::DataForm;
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::forwarding::Forwarded;
use xmppkit_stanza::rsm::Set;
use xmppkit_stanza::{ns, set_attr, ParseError, Tag};

/// `erlang-solutions.com:xmpp:inbox:0`.
pub const NS: &str = "erlang-solutions.com:xmpp:inbox:0";
/// `erlang-solutions.com:xmpp:inbox:0#conversation`: an entry's properties.
pub const NS_CONVERSATION: &str = "erlang-solutions.com:xmpp:inbox:0#conversation";

const INBOX: Tag = Tag::new("inbox", NS);
const QUERY: Tag = Tag::new("query", NS_CONVERSATION);

/// The box every entry is in until moved.
pub const INBOX_BOX: &str = "inbox";
/// The box archived entries are in.
pub const ARCHIVE_BOX: &str = "archive";
/// The box of deleted entries.
pub const BIN_BOX: &str = "bin";
/// Where an emptied bin's entries go: never listed, until a new message brings them back.
pub const EMPTIED_BOX: &str = "emptied";

/// The order of the entries, by the time of their last message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Oldest first.
    Asc,
    /// Most recent first (the default).
    #[default]
    Desc,
}

/// `<inbox queryid/>` (an IQ set): which entries, in which order.
///
/// ```
/// use xmppkit_read_markers::esl_inbox::{InboxRequest, Order};
/// let el: minidom::Element = "<inbox xmlns='erlang-solutions.com:xmpp:inbox:0' queryid='b6'/>".parse().unwrap();
/// let request = InboxRequest::try_from(el).unwrap();
/// assert_eq!(request.queryid.as_deref(), Some("b6"));
/// assert_eq!(request.order, Order::Desc);
/// assert!(request.boxed.is_none() && !request.hidden_read);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InboxRequest {
    /// Echoed in each result (the IQ's id when absent).
    pub queryid: Option<String>,
    /// Entries whose last message is at or after this time.
    pub start: Option<DateTime>,
    /// Entries whose last message is at or before this time.
    pub end: Option<DateTime>,
    /// By time of the last message.
    pub order: Order,
    /// Only entries with something unread.
    pub hidden_read: bool,
    /// Only this box; `None` is every box but the bin.
    pub boxed: Option<String>,
    /// The RSM page (`max`).
    pub set: Option<Set>,
}

fn bad(field: &str, value: &str) -> ParseError {
    INBOX.bad("x", value, format!("form field `{field}`"))
}

impl TryFrom<Element> for InboxRequest {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        INBOX.check(&el)?;
        let mut request = InboxRequest {
            queryid: el.attr("queryid").map(str::to_owned),
            ..InboxRequest::default()
        };
        if let Some(x) = el.get_child("x", ns::DATA_FORMS) {
            let form = DataForm::try_from(x.clone())?;
            let time = |var: &str| -> Result<Option<DateTime>, ParseError> {
                form.value(var)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| v.trim().parse().map_err(|_| bad(var, v)))
                    .transpose()
            };
            request.start = time("start")?;
            request.end = time("end")?;
            request.order = match form.value("order") {
                None | Some("desc") => Order::Desc,
                Some("asc") => Order::Asc,
                Some(other) => return Err(bad("order", other)),
            };
            request.hidden_read = match form.value("hidden_read") {
                None | Some("false" | "0") => false,
                Some("true" | "1") => true,
                Some(other) => return Err(bad("hidden_read", other)),
            };
            request.boxed = match (form.value("box"), form.value("archive")) {
                (Some("all"), _) => None,
                (Some(b), _) => Some(b.to_owned()),
                (None, Some("true" | "1")) => Some(ARCHIVE_BOX.to_owned()),
                (None, Some("false" | "0")) => Some(INBOX_BOX.to_owned()),
                (None, Some(other)) => return Err(bad("archive", other)),
                (None, None) => None,
            };
        }
        if let Some(set) = el.get_child("set", ns::RSM) {
            request.set = Some(Set::try_from(set.clone())?);
        }
        Ok(request)
    }
}

/// An entry's properties (`#conversation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Properties {
    /// Its box.
    pub boxed: String,
    /// Muted until then; `None` when not muted.
    pub muted_until: Option<DateTime>,
    /// Nothing unread.
    pub read: bool,
}

impl Properties {
    /// The property elements, in the order MongooseIM writes them: box, archive, mute, read.
    pub fn children(&self) -> Vec<Element> {
        let text = |name: &str, ns: &str, value: String| {
            let mut el = Element::builder(name, ns).build();
            el.append_text_node(value);
            el
        };
        let mute = self
            .muted_until
            .map_or_else(|| "0".to_owned(), |t| t.to_string());
        vec![
            text("box", NS_CONVERSATION, self.boxed.clone()),
            text(
                "archive",
                NS_CONVERSATION,
                (self.boxed == ARCHIVE_BOX).to_string(),
            ),
            text("mute", NS_CONVERSATION, mute),
            text("read", NS_CONVERSATION, self.read.to_string()),
        ]
    }

    /// The push of these properties to the user's resources: `<x jid/>` in a message.
    pub fn push(&self, jid: &BareJid) -> Element {
        let mut x = Element::builder("x", NS_CONVERSATION).build();
        set_attr(&mut x, "jid", jid.to_string());
        for child in self.children() {
            x.append_child(child);
        }
        x
    }
}

/// The changes of a properties set (`<query jid>` with `box`, `archive`, `mute`, `read`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PropertiesChange {
    /// Move to this box (`archive` true/false is `archive`/`inbox`).
    pub boxed: Option<String>,
    /// Mute for this many seconds from now; `Some(0)` unmutes.
    pub mute_seconds: Option<u64>,
    /// Mark read (`true`) or unread (`false`).
    pub read: Option<bool>,
}

/// `<query jid='…'/>` of `#conversation`: a get or set of one entry's properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertiesQuery {
    /// The entry; `None` asks for the form of the properties.
    pub jid: Option<BareJid>,
    /// The changes, in a set.
    pub change: PropertiesChange,
}

impl TryFrom<Element> for PropertiesQuery {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        QUERY.check(&el)?;
        let jid = QUERY.bare_jid_attr(&el, "jid")?;
        let mut change = PropertiesChange::default();
        let flag = |v: &str, name: &'static str| match v.trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            other => Err(QUERY.bad(name, other, "not a boolean")),
        };
        for child in el.children().filter(|c| c.has_ns(NS_CONVERSATION)) {
            let value = child.text();
            match child.name() {
                "box" if !value.trim().is_empty() => change.boxed = Some(value.trim().to_owned()),
                "box" => return Err(QUERY.bad("box", &value, "empty")),
                "archive" => {
                    let archived = flag(&value, "archive")?;
                    change.boxed = Some(if archived { ARCHIVE_BOX } else { INBOX_BOX }.into());
                }
                "mute" => {
                    let seconds = value
                        .trim()
                        .parse::<u64>()
                        .map_err(|_| QUERY.bad("mute", &value, "not a number of seconds"))?;
                    change.mute_seconds = Some(seconds);
                }
                "read" => change.read = Some(flag(&value, "read")?),
                _ => {}
            }
        }
        Ok(PropertiesQuery { jid, change })
    }
}

/// One entry of the answer, in a `<message/>`: `<result unread queryid>` with the forwarded
/// last message and the entry's properties.
pub fn result(queryid: &str, unread: u64, last: Forwarded, properties: &Properties) -> Element {
    let mut el = Element::builder("result", NS).build();
    set_attr(&mut el, "unread", unread.to_string());
    set_attr(&mut el, "queryid", queryid);
    el.append_child(last.into());
    for child in properties.children() {
        // The result's properties are in the inbox namespace.
        let mut moved = Element::builder(child.name(), NS).build();
        moved.append_text_node(child.text());
        el.append_child(moved);
    }
    el
}

/// The answer to `<empty-bin/>`: how many entries were dropped.
pub fn emptied(count: u64) -> Element {
    let mut num = Element::builder("num", NS).build();
    num.append_text_node(count.to_string());
    Element::builder("empty-bin", NS).append(num).build()
}

/// The end of the answer: `<fin><count/><unread-messages/><active-conversations/></fin>`.
pub fn fin(count: u64, unread_messages: u64, active_conversations: u64) -> Element {
    let mut el = Element::builder("fin", NS).build();
    for (name, value) in [
        ("count", count),
        ("unread-messages", unread_messages),
        ("active-conversations", active_conversations),
    ] {
        let mut child = Element::builder(name, NS).build();
        child.append_text_node(value.to_string());
        el.append_child(child);
    }
    el
}
