//! The server's view of XEP-0333: what a delivered message does to the markers store (a
//! `<displayed/>` moves its sender's marker, a message with a body joins the conversation).

use crate::payload::{Marker, MarkerKind};
use crate::store::{ConversationKey, MarkerStore, StoreError};
use minidom::Element;
use xmppkit_jid::BareJid;
use xmppkit_stanza::has_body;
use xmppkit_stanza::sid::stanza_id_by;

/// Feeds one delivered message into `store`: a `<displayed/>` moves `sender`'s marker; a message
/// with a body is appended under its id (the room's `stanza-id` in a room, else its `id`).
/// Returns whether the store changed, or the store's failure.
///
/// ```
/// use xmppkit_markers::{observe, ConversationKey, MarkerStore, MemoryMarkerStore};
/// let (romeo, juliet) = ("romeo@montegue.lit".parse().unwrap(), "juliet@capulet.lit".parse().unwrap());
/// let chat = ConversationKey::direct(romeo, juliet);
/// let ConversationKey::Direct(a, b) = &chat else { unreachable!() };
/// let (juliet, romeo) = (a.clone(), b.clone());
/// let mut store = MemoryMarkerStore::default();
/// let hi: minidom::Element = "<message xmlns='jabber:client' id='m1'><body>Hi</body></message>".parse().unwrap();
/// observe(&mut store, &chat, &romeo, &hi).unwrap();
/// assert_eq!(store.unread(&juliet, &chat), Ok(1));
/// let read: minidom::Element = "<message xmlns='jabber:client'><displayed xmlns='urn:xmpp:chat-markers:0' id='m1'/></message>".parse().unwrap();
/// observe(&mut store, &chat, &juliet, &read).unwrap();
/// assert_eq!(store.unread(&juliet, &chat), Ok(0));
/// ```
pub fn observe(
    store: &mut impl MarkerStore,
    conversation: &ConversationKey,
    sender: &BareJid,
    message: &Element,
) -> Result<bool, StoreError> {
    if message.attr("type") == Some("error") {
        return Ok(false);
    }
    if let Some(Ok(Marker {
        kind: MarkerKind::Displayed,
        id,
    })) = Marker::find(message)
    {
        return store.set_displayed(sender, conversation, &id);
    }
    if !has_body(message) {
        return Ok(false);
    }
    let id = match conversation {
        ConversationKey::Room(room) => stanza_id_by(message, room),
        ConversationKey::Direct(..) => message.attr("id"),
    };
    match id.filter(|id| !id.is_empty()) {
        Some(id) => {
            store.append(conversation, id, sender)?;
            Ok(true)
        }
        None => Ok(false),
    }
}
