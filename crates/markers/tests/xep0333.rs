//! XEP-0333 examples as vectors, the client's marking rules (§4, §5), and the server's unread
//! counts.

use minidom::Element;
use xmppkit_jid::BareJid;
use xmppkit_markers::*;

fn el(s: &str) -> Element {
    s.parse().unwrap()
}

fn jid(s: &str) -> BareJid {
    s.parse().unwrap()
}

const ROMEO_ASKS: &str = "<message xmlns='jabber:client' to='juliet@capulet.lit' \
    from='romeo@montegue.lit/orchard' id='the-msg-1'><body>Hi. How are you?</body>\
    <markable xmlns='urn:xmpp:chat-markers:0'/><request xmlns='urn:xmpp:receipts'/></message>";

const ROOM_MESSAGE: &str = "<message xmlns='jabber:client' from='coven@chat.shakespeare.lit/firstwitch' \
    to='coven@chat.shakespeare.lit' id='message-1' type='groupchat'><thread>Act IV, Scene I</thread>\
    <body>Thrice the brinded cat hath mew'd.</body><markable xmlns='urn:xmpp:chat-markers:0'/>\
    <stanza-id xmlns='urn:xmpp:sid:0' by='coven@chat.shakespeare.lit' id='39K7ZYIp'/></message>";

#[test]
fn example_1_to_1() {
    // Example 3: Romeo's markable message; example 4: Juliet's displayed marker.
    let asks = el(ROMEO_ASKS);
    assert_eq!(
        xmppkit_stanza::Message::try_from(asks.clone())
            .unwrap()
            .payload::<Markable>(),
        Some(Ok(Markable))
    );
    let id = id_to_mark(&asks, &jid("juliet@capulet.lit"), Chat::Direct).unwrap();
    assert_eq!(id, "the-msg-1");
    let marker = Marker {
        kind: MarkerKind::Displayed,
        id,
    };
    let out = marker_message("romeo@montegue.lit".parse().unwrap(), marker.clone(), false);
    let expected = el("<message xmlns='jabber:client' to='romeo@montegue.lit'>\
        <displayed xmlns='urn:xmpp:chat-markers:0' id='the-msg-1'/></message>");
    assert_eq!(out, expected);
    assert_eq!(Marker::find(&expected), Some(Ok(marker)));
}

#[test]
fn example_group_chat_marks_the_room_stanza_id() {
    // Examples 5 and 6: the marker names the room's stanza-id, not the sender's id.
    let message = el(ROOM_MESSAGE);
    let room = jid("coven@chat.shakespeare.lit");
    let chat = Chat::Room {
        room: &room,
        own_nick: "secondwitch",
        stanza_ids: true,
    };
    let own = jid("second@witch.lit");
    assert_eq!(
        id_to_mark(&message, &own, chat).as_deref(),
        Some("39K7ZYIp")
    );
    let out = marker_message(
        room.clone().into(),
        Marker {
            kind: MarkerKind::Displayed,
            id: "39K7ZYIp".into(),
        },
        true,
    );
    assert_eq!(out.attr("type"), Some("groupchat"));
    // Our own message in the room is never marked.
    let mine = Chat::Room {
        room: &room,
        own_nick: "firstwitch",
        stanza_ids: true,
    };
    assert_eq!(id_to_mark(&message, &own, mine), None);
    // A room that does not announce XEP-0359: the stanza-id may be spoofed; nothing to mark.
    let no_sid = Chat::Room {
        room: &room,
        own_nick: "secondwitch",
        stanza_ids: false,
    };
    assert_eq!(id_to_mark(&message, &own, no_sid), None);
    // A stanza-id "by" someone else is ignored.
    let spoofed = el(&ROOM_MESSAGE.replace("by='coven@chat.shakespeare.lit'", "by='evil@x.lit'"));
    assert_eq!(id_to_mark(&spoofed, &own, chat), None);
}

#[test]
fn never_marked() {
    let own = jid("juliet@capulet.lit");
    // Not markable.
    let plain = el(
        "<message xmlns='jabber:client' from='romeo@montegue.lit/orchard' id='m'>\
        <body>hi</body></message>",
    );
    assert_eq!(id_to_mark(&plain, &own, Chat::Direct), None);
    // Our own message (a carbon from another of our resources, or the archive).
    let own_message = el(&ROMEO_ASKS.replace(
        "from='romeo@montegue.lit/orchard'",
        "from='juliet@capulet.lit/phone'",
    ));
    assert_eq!(id_to_mark(&own_message, &own, Chat::Direct), None);
    // A marker never answers a marker (no loops), even a markable one.
    let marker = el("<message xmlns='jabber:client' from='romeo@montegue.lit/orchard' id='x'>\
        <markable xmlns='urn:xmpp:chat-markers:0'/><displayed xmlns='urn:xmpp:chat-markers:0' id='m'/></message>");
    assert_eq!(id_to_mark(&marker, &own, Chat::Direct), None);
    // No id to name.
    let no_id = el(
        "<message xmlns='jabber:client' from='romeo@montegue.lit/orchard'>\
        <body>hi</body><markable xmlns='urn:xmpp:chat-markers:0'/></message>",
    );
    assert_eq!(id_to_mark(&no_id, &own, Chat::Direct), None);
}

#[test]
fn older_markers_parse_and_bad_ones_do_not() {
    for (xml, kind) in [
        (
            "<received xmlns='urn:xmpp:chat-markers:0' id='a'/>",
            MarkerKind::Received,
        ),
        (
            "<acknowledged xmlns='urn:xmpp:chat-markers:0' id='a'/>",
            MarkerKind::Acknowledged,
        ),
    ] {
        let marker = Marker::try_from(el(xml)).unwrap();
        assert_eq!(marker.kind, kind);
        assert_eq!(Element::from(marker), el(xml));
    }
    assert!(Marker::try_from(el("<displayed xmlns='urn:xmpp:chat-markers:0'/>")).is_err());
    assert!(Marker::try_from(el("<displayed xmlns='urn:xmpp:chat-markers:0' id=''/>")).is_err());
    assert!(Marker::try_from(el("<seen xmlns='urn:xmpp:chat-markers:0' id='a'/>")).is_err());
}

#[test]
fn markers_only_move_forward() {
    let mut chat = Conversation::default();
    for id in ["m1", "m2", "m3"] {
        chat.record(id);
    }
    assert_eq!(chat.displayed("m2").map(|m| m.id), Some("m2".into()));
    assert_eq!(chat.displayed("m2"), None, "already marked");
    assert_eq!(chat.displayed("m1"), None, "older");
    assert_eq!(chat.displayed("nope"), None, "unknown");
    assert!(chat.displayed("m3").is_some());
    let displayed = |id: &str| Marker {
        kind: MarkerKind::Displayed,
        id: id.into(),
    };
    assert!(chat.on_marker("romeo", &displayed("m2")));
    assert!(!chat.on_marker("romeo", &displayed("m1")), "older: ignored");
    assert!(
        !chat.on_marker("romeo", &displayed("zz")),
        "unknown: ignored"
    );
    let received = Marker {
        kind: MarkerKind::Received,
        id: "m3".into(),
    };
    assert!(
        !chat.on_marker("romeo", &received),
        "only displayed moves it"
    );
    assert_eq!(chat.read_up_to("romeo"), Some("m2"));
    assert_eq!(chat.read_up_to("mercutio"), None);
}

#[test]
fn server_unread_counts() {
    let (juliet, romeo) = (jid("juliet@capulet.lit"), jid("romeo@montegue.lit"));
    let chat = ConversationKey::direct(romeo.clone(), juliet.clone());
    assert_eq!(chat, ConversationKey::direct(juliet.clone(), romeo.clone()));
    let mut store = MemoryMarkerStore::default();
    let msg = |id: &str| {
        el(&format!(
            "<message xmlns='jabber:client' id='{id}'><body>x</body></message>"
        ))
    };
    let displayed = |id: &str| {
        el(&format!("<message xmlns='jabber:client'><displayed xmlns='urn:xmpp:chat-markers:0' id='{id}'/></message>"))
    };
    assert_eq!(store.unread(&juliet, &chat).unwrap(), 0);
    for id in ["r1", "r2", "r3"] {
        assert!(observe(&mut store, &chat, &romeo, &msg(id)).unwrap());
    }
    assert!(observe(&mut store, &chat, &juliet, &msg("j1")).unwrap());
    assert_eq!(
        store.unread(&juliet, &chat).unwrap(),
        3,
        "her own message does not count"
    );
    assert_eq!(store.unread(&romeo, &chat).unwrap(), 1);
    assert!(observe(&mut store, &chat, &juliet, &displayed("r2")).unwrap());
    assert_eq!(store.unread(&juliet, &chat).unwrap(), 1);
    assert_eq!(
        store.displayed(&juliet, &chat).unwrap().as_deref(),
        Some("r2")
    );
    assert!(
        !observe(&mut store, &chat, &juliet, &displayed("r1")).unwrap(),
        "backwards: ignored"
    );
    assert!(
        !observe(&mut store, &chat, &juliet, &displayed("zz")).unwrap(),
        "unknown: ignored"
    );
    assert_eq!(
        store.displayed(&juliet, &chat).unwrap().as_deref(),
        Some("r2")
    );
    assert!(observe(&mut store, &chat, &juliet, &displayed("j1")).unwrap());
    assert_eq!(store.unread(&juliet, &chat).unwrap(), 0);
    // A chat state (no body) does not count; an error is ignored.
    let composing = el("<message xmlns='jabber:client' id='c'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
    assert!(!observe(&mut store, &chat, &romeo, &composing).unwrap());
    assert_eq!(store.unread(&juliet, &chat).unwrap(), 0);
    // In a room, messages are known by the room's stanza-id.
    let room = ConversationKey::Room(jid("coven@chat.shakespeare.lit"));
    assert!(observe(
        &mut store,
        &room,
        &jid("first@witch.lit"),
        &el(ROOM_MESSAGE)
    )
    .unwrap());
    let read = displayed("39K7ZYIp");
    assert_eq!(store.unread(&juliet, &room).unwrap(), 1);
    assert!(observe(&mut store, &room, &juliet, &read).unwrap());
    assert_eq!(store.unread(&juliet, &room).unwrap(), 0);
}
