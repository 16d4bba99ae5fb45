//! Persistent MUC rooms (XEP-0045 §10.2): a saved room comes back equal, per service; a save
//! replaces; a removal forgets.

use crate::bare;
use xmppkit_muc::{Affiliation, RoomConfig, RoomStore, SavedRoom, Subject, Whois};

/// Runs the room rules on an empty `store`.
pub fn rooms(store: &mut dyn RoomStore) {
    let service = bare("chat.shakespeare.lit");
    assert!(store.load(&service).expect("load").is_empty());
    let mut coven = SavedRoom {
        jid: bare("coven@chat.shakespeare.lit"),
        config: RoomConfig {
            name: "A Dark Cave".into(),
            persistent: true,
            members_only: true,
            password: Some("cauldronburn".into()),
            whois: Whois::Anyone,
            max_users: None,
            ..RoomConfig::default()
        },
        affiliations: [
            (bare("crone1@shakespeare.lit"), Affiliation::Owner),
            (bare("hag66@shakespeare.lit"), Affiliation::Member),
            (bare("pistol@shakespeare.lit"), Affiliation::Outcast),
        ]
        .into_iter()
        .collect(),
        subject: Some(Subject {
            text: "Fire Burn and Cauldron Bubble!".into(),
            by: Some("firstwitch".into()),
            stamp: "2002-10-13T23:58:37.123456Z".parse().expect("a stamp"),
        }),
    };
    let heath = SavedRoom {
        jid: bare("heath@chat.shakespeare.lit"),
        config: RoomConfig {
            persistent: true,
            ..RoomConfig::default()
        },
        affiliations: Default::default(),
        subject: None,
    };
    let elsewhere = SavedRoom {
        jid: bare("coven@conference.example.org"),
        ..heath.clone()
    };
    for room in [&coven, &heath, &elsewhere] {
        store.save(room).expect("save");
    }
    let mut loaded = store.load(&service).expect("load");
    loaded.sort_by(|a, b| a.jid.cmp(&b.jid));
    assert_eq!(
        loaded,
        vec![coven.clone(), heath.clone()],
        "per service, equal"
    );

    coven.config.name = "The Cave".into();
    coven.affiliations.remove(&bare("pistol@shakespeare.lit"));
    coven.subject = None;
    store.save(&coven).expect("save");
    let loaded = store.load(&service).expect("load");
    assert_eq!(loaded.len(), 2, "a save replaces");
    assert!(loaded.contains(&coven), "the new state, not the old one");

    store.remove(&heath.jid).expect("remove");
    store
        .remove(&heath.jid)
        .expect("removing what is gone is nothing");
    assert_eq!(store.load(&service).expect("load"), vec![coven]);
    assert_eq!(
        store.load(&bare("conference.example.org")).expect("load"),
        vec![elsewhere]
    );
}
