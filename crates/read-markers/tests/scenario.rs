//! The read-markers scenario: three members of a room, messages, acks and queries after each
//! step with the exact counters and ids; then every error case.

use minidom::Element;
use std::collections::HashMap;
use xmppkit_jid::BareJid;
use xmppkit_read_markers::*;
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::{DefinedCondition, Iq, IqPayload};

fn jid(s: &str) -> BareJid {
    s.parse().unwrap()
}

/// Rooms with their counted members (owners, admins, members; outcasts are not listed).
#[derive(Default)]
struct TestRooms(HashMap<BareJid, Vec<BareJid>>);

impl Rooms for TestRooms {
    fn exists(&self, room: &BareJid) -> bool {
        self.0.contains_key(room)
    }
    fn members(&self, room: &BareJid) -> Vec<BareJid> {
        self.0.get(room).cloned().unwrap_or_default()
    }
}

struct World {
    engine: ReadMarkers<MemoryStore>,
    rooms: TestRooms,
    room: BareJid,
    clock: i64,
}

const ROOM: &str = "flat-42@rooms.example";

impl World {
    fn new() -> Self {
        let room = jid(ROOM);
        let mut rooms = TestRooms::default();
        rooms.0.insert(
            room.clone(),
            vec![
                jid("owner@example"),
                jid("agent@example"),
                jid("buyer@example"),
            ],
        );
        World {
            engine: ReadMarkers::new(MemoryStore::default()),
            rooms,
            room,
            clock: 1_533_556_717,
        }
    }

    fn now(&mut self) -> DateTime {
        self.clock += 1;
        DateTime::from_unix(self.clock, 651_721_000).unwrap()
    }

    fn post(&mut self, sender: &str, stanza_id: &str, body: bool) -> bool {
        let body = if body {
            "<body>hello</body>"
        } else {
            "<composing xmlns='http://jabber.org/protocol/chatstates'/>"
        };
        let message: Element = format!(
            "<message xmlns='jabber:client' type='groupchat' from='{ROOM}/nick' id='client-{stanza_id}'>{body}\
             <stanza-id xmlns='urn:xmpp:sid:0' by='{ROOM}' id='{stanza_id}'/></message>"
        )
        .parse()
        .unwrap();
        let now = self.now();
        self.engine
            .on_groupchat(&self.rooms, &self.room, &jid(sender), &message, now)
            .unwrap()
    }

    fn request(&mut self, from: &str, to: &str, set: bool, payload: &str) -> Iq {
        let payload: Element = payload.parse().unwrap();
        let mut iq = if set {
            Iq::set("x1", Some(to.parse().unwrap()), payload)
        } else {
            Iq::get("x1", Some(to.parse().unwrap()), payload)
        };
        iq.from = Some(from.parse().unwrap());
        let now = self.now();
        self.engine.handle_iq(&self.rooms, &iq, now).expect("ours")
    }

    fn ack(&mut self, user: &str, id: &str) {
        let answer = self.request(
            &format!("{user}/phone"),
            ROOM,
            true,
            &format!("<ack xmlns='urn:xmpp:read-markers' id='{id}'/>"),
        );
        assert_eq!(answer.payload, IqPayload::Result(None), "ack by {user}");
    }

    /// (last id, unseen) of `whom`, asked by `asker`.
    fn query(&mut self, asker: &str, whom: Option<&str>) -> (Option<String>, u64) {
        let jid = whom.map(|w| format!(" jid='{w}'")).unwrap_or_default();
        let answer = self.request(
            &format!("{asker}/laptop"),
            ROOM,
            false,
            &format!("<query xmlns='urn:xmpp:read-markers'{jid}/>"),
        );
        let marker = parse_answer(&answer).unwrap();
        (marker.last.map(|l| l.id), marker.unseen)
    }

    fn counters(&mut self) -> [(Option<String>, u64); 3] {
        ["owner@example", "agent@example", "buyer@example"].map(|u| self.query(u, None))
    }

    fn error(&mut self, from: &str, to: &str, set: bool, payload: &str) -> DefinedCondition {
        match self.request(from, to, set, payload).payload {
            IqPayload::Error(error, _) => error.condition,
            other => panic!("expected an error, got {other:?}"),
        }
    }
}

fn s(id: &str) -> Option<String> {
    Some(id.to_owned())
}

#[test]
fn three_members_messages_acks_and_queries() {
    let mut w = World::new();
    assert_eq!(
        w.counters(),
        [(None, 0), (None, 0), (None, 0)],
        "nothing known: 0"
    );

    assert!(w.post("agent@example", "100", true));
    assert_eq!(w.counters(), [(None, 1), (s("100"), 0), (None, 1)]);

    assert!(w.post("agent@example", "101", true));
    assert!(w.post("buyer@example", "102", true));
    assert_eq!(w.counters(), [(None, 3), (s("101"), 1), (s("102"), 0)]);

    // A chat state does not count.
    assert!(!w.post("owner@example", "103", false));
    assert_eq!(w.counters(), [(None, 3), (s("101"), 1), (s("102"), 0)]);

    // The owner reads up to 101 on one device, queries on another.
    w.ack("owner@example", "101");
    assert_eq!(w.counters(), [(s("101"), 0), (s("101"), 1), (s("102"), 0)]);

    // An older ack (a lagging device) does not move the marker back; the counter stays.
    assert!(w.post("buyer@example", "104", true));
    assert_eq!(w.counters(), [(s("101"), 1), (s("101"), 2), (s("104"), 0)]);
    w.ack("owner@example", "100");
    assert_eq!(w.query("owner@example", None), (s("101"), 1));

    // Acks reset to 0 and move forward; members may ask about each other.
    w.ack("agent@example", "104");
    assert_eq!(w.counters(), [(s("101"), 1), (s("104"), 0), (s("104"), 0)]);
    assert_eq!(
        w.query("buyer@example", Some("agent@example")),
        (s("104"), 0)
    );
    assert_eq!(
        w.query("agent@example", Some("owner@example")),
        (s("101"), 1)
    );

    // An unknown id (not seen by the engine) is stored as is: ids are opaque.
    w.ack("buyer@example", "5f0c1e4a-uuid");
    assert_eq!(w.query("buyer@example", None), (s("5f0c1e4a-uuid"), 0));

    // seen-at is the server's time of the ack, with microseconds.
    let answer = w.request(
        "owner@example/x",
        ROOM,
        false,
        "<query xmlns='urn:xmpp:read-markers'/>",
    );
    let marker = parse_answer(&answer).unwrap();
    assert!(marker
        .last
        .unwrap()
        .seen_at
        .to_string()
        .ends_with(".651721Z"));
}

#[test]
fn every_error_case() {
    let mut w = World::new();
    let ack = "<ack xmlns='urn:xmpp:read-markers' id='1'/>";
    let query = "<query xmlns='urn:xmpp:read-markers'/>";
    let member = "agent@example/phone";
    // Missing or malformed id / jid.
    assert_eq!(
        w.error(member, ROOM, true, "<ack xmlns='urn:xmpp:read-markers'/>"),
        DefinedCondition::BadRequest
    );
    assert_eq!(
        w.error(
            member,
            ROOM,
            true,
            "<ack xmlns='urn:xmpp:read-markers' id=''/>"
        ),
        DefinedCondition::BadRequest
    );
    assert_eq!(
        w.error(
            member,
            ROOM,
            false,
            "<query xmlns='urn:xmpp:read-markers' jid='@@'/>"
        ),
        DefinedCondition::BadRequest
    );
    assert_eq!(
        w.error(
            member,
            ROOM,
            false,
            "<query xmlns='urn:xmpp:read-markers' jid='a@example/res'/>"
        ),
        DefinedCondition::BadRequest
    );
    // set with query, get with ack.
    assert_eq!(
        w.error(member, ROOM, true, query),
        DefinedCondition::BadRequest
    );
    assert_eq!(
        w.error(member, ROOM, false, ack),
        DefinedCondition::BadRequest
    );
    // No such room.
    assert_eq!(
        w.error(member, "nowhere@rooms.example", true, ack),
        DefinedCondition::ItemNotFound
    );
    assert_eq!(
        w.error(member, "nowhere@rooms.example", false, query),
        DefinedCondition::ItemNotFound
    );
    // A non-member asking about someone else; asking about oneself is fine.
    let about_agent = "<query xmlns='urn:xmpp:read-markers' jid='agent@example'/>";
    assert_eq!(
        w.error("stranger@example/x", ROOM, false, about_agent),
        DefinedCondition::Forbidden
    );
    assert_eq!(w.query("stranger@example", None), (None, 0));
    // Not ours: other namespaces, occupant JIDs, answers.
    let disco: Element = "<query xmlns='http://jabber.org/protocol/disco#info'/>"
        .parse()
        .unwrap();
    let mut other = Iq::get("d", Some(ROOM.parse().unwrap()), disco);
    other.from = Some(member.parse().unwrap());
    let now = w.now();
    assert!(w.engine.handle_iq(&w.rooms, &other, now).is_none());
    let mut to_occupant = Iq::set(
        "o",
        Some(format!("{ROOM}/nick").parse().unwrap()),
        ack.parse().unwrap(),
    );
    to_occupant.from = Some(member.parse().unwrap());
    assert!(w.engine.handle_iq(&w.rooms, &to_occupant, now).is_none());
}

/// A store that fails: an ack is then never answered `result`.
struct Broken;

impl ReadMarkerStore for Broken {
    fn message(
        &self,
        _: &BareJid,
        _: &BareJid,
        _: &str,
        _: DateTime,
        _: &[BareJid],
    ) -> Result<(), StoreError> {
        Err(StoreError("disk full".into()))
    }
    fn ack(&self, _: &BareJid, _: &BareJid, _: &str, _: DateTime) -> Result<(), StoreError> {
        Err(StoreError("disk full".into()))
    }
    fn get(&self, _: &BareJid, _: &BareJid) -> Result<Record, StoreError> {
        Err(StoreError("disk full".into()))
    }
}

#[test]
fn a_store_failure_is_internal_server_error() {
    let w = World::new();
    let engine = ReadMarkers::new(Broken);
    let now = DateTime::from_unix(0, 0).unwrap();
    for (set, payload) in [
        (true, "<ack xmlns='urn:xmpp:read-markers' id='1'/>"),
        (false, "<query xmlns='urn:xmpp:read-markers'/>"),
    ] {
        let payload: Element = payload.parse().unwrap();
        let mut iq = if set {
            Iq::set("i", Some(ROOM.parse().unwrap()), payload)
        } else {
            Iq::get("i", Some(ROOM.parse().unwrap()), payload)
        };
        iq.from = Some("agent@example/phone".parse().unwrap());
        match engine.handle_iq(&w.rooms, &iq, now).unwrap().payload {
            IqPayload::Error(e, _) => {
                assert_eq!(e.condition, DefinedCondition::InternalServerError)
            }
            other => panic!("{other:?}"),
        }
    }
    let message: Element =
        "<message xmlns='jabber:client' type='groupchat' id='m'><body>x</body></message>"
            .parse()
            .unwrap();
    assert!(engine
        .on_groupchat(&w.rooms, &w.room, &jid("agent@example"), &message, now)
        .is_err());
}

#[test]
fn wire_format() {
    let marker = Marker {
        last: Some(LastMessage {
            id: "1534".into(),
            seen_at: "2018-08-06T11:58:37.651721Z".parse().unwrap(),
        }),
        unseen: 2,
    };
    assert_eq!(
        xmppkit_codec::to_string(&Element::from(marker.clone())),
        "<query xmlns='urn:xmpp:read-markers'><last-message id='1534'><seen-at>2018-08-06T11:58:37.651721Z</seen-at></last-message><unseen-messages amount='2'/></query>"
    );
    let empty = Marker {
        last: None,
        unseen: 0,
    };
    assert_eq!(
        xmppkit_codec::to_string(&Element::from(empty)),
        "<query xmlns='urn:xmpp:read-markers'><unseen-messages amount='0'/></query>"
    );
    let query: Element = query_iq("q", jid(ROOM), Some(jid("agent@example"))).into();
    assert_eq!(
        xmppkit_codec::to_string(&query),
        "<iq xmlns='jabber:client' id='q' to='flat-42@rooms.example' type='get'><query xmlns='urn:xmpp:read-markers' jid='agent@example'/></iq>"
    );
    // Malformed answers are errors, not markers.
    for bad in [
        "<query xmlns='urn:xmpp:read-markers'/>",
        "<query xmlns='urn:xmpp:read-markers'><unseen-messages amount='-1'/></query>",
        "<query xmlns='urn:xmpp:read-markers'><last-message id='1'/><unseen-messages amount='0'/></query>",
        "<query xmlns='urn:xmpp:read-markers'><last-message id='1'><seen-at>yesterday</seen-at></last-message><unseen-messages amount='0'/></query>",
    ] {
        assert!(Marker::try_from(bad.parse::<Element>().unwrap()).is_err(), "{bad}");
    }
}
