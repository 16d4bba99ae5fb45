//! XEP-0333 chat markers: each conversation's message order, markers that move forward only
//! (§5: an older or unknown id leaves them), unread counts that leave out one's own messages,
//! 1:1 conversations that are the same whoever writes, and conversations kept apart.

use crate::bare;
use xmppkit_markers::{ConversationKey, MarkerStore};

/// Runs the chat-marker rules on an empty `store`.
pub fn markers(store: &mut dyn MarkerStore) {
    let (juliet, romeo, nurse) = (
        bare("juliet@capulet.lit"),
        bare("romeo@montague.lit"),
        bare("nurse@capulet.lit"),
    );
    let chat = ConversationKey::direct(romeo.clone(), juliet.clone());
    let room = ConversationKey::Room(bare("balcony@chat.capulet.lit"));
    assert_eq!(store.unread(&juliet, &chat), Ok(0), "a new conversation");
    assert_eq!(store.displayed(&juliet, &chat), Ok(None));

    for id in ["r1", "r2", "r3"] {
        store.append(&chat, id, &romeo).expect("append");
    }
    store.append(&chat, "j1", &juliet).expect("append");
    store
        .append(&chat, "r1", &romeo)
        .expect("an id already there is no error");
    assert_eq!(
        store.unread(&juliet, &chat),
        Ok(3),
        "her own message and a repeated id do not count"
    );
    assert_eq!(store.unread(&romeo, &chat), Ok(1));
    let same = ConversationKey::direct(juliet.clone(), romeo.clone());
    assert_eq!(
        store.unread(&juliet, &same),
        Ok(3),
        "the same chat either way"
    );

    assert_eq!(store.set_displayed(&juliet, &chat, "r2"), Ok(true));
    assert_eq!(store.displayed(&juliet, &chat), Ok(Some("r2".into())));
    assert_eq!(store.unread(&juliet, &chat), Ok(1));
    assert_eq!(
        store.set_displayed(&juliet, &chat, "r1"),
        Ok(false),
        "backwards: ignored"
    );
    assert_eq!(
        store.set_displayed(&juliet, &chat, "r2"),
        Ok(false),
        "the same: no move"
    );
    assert_eq!(
        store.set_displayed(&juliet, &chat, "zz"),
        Ok(false),
        "unknown: ignored"
    );
    assert_eq!(store.displayed(&juliet, &chat), Ok(Some("r2".into())));
    assert_eq!(
        store.set_displayed(&juliet, &chat, "r1"),
        Ok(false),
        "the repeated id kept its first place"
    );
    assert_eq!(store.set_displayed(&juliet, &chat, "j1"), Ok(true));
    assert_eq!(store.unread(&juliet, &chat), Ok(0));
    assert_eq!(
        store.unread(&romeo, &chat),
        Ok(1),
        "her marker is hers alone"
    );

    // A room: one order for every member, one marker each.
    for (id, sender) in [("s1", &nurse), ("s2", &romeo), ("s3", &nurse)] {
        store.append(&room, id, sender).expect("append");
    }
    assert_eq!(store.unread(&juliet, &room), Ok(3));
    assert_eq!(store.unread(&nurse, &room), Ok(1));
    assert_eq!(store.set_displayed(&juliet, &room, "s2"), Ok(true));
    assert_eq!(store.unread(&juliet, &room), Ok(1));
    assert_eq!(store.unread(&romeo, &room), Ok(2), "his own not counted");
    assert_eq!(
        store.set_displayed(&juliet, &room, "r3"),
        Ok(false),
        "an id of another conversation is unknown here"
    );
    assert_eq!(store.displayed(&juliet, &chat), Ok(Some("j1".into())));
}
