//! The SQLite stores pass the same conformance suite as the memory stores, on a file database
//! (WAL) and in memory.

use xmppkit_store_sqlite::Database;

fn file_db(name: &str) -> (Database, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "xmppkit-sqlite-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    (Database::open(dir.join("test.db")).unwrap(), dir)
}

/// Runs `check` on a file database, on one in memory, and on one gathering its writes in a
/// single transaction (group commit, committed at the end).
fn on_both(name: &str, check: impl Fn(&Database)) {
    let (db, dir) = file_db(name);
    check(&db);
    check(&Database::in_memory().unwrap());
    drop(db);
    std::fs::remove_dir_all(&dir).unwrap();
    let (grouped, dir) = file_db(&format!("{name}-grouped"));
    grouped.set_group_commit(true);
    check(&grouped);
    grouped.commit().unwrap();
    drop(grouped);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn sqlite_accounts() {
    on_both("accounts", |db| {
        xmppkit_store_conformance::accounts(&db.accounts())
    });
}

#[test]
fn sqlite_rosters() {
    on_both("rosters", |db| {
        xmppkit_store_conformance::rosters(&mut db.rosters())
    });
}

#[test]
fn sqlite_offline() {
    on_both("offline", |db| {
        xmppkit_store_conformance::offline(&mut db.offline())
    });
}

#[test]
fn sqlite_tokens() {
    on_both("tokens", |db| {
        xmppkit_store_conformance::tokens(&mut db.tokens())
    });
}

#[test]
fn sqlite_blocking() {
    on_both("blocking", |db| {
        xmppkit_store_conformance::blocking(&mut db.blocking())
    });
}

#[test]
fn sqlite_archive() {
    on_both("archive", |db| {
        xmppkit_store_conformance::archive(&mut db.archive())
    });
}

#[test]
fn sqlite_unread() {
    on_both("unread", |db| {
        xmppkit_store_conformance::unread(&mut db.archive())
    });
}

#[test]
fn sqlite_positions() {
    on_both("positions", |db| {
        xmppkit_store_conformance::positions(&mut db.positions())
    });
    on_both("entry props", |db| {
        xmppkit_store_conformance::entry_props(&mut db.entry_props())
    });
    on_both("read state", |db| {
        xmppkit_store_conformance::read_state(&mut db.archive(), &mut db.positions())
    });
}

#[test]
fn sqlite_rooms() {
    on_both("rooms", |db| {
        xmppkit_store_conformance::rooms(&mut db.rooms())
    });
}

#[test]
fn sqlite_read_markers() {
    on_both("read-markers", |db| {
        xmppkit_store_conformance::read_markers(&db.read_markers())
    });
}

#[test]
fn sqlite_markers() {
    on_both("markers", |db| {
        xmppkit_store_conformance::markers(&mut db.markers())
    });
}

#[test]
fn sqlite_markers_survive_reopening() {
    use xmppkit_markers::{ConversationKey, MarkerStore};
    let (db, dir) = file_db("markers-reopen");
    let room = ConversationKey::Room("cave@chat.lit".parse().unwrap());
    let (a, b) = ("a@lit".parse().unwrap(), "b@lit".parse().unwrap());
    let mut markers = db.markers();
    markers.append(&room, "m1", &a).unwrap();
    markers.append(&room, "m2", &a).unwrap();
    assert_eq!(markers.set_displayed(&b, &room, "m1"), Ok(true));
    drop((markers, db));
    let db = Database::open(dir.join("test.db")).unwrap();
    let mut markers = db.markers();
    assert_eq!(markers.displayed(&b, &room), Ok(Some("m1".into())));
    assert_eq!(markers.unread(&b, &room), Ok(1));
    assert_eq!(markers.set_displayed(&b, &room, "m1"), Ok(false));
}

#[test]
fn sqlite_nodes() {
    let (db, dir) = file_db("nodes");
    xmppkit_store_conformance::nodes(&mut || Box::new(db.nodes().unwrap()), true);
    drop(db);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn grouped_writes_are_seen_by_others_only_once_committed() {
    use xmppkit_server::{derive_keys, AccountStore, OfflineStore};
    let (db, dir) = file_db("group-commit");
    db.set_group_commit(true);
    let other = Database::open(dir.join("test.db")).unwrap();
    let juliet = "juliet@example.com".parse().unwrap();
    db.accounts()
        .create("juliet", derive_keys("pw", b"salt", 64))
        .unwrap();
    db.offline()
        .push(&juliet, "<message xmlns='jabber:client'/>".parse().unwrap())
        .unwrap();
    // The writer sees its own writes; another connection (a process restarted after a crash
    // would be one) sees none of them before the commit.
    assert!(db.accounts().exists("juliet"));
    assert!(!other.accounts().exists("juliet"));
    assert_eq!(other.offline().count(&juliet).unwrap(), 0);
    db.commit().unwrap();
    assert!(other.accounts().exists("juliet"));
    assert_eq!(other.offline().count(&juliet).unwrap(), 1);
    // A commit with nothing open is nothing.
    db.commit().unwrap();
    drop((db, other));
    std::fs::remove_dir_all(dir).unwrap();
}
