//! The read-state engine (issue #19) over a store's archive and positions: a room of three
//! members and a 1:1 chat with a remote user; unread from archive order without one's own
//! messages, and nothing before one's own last message; partial reads ("up to here");
//! forward-only acks from two devices; `all`; an unknown id refused; 5,000 messages missed
//! while offline counted without paging; the counts list. What one store answers, all answer.

use crate::{bare, el};
use xmppkit_jid::{BareJid, Jid};
use xmppkit_mam::{Archive, Archived, Entry};
use xmppkit_read_markers::{Acked, Conversation, PositionStore, ReadState, ReadStateError, Upto};
use xmppkit_stanza::datetime::DateTime;

fn time(n: i64) -> DateTime {
    DateTime::from_unix(1_780_000_000 + n, 0).expect("a valid time")
}

fn append(archive: &mut dyn Archive, owner: &BareJid, id: &str, with: &str, author: &BareJid) {
    let with: Jid = with.parse().expect("a JID");
    let entry = Entry::from(Archived {
        id: id.to_owned(),
        stamp: time(0),
        message: el("<message xmlns='jabber:client'><body>hi</body></message>"),
        with,
    });
    archive
        .append_entry(owner, entry.by(Some(author.clone())))
        .expect("append");
}

/// Runs the read-state scenario on an empty `archive` and `positions` of one store.
pub fn read_state(archive: &mut dyn Archive, positions: &mut dyn PositionStore) {
    let (a, b, c) = (
        bare("a@example.com"),
        bare("b@example.com"),
        bare("c@example.org"),
    );
    let room = bare("flat-42@rooms.example.com");
    // The room's archive: a, a, b, a, b (one row per message, whatever the members).
    for (n, author) in [&a, &a, &b, &a, &b].into_iter().enumerate() {
        append(
            archive,
            &room,
            &format!("r{n}"),
            "flat-42@rooms.example.com/x",
            author,
        );
    }
    let mut state = ReadState::new(positions);
    let in_room = Conversation::Room(room.clone());
    let unread = |state: &ReadState<&mut dyn PositionStore>, archive: &dyn Archive, who| {
        state.unread(archive, who, &in_room).expect("unread")
    };
    // What one wrote reads what came before it: a's last is r3, b's r4.
    assert_eq!(unread(&state, archive, &a), 1, "b's r4");
    assert_eq!(unread(&state, archive, &b), 0, "b wrote the last one");
    assert_eq!(
        unread(&state, archive, &c),
        5,
        "a member who never read: all"
    );

    // c reads up to r2 on one device: r3 and r4 stay unread (a partial read).
    let acked = state
        .ack(archive, &c, &in_room, Upto::Message("r2"), time(10))
        .expect("ack");
    assert!(
        matches!(&acked, Acked::Moved(p) if p.id == "r2"),
        "{acked:?}"
    );
    assert_eq!(unread(&state, archive, &c), 2);
    // Its other device, behind, acks r1: ignored, and says where the position is.
    let acked = state
        .ack(archive, &c, &in_room, Upto::Message("r1"), time(11))
        .expect("ack");
    assert!(
        matches!(&acked, Acked::Kept(p) if p.id == "r2" && p.at == time(10)),
        "{acked:?}"
    );
    assert_eq!(unread(&state, archive, &c), 2);
    // b reads everything.
    let acked = state
        .ack(archive, &b, &in_room, Upto::All, time(12))
        .expect("ack");
    assert!(
        matches!(&acked, Acked::Moved(p) if p.id == "r4"),
        "{acked:?}"
    );
    assert_eq!(unread(&state, archive, &b), 0);
    // a's own message after b's read leaves b at 0; a new one from a makes 1.
    append(archive, &room, "r5", "flat-42@rooms.example.com/x", &b);
    assert_eq!(
        unread(&state, archive, &b),
        0,
        "one's own message is never unread"
    );
    append(archive, &room, "r6", "flat-42@rooms.example.com/x", &a);
    assert_eq!(unread(&state, archive, &b), 1);
    assert_eq!(unread(&state, archive, &c), 4);
    // An id the room's archive does not have.
    let refused = state.ack(archive, &c, &in_room, Upto::Message("nope"), time(13));
    assert!(
        matches!(refused, Err(ReadStateError::UnknownMessage { ref id, .. }) if id == "nope"),
        "{refused:?}"
    );

    // A 1:1 chat with a remote user, in a's own archive: a wrote, then 5,000 arrived while a
    // was offline.
    let remote = bare("romeo@montague.example");
    let chat = Conversation::Chat(remote.clone());
    append(archive, &a, "hello", "romeo@montague.example", &a);
    for n in 0..5_000 {
        append(
            archive,
            &a,
            &format!("c{n}"),
            "romeo@montague.example/phone",
            &remote,
        );
    }
    append(
        archive,
        &a,
        "n0",
        "nurse@example.com/kitchen",
        &bare("nurse@example.com"),
    );
    assert_eq!(state.unread(archive, &a, &chat).expect("unread"), 5_000);
    state
        .ack(archive, &a, &chat, Upto::Message("c3999"), time(20))
        .expect("ack");
    assert_eq!(state.unread(archive, &a, &chat).expect("unread"), 1_000);
    let nurse = Conversation::Chat(bare("nurse@example.com"));
    assert_eq!(
        state.unread(archive, &a, &nurse).expect("unread"),
        1,
        "chats apart"
    );
    let empty = Conversation::Chat(bare("paris@example.com"));
    assert_eq!(
        state
            .ack(archive, &a, &empty, Upto::All, time(21))
            .expect("ack"),
        Acked::Empty
    );

    // The counts list: each conversation with something unread, once.
    let is_room = |jid: &BareJid| jid.domain() == "rooms.example.com";
    // a has no position in the room yet: it is not in a's list, which holds a's archive.
    let counts = state.counts(archive, &a, &is_room).expect("counts");
    assert_eq!(
        counts,
        [
            (Conversation::Chat(bare("nurse@example.com")), 1),
            (chat.clone(), 1_000),
        ]
    );
    state
        .ack(archive, &a, &in_room, Upto::Message("r1"), time(22))
        .expect("ack");
    // a wrote the room's last message (r6): nothing to read there, so it is not listed.
    let counts = state.counts(archive, &a, &is_room).expect("counts");
    assert_eq!(
        counts,
        [
            (Conversation::Chat(bare("nurse@example.com")), 1),
            (chat.clone(), 1_000),
        ]
    );
    let counts = state.counts(archive, &b, &is_room).expect("counts");
    assert_eq!(counts, [(in_room.clone(), 1)]);
    state
        .ack(archive, &b, &in_room, Upto::All, time(30))
        .expect("ack");
    assert_eq!(state.counts(archive, &b, &is_room).expect("counts"), []);
    // a answers the remote user: what came before the reply is read, with no ack.
    append(archive, &a, "reply", "romeo@montague.example", &a);
    assert_eq!(state.unread(archive, &a, &chat).expect("unread"), 0);
}
