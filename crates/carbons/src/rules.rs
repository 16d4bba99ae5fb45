//! The server side of XEP-0280 §6: which messages are copied (the `urn:xmpp:carbons:rules:0`
//! rules of §6.1, MUC rules included) and the copies themselves, wrapped per §6.2 / §6.3.

use crate::payload::{Carbon, Direction, NS};
use bytes::{BufMut, Bytes, BytesMut};
use minidom::Element;
use xmppkit_codec::{write_attr, RawStanza, Routing};
use xmppkit_jid::{BareJid, FullJid};
use xmppkit_stanza::forwarding::Forwarded;
use xmppkit_stanza::{has_body, hints::Hint, ns, set_attr, StanzaView};

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
pub fn eligible<S: StanzaView + ?Sized>(message: &S, direction: Direction) -> bool {
    if message.stanza_name() != "message"
        || message.has_child_named("private", NS)
        || message.has_child_named("received", NS)
        || message.has_child_named("sent", NS)
        || Hint::NoCopy.is_in(message)
    {
        return false;
    }
    let type_ = message.stanza_type();
    let type_ = type_.as_deref().unwrap_or("normal");
    if type_ == "groupchat" {
        return false;
    }
    let has_body = has_body(message);
    let im_payload = IM_PAYLOADS.iter().any(|ns| message.has_child_in(ns));
    let muc_user = message.child_tree("x", MUC_USER);
    let invite = message.has_child_named("x", CONFERENCE)
        || muc_user
            .as_ref()
            .is_some_and(|x| x.children().any(|c| c.name() == "invite"));
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

/// [`copies`] for a message routed as bytes: each copy is written around the message's own
/// bytes (its namespace declared inside the wrapper), for a `jabber:client` stream, with no
/// tree built; each parses to what [`wrap`] builds. Returned with the resource it is for.
///
/// ```
/// use xmppkit_carbons::{copies_raw, Direction};
/// use xmppkit_codec::{Decoder, RawEvent};
/// use xmppkit_jid::FullJid;
/// let mut decoder = Decoder::fragments("jabber:client");
/// decoder.feed(b"<message from='juliet@capulet.example/balcony' to='romeo@montague.example' \
///     type='chat'><body>hi</body></message>");
/// let Some(RawEvent::Stanza(message)) = decoder.next_raw().unwrap() else { panic!() };
/// let balcony: FullJid = "juliet@capulet.example/balcony".parse().unwrap();
/// let chamber: FullJid = "juliet@capulet.example/chamber".parse().unwrap();
/// let out = copies_raw(&message, Direction::Sent, &"juliet@capulet.example".parse().unwrap(),
///     [&balcony, &chamber], &[balcony.clone()]);
/// assert_eq!(out.len(), 1);
/// assert_eq!(out[0].0, chamber);
/// assert!(out[0].1.starts_with(b"<message from='juliet@capulet.example' \
///     to='juliet@capulet.example/chamber' type='chat'><sent xmlns='urn:xmpp:carbons:2'>"));
/// ```
pub fn copies_raw<'a>(
    message: &RawStanza,
    direction: Direction,
    user: &BareJid,
    enabled: impl IntoIterator<Item = &'a FullJid>,
    exclude: &[FullJid],
) -> Vec<(FullJid, Bytes)> {
    if !eligible(message, direction) {
        return Vec::new();
    }
    let targets: Vec<&FullJid> = enabled
        .into_iter()
        .filter(|r| r.to_bare() == *user && !exclude.contains(r))
        .collect();
    if targets.is_empty() {
        return Vec::new();
    }
    let inner = message.to_standalone();
    let type_ = message.attr(Routing::Type);
    let wrapper = match direction {
        Direction::Received => "received",
        Direction::Sent => "sent",
    };
    targets
        .into_iter()
        .map(|to| {
            let mut out = BytesMut::with_capacity(inner.len() + 160);
            out.put_slice(b"<message");
            write_attr(&mut out, "from", user.as_str());
            write_attr(&mut out, "to", to.as_str());
            if let Some(type_) = &type_ {
                write_attr(&mut out, "type", type_);
            }
            out.put_slice(b"><");
            out.put_slice(wrapper.as_bytes());
            write_attr(&mut out, "xmlns", NS);
            out.put_slice(b"><forwarded");
            write_attr(&mut out, "xmlns", ns::FORWARD);
            out.put_u8(b'>');
            out.put_slice(inner.as_bytes());
            out.put_slice(b"</forwarded></");
            out.put_slice(wrapper.as_bytes());
            out.put_slice(b"></message>");
            (to.clone(), out.freeze())
        })
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
