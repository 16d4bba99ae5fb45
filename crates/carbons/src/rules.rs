//! The server side of XEP-0280 §6: which messages are copied (the `urn:xmpp:carbons:rules:0`
//! rules of §6.1, MUC rules included) and the copies themselves, wrapped per §6.2 / §6.3.

use crate::payload::{Carbon, Direction, NS};
use minidom::Element;
use xmppkit_jid::{BareJid, FullJid};
use xmppkit_stanza::forwarding::Forwarded;
use xmppkit_stanza::{has_body, hints::Hint, ns, set_attr};

const MUC_USER: &str = "http://jabber.org/protocol/muc#user";
const CONFERENCE: &str = "jabber:x:conference";
/// Payload namespaces "typically used in IM" (§6.1): receipts, chat states, chat markers.
const IM_PAYLOADS: [&str; 3] = [
    "urn:xmpp:receipts",
    "http://jabber.org/protocol/chatstates",
    ns::CHAT_MARKERS,
];

/// Whether `message` is eligible for carbons (§6.1), seen from the user whose other resources
/// would get the copy: `Sent` for a message one of them sent, `Received` for one sent to them.
///
/// Errors are copied when they carry the content of the message they answer (a body or an IM
/// payload, RFC 6120 §8.3.1), the stateless reading of "an error in reply to an eligible message".
///
/// ```
/// use xmppkit_carbons::{eligible, Direction};
/// let chat: minidom::Element = "<message xmlns='jabber:client' type='chat'><body>hi</body></message>".parse().unwrap();
/// let groupchat: minidom::Element = "<message xmlns='jabber:client' type='groupchat'><body>hi</body></message>".parse().unwrap();
/// assert!(eligible(&chat, Direction::Received));
/// assert!(!eligible(&groupchat, Direction::Received));
/// ```
pub fn eligible(message: &Element, direction: Direction) -> bool {
    if message.name() != "message"
        || message.has_child("private", NS)
        || message.has_child("received", NS)
        || message.has_child("sent", NS)
        || Hint::NoCopy.is_in(message)
    {
        return false;
    }
    let type_ = message.attr("type").unwrap_or("normal");
    if type_ == "groupchat" {
        return false;
    }
    let has_body = has_body(message);
    let im_payload = message
        .children()
        .any(|c| IM_PAYLOADS.iter().any(|ns| c.has_ns(*ns)));
    let muc_user = message.get_child("x", MUC_USER);
    let invite = message.has_child("x", CONFERENCE)
        || muc_user.is_some_and(|x| x.children().any(|c| c.name() == "invite"));
    if invite {
        return true;
    }
    // A private message from a room occupant: the room already copies it to every joined client.
    if direction == Direction::Received && muc_user.is_some() {
        return false;
    }
    match type_ {
        "chat" => true,
        "normal" | "error" => has_body || im_payload,
        _ => im_payload,
    }
}

/// The carbon copies of `message` for `user`'s resources: one for each resource in `enabled`
/// (those that sent `<enable/>`) that belongs to `user` and is not in `exclude`, which holds the
/// sending resource (for `Sent`) or the resources that got the original under RFC 6121 §8.5
/// (for `Received`). Empty when the message is not eligible.
///
/// ```
/// use xmppkit_carbons::{copies, Direction};
/// use xmppkit_jid::FullJid;
/// let message: minidom::Element = "<message xmlns='jabber:client' from='juliet@capulet.example/balcony' \
///     to='romeo@montague.example/garden' type='chat'><body>hi</body></message>".parse().unwrap();
/// let garden: FullJid = "romeo@montague.example/garden".parse().unwrap();
/// let home: FullJid = "romeo@montague.example/home".parse().unwrap();
/// let out = copies(&message, Direction::Received, &"romeo@montague.example".parse().unwrap(),
///     [&garden, &home], &[garden.clone()]);
/// assert_eq!(out.len(), 1);
/// assert_eq!(out[0].attr("to"), Some("romeo@montague.example/home"));
/// assert_eq!(out[0].attr("from"), Some("romeo@montague.example"));
/// ```
pub fn copies<'a>(
    message: &Element,
    direction: Direction,
    user: &BareJid,
    enabled: impl IntoIterator<Item = &'a FullJid>,
    exclude: &[FullJid],
) -> Vec<Element> {
    if !eligible(message, direction) {
        return Vec::new();
    }
    enabled
        .into_iter()
        .filter(|r| r.to_bare() == *user && !exclude.contains(r))
        .map(|resource| wrap(message, direction, user, resource))
        .collect()
}

/// One copy: `<message from=user to=resource type=…><received|sent><forwarded>original…`.
pub fn wrap(message: &Element, direction: Direction, user: &BareJid, to: &FullJid) -> Element {
    let mut copy = Element::builder("message", ns::CLIENT).build();
    set_attr(&mut copy, "from", user.to_string());
    set_attr(&mut copy, "to", to.to_string());
    if let Some(type_) = message.attr("type") {
        set_attr(&mut copy, "type", type_.to_owned());
    }
    let carbon = Carbon {
        direction,
        forwarded: Forwarded {
            delay: None,
            stanza: message.clone(),
        },
    };
    copy.append_child(carbon.into());
    copy
}
