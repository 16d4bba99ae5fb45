//! The `urn:xmpp:unread` elements (the ejabberd-unread protocol, successor of the room read
//! markers), all in IQs to the user's server: `<ack id jid/>` (read up to a message, or `all`,
//! in a conversation), `<query/>` (the counts list, answered with `<unread-messages jid
//! amount/>` per conversation with something unread) and `<unread state/>` (a MAM result's
//! read state). Deviation, for RFC 6120 §8.2.3 (an IQ result holds at most one child): the
//! counts come inside a `<query/>`; [`counts_in`] reads that and the bare list alike.

use minidom::Element;
use xmppkit_jid::BareJid;
use xmppkit_stanza::{set_attr, Iq, ParseError, Tag};

/// `urn:xmpp:unread`.
pub const NS: &str = "urn:xmpp:unread";

const ACK: Tag = Tag::new("ack", NS);
const QUERY: Tag = Tag::new("query", NS);
const COUNT: Tag = Tag::new("unread-messages", NS);
const STATE: Tag = Tag::new("unread", NS);
const FIRST: Tag = Tag::new("unread-message", NS);

/// What an [`UnreadAck`] reads up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckUpto {
    /// The message with this archive id (stanza-id), and everything before it.
    Message(String),
    /// Everything so far (`id='all'`).
    All,
}

/// `<ack id='…' jid='…'/>`: the user read the conversation `jid` (a room's or a contact's
/// bare JID) up to a message, or all of it.
///
/// ```
/// use xmppkit_read_markers::unread::{AckUpto, UnreadAck};
/// let el: minidom::Element = "<ack xmlns='urn:xmpp:unread' id='all' jid='test@conference.example.com'/>"
///     .parse().unwrap();
/// let ack = UnreadAck::try_from(el.clone()).unwrap();
/// assert_eq!(ack.upto, AckUpto::All);
/// assert_eq!(minidom::Element::from(ack), el);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadAck {
    /// The conversation.
    pub jid: BareJid,
    /// Up to where.
    pub upto: AckUpto,
}

impl TryFrom<Element> for UnreadAck {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        ACK.check(&el)?;
        let id = ACK.required(&el, "id")?;
        let upto = match id.trim() {
            "" => return Err(ACK.bad("id", id, "empty")),
            "all" => AckUpto::All,
            _ => AckUpto::Message(id.to_owned()),
        };
        let jid = ACK.required_bare_jid(&el, "jid")?;
        Ok(UnreadAck { jid, upto })
    }
}

impl From<UnreadAck> for Element {
    fn from(a: UnreadAck) -> Element {
        let mut el = ACK.element();
        let id = match a.upto {
            AckUpto::Message(id) => id,
            AckUpto::All => "all".to_owned(),
        };
        set_attr(&mut el, "id", id);
        set_attr(&mut el, "jid", a.jid.to_string());
        el
    }
}

/// `<query jid='…'?/>`: without `jid`, the user's counts list; with one, the first unread
/// message of each member of that conversation (the peers' view).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnreadQuery {
    /// The conversation, for the peers' view.
    pub jid: Option<BareJid>,
}

impl TryFrom<Element> for UnreadQuery {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        QUERY.check(&el)?;
        if el.children().next().is_some() {
            return Err(QUERY.bad_content("a request has no children"));
        }
        let jid = QUERY.bare_jid_attr(&el, "jid")?;
        Ok(UnreadQuery { jid })
    }
}

impl From<UnreadQuery> for Element {
    fn from(q: UnreadQuery) -> Element {
        let mut el = QUERY.element();
        if let Some(jid) = q.jid {
            set_attr(&mut el, "jid", jid.to_string());
        }
        el
    }
}

/// `<unread-messages jid='…' amount='…'/>`: one conversation of the counts list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadCount {
    /// The conversation.
    pub jid: BareJid,
    /// Its unread messages (never 0 in a list).
    pub amount: u64,
}

impl TryFrom<&Element> for UnreadCount {
    type Error = ParseError;
    fn try_from(el: &Element) -> Result<Self, ParseError> {
        COUNT.check(el)?;
        let jid = COUNT.required_bare_jid(el, "jid")?;
        let amount =
            COUNT
                .parse_attr::<u64>(el, "amount")?
                .ok_or(ParseError::MissingAttribute {
                    element: COUNT.name,
                    ns: NS,
                    attribute: "amount",
                })?;
        Ok(UnreadCount { jid, amount })
    }
}

impl From<UnreadCount> for Element {
    fn from(c: UnreadCount) -> Element {
        let mut el = COUNT.element();
        set_attr(&mut el, "jid", c.jid.to_string());
        set_attr(&mut el, "amount", c.amount.to_string());
        el
    }
}

/// The counts list as this server answers it: `<query>` holding the `<unread-messages/>`.
pub fn counts_element(counts: Vec<UnreadCount>) -> Element {
    let mut el = QUERY.element();
    for count in counts {
        el.append_child(count.into());
    }
    el
}

/// The counts in an IQ result: inside its `<query/>`, or (as ejabberd-unread sends them) as
/// its own children.
///
/// ```
/// use xmppkit_read_markers::unread::counts_in;
/// let theirs: minidom::Element = "<iq xmlns='jabber:client' type='result' id='1'>\
///     <unread-messages xmlns='urn:xmpp:unread' jid='room42@conference.example.com' amount='5'/>\
///     <unread-messages xmlns='urn:xmpp:unread' jid='bob@example.com' amount='2'/></iq>".parse().unwrap();
/// let counts = counts_in(&theirs).unwrap();
/// assert_eq!((counts[0].jid.as_str(), counts[0].amount), ("room42@conference.example.com", 5));
/// assert_eq!(counts[1].amount, 2);
/// ```
pub fn counts_in(iq: &Element) -> Result<Vec<UnreadCount>, ParseError> {
    let holder = iq.get_child(QUERY.name, NS).unwrap_or(iq);
    holder
        .children()
        .filter(|c| c.is(COUNT.name, NS))
        .map(UnreadCount::try_from)
        .collect()
}

/// The client's ack: an IQ set to `server` (the user's domain) reading `ack.jid` up to
/// `ack.upto`.
///
/// ```
/// use xmppkit_read_markers::unread::{ack_iq, AckUpto, UnreadAck};
/// let ack = UnreadAck { jid: "bob@example.com".parse().unwrap(), upto: AckUpto::All };
/// let iq = ack_iq("a1", "example.com".parse().unwrap(), ack);
/// assert!(String::from(&minidom::Element::from(iq)).contains("id='all'"));
/// ```
pub fn ack_iq(id: impl Into<String>, server: BareJid, ack: UnreadAck) -> Iq {
    Iq::set(id, Some(server.into()), ack.into())
}

/// The client's request for its counts list, to `server` (the user's domain); read the answer
/// with [`counts_in`].
pub fn counts_iq(id: impl Into<String>, server: BareJid) -> Iq {
    Iq::get(id, Some(server.into()), UnreadQuery::default().into())
}

/// `<unread-message jid='…' id='…'/>`: in the peers' view of a conversation, the first
/// message a member has not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstUnread {
    /// The member.
    pub jid: BareJid,
    /// The archive id of the first message they have not read.
    pub id: String,
}

impl TryFrom<&Element> for FirstUnread {
    type Error = ParseError;
    fn try_from(el: &Element) -> Result<Self, ParseError> {
        FIRST.check(el)?;
        Ok(FirstUnread {
            jid: FIRST.required_bare_jid(el, "jid")?,
            id: FIRST.required(el, "id")?.to_owned(),
        })
    }
}

impl From<FirstUnread> for Element {
    fn from(f: FirstUnread) -> Element {
        let mut el = FIRST.element();
        set_attr(&mut el, "jid", f.jid.to_string());
        set_attr(&mut el, "id", f.id);
        el
    }
}

/// The peers' view as this server answers it: `<query jid>` holding the `<unread-message/>`s.
pub fn first_unread_element(conversation: &BareJid, firsts: Vec<FirstUnread>) -> Element {
    let mut el = QUERY.element();
    set_attr(&mut el, "jid", conversation.to_string());
    for first in firsts {
        el.append_child(first.into());
    }
    el
}

/// The first unread messages in an IQ result: inside its `<query/>`, or as its own children
/// (ejabberd-unread's form).
pub fn first_unread_in(iq: &Element) -> Result<Vec<FirstUnread>, ParseError> {
    let holder = iq.get_child(QUERY.name, NS).unwrap_or(iq);
    holder
        .children()
        .filter(|c| c.is(FIRST.name, NS))
        .map(FirstUnread::try_from)
        .collect()
}

/// `<unread state='true|false'/>`: whether a message of a MAM result is unread for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreadState(pub bool);

impl TryFrom<&Element> for UnreadState {
    type Error = ParseError;
    fn try_from(el: &Element) -> Result<Self, ParseError> {
        STATE.check(el)?;
        match STATE.required(el, "state")? {
            "true" => Ok(UnreadState(true)),
            "false" => Ok(UnreadState(false)),
            other => Err(STATE.bad("state", other, "neither true nor false")),
        }
    }
}

impl From<UnreadState> for Element {
    fn from(s: UnreadState) -> Element {
        let mut el = STATE.element();
        set_attr(&mut el, "state", if s.0 { "true" } else { "false" });
        el
    }
}
