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

/// Runs `check` on a file database and on one in memory.
fn on_both(name: &str, check: impl Fn(&Database)) {
    let (db, dir) = file_db(name);
    check(&db);
    check(&Database::in_memory().unwrap());
    drop(db);
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
fn sqlite_nodes() {
    let (db, dir) = file_db("nodes");
    xmppkit_store_conformance::nodes(&mut || Box::new(db.nodes().unwrap()), true);
    drop(db);
    std::fs::remove_dir_all(dir).unwrap();
}
