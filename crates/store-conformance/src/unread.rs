//! What the read-state engine asks of an archive (issue #19): each message's position in its
//! owner's archive, growing with archive order; unread counts after a position and after the
//! reader's own last message (a message followed by one's own is read), leaving out the
//! reader's own messages (by author) and never counting one without an author (no instant
//! message, or archived before authors were kept); the first unread
//! message; a conversation's newest message; the partners of a user's archive. Owners are kept
//! apart.

use crate::{bare, el};
use xmppkit_jid::{BareJid, Jid};
use xmppkit_mam::{Archive, Archived, Entry, UnreadAsk};
use xmppkit_stanza::datetime::DateTime;

fn entry(n: usize, with: &str, author: Option<&BareJid>) -> Entry {
    let with: Jid = with.parse().expect("a JID");
    Entry::from(Archived {
        id: format!("u{n}"),
        stamp: DateTime::from_unix(1_780_000_000 + n as i64, 0).expect("a valid time"),
        message: el(&format!(
            "<message xmlns='jabber:client' type='chat'><body>{n}</body></message>"
        )),
        with,
    })
    .by(author.cloned())
}

/// Runs the unread rules on an empty `store`.
pub fn unread(store: &mut dyn Archive) {
    let juliet = bare("juliet@example.com");
    let romeo = bare("romeo@example.net");
    let nurse = bare("nurse@example.net");
    let room = bare("coven@chat.example.net");
    let witch = bare("witch@example.org");

    // Juliet's archive: romeo, juliet, romeo, nurse, juliet, romeo, romeo.
    let chat = [
        ("romeo@example.net/orchard", &romeo),
        ("romeo@example.net", &juliet),
        ("romeo@example.net/balcony", &romeo),
        ("nurse@example.net", &nurse),
        ("nurse@example.net", &juliet),
        ("romeo@example.net/orchard", &romeo),
        ("romeo@example.net/orchard", &romeo),
    ];
    assert_eq!(store.latest(&juliet, None).expect("latest"), None);
    assert_eq!(
        store.partners(&juliet).expect("partners"),
        Vec::<BareJid>::new()
    );
    for (n, (with, author)) in chat.iter().enumerate() {
        store
            .append_entry(&juliet, entry(n, with, Some(author)))
            .expect("append");
    }
    let positions: Vec<u64> = (0..chat.len())
        .map(|n| {
            store
                .position(&juliet, &format!("u{n}"))
                .expect("position")
                .expect("an archived id has a position")
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "positions grow with archive order: {positions:?}"
    );
    assert_eq!(store.position(&juliet, "nope").expect("position"), None);
    assert_eq!(
        store.position(&romeo, "u0").expect("position"),
        None,
        "owners apart"
    );

    let unread = |store: &dyn Archive, with: Option<&BareJid>, after: Option<usize>| {
        store
            .count_unread(&juliet, with, after.map(|n| positions[n]), &juliet)
            .expect("count")
    };
    // Nothing acked: what others wrote after juliet's own last message (her reply at 1 read
    // romeo's 0; her reply at 4 read the nurse's 3).
    assert_eq!(
        unread(store, Some(&romeo), None),
        3,
        "romeo's three after her reply, not her own"
    );
    assert_eq!(unread(store, Some(&nurse), None), 0);
    assert_eq!(unread(store, None, None), 2);
    // Read up to a message: what follows it (partial reads).
    assert_eq!(unread(store, Some(&romeo), Some(0)), 3);
    assert_eq!(unread(store, Some(&romeo), Some(2)), 2);
    assert_eq!(unread(store, Some(&romeo), Some(5)), 1);
    assert_eq!(unread(store, Some(&romeo), Some(6)), 0);
    // A position in another conversation still orders: romeo's after nurse's message.
    assert_eq!(unread(store, Some(&romeo), Some(3)), 2);
    assert_eq!(unread(store, Some(&nurse), Some(3)), 0);
    assert_eq!(
        store
            .count_unread(&juliet, Some(&bare("paris@example.net")), None, &juliet)
            .expect("count"),
        0
    );
    assert_eq!(
        store.latest(&juliet, Some(&romeo)).expect("latest"),
        Some((positions[6], "u6".to_owned()))
    );
    assert_eq!(
        store.latest(&juliet, Some(&nurse)).expect("latest"),
        Some((positions[4], "u4".to_owned()))
    );
    assert_eq!(
        store.latest(&juliet, None).expect("latest"),
        Some((positions[6], "u6".to_owned()))
    );
    assert_eq!(
        store.partners(&juliet).expect("partners"),
        [nurse.clone(), romeo.clone()]
    );

    // A room's archive: one row per message whatever the members; authors are real JIDs, one
    // without (a chat marker, or archived before authors were kept).
    let said = [
        Some(&witch),
        Some(&juliet),
        None,
        Some(&witch),
        Some(&romeo),
    ];
    for (n, author) in said.iter().enumerate() {
        let occupant = format!("coven@chat.example.net/nick{n}");
        store
            .append_entry(&room, entry(100 + n, &occupant, *author))
            .expect("append");
    }
    let first = store
        .position(&room, "u100")
        .expect("position")
        .expect("archived");
    let third = store
        .position(&room, "u102")
        .expect("position")
        .expect("archived");
    let count = |reader: &BareJid, after: Option<u64>| {
        store
            .count_unread(&room, None, after, reader)
            .expect("count")
    };
    assert_eq!(count(&witch, None), 1, "romeo's, after witch's own last");
    assert_eq!(
        count(&juliet, None),
        2,
        "witch's, romeo's; the one without an author is none"
    );
    assert_eq!(count(&juliet, Some(first)), 2);
    assert_eq!(count(&witch, Some(third)), 1);
    assert_eq!(
        count(&nurse, Some(third)),
        2,
        "not a member who wrote: every later one"
    );
    // The first message each would read next.
    let next = |reader: &BareJid, after: Option<u64>| {
        store
            .first_unread(&room, None, after, reader)
            .expect("first unread")
            .map(|(_, id)| id)
    };
    let at = |id: &str| store.position(&room, id).expect("position");
    assert_eq!(
        next(&witch, None).as_deref(),
        Some("u104"),
        "romeo's, after witch's own last"
    );
    assert_eq!(next(&juliet, at("u101")).as_deref(), Some("u103"));
    assert_eq!(next(&romeo, Some(third)), None, "romeo wrote the last one");
    assert_eq!(next(&witch, Some(third)).as_deref(), Some("u104"));
    assert_eq!(next(&juliet, at("u104")), None);
    assert_eq!(
        store
            .first_unread(&juliet, Some(&romeo), Some(positions[2]), &juliet)
            .expect("first unread"),
        Some((positions[5], "u5".to_owned()))
    );
    assert_eq!(
        store.latest(&room, None).expect("latest"),
        Some((
            store
                .position(&room, "u104")
                .expect("position")
                .expect("archived"),
            "u104".to_owned()
        ))
    );
    // Juliet's archive did not change.
    assert_eq!(unread(store, None, None), 2);

    // A counts list: the same answers in one call, in the order asked.
    let ask = |owner: &BareJid, with: Option<&BareJid>, after: Option<u64>| UnreadAsk {
        owner: owner.clone(),
        with: with.cloned(),
        after,
    };
    let asks = [
        ask(&juliet, Some(&romeo), Some(positions[2])),
        ask(&room, None, Some(first)),
        ask(&juliet, Some(&nurse), None),
        ask(&juliet, Some(&bare("paris@example.net")), None),
        ask(&room, None, None),
    ];
    assert_eq!(
        store.count_unread_each(&juliet, &asks).expect("counts"),
        [2, 2, 0, 0, 2]
    );
    assert_eq!(
        store.count_unread_each(&juliet, &[]).expect("counts"),
        Vec::<u64>::new()
    );
}
