//! Read state through the server (issue #19): `urn:xmpp:unread` at the server's domain (the
//! counts list, ack up to a message, `all`, an older ack kept out, an unknown id refused), and
//! the one position seen by every front-end: an ack is published to the user's other devices
//! as their XEP-0490 position (never to the contact), an MDS publication or server-assisted
//! marker moves the counts. Messages are counted from the user's own archive.

mod common;
use common::*;
use minidom::Element;

const MDS: &str = "urn:xmpp:mds:displayed:0";
const EVENT: &str = "http://jabber.org/protocol/pubsub#event";
const UNREAD: &str = "urn:xmpp:unread";

/// The stanza-ids (alice's archive) of the chat messages in `stanzas`.
fn stanza_ids(stanzas: &[Element]) -> Vec<String> {
    stanzas
        .iter()
        .filter(|s| s.name() == "message" && s.get_child("body", "jabber:client").is_some())
        .filter_map(|m| m.get_child("stanza-id", "urn:xmpp:sid:0"))
        .filter(|sid| sid.attr("by") == Some("alice@example.com"))
        .filter_map(|sid| sid.attr("id").map(str::to_owned))
        .collect()
}

/// Sends `xml` (an IQ whose id is `id`) from client `i` and returns the answer to it.
fn answer_to(w: &mut World, i: usize, id: &str, xml: impl AsRef<str>) -> Element {
    w.send(i, xml.as_ref());
    w.take(i)
        .into_iter()
        .find(|s| s.attr("id") == Some(id))
        .expect("an answer")
}

/// The counts list, as (conversation, amount).
fn counts(w: &mut World, i: usize) -> Vec<(String, u64)> {
    let iq = &answer_to(
        w,
        i,
        "counts",
        "<iq type='get' id='counts' to='example.com'><query xmlns='urn:xmpp:unread'/></iq>",
    );
    assert_eq!(iq.attr("type"), Some("result"), "{}", String::from(iq));
    xmppkit_read_markers::unread::counts_in(iq)
        .expect("counts")
        .into_iter()
        .map(|c| (c.jid.to_string(), c.amount))
        .collect()
}

fn ack(w: &mut World, i: usize, jid: &str, id: &str) -> Element {
    let xml = format!(
        "<iq type='set' id='ack' to='example.com'>\
         <ack xmlns='urn:xmpp:unread' id='{id}' jid='{jid}'/></iq>"
    );
    answer_to(w, i, "ack", xml)
}

/// Bob writes Alice two messages (b0, b1), then a second later Carol one (c0).
fn bob_twice_then_carol(w: &mut World, bob: usize, carol: usize) {
    for n in 0..2 {
        w.send(
            bob,
            &format!("<message to='alice@example.com' type='chat'><body>b{n}</body></message>"),
        );
    }
    w.advance(std::time::Duration::from_secs(1));
    w.send(
        carol,
        "<message to='alice@example.com' type='chat'><body>c0</body></message>",
    );
}

fn mds_positions(stanzas: &[Element]) -> Vec<(String, String)> {
    stanzas
        .iter()
        .filter_map(|m| m.get_child("event", EVENT))
        .filter_map(|e| e.get_child("items", EVENT))
        .filter(|items| items.attr("node") == Some(MDS))
        .flat_map(|items| items.children())
        .filter_map(|item| {
            let sid = item
                .get_child("displayed", MDS)?
                .get_child("stanza-id", "urn:xmpp:sid:0")?;
            Some((item.attr("id")?.to_owned(), sid.attr("id")?.to_owned()))
        })
        .collect()
}

#[test]
fn one_position_for_every_front_end_and_device() {
    let mut w = World::new(|_| {});
    let phone = w.login("alice", "phone", 0);
    let laptop = w.login("alice", "laptop", 0);
    let bob = w.login("bob", "pc", 0);
    let carol = w.login("carol", "pc", 0);
    let info = &answer_to(&mut w, phone, "d", "<iq type='get' id='d' to='example.com'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    assert!(String::from(info).contains(UNREAD));

    // Alice's own message is never unread for her.
    w.send(
        laptop,
        "<message to='bob@example.com' type='chat'><body>are you there?</body></message>",
    );
    for n in 0..4 {
        w.send(
            bob,
            &format!(
                "<message to='alice@example.com/phone' type='chat'><body>b{n}</body></message>"
            ),
        );
    }
    w.send(
        carol,
        "<message to='alice@example.com/phone' type='chat'><body>c0</body></message>",
    );
    let ids = stanza_ids(&w.take(phone));
    assert_eq!(ids.len(), 5, "{ids:?}");
    w.take(laptop);
    assert_eq!(
        counts(&mut w, laptop),
        [
            ("bob@example.com".to_owned(), 4),
            ("carol@example.com".to_owned(), 1)
        ]
    );

    // The phone reads Bob's chat up to his second message: two are left (a partial read) ...
    let answer = ack(&mut w, phone, "bob@example.com", &ids[1]);
    assert_eq!(answer.attr("type"), Some("result"));
    // ... the laptop is told, as its XEP-0490 position; Bob hears nothing of it ...
    assert_eq!(
        mds_positions(&w.take(laptop)),
        [("bob@example.com".to_owned(), ids[1].clone())]
    );
    assert!(mds_positions(&w.take(bob)).is_empty());
    // ... and its counts have moved.
    assert_eq!(counts(&mut w, laptop)[0], ("bob@example.com".to_owned(), 2));
    // An older ack keeps the position (and tells nobody).
    let answer = ack(&mut w, laptop, "bob@example.com", &ids[0]);
    assert_eq!(answer.attr("type"), Some("result"));
    assert_eq!(counts(&mut w, laptop)[0], ("bob@example.com".to_owned(), 2));
    assert!(mds_positions(&w.take(phone)).is_empty());
    // An id that is not in Alice's archive.
    let answer = ack(&mut w, phone, "bob@example.com", "no-such-id");
    assert_eq!(answer.attr("type"), Some("error"));
    assert!(String::from(&answer).contains("item-not-found"));

    // The laptop publishes an MDS position (XEP-0490 §2.2) for Bob's last message: the counts
    // follow.
    let mut publish = el("<iq type='set' id='p' to='alice@example.com'/>");
    publish.append_child(xmppkit_read_markers::mds::publish(
        "bob@example.com",
        xmppkit_read_markers::mds::Displayed::new(
            ids[3].as_str(),
            "alice@example.com".parse::<xmppkit_jid::Jid>().unwrap(),
        ),
    ));
    w.send_el(laptop, publish);
    w.take(laptop);
    assert_eq!(counts(&mut w, phone), [("carol@example.com".to_owned(), 1)]);

    // Server assist (§2.5) moves it too: the phone reads Carol's message.
    w.send(
        phone,
        &format!(
            "<message to='carol@example.com' type='chat' id='m9'>\
             <displayed xmlns='urn:xmpp:mds:displayed:0'>\
             <stanza-id xmlns='urn:xmpp:sid:0' by='alice@example.com' id='{}'/></displayed></message>",
            ids[4]
        ),
    );
    assert_eq!(counts(&mut w, phone), []);

    // `all`: new messages from Bob, all read at once.
    for n in 4..6 {
        w.send(
            bob,
            &format!(
                "<message to='alice@example.com/phone' type='chat'><body>b{n}</body></message>"
            ),
        );
    }
    w.take(phone);
    assert_eq!(counts(&mut w, phone), [("bob@example.com".to_owned(), 2)]);
    assert_eq!(
        ack(&mut w, phone, "bob@example.com", "all").attr("type"),
        Some("result")
    );
    assert_eq!(counts(&mut w, phone), []);
    // A reply reads what came before it (XEP-0430: a message followed by a read one is read).
    w.send(
        bob,
        "<message to='alice@example.com/phone' type='chat'><body>b6</body></message>",
    );
    w.take(phone);
    assert_eq!(counts(&mut w, phone), [("bob@example.com".to_owned(), 1)]);
    w.send(
        laptop,
        "<message to='bob@example.com' type='chat'><body>yes</body></message>",
    );
    assert_eq!(counts(&mut w, phone), []);
    // Bad requests.
    let answer = &answer_to(
        &mut w,
        phone,
        "bad",
        "<iq type='set' id='bad' to='example.com'><ack xmlns='urn:xmpp:unread' id='1'/></iq>",
    );
    assert!(String::from(answer).contains("bad-request"));
}

/// A room's read state: counted from the room's archive (one row per message, whatever the
/// members), each member's own messages left out, positions per member; an MDS position with
/// the room's stanza-id (by = the room) moves a member's count, and the counts list holds the
/// room once the member has a position in it.
#[test]
fn a_room_is_counted_from_its_archive() {
    use std::sync::{Arc, Mutex};
    use xmppkit_mam::{Mam, MemoryArchive};
    use xmppkit_muc::{MamHook, Service, ServiceConfig};
    const ROOM: &str = "lobby@conference.example.com";
    let shared = Arc::new(Mutex::new(MemoryArchive::default()));
    let server_side = shared.clone();
    let mut w = World::with_stores(
        |config| config.room_domains = vec!["conference.example.com".into()],
        move |stores| stores.archive = Box::new(server_side),
    );
    let muc = Service::new(
        "conference.example.com".parse().unwrap(),
        ServiceConfig::default(),
        MamHook(Mam::new(shared, Default::default())),
    );
    w.server
        .add_component("conference.example.com", Box::new(muc));
    let [alice, bob, carol] = w.three_in_room(ROOM);
    let say = |w: &mut World, i: usize, body: &str| {
        w.send(
            i,
            &format!("<message to='{ROOM}' type='groupchat'><body>{body}</body></message>"),
        );
    };
    for (i, body) in [(alice, "a0"), (bob, "b0"), (alice, "a1"), (carol, "c0")] {
        say(&mut w, i, body);
    }
    // The room's stanza-ids, as Bob received them.
    let ids: Vec<String> = w
        .take(bob)
        .iter()
        .filter(|s| s.name() == "message")
        .filter_map(|m| m.get_child("stanza-id", "urn:xmpp:sid:0"))
        .filter(|sid| sid.attr("by") == Some(ROOM))
        .filter_map(|sid| sid.attr("id").map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    for i in [alice, carol] {
        w.take(i);
    }
    // No position yet: the room is not in the list; an ack puts it there.
    assert_eq!(counts(&mut w, bob), []);
    assert_eq!(ack(&mut w, bob, ROOM, &ids[0]).attr("type"), Some("result"));
    assert_eq!(
        counts(&mut w, bob),
        [(ROOM.to_owned(), 2)],
        "a1 and c0; b0 is his"
    );
    assert_eq!(
        ack(&mut w, carol, ROOM, &ids[1]).attr("type"),
        Some("result")
    );
    assert_eq!(
        counts(&mut w, carol),
        [],
        "c0, hers, read what came before it"
    );
    // Bob's MDS position on the room's stanza-id (XEP-0490 §3.2, by = the room).
    let mut publish = el("<iq type='set' id='p' to='bob@example.com'/>");
    publish.append_child(xmppkit_read_markers::mds::publish(
        ROOM,
        xmppkit_read_markers::mds::Displayed::new(
            ids[3].as_str(),
            ROOM.parse::<xmppkit_jid::Jid>().unwrap(),
        ),
    ));
    w.send_el(bob, publish);
    w.take(bob);
    assert_eq!(counts(&mut w, bob), []);
    // Nothing went into the room.
    for i in [alice, carol] {
        let got = w.take(i);
        assert!(
            !got.iter()
                .any(|s| String::from(s).contains(MDS) || String::from(s).contains(UNREAD)),
            "{got:?}"
        );
    }
    say(&mut w, alice, "a2");
    w.take(bob);
    assert_eq!(counts(&mut w, bob), [(ROOM.to_owned(), 1)]);
    assert_eq!(
        counts(&mut w, carol),
        [(ROOM.to_owned(), 1)],
        "a2, after her c0"
    );
}

/// XEP-0333 §4 (XEP-0430's rule): a `displayed` marker Alice sends Bob names his message by its
/// own id; the server finds it in her archive and her position moves there, her other device
/// is told, and the marker still reaches Bob. A marker for an unknown message changes nothing.
#[test]
fn a_chat_marker_moves_the_position() {
    let mut w = World::new(|_| {});
    let phone = w.login("alice", "phone", 0);
    let laptop = w.login("alice", "laptop", 0);
    let bob = w.login("bob", "pc", 0);
    for n in 0..3 {
        w.send(
            bob,
            &format!(
                "<message to='alice@example.com/phone' type='chat' id='bob-{n}'><body>b{n}</body>\
                 <markable xmlns='urn:xmpp:chat-markers:0'/></message>"
            ),
        );
    }
    let ids = stanza_ids(&w.take(phone));
    assert_eq!(ids.len(), 3);
    w.take(laptop);
    assert_eq!(counts(&mut w, laptop), [("bob@example.com".to_owned(), 3)]);
    w.send(
        phone,
        "<message to='bob@example.com' type='chat'>\
         <displayed xmlns='urn:xmpp:chat-markers:0' id='bob-1'/></message>",
    );
    let to_bob = w.take(bob);
    assert!(
        to_bob
            .iter()
            .any(|s| s.has_child("displayed", "urn:xmpp:chat-markers:0")),
        "the marker goes on"
    );
    assert_eq!(
        mds_positions(&w.take(laptop)),
        [("bob@example.com".to_owned(), ids[1].clone())]
    );
    assert_eq!(counts(&mut w, laptop), [("bob@example.com".to_owned(), 1)]);
    w.send(
        phone,
        "<message to='bob@example.com' type='chat'>\
         <displayed xmlns='urn:xmpp:chat-markers:0' id='never-sent'/></message>",
    );
    w.take(phone);
    assert_eq!(counts(&mut w, laptop), [("bob@example.com".to_owned(), 1)]);
    // A receipt (XEP-0184) or a `received` marker does not read anything.
    w.send(
        phone,
        "<message to='bob@example.com' type='chat'>\
         <received xmlns='urn:xmpp:chat-markers:0' id='bob-2'/></message>",
    );
    assert_eq!(counts(&mut w, laptop), [("bob@example.com".to_owned(), 1)]);
}

/// XEP-0430 Inbox on the same engine: conversations by last activity, each entry with its
/// unread count and last archive id followed by the last message, the totals in `<fin/>`,
/// `unread-only`, `messages='false'` and paging by conversation.
#[test]
fn the_inbox() {
    use xmppkit_read_markers::inbox::{InboxEntry, InboxFin, NS};
    let mut w = World::new(|_| {});
    let phone = w.login("alice", "phone", 0);
    let bob = w.login("bob", "pc", 0);
    let carol = w.login("carol", "pc", 0);
    w.send(
        phone,
        "<message to='carol@example.com' type='chat'><body>hi carol</body></message>",
    );
    bob_twice_then_carol(&mut w, bob, carol);
    w.take(phone);
    let inbox = |w: &mut World, query: &str| -> (Vec<(InboxEntry, Option<String>)>, InboxFin) {
        w.send(phone, &format!("<iq type='get' id='i'>{query}</iq>"));
        let got = w.take(phone);
        let entries = got
            .iter()
            .filter(|s| s.name() == "message")
            .filter_map(|m| {
                let entry = InboxEntry::try_from(m.get_child("entry", NS)?).ok()?;
                let body = m
                    .get_child("result", "urn:xmpp:mam:2")
                    .and_then(|r| r.get_child("forwarded", "urn:xmpp:forward:0"))
                    .and_then(|f| f.get_child("message", "jabber:client"))
                    .and_then(|m| m.get_child("body", "jabber:client"))
                    .map(|b| b.text());
                Some((entry, body))
            })
            .collect();
        let iq = got
            .iter()
            .find(|s| s.attr("id") == Some("i"))
            .expect("an answer");
        assert_eq!(iq.attr("type"), Some("result"), "{}", String::from(iq));
        let fin = InboxFin::try_from(iq.get_child("fin", NS).expect("fin")).expect("a fin");
        (entries, fin)
    };
    let (entries, fin) = inbox(&mut w, "<inbox xmlns='urn:xmpp:inbox:1'/>");
    let seen: Vec<(&str, u64, Option<&str>)> = entries
        .iter()
        .map(|(e, body)| (e.jid.as_str(), e.unread, body.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("carol@example.com", 1, Some("c0")),
            ("bob@example.com", 2, Some("b1"))
        ]
    );
    assert_eq!((fin.total, fin.unread, fin.all_unread), (2, 2, 3));

    // Bob's chat read: unread-only leaves Carol's; the totals are the inbox's.
    assert_eq!(
        ack(&mut w, phone, "bob@example.com", "all").attr("type"),
        Some("result")
    );
    let (entries, fin) = inbox(
        &mut w,
        "<inbox xmlns='urn:xmpp:inbox:1' unread-only='true'/>",
    );
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0.jid.as_str(), "carol@example.com");
    assert_eq!((fin.total, fin.unread, fin.all_unread), (2, 1, 1));

    // Without messages, and a page at a time.
    let (entries, fin) = inbox(
        &mut w,
        "<inbox xmlns='urn:xmpp:inbox:1' messages='false'>\
         <set xmlns='http://jabber.org/protocol/rsm'><max>1</max></set></inbox>",
    );
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].1, None, "no message");
    let set = fin.set.expect("the page");
    assert_eq!(set.last.as_deref(), Some("carol@example.com"));
    assert_eq!(set.count, Some(2));
    let (entries, _) = inbox(
        &mut w,
        "<inbox xmlns='urn:xmpp:inbox:1'><set xmlns='http://jabber.org/protocol/rsm'>\
         <max>1</max><after>carol@example.com</after></set></inbox>",
    );
    assert_eq!(entries[0].0.jid.as_str(), "bob@example.com");
    assert_eq!(entries[0].0.unread, 0);
}

/// The `urn:xmpp:unread` tag in MAM results of the user's own archive: a contact's message
/// after the user's position is unread, one up to it is not, the user's own never is, and a
/// reply reads everything before it.
#[test]
fn mam_results_say_what_is_unread() {
    let mut w = World::new(|_| {});
    let phone = w.login("alice", "phone", 0);
    let bob = w.login("bob", "pc", 0);
    w.send(
        phone,
        "<message to='bob@example.com' type='chat'><body>mine</body></message>",
    );
    for n in 0..3 {
        w.send(
            bob,
            &format!("<message to='alice@example.com' type='chat'><body>b{n}</body></message>"),
        );
    }
    let ids = stanza_ids(&w.take(phone));
    assert_eq!(
        ack(&mut w, phone, "bob@example.com", &ids[0]).attr("type"),
        Some("result")
    );
    w.take(phone);
    let states = |w: &mut World| -> Vec<(String, String)> {
        w.send(
            phone,
            "<iq type='set' id='q'><query xmlns='urn:xmpp:mam:2' queryid='q1'/></iq>",
        );
        w.take(phone)
            .iter()
            .filter_map(|m| {
                let message = m
                    .get_child("result", "urn:xmpp:mam:2")?
                    .get_child("forwarded", "urn:xmpp:forward:0")?
                    .get_child("message", "jabber:client")?;
                let body = message.get_child("body", "jabber:client")?.text();
                let state = message
                    .get_child("unread", UNREAD)?
                    .attr("state")?
                    .to_owned();
                Some((body, state))
            })
            .collect()
    };
    let expect = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(b, s)| (b.to_string(), s.to_string()))
            .collect()
    };
    assert_eq!(
        states(&mut w),
        expect(&[
            ("mine", "false"),
            ("b0", "false"),
            ("b1", "true"),
            ("b2", "true")
        ])
    );
    // Her reply reads everything before it.
    w.send(
        phone,
        "<message to='bob@example.com' type='chat'><body>ok</body></message>",
    );
    assert_eq!(
        states(&mut w),
        expect(&[
            ("mine", "false"),
            ("b0", "false"),
            ("b1", "false"),
            ("b2", "false"),
            ("ok", "false")
        ])
    );
}

/// The seed's room read markers (`urn:xmpp:read-markers`, IQs at the room) on the same
/// positions as `urn:xmpp:unread`: one's own room message reads what came before it, an ack
/// through either protocol is what the other answers, and an id the room never archived is
/// refused.
#[test]
fn room_read_markers_and_unread_share_one_position() {
    use std::sync::{Arc, Mutex};
    use xmppkit_mam::{Mam, MemoryArchive};
    use xmppkit_muc::{MamHook, ReadStateHook, Service, ServiceConfig};
    use xmppkit_read_markers::{Marker, MemoryPositions, ReadState};
    const ROOM: &str = "lobby@conference.example.com";
    let archive = Arc::new(Mutex::new(MemoryArchive::default()));
    let positions = Arc::new(Mutex::new(MemoryPositions::default()));
    let (server_archive, server_positions) = (archive.clone(), positions.clone());
    let mut w = World::with_stores(
        |config| config.room_domains = vec!["conference.example.com".into()],
        move |stores| {
            stores.archive = Box::new(server_archive);
            stores.positions = Box::new(server_positions);
        },
    );
    let hooks = (
        MamHook(Mam::new(archive.clone(), Default::default())),
        ReadStateHook {
            state: ReadState::new(positions),
            archive,
        },
    );
    let muc = Service::new(
        "conference.example.com".parse().unwrap(),
        ServiceConfig::default(),
        hooks,
    );
    w.server
        .add_component("conference.example.com", Box::new(muc));
    let [alice, bob, carol] = w.three_in_room(ROOM);
    for (i, body) in [(alice, "a0"), (bob, "b0"), (alice, "a1")] {
        w.send(
            i,
            &format!("<message to='{ROOM}' type='groupchat'><body>{body}</body></message>"),
        );
    }
    let ids: Vec<String> = w
        .take(carol)
        .iter()
        .filter(|s| s.name() == "message")
        .filter_map(|m| m.get_child("stanza-id", "urn:xmpp:sid:0"))
        .filter_map(|sid| sid.attr("id").map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 3);
    for i in [alice, bob] {
        w.take(i);
    }
    let marker = |w: &mut World, i: usize| -> Marker {
        w.send(
            i,
            &format!(
                "<iq type='get' id='rm' to='{ROOM}'><query xmlns='urn:xmpp:read-markers'/></iq>"
            ),
        );
        let got = w.take(i);
        let iq = got
            .iter()
            .find(|s| s.attr("id") == Some("rm"))
            .expect("an answer");
        Marker::try_from(
            iq.get_child("query", "urn:xmpp:read-markers")
                .expect("a query")
                .clone(),
        )
        .expect("a marker")
    };
    let seed_ack = |w: &mut World, i: usize, id: &str| -> String {
        w.send(
            i,
            &format!("<iq type='set' id='ra' to='{ROOM}'><ack xmlns='urn:xmpp:read-markers' id='{id}'/></iq>"),
        );
        let got = w.take(i);
        let iq = got
            .iter()
            .find(|s| s.attr("id") == Some("ra"))
            .expect("an answer");
        String::from(iq)
    };
    // Bob wrote b0 and acked nothing: no marker, and what alice wrote after his message is
    // unseen; his counts list has the room once he has a position there.
    let m = marker(&mut w, bob);
    assert_eq!((m.last.map(|l| l.id), m.unseen), (None, 1));
    assert_eq!(counts(&mut w, bob), []);
    // Carol, who wrote nothing, has no marker and three unseen; her seed ack is her position.
    let m = marker(&mut w, carol);
    assert_eq!((m.last, m.unseen), (None, 3));
    assert!(seed_ack(&mut w, carol, &ids[2]).contains("type='result'"));
    assert_eq!(counts(&mut w, carol), []);
    // Bob's urn:xmpp:unread ack is what the seed query answers.
    assert_eq!(ack(&mut w, bob, ROOM, "all").attr("type"), Some("result"));
    let m = marker(&mut w, bob);
    assert_eq!((m.last.map(|l| l.id), m.unseen), (Some(ids[2].clone()), 0));
    // An id the room never archived.
    assert!(seed_ack(&mut w, carol, "m-1").contains("item-not-found"));

    // The peers' view (urn:xmpp:unread) of the room's readers (those with a position: Bob and
    // Carol): a new message from Bob is Carol's first unread, and not Bob's.
    w.send(
        bob,
        &format!("<message to='{ROOM}' type='groupchat'><body>b1</body></message>"),
    );
    let b1 = w
        .take(carol)
        .iter()
        .find_map(|m| {
            m.get_child("stanza-id", "urn:xmpp:sid:0")?
                .attr("id")
                .map(str::to_owned)
        })
        .expect("b1's stanza-id");
    let iq = &answer_to(&mut w, carol, "pv", format!("<iq type='get' id='pv' to='example.com'><query xmlns='urn:xmpp:unread' jid='{ROOM}'/></iq>"));
    let firsts: Vec<(String, String)> = xmppkit_read_markers::unread::first_unread_in(iq)
        .expect("the peers' view")
        .into_iter()
        .map(|f| (f.jid.to_string(), f.id))
        .collect();
    assert_eq!(firsts, [("carol@example.com".to_owned(), b1)]);
    // Alice, who never acked there, may not look; a chat's peer view is not served.
    w.take(alice);
    let iq = &answer_to(&mut w, alice, "pf", format!("<iq type='get' id='pf' to='example.com'><query xmlns='urn:xmpp:unread' jid='{ROOM}'/></iq>"));
    assert!(String::from(iq).contains("forbidden"));
    let iq = &answer_to(&mut w, alice, "pc", "<iq type='get' id='pc' to='example.com'><query xmlns='urn:xmpp:unread' jid='bob@example.com'/></iq>");
    assert!(String::from(iq).contains("feature-not-implemented"));
}

/// MongooseIM's inbox on the same engine: entries with unread counts, properties and the
/// last message; a box move pushed to the user's resources and filtered on; `read=true`
/// reading the conversation for every front-end; `read=false` showing one unread; mute.
#[test]
fn mongooseim_inbox() {
    const ESL: &str = "erlang-solutions.com:xmpp:inbox:0";
    const CONV: &str = "erlang-solutions.com:xmpp:inbox:0#conversation";
    let mut w = World::new(|_| {});
    let phone = w.login("alice", "phone", 0);
    let laptop = w.login("alice", "laptop", 0);
    let bob = w.login("bob", "pc", 0);
    let carol = w.login("carol", "pc", 0);
    bob_twice_then_carol(&mut w, bob, carol);
    w.take(phone);
    w.take(laptop);
    // (jid, unread, box, mute, body) of each entry, and the fin's three counts.
    type Entry = (String, String, String, String, String);
    let inbox = |w: &mut World, form: &str| -> (Vec<Entry>, [String; 3]) {
        w.send(
            phone,
            &format!(
                "<iq type='set' id='in'><inbox xmlns='{ESL}' queryid='b6'>{form}</inbox></iq>"
            ),
        );
        let got = w.take(phone);
        let entries = got
            .iter()
            .filter_map(|m| {
                let r = m.get_child("result", ESL)?;
                assert_eq!(r.attr("queryid"), Some("b6"));
                let message = r
                    .get_child("forwarded", "urn:xmpp:forward:0")?
                    .get_child("message", "jabber:client")?;
                let from = message.attr("from")?.split('/').next()?.to_owned();
                let text =
                    |name: &str| r.get_child(name, ESL).map(|c| c.text()).unwrap_or_default();
                Some((
                    from,
                    r.attr("unread")?.to_owned(),
                    text("box"),
                    text("mute"),
                    message.get_child("body", "jabber:client")?.text(),
                ))
            })
            .collect();
        let iq = got
            .iter()
            .find(|s| s.attr("id") == Some("in"))
            .expect("an answer");
        let fin = iq.get_child("fin", ESL).expect("a fin");
        let count = |name: &str| {
            fin.get_child(name, ESL)
                .map(|c| c.text())
                .unwrap_or_default()
        };
        (
            entries,
            [
                count("count"),
                count("unread-messages"),
                count("active-conversations"),
            ],
        )
    };
    let entry = |jid: &str, unread: &str, boxed: &str, body: &str| -> Entry {
        (
            jid.into(),
            unread.into(),
            boxed.into(),
            "0".into(),
            body.into(),
        )
    };
    let (entries, fin) = inbox(&mut w, "");
    assert_eq!(
        entries,
        [
            entry("carol@example.com", "1", "inbox", "c0"),
            entry("bob@example.com", "2", "inbox", "b1")
        ]
    );
    assert_eq!(fin, ["2", "3", "2"].map(String::from));

    // Bob's entry to the archive box: every resource is told.
    let iq = &answer_to(&mut w, phone, "p1", format!("<iq type='set' id='p1'><query xmlns='{CONV}' jid='bob@example.com'><box>archive</box></query></iq>"));
    assert_eq!(iq.attr("type"), Some("result"));
    let pushed = w.take(laptop);
    let x = pushed
        .iter()
        .find_map(|m| m.get_child("x", CONV))
        .expect("a push to the other resource");
    assert_eq!(x.attr("jid"), Some("bob@example.com"));
    assert_eq!(
        x.get_child("archive", CONV).map(|c| c.text()).as_deref(),
        Some("true")
    );
    let form = format!(
        "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>{ESL}</value></field>\
         <field var='box'><value>inbox</value></field></x>"
    );
    let (entries, fin) = inbox(&mut w, &form);
    assert_eq!(entries, [entry("carol@example.com", "1", "inbox", "c0")]);
    assert_eq!(fin, ["1", "1", "1"].map(String::from));

    // read=true reads Carol's chat for every front-end.
    w.send(
        phone,
        &format!("<iq type='set' id='p2'><query xmlns='{CONV}' jid='carol@example.com'><read>true</read></query></iq>"),
    );
    w.take(phone);
    assert_eq!(counts(&mut w, laptop), [("bob@example.com".to_owned(), 2)]);
    // read=false: one unread until it is read again.
    w.send(
        phone,
        &format!("<iq type='set' id='p3'><query xmlns='{CONV}' jid='carol@example.com'><read>false</read></query></iq>"),
    );
    w.take(phone);
    let (entries, _) = inbox(&mut w, "");
    assert_eq!(entries[0], entry("carol@example.com", "1", "inbox", "c0"));
    // Muted for an hour: the mute is the time it ends.
    w.send(
        phone,
        &format!("<iq type='set' id='p4'><query xmlns='{CONV}' jid='carol@example.com'><mute>3600</mute></query></iq>"),
    );
    w.take(phone);
    let (entries, _) = inbox(&mut w, "");
    assert_ne!(entries[0].3, "0");
    assert!(
        entries[0]
            .3
            .parse::<xmppkit_stanza::datetime::DateTime>()
            .is_ok(),
        "{}",
        entries[0].3
    );
    // A bad value.
    let iq = &answer_to(&mut w, phone, "p5", format!("<iq type='set' id='p5'><query xmlns='{CONV}' jid='carol@example.com'><mute>soon</mute></query></iq>"));
    assert!(String::from(iq).contains("bad-request"));

    // A mark by hand lasts until the position next moves: Carol writes again and Alice reads
    // it through urn:xmpp:unread.
    w.send(
        carol,
        "<message to='alice@example.com' type='chat'><body>c1</body></message>",
    );
    w.take(phone);
    assert_eq!(
        ack(&mut w, phone, "carol@example.com", "all").attr("type"),
        Some("result")
    );
    let (entries, _) = inbox(&mut w, "");
    assert_eq!(
        (entries[0].0.as_str(), entries[0].1.as_str()),
        ("carol@example.com", "0")
    );
    // Bob's archived entry comes back to the inbox with his next message.
    w.advance(std::time::Duration::from_secs(1));
    w.send(
        bob,
        "<message to='alice@example.com' type='chat'><body>b2</body></message>",
    );
    w.take(phone);
    w.take(laptop);
    let (entries, _) = inbox(&mut w, &form);
    let jids: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(jids, ["bob@example.com", "carol@example.com"]);
    // Carol's entry to the bin: out of the default listing; emptying the bin drops it.
    let iq = &answer_to(&mut w, phone, "p6", format!("<iq type='set' id='p6'><query xmlns='{CONV}' jid='carol@example.com'><box>bin</box></query></iq>"));
    assert_eq!(iq.attr("type"), Some("result"));
    let (entries, _) = inbox(&mut w, "");
    assert_eq!(entries.len(), 1, "{entries:?}");
    let iq = &answer_to(
        &mut w,
        phone,
        "e",
        format!("<iq type='set' id='e'><empty-bin xmlns='{ESL}'/></iq>"),
    );
    let num = iq
        .get_child("empty-bin", ESL)
        .and_then(|e| e.get_child("num", ESL))
        .map(|n| n.text());
    assert_eq!(num.as_deref(), Some("1"));
    let bin =
        "<x xmlns='jabber:x:data' type='submit'><field var='box'><value>bin</value></field></x>";
    assert_eq!(inbox(&mut w, bin).0, []);
}
