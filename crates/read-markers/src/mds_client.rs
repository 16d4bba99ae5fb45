//! XEP-0490 on the client's side (§2.2–§2.4, §3.1): the displayed position of each chat as this
//! device knows it, moved only forward, fed by what the user displays here (which yields the
//! publication to make) and by what the other devices published (PEP notifications and the
//! catch-up after login). Order is the application's: it alone knows where a stanza-id sits in
//! a chat's history (its local archive), so every step takes an `is_after(candidate, current)`
//! that answers whether the candidate stanza-id comes after the current one; one it cannot
//! place is not after (§3.1: a position not found in the chat is ignored).
//!
//! ```
//! use xmppkit_read_markers::mds::Displayed;
//! use xmppkit_read_markers::mds_client::DisplayedPositions;
//! let at = |id: &str| Displayed::new(id, "juliet@capulet.lit".parse::<xmppkit_jid::BareJid>().unwrap());
//! // This device's history of the chat with Romeo: s1, s2, s3.
//! let order = ["s1", "s2", "s3"];
//! let is_after = |a: &str, b: &str| {
//!     let pos = |id| order.iter().position(|o| *o == id);
//!     matches!((pos(a), pos(b)), (Some(a), Some(b)) if a > b)
//! };
//! let mut positions = DisplayedPositions::default();
//! let publish = positions.display("romeo@montegue.lit", at("s2"), is_after);
//! assert!(publish.is_some(), "moved: publish it");
//! assert!(positions.display("romeo@montegue.lit", at("s1"), is_after).is_none(), "older: nothing");
//! assert_eq!(positions.get("romeo@montegue.lit").unwrap().id, "s2");
//! ```

use crate::mds::{self, Displayed, NS, NS_PUBSUB};
use minidom::Element;
use std::collections::HashMap;
use xmppkit_stanza::set_attr;

/// XEP-0060's event namespace, in which notifications come.
const NS_EVENT: &str = "http://jabber.org/protocol/pubsub#event";

/// The displayed position per chat (the item id: a contact's or room's bare JID, an occupant's
/// full JID), as far as this device knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisplayedPositions {
    chats: HashMap<String, Displayed>,
}

impl DisplayedPositions {
    /// The position in `chat`, if known.
    pub fn get(&self, chat: &str) -> Option<&Displayed> {
        self.chats.get(chat)
    }

    /// Every chat with a known position.
    pub fn chats(&self) -> impl Iterator<Item = (&str, &Displayed)> {
        self.chats.iter().map(|(c, d)| (c.as_str(), d))
    }

    /// Moves `chat` to `to` when that is forward; whether it moved.
    fn advance(
        &mut self,
        chat: &str,
        to: Displayed,
        is_after: impl Fn(&str, &str) -> bool,
    ) -> bool {
        let forward = match self.chats.get(chat) {
            None => true,
            Some(current) => is_after(&to.id, &current.id),
        };
        if forward {
            self.chats.insert(chat.to_owned(), to);
        }
        forward
    }

    /// The user displayed `chat` up to `to` on this device: the `<pubsub/>` to send (as an IQ
    /// set to the user's own bare JID) when that moves the position, `None` when it does not.
    pub fn display(
        &mut self,
        chat: &str,
        to: Displayed,
        is_after: impl Fn(&str, &str) -> bool,
    ) -> Option<Element> {
        self.advance(chat, to.clone(), is_after)
            .then(|| mds::publish(chat, to))
    }

    /// Applies the positions in a PEP notification (a `<message/>` with an `<event/>`) or in
    /// the answer to [`catch_up`] (an `<iq/>` result): returns the chats that moved forward.
    /// Anything else, and items that cannot be read, change nothing.
    pub fn apply(
        &mut self,
        stanza: &Element,
        is_after: impl Fn(&str, &str) -> bool,
    ) -> Vec<String> {
        positions_in(stanza)
            .into_iter()
            .filter_map(|(chat, to)| self.advance(&chat, to, &is_after).then_some(chat))
            .collect()
    }
}

/// The `<pubsub/>` of the IQ get (to the user's own bare JID) that fetches every position
/// after login (§2.4).
pub fn catch_up() -> Element {
    let mut items = Element::builder("items", NS_PUBSUB).build();
    set_attr(&mut items, "node", NS);
    Element::builder("pubsub", NS_PUBSUB).append(items).build()
}

/// The (chat, position) pairs of an MDS notification or catch-up answer (the `<iq/>`, or its
/// `<pubsub/>`), in document order.
pub fn positions_in(stanza: &Element) -> Vec<(String, Displayed)> {
    let items = match stanza.name() {
        "pubsub" => stanza.get_child("items", NS_PUBSUB),
        "message" => stanza
            .get_child("event", NS_EVENT)
            .and_then(|e| e.get_child("items", NS_EVENT)),
        "iq" => stanza
            .get_child("pubsub", NS_PUBSUB)
            .and_then(|p| p.get_child("items", NS_PUBSUB)),
        _ => None,
    };
    let Some(items) = items.filter(|i| i.attr("node") == Some(NS)) else {
        return Vec::new();
    };
    items
        .children()
        .filter(|item| item.name() == "item")
        .filter_map(|item| {
            let chat = item.attr("id")?.to_owned();
            let displayed = item.get_child("displayed", NS)?.clone();
            Some((chat, Displayed::try_from(displayed).ok()?))
        })
        .collect()
}
