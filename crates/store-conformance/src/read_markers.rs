//! Room read markers: counts per member and room, the sender not counted, markers that move
//! forward only, per room.

use crate::bare;
use xmppkit_read_markers::{ReadMarkerStore, Record};
use xmppkit_stanza::datetime::DateTime;

fn at(s: &str) -> DateTime {
    s.parse().expect("a stamp")
}

/// Runs the read-marker rules on an empty `store`.
pub fn read_markers(store: &dyn ReadMarkerStore) {
    let room = bare("coven@chat.shakespeare.lit");
    let other_room = bare("heath@chat.shakespeare.lit");
    let (crone, hag, wicca) = (
        bare("crone1@shakespeare.lit"),
        bare("hag66@shakespeare.lit"),
        bare("wiccarocks@shakespeare.lit"),
    );
    let members = [crone.clone(), hag.clone(), wicca.clone()];
    assert_eq!(store.get(&room, &hag).expect("get"), Record::default());

    let t1 = at("2018-08-06T11:58:37.651721Z");
    store
        .message(&room, &crone, "m1", t1, &members)
        .expect("message");
    let crone_record = store.get(&room, &crone).expect("get");
    assert_eq!(crone_record.unseen, 0, "the sender is not counted");
    assert_eq!(
        crone_record.last.as_ref().map(|l| l.id.as_str()),
        Some("m1")
    );
    assert_eq!(
        crone_record.last.map(|l| l.seen_at),
        Some(t1),
        "to the microsecond"
    );
    assert_eq!(store.get(&room, &hag).expect("get").unseen, 1);
    assert_eq!(store.get(&room, &hag).expect("get").last, None);

    let t2 = at("2018-08-06T11:59:00Z");
    store
        .message(&room, &hag, "m2", t2, &members)
        .expect("message");
    store
        .message(&room, &hag, "m3", t2, &members)
        .expect("message");
    assert_eq!(store.get(&room, &crone).expect("get").unseen, 2);
    assert_eq!(store.get(&room, &wicca).expect("get").unseen, 3);
    assert_eq!(store.get(&room, &hag).expect("get").unseen, 0);

    let t3 = at("2018-08-06T12:00:00Z");
    store.ack(&room, &wicca, "m2", t3).expect("ack");
    let record = store.get(&room, &wicca).expect("get");
    assert_eq!(record.unseen, 0);
    assert_eq!(record.last.as_ref().map(|l| l.id.as_str()), Some("m2"));
    store.ack(&room, &wicca, "m1", t3).expect("ack");
    assert_eq!(
        store.get(&room, &wicca).expect("get").last.map(|l| l.id),
        Some("m2".into()),
        "an ack of an older message leaves the marker"
    );
    store.ack(&room, &wicca, "m3", t3).expect("ack");
    assert_eq!(
        store.get(&room, &wicca).expect("get").last.map(|l| l.id),
        Some("m3".into()),
        "a newer one moves it"
    );
    assert_eq!(
        store.get(&other_room, &wicca).expect("get"),
        Record::default(),
        "per room"
    );
    store
        .message(&other_room, &crone, "m1", t3, &members)
        .expect("message");
    assert_eq!(store.get(&other_room, &wicca).expect("get").unseen, 1);
    assert_eq!(store.get(&room, &wicca).expect("get").unseen, 0);
}
