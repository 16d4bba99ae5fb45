//! Persistent rooms (§10.2 `muc#roomconfig_persistentroom`) through a `RoomStore`: what a
//! restarted service finds, what it forgets, and what a failing store answers.

mod common;

use common::*;
use std::sync::{Arc, Mutex};
use xmppkit_jid::BareJid;
use xmppkit_muc::{
    Affiliation, MemoryRooms, RoomConfig, RoomStore, SavedRoom, Service, ServiceConfig, StoreError,
    Subject, Whois,
};

/// One store shared by the services of successive "runs"; `fail` makes every write fail.
#[derive(Clone, Default)]
struct Shared {
    rooms: Arc<Mutex<MemoryRooms>>,
    fail: Arc<Mutex<bool>>,
    writes: Arc<Mutex<usize>>,
}

impl RoomStore for Shared {
    fn load(&self, service: &BareJid) -> Result<Vec<SavedRoom>, StoreError> {
        self.rooms.lock().unwrap().load(service)
    }
    fn save(&mut self, room: &SavedRoom) -> Result<(), StoreError> {
        if *self.fail.lock().unwrap() {
            return Err(StoreError("disk full".into()));
        }
        *self.writes.lock().unwrap() += 1;
        self.rooms.lock().unwrap().save(room)
    }
    fn remove(&mut self, jid: &BareJid) -> Result<(), StoreError> {
        if *self.fail.lock().unwrap() {
            return Err(StoreError("disk full".into()));
        }
        *self.writes.lock().unwrap() += 1;
        self.rooms.lock().unwrap().remove(jid)
    }
}

fn run(store: &Shared) -> World {
    let mut world = World::new();
    world.muc = Service::new(
        "chat.shakespeare.lit".parse().unwrap(),
        ServiceConfig::default(),
        (),
    )
    .with_store(Box::new(store.clone()))
    .unwrap();
    world
}

fn room() -> BareJid {
    ROOM.parse().unwrap()
}

fn bare(jid: &str) -> BareJid {
    jid.split('/').next().unwrap().parse().unwrap()
}

#[test]
fn a_persistent_room_comes_back_with_its_configuration_affiliations_and_subject() {
    let store = Shared::default();
    let mut w = run(&store);
    w.create(&format!(
        "{}{}{}",
        field("persistentroom", "1"),
        field("roomname", "A Dark Cave"),
        field("whois", "anyone")
    ));
    w.admin(
        CRONE,
        "<item affiliation='member' jid='hag66@shakespeare.lit'/>",
    );
    w.send(&format!(
        "<message from='{CRONE}' to='{ROOM}' type='groupchat'><subject>Fire Burn and Cauldron Bubble!</subject></message>"
    ));
    // The service stops (its rooms are emptied); a new one on the same store.
    drop(w);
    let mut w = run(&store);
    let restored = w.muc.room(&room()).expect("the room was restored");
    assert!(!restored.is_locked());
    assert_eq!(restored.occupants().count(), 0);
    assert_eq!(restored.config().name, "A Dark Cave");
    assert!(restored.config().persistent);
    assert_eq!(restored.config().whois, Whois::Anyone);
    assert_eq!(restored.affiliation(&bare(CRONE)), Affiliation::Owner);
    assert_eq!(restored.affiliation(&bare(HAG)), Affiliation::Member);
    let subject = restored.subject().unwrap();
    assert_eq!(subject.text, "Fire Burn and Cauldron Bubble!");
    assert_eq!(subject.by.as_deref(), Some("firstwitch"));
    // It answers as the room it was: a member enters, and is told the subject.
    let out = w.join(HAG, "thirdwitch");
    let subject = out
        .to(HAG)
        .into_iter()
        .find(|s| s.name() == "message")
        .unwrap();
    assert_eq!(
        subject
            .get_child("subject", "jabber:client")
            .unwrap()
            .text(),
        "Fire Burn and Cauldron Bubble!"
    );
}

#[test]
fn temporary_rooms_and_destroyed_rooms_are_not_kept() {
    let store = Shared::default();
    let mut w = run(&store);
    // Temporary: never written.
    w.create("");
    w.message(CRONE, "hello");
    assert_eq!(*store.writes.lock().unwrap(), 0);
    w.leave(CRONE, "firstwitch");
    // Persistent, then made temporary: written, then removed.
    w.create(&field("persistentroom", "1"));
    assert_eq!(
        store
            .load(&"chat.shakespeare.lit".parse().unwrap())
            .unwrap()
            .len(),
        1
    );
    w.configure(CRONE, &field("persistentroom", "0"));
    assert!(store
        .load(&"chat.shakespeare.lit".parse().unwrap())
        .unwrap()
        .is_empty());
    // Persistent, then destroyed by its owner (§10.9).
    w.configure(CRONE, &field("persistentroom", "1"));
    w.iq(
        CRONE,
        "set",
        "<query xmlns='http://jabber.org/protocol/muc#owner'><destroy/></query>",
    );
    drop(w);
    assert!(run(&store).muc.room(&room()).is_none());
}

#[test]
fn messages_and_presence_do_not_rewrite_the_room() {
    let store = Shared::default();
    let mut w = run(&store);
    w.create(&field("persistentroom", "1"));
    let after_creation = *store.writes.lock().unwrap();
    w.join(HAG, "thirdwitch");
    w.message(HAG, "hi");
    w.leave(HAG, "thirdwitch");
    assert_eq!(*store.writes.lock().unwrap(), after_creation);
}

#[test]
fn a_change_the_store_cannot_keep_is_answered_internal_server_error() {
    let store = Shared::default();
    let mut w = run(&store);
    w.create(&field("persistentroom", "1"));
    *store.fail.lock().unwrap() = true;
    let out = w.admin(
        CRONE,
        "<item affiliation='member' jid='hag66@shakespeare.lit'/>",
    );
    let answer = out
        .to(CRONE)
        .into_iter()
        .find(|s| s.name() == "iq")
        .unwrap()
        .clone();
    assert_eq!(answer.attr("type"), Some("error"), "{answer:?}");
    assert!(String::from(&answer).contains("internal-server-error"));
    // The store is back: the next change writes what was missed too.
    *store.fail.lock().unwrap() = false;
    let out = w.configure(CRONE, &field("roomname", "Cave"));
    let answer = out
        .to(CRONE)
        .into_iter()
        .find(|s| s.name() == "iq")
        .unwrap();
    assert_eq!(answer.attr("type"), Some("result"));
    drop(w);
    let w = run(&store);
    let restored = w.muc.room(&room()).unwrap();
    assert_eq!(restored.affiliation(&bare(HAG)), Affiliation::Member);
    assert_eq!(restored.config().name, "Cave");
}

#[test]
fn a_saved_room_reads_back_from_its_xml_form() {
    let saved = SavedRoom {
        jid: room(),
        config: RoomConfig {
            name: "A Dark Cave".into(),
            description: "The place for all good witches!".into(),
            lang: Some("en".into()),
            enable_logging: true,
            max_users: None,
            persistent: true,
            members_only: true,
            password: Some("cauldronburn".into()),
            whois: Whois::Anyone,
            presence_broadcast: vec![xmppkit_muc::Role::Moderator],
            max_history: 50,
            ..RoomConfig::default()
        },
        affiliations: [
            (bare(CRONE), Affiliation::Owner),
            (bare(WICCA), Affiliation::Admin),
            (bare(PISTOL), Affiliation::Outcast),
        ]
        .into_iter()
        .collect(),
        subject: Some(Subject {
            text: "Fire Burn & Cauldron <Bubble>!".into(),
            by: Some("firstwitch".into()),
            stamp: "2002-10-13T23:58:37Z".parse().unwrap(),
        }),
    };
    let xml = String::from(&minidom::Element::from(&saved));
    let element: minidom::Element = xml.parse().unwrap();
    assert_eq!(SavedRoom::try_from(&element).unwrap(), saved);
    // Defaults too (no subject, no affiliation).
    let bare_room = SavedRoom {
        jid: room(),
        config: RoomConfig::default(),
        affiliations: Default::default(),
        subject: None,
    };
    let element = minidom::Element::from(&bare_room);
    assert_eq!(SavedRoom::try_from(&element).unwrap(), bare_room);
    // What is not a saved room is an error, not a default room.
    let other: minidom::Element = "<room xmlns='urn:xmppkit:muc:saved:0'/>".parse().unwrap();
    assert!(SavedRoom::try_from(&other).is_err());
}

mod round_trip {
    use super::*;
    use proptest::prelude::*;
    use xmppkit_muc::{AllowPm, Role};

    fn config() -> impl Strategy<Value = RoomConfig> {
        (
            (
                "[a-zA-Z &<>'\"]{0,12}",
                "[a-z ]{0,12}",
                proptest::option::of("[a-z]{2}"),
            ),
            (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
            (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
            (
                0..4u8,
                proptest::option::of(1..500u32),
                proptest::option::of("[a-z0-9]{1,8}"),
            ),
            (
                any::<bool>(),
                proptest::bits::u8::masked(0b111),
                0..=1000u32,
            ),
        )
            .prop_map(
                |((name, desc, lang), a, b, (pm, max_users, password), (whois, roles, history))| {
                    RoomConfig {
                        name,
                        description: desc,
                        lang,
                        enable_logging: a.0,
                        change_subject: a.1,
                        allow_invites: a.2,
                        public: a.3,
                        persistent: b.0,
                        moderated: b.1,
                        members_only: b.2,
                        allow_pm: [
                            AllowPm::Anyone,
                            AllowPm::Participants,
                            AllowPm::Moderators,
                            AllowPm::Nobody,
                        ][pm as usize],
                        max_users,
                        password: password.filter(|_| b.3),
                        whois: if whois {
                            Whois::Anyone
                        } else {
                            Whois::Moderators
                        },
                        presence_broadcast: [Role::Moderator, Role::Participant, Role::Visitor]
                            .into_iter()
                            .enumerate()
                            .filter(|(i, _)| roles & (1 << i) != 0)
                            .map(|(_, r)| r)
                            .collect(),
                        max_history: history,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn saved_rooms_read_back_equal(
            config in config(),
            members in proptest::collection::btree_map("[a-z]{1,6}", 0..5usize, 0..6),
            subject in proptest::option::of(("[^\u{0}-\u{1f}]{0,20}", proptest::option::of("[a-z]{1,6}"), 0..4_000_000_000i64)),
        ) {
            let affiliations = members
                .into_iter()
                .map(|(user, a)| {
                    let a = [Affiliation::Outcast, Affiliation::Member, Affiliation::Admin, Affiliation::Owner, Affiliation::Member][a];
                    (format!("{user}@shakespeare.lit").parse().unwrap(), a)
                })
                .collect();
            let saved = SavedRoom {
                jid: room(),
                config,
                affiliations,
                subject: subject.map(|(text, by, secs)| Subject {
                    text,
                    by,
                    stamp: xmppkit_stanza::datetime::DateTime::from_unix(secs, 123_000).unwrap(),
                }),
            };
            let xml = String::from(&minidom::Element::from(&saved));
            let element: minidom::Element = xml.parse().unwrap();
            prop_assert_eq!(SavedRoom::try_from(&element).unwrap(), saved);
        }
    }
}
