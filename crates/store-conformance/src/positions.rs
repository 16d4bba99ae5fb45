//! Read positions (issue #19): none until the first ack; a position moves only forward (an
//! equal or older one is refused and the stored one stays, its id and time too); users and
//! conversations kept apart; a user's list in conversation order, a conversation's readers in
//! user order.

use crate::bare;
use xmppkit_read_markers::{Position, PositionStore};
use xmppkit_stanza::datetime::DateTime;

fn at(position: u64, seconds: i64) -> Position {
    Position {
        position,
        id: format!("s{position}"),
        at: DateTime::from_unix(1_780_000_000 + seconds, 500_000_000).expect("a valid time"),
    }
}

/// Runs the position rules on an empty `store`.
pub fn positions(store: &mut dyn PositionStore) {
    let juliet = bare("juliet@example.com");
    let romeo = bare("romeo@example.net");
    let room = bare("coven@chat.example.net");
    let nurse = bare("nurse@example.net");
    assert_eq!(store.get(&juliet, &romeo).expect("get"), None);
    assert_eq!(store.all(&juliet).expect("all"), Vec::new());

    assert!(store.advance(&juliet, &romeo, &at(4, 1)).expect("advance"));
    assert_eq!(store.get(&juliet, &romeo).expect("get"), Some(at(4, 1)));
    assert!(
        !store.advance(&juliet, &romeo, &at(2, 2)).expect("advance"),
        "an older position does not move it"
    );
    assert!(
        !store.advance(&juliet, &romeo, &at(4, 3)).expect("advance"),
        "the same position does not move it (nor its time)"
    );
    assert_eq!(store.get(&juliet, &romeo).expect("get"), Some(at(4, 1)));
    assert!(store.advance(&juliet, &romeo, &at(9, 4)).expect("advance"));
    assert_eq!(store.get(&juliet, &romeo).expect("get"), Some(at(9, 4)));

    assert!(store.advance(&juliet, &room, &at(1, 5)).expect("advance"));
    assert!(store.advance(&romeo, &juliet, &at(7, 6)).expect("advance"));
    assert!(
        store.advance(&nurse, &room, &at(0, 7)).expect("advance"),
        "position 0 is a position"
    );
    assert_eq!(
        store.all(&juliet).expect("all"),
        [(room.clone(), at(1, 5)), (romeo.clone(), at(9, 4))]
    );
    assert_eq!(store.get(&romeo, &juliet).expect("get"), Some(at(7, 6)));
    assert_eq!(store.get(&nurse, &room).expect("get"), Some(at(0, 7)));
    assert_eq!(store.get(&romeo, &room).expect("get"), None);
    // Who reads the room, and how far, by user.
    assert_eq!(
        store.readers(&room).expect("readers"),
        [(juliet.clone(), at(1, 5)), (nurse.clone(), at(0, 7))]
    );
    assert_eq!(
        store
            .readers(&bare("empty@chat.example.net"))
            .expect("readers"),
        []
    );
}
