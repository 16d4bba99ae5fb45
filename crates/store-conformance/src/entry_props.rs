//! Inbox entry properties (MongooseIM's inbox): none until set; a set replaces all four
//! (box, since when, muted until, marked unread, with a time's nanoseconds kept); users and conversations
//! kept apart; a user's list in conversation order.

use crate::bare;
use xmppkit_read_markers::{EntryProps, EntryPropsStore};
use xmppkit_stanza::datetime::DateTime;

/// Runs the entry-properties rules on an empty `store`.
pub fn entry_props(store: &mut dyn EntryPropsStore) {
    let juliet = bare("juliet@example.com");
    let romeo = bare("romeo@example.net");
    let room = bare("coven@chat.example.net");
    assert_eq!(store.get(&juliet, &romeo).expect("get"), None);
    assert_eq!(store.all(&juliet).expect("all"), Vec::new());
    let muted = EntryProps {
        boxed: "archive".into(),
        boxed_at: Some(DateTime::from_unix(1_779_000_000, 987_654_321).expect("a time")),
        muted_until: Some(DateTime::from_unix(1_780_000_000, 123_456_789).expect("a time")),
        marked_unread: true,
    };
    store.set(&juliet, &romeo, &muted).expect("set");
    assert_eq!(
        store.get(&juliet, &romeo).expect("get"),
        Some(muted.clone())
    );
    let plain = EntryProps::default();
    store.set(&juliet, &room, &plain).expect("set");
    assert_eq!(
        store.all(&juliet).expect("all"),
        [(room.clone(), plain.clone()), (romeo.clone(), muted)]
    );
    store.set(&juliet, &romeo, &plain).expect("set");
    assert_eq!(store.get(&juliet, &romeo).expect("get"), Some(plain));
    assert_eq!(
        store.get(&romeo, &juliet).expect("get"),
        None,
        "users apart"
    );
}
