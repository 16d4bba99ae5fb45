//! The client's one-shot commands beyond `send`: the `flood` progress, the `read-marker`,
//! `unread`, `mds` and `pubsub` requests (`urn:xmpp:read-markers`, `urn:xmpp:unread`,
//! XEP-0490, XEP-0060 §6.1, §7.1, §8.1) and how their answers and notifications are printed.

use std::time::Instant;
use xmppkit::jid::BareJid;
use xmppkit::stanza::{Iq, IqPayload};

/// The `flood` command's progress.
pub(crate) struct Flood {
    pub(crate) to: xmppkit::jid::Jid,
    pub(crate) text: String,
    pub(crate) count: usize,
    pub(crate) sent: usize,
    pub(crate) next_at: Instant,
}

/// The `read-marker` command's request: an ack up to an id, or the query for one's own marker.
pub(crate) fn read_marker_request(room: &str, action: &str, rest: &[String]) -> Result<Iq, String> {
    let room: BareJid = room.parse().map_err(|e| format!("room: {e}"))?;
    match (action, rest) {
        ("ack", [id]) => Ok(xmppkit::read_markers::ack_iq("rm-ack", room, id.clone())),
        ("query", []) => Ok(xmppkit::read_markers::query_iq("rm-query", room, None)),
        _ => Err("read-marker ROOM (ack ID | query)".into()),
    }
}

/// Prints the answer to a `read-marker` request.
pub(crate) fn print_read_marker(iq: &Iq) {
    if let IqPayload::Error(e, _) = &iq.payload {
        return println!("{}: error {}", iq.id, e.condition.name());
    }
    if iq.id == "rm-ack" {
        return println!("read marker acked");
    }
    match xmppkit::read_markers::parse_answer(iq) {
        Ok(marker) => println!(
            "read marker: last {} unseen {}",
            marker.last.map(|l| l.id).unwrap_or_default(),
            marker.unseen
        ),
        Err(e) => println!("read marker: {e}"),
    }
}

/// The `unread` command's request (`urn:xmpp:unread`, to the user's server): without
/// arguments the counts list, with `ack JID (ID | all)` an ack.
pub(crate) fn unread_request(own: &BareJid, rest: &[String]) -> Result<Iq, String> {
    use xmppkit::read_markers::unread::{ack_iq, counts_iq, AckUpto, UnreadAck};
    let server = own.domain().into();
    match rest {
        [] => Ok(counts_iq("unread-counts", server)),
        [ack, jid, id] if ack == "ack" => {
            let upto = match id.as_str() {
                "all" => AckUpto::All,
                id => AckUpto::Message(id.to_owned()),
            };
            let jid = jid.parse().map_err(|e| format!("conversation: {e}"))?;
            Ok(ack_iq("unread-ack", server, UnreadAck { jid, upto }))
        }
        _ => Err("unread [ack JID (ID | all)]".into()),
    }
}

/// Prints the answer to an `unread` request: each conversation's count, or the ack's outcome.
pub(crate) fn print_unread(iq: &Iq) {
    match &iq.payload {
        IqPayload::Error(e, _) => println!("{}: error {}", iq.id, e.condition.name()),
        IqPayload::Result(Some(query)) => match xmppkit::read_markers::unread::counts_in(query) {
            Ok(counts) => {
                for count in &counts {
                    println!("unread {} {}", count.jid, count.amount);
                }
                println!("unread: {} conversations", counts.len());
            }
            Err(e) => println!("unread: {e}"),
        },
        _ => println!("unread acked"),
    }
}

/// The `mds` command's request (XEP-0490): `flag CHAT STANZA_ID` publishes that CHAT was
/// displayed up to the message the server archived as STANZA_ID; `catch-up` fetches every
/// position.
pub(crate) fn mds_request(own: &BareJid, action: &str, rest: &[String]) -> Result<Iq, String> {
    use xmppkit::read_markers::{mds, mds_client};
    let to = Some(own.clone().into());
    match (action, rest) {
        ("flag", [chat, id]) => {
            let displayed = mds::Displayed::new(id.clone(), own.clone());
            Ok(Iq::set("mds-flag", to, mds::publish(chat, displayed)))
        }
        ("catch-up", []) => Ok(Iq::get("mds-catch-up", to, mds_client::catch_up())),
        _ => Err("mds (flag CHAT STANZA_ID | catch-up)".into()),
    }
}

/// Prints each displayed position in an MDS notification or catch-up answer; whether there was
/// one.
pub(crate) fn print_mds(stanza: &minidom::Element) -> bool {
    let positions = xmppkit::read_markers::mds_client::positions_in(stanza);
    for (chat, displayed) in &positions {
        println!("displayed {chat} up to {}", displayed.id);
    }
    !positions.is_empty()
}

/// The `pubsub` command's request (XEP-0060 §6.1, §7.1, §8.1).
pub(crate) fn pubsub_request(
    service: &str,
    node: &str,
    action: &str,
    rest: &[String],
    own: &BareJid,
) -> Result<Iq, String> {
    use xmppkit::pubsub::client;
    let service: xmppkit::jid::Jid = service.parse().map_err(|e| format!("service: {e}"))?;
    Ok(match action {
        "create" => client::create("ps-create", service, node),
        "subscribe" => client::subscribe("ps-subscribe", service, node, own.clone().into()),
        "publish" => {
            let title = rest.first().ok_or("publish needs a text")?;
            let mut entry =
                minidom::Element::builder("entry", "http://www.w3.org/2005/Atom").build();
            let mut t = minidom::Element::builder("title", "http://www.w3.org/2005/Atom").build();
            t.append_text_node(title.clone());
            entry.append_child(t);
            client::publish("ps-publish", service, node, None, entry)
        }
        other => return Err(format!("unknown pubsub action {other}")),
    })
}

/// Prints a pubsub notification: the node, and each item's id and Atom title.
pub(crate) fn print_pubsub_event(event: xmppkit::pubsub::Event) {
    match event {
        xmppkit::pubsub::Event::Items {
            node,
            items,
            retracts,
        } => {
            for item in items {
                let title = item
                    .payload
                    .as_ref()
                    .and_then(|p| p.get_child("title", "http://www.w3.org/2005/Atom"))
                    .map(|t| t.text())
                    .unwrap_or_default();
                println!("pubsub item on {node}: {title}");
            }
            for id in retracts {
                println!("pubsub retraction on {node}: {id}");
            }
        }
        other => println!("pubsub event {other:?}"),
    }
}
