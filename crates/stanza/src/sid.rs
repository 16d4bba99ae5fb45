//! XEP-0359: Unique and Stable Stanza IDs — `<stanza-id id by/>` set by an archiving entity and
//! `<origin-id id/>` set by the sender.

use crate::util::{set_attr, Tag};
use crate::{ns, ParseError, Payload};
use minidom::Element;
use xmppkit_jid::Jid;

const STANZA_ID: Tag = Tag::new("stanza-id", ns::SID);
const ORIGIN_ID: Tag = Tag::new("origin-id", ns::SID);

/// The id of the `<stanza-id/>` that `by` (an archive, a room) put on `message`, if any. Ids by
/// others are ignored: only the entity named in `by` can vouch for its own (XEP-0359 §3.1).
///
/// ```
/// let m: minidom::Element = "<message xmlns='jabber:client'><stanza-id xmlns='urn:xmpp:sid:0' \
///     by='room@muc.example.com' id='39K7ZYIp'/></message>".parse().unwrap();
/// let room = "room@muc.example.com".parse().unwrap();
/// assert_eq!(xmppkit_stanza::sid::stanza_id_by(&m, &room), Some("39K7ZYIp"));
/// assert_eq!(xmppkit_stanza::sid::stanza_id_by(&m, &"x@y.example".parse().unwrap()), None);
/// ```
pub fn stanza_id_by<'a>(message: &'a Element, by: &xmppkit_jid::BareJid) -> Option<&'a str> {
    message
        .children()
        .find(|c| c.is(STANZA_ID.name, STANZA_ID.ns) && c.attr("by") == Some(by.as_str()))
        .and_then(|c| c.attr("id"))
}

/// Adds `<stanza-id by='…' id='…'/>` to `message`, after removing any that claims to come from
/// the same entity: a sender must not be able to forge it (XEP-0359 §3.1).
///
/// ```
/// use xmppkit_stanza::sid::{stamp, stanza_id_by, StanzaId};
/// let mut m: minidom::Element = "<message xmlns='jabber:client'><stanza-id xmlns='urn:xmpp:sid:0' \
///     by='room@muc.example.com' id='forged'/></message>".parse().unwrap();
/// let room: xmppkit_jid::BareJid = "room@muc.example.com".parse().unwrap();
/// stamp(&mut m, &StanzaId { id: "17".into(), by: room.clone().into() });
/// assert_eq!(stanza_id_by(&m, &room), Some("17"));
/// assert_eq!(m.children().count(), 1);
/// ```
pub fn stamp(message: &mut Element, sid: &StanzaId) {
    let by = sid.by.to_string();
    for node in message.take_nodes() {
        match node {
            minidom::Node::Element(e)
                if e.is(STANZA_ID.name, STANZA_ID.ns) && e.attr("by") == Some(by.as_str()) => {}
            other => {
                message.append_node(other);
            }
        }
    }
    message.append_child(sid.clone().into());
}

/// A stable id assigned by the entity named in `by` (an archive, a room).
///
/// ```
/// use xmppkit_stanza::sid::StanzaId;
/// let s = StanzaId::try_from("<stanza-id xmlns='urn:xmpp:sid:0' id='de305d54-75b4-431b-adb2-eb6b9e546013' \
///     by='room@muc.example.com'/>".parse::<minidom::Element>().unwrap()).unwrap();
/// assert_eq!(s.by.as_str(), "room@muc.example.com");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StanzaId {
    /// The id.
    pub id: String,
    /// Who assigned it.
    pub by: Jid,
}

/// The id the sender gave the stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginId {
    /// The id.
    pub id: String,
}

impl Payload for StanzaId {
    const NAME: &'static str = "stanza-id";
    const NS: &'static str = ns::SID;
}

impl Payload for OriginId {
    const NAME: &'static str = "origin-id";
    const NS: &'static str = ns::SID;
}

impl TryFrom<Element> for StanzaId {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        STANZA_ID.check(&el)?;
        let by = STANZA_ID.required(&el, "by")?;
        Ok(StanzaId {
            id: STANZA_ID.required(&el, "id")?.to_owned(),
            by: by.parse().map_err(|e| STANZA_ID.bad("by", by, e))?,
        })
    }
}

impl From<StanzaId> for Element {
    fn from(s: StanzaId) -> Element {
        let mut el = STANZA_ID.element();
        set_attr(&mut el, "id", s.id);
        set_attr(&mut el, "by", s.by.as_str());
        el
    }
}

impl TryFrom<Element> for OriginId {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        ORIGIN_ID.check(&el)?;
        Ok(OriginId {
            id: ORIGIN_ID.required(&el, "id")?.to_owned(),
        })
    }
}

impl From<OriginId> for Element {
    fn from(o: OriginId) -> Element {
        let mut el = ORIGIN_ID.element();
        set_attr(&mut el, "id", o.id);
        el
    }
}
