//! The `urn:xmpp:read-markers` elements: `<ack id/>` (IQ set to the room), `<query jid?/>` (IQ
//! get to the room) and its result `<query>` holding `<last-message id><seen-at/></last-message>`
//! (when the user acked something) and `<unseen-messages amount/>` (always).

use minidom::Element;
use xmppkit_jid::BareJid;
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::{set_attr, ParseError, Tag};

/// `urn:xmpp:read-markers`.
pub const NS: &str = "urn:xmpp:read-markers";

const ACK: Tag = Tag::new("ack", NS);
const QUERY: Tag = Tag::new("query", NS);
const LAST: Tag = Tag::new("last-message", NS);
const SEEN_AT: Tag = Tag::new("seen-at", NS);
const UNSEEN: Tag = Tag::new("unseen-messages", NS);

/// `<ack id='…'/>`: the sender has read the room up to message `id`.
///
/// ```
/// use xmppkit_read_markers::Ack;
/// let el: minidom::Element = "<ack xmlns='urn:xmpp:read-markers' id='1534'/>".parse().unwrap();
/// assert_eq!(Ack::try_from(el).unwrap(), Ack { id: "1534".into() });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// The message id (opaque: integers and UUIDs alike).
    pub id: String,
}

impl TryFrom<Element> for Ack {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        ACK.check(&el)?;
        let id = ACK.required(&el, "id")?;
        if id.trim().is_empty() {
            return Err(ACK.bad("id", id, "empty"));
        }
        Ok(Ack { id: id.to_owned() })
    }
}

impl From<Ack> for Element {
    fn from(a: Ack) -> Element {
        let mut el = ACK.element();
        set_attr(&mut el, "id", a.id);
        el
    }
}

/// `<query jid='…'/>`: the request for a member's marker; no `jid` means the sender.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// Whose marker (a bare JID).
    pub jid: Option<BareJid>,
}

impl TryFrom<Element> for Query {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        QUERY.check(&el)?;
        let jid = QUERY.bare_jid_attr(&el, "jid")?;
        Ok(Query { jid })
    }
}

impl From<Query> for Element {
    fn from(q: Query) -> Element {
        let mut el = QUERY.element();
        if let Some(jid) = q.jid {
            set_attr(&mut el, "jid", jid.to_string());
        }
        el
    }
}

/// The last message a member acked, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastMessage {
    /// The message id.
    pub id: String,
    /// When the server stored the ack.
    pub seen_at: DateTime,
}

/// The answer to a [`Query`]: `<query><last-message/>?<unseen-messages/></query>`.
///
/// ```
/// use xmppkit_read_markers::{LastMessage, Marker};
/// let el: minidom::Element = "<query xmlns='urn:xmpp:read-markers'><last-message id='1534'>\
///     <seen-at>2018-08-06T11:58:37.651721Z</seen-at></last-message>\
///     <unseen-messages amount='3'/></query>".parse().unwrap();
/// let marker = Marker::try_from(el.clone()).unwrap();
/// assert_eq!(marker.unseen, 3);
/// assert_eq!(marker.last.as_ref().unwrap().seen_at.to_string(), "2018-08-06T11:58:37.651721Z");
/// assert_eq!(minidom::Element::from(marker), el);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Marker {
    /// The last acked message, if any.
    pub last: Option<LastMessage>,
    /// Messages from others since then (all of them since joining when nothing was acked).
    pub unseen: u64,
}

impl TryFrom<Element> for Marker {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        QUERY.check(&el)?;
        let last = match el.get_child(LAST.name, NS) {
            None => None,
            Some(last) => {
                let id = LAST.required(last, "id")?.to_owned();
                let seen_at = last
                    .get_child(SEEN_AT.name, NS)
                    .ok_or_else(|| LAST.missing_child("seen-at"))?
                    .text();
                let seen_at = seen_at
                    .trim()
                    .parse::<DateTime>()
                    .map_err(|e| SEEN_AT.bad_content(e.to_string()))?;
                Some(LastMessage { id, seen_at })
            }
        };
        let unseen = el
            .get_child(UNSEEN.name, NS)
            .ok_or_else(|| QUERY.missing_child("unseen-messages"))?;
        let unseen =
            UNSEEN
                .parse_attr::<u64>(unseen, "amount")?
                .ok_or(ParseError::MissingAttribute {
                    element: UNSEEN.name,
                    ns: NS,
                    attribute: "amount",
                })?;
        Ok(Marker { last, unseen })
    }
}

impl From<Marker> for Element {
    fn from(m: Marker) -> Element {
        let mut el = QUERY.element();
        if let Some(last) = m.last {
            let mut last_el = LAST.element();
            set_attr(&mut last_el, "id", last.id);
            let mut seen_at = SEEN_AT.element();
            seen_at.append_text_node(last.seen_at.to_string());
            last_el.append_child(seen_at);
            el.append_child(last_el);
        }
        let mut unseen = UNSEEN.element();
        set_attr(&mut unseen, "amount", m.unseen.to_string());
        el.append_child(unseen);
        el
    }
}
