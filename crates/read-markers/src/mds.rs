//! XEP-0490 Message Displayed Synchronization (MDS): the `<displayed/>` payload that says up to
//! which message (by its XEP-0359 stanza-id) a chat was displayed, as kept in the user's private
//! PEP node `urn:xmpp:mds:displayed:0` under the chat's JID (§2.1), the publish-options every
//! publication carries (§2.2, §7), and the server-assist form inside a message (§2.5.3), which
//! the server takes out before the message is archived, copied or delivered.
//!
//! ```
//! use xmppkit_read_markers::mds::{self, Displayed};
//! use xmppkit_jid::BareJid;
//! let juliet: BareJid = "juliet@capulet.lit".parse().unwrap();
//! let displayed = Displayed::new("0f710f2b", juliet);
//! let pubsub = mds::publish("romeo@montegue.lit", displayed.clone());
//! let item = pubsub.get_child("publish", mds::NS_PUBSUB).unwrap()
//!     .get_child("item", mds::NS_PUBSUB).unwrap();
//! assert_eq!(item.attr("id"), Some("romeo@montegue.lit"));
//! let inside = item.get_child("displayed", mds::NS).unwrap().clone();
//! assert_eq!(Displayed::try_from(inside).unwrap(), displayed);
//! ```

use minidom::Element;
use xmppkit_jid::Jid;
use xmppkit_stanza::data_forms::{DataForm, Field};
use xmppkit_stanza::{ns, set_attr, ParseError};

/// `urn:xmpp:mds:displayed:0`: the payload's namespace and the PEP node's name.
pub const NS: &str = "urn:xmpp:mds:displayed:0";
/// The XEP-0115 feature a client lists to receive the node's notifications (XEP-0163).
pub const NS_NOTIFY: &str = "urn:xmpp:mds:displayed:0+notify";
/// The account feature of a server that publishes on the client's behalf (§2.5.2).
pub const NS_SERVER_ASSIST: &str = "urn:xmpp:mds:server-assist:0";
/// XEP-0060's namespace, in which the publication is made.
pub const NS_PUBSUB: &str = "http://jabber.org/protocol/pubsub";
/// The form type of publish-options (XEP-0060 §7.1.5).
const PUBLISH_OPTIONS: &str = "http://jabber.org/protocol/pubsub#publish-options";

/// A chat displayed up to the message with this stanza-id: the id the user's server gave it,
/// or the room's in a group chat (§2.2). `by` is read when present and not required: XEP-0359
/// requires it, but slixmpp 1.17 publishes positions without it, and the id alone names the
/// message within its chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Displayed {
    /// The stanza-id of the most recent message displayed.
    pub id: String,
    /// Who gave that id (the user's server, or the room).
    pub by: Option<Jid>,
}

impl Displayed {
    /// The position at the message `id` that `by` archived.
    pub fn new(id: impl Into<String>, by: impl Into<Jid>) -> Displayed {
        Displayed {
            id: id.into(),
            by: Some(by.into()),
        }
    }
}

impl TryFrom<Element> for Displayed {
    type Error = ParseError;

    fn try_from(el: Element) -> Result<Self, ParseError> {
        if !el.is("displayed", NS) {
            return Err(ParseError::WrongElement {
                expected: "displayed",
                expected_ns: NS,
                found: el.name().to_owned(),
                found_ns: el.ns(),
            });
        }
        // §2.1: exactly one stanza-id.
        let mut ids = el.children().filter(|c| c.is("stanza-id", ns::SID));
        let (Some(sid), None) = (ids.next(), ids.next()) else {
            return Err(ParseError::BadContent {
                element: "displayed",
                ns: NS,
                reason: "it needs exactly one <stanza-id/> (XEP-0490 §2.1)".into(),
            });
        };
        let id = sid.attr("id").ok_or(ParseError::MissingAttribute {
            element: "stanza-id",
            ns: ns::SID,
            attribute: "id",
        })?;
        let by = match sid.attr("by") {
            Some(by) => {
                Some(
                    by.parse()
                        .map_err(|e: xmppkit_jid::Error| ParseError::BadAttribute {
                            element: "stanza-id",
                            ns: ns::SID,
                            attribute: "by",
                            value: by.to_owned(),
                            reason: e.to_string(),
                        })?,
                )
            }
            None => None,
        };
        Ok(Displayed {
            id: id.to_owned(),
            by,
        })
    }
}

impl From<Displayed> for Element {
    fn from(d: Displayed) -> Element {
        let mut sid = Element::builder("stanza-id", ns::SID).build();
        set_attr(&mut sid, "id", d.id);
        if let Some(by) = d.by {
            set_attr(&mut sid, "by", by.as_str());
        }
        Element::builder("displayed", NS).append(sid).build()
    }
}

/// The publish-options of every MDS publication (§2.2, §7): items kept, as many as there are
/// chats, never sent on subscription, the node readable by its owner only.
pub fn publish_options() -> DataForm {
    DataForm::submit(
        PUBLISH_OPTIONS,
        vec![
            Field::new("pubsub#persist_items", ["true"]),
            Field::new("pubsub#max_items", ["max"]),
            Field::new("pubsub#send_last_published_item", ["never"]),
            Field::new("pubsub#access_model", ["whitelist"]),
        ],
    )
}

/// The `<pubsub/>` of an IQ set that publishes `displayed` for the chat `chat` (a contact's or
/// a room's bare JID, a room occupant's full JID for private messages), with its options.
pub fn publish(chat: &str, displayed: Displayed) -> Element {
    let mut item = Element::builder("item", NS_PUBSUB)
        .append(Element::from(displayed))
        .build();
    set_attr(&mut item, "id", chat);
    let mut publish = Element::builder("publish", NS_PUBSUB).append(item).build();
    set_attr(&mut publish, "node", NS);
    let options = Element::builder("publish-options", NS_PUBSUB)
        .append(Element::from(publish_options()))
        .build();
    Element::builder("pubsub", NS_PUBSUB)
        .append(publish)
        .append(options)
        .build()
}

/// Server assist (§2.5.3): takes the `<displayed/>` of this namespace out of `message`, so that
/// neither its recipient nor the archive nor carbons see it, and returns it with the chat it is
/// for (the message's `to`, verbatim, §3.1). `None` when there is none, it cannot be read, or
/// the message has no `to`; an unreadable one is taken out all the same.
pub fn take_server_assist(message: &mut Element) -> Option<(String, Displayed)> {
    if !message.has_child("displayed", NS) {
        return None;
    }
    let taken = message.remove_child("displayed", NS)?;
    while message.remove_child("displayed", NS).is_some() {}
    let chat = message.attr("to")?.to_owned();
    Some((chat, Displayed::try_from(taken).ok()?))
}

/// A publication to the displayed node, read from the `<pubsub/>` of an IQ set: the chat (the
/// item id) and its position. `None` for any other publication or an unreadable item.
///
/// ```
/// use xmppkit_read_markers::mds::{publish, published, Displayed};
/// let position = Displayed::new("s7", "juliet@capulet.lit".parse::<xmppkit_jid::BareJid>().unwrap());
/// let pubsub = publish("romeo@montegue.lit", position.clone());
/// assert_eq!(published(&pubsub), Some(("romeo@montegue.lit".to_owned(), position)));
/// ```
pub fn published(pubsub: &Element) -> Option<(String, Displayed)> {
    if !pubsub.is("pubsub", NS_PUBSUB) {
        return None;
    }
    let publish = pubsub.get_child("publish", NS_PUBSUB)?;
    if publish.attr("node") != Some(NS) {
        return None;
    }
    let item = publish.get_child("item", NS_PUBSUB)?;
    let chat = item.attr("id")?.to_owned();
    let displayed = item.get_child("displayed", NS)?;
    Some((chat, Displayed::try_from(displayed.clone()).ok()?))
}
