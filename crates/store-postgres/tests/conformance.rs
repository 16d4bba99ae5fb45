//! The store conformance suite on a real PostgreSQL: each test in a database of its own on the
//! server named by `XMPPKIT_TEST_POSTGRES` (a connection string without `dbname`;
//! `tests/postgres/cluster.sh` starts one). Without it the tests say so and pass, unless
//! `XMPPKIT_REQUIRE_POSTGRES` is set (CI sets both).

use std::time::Duration;
use xmppkit_store_postgres::Database;

/// A fresh, empty database for `name`, or `None` when no server is configured.
fn fresh(name: &str) -> Option<(Database, String)> {
    let Ok(base) = std::env::var("XMPPKIT_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("XMPPKIT_REQUIRE_POSTGRES").is_none(),
            "XMPPKIT_REQUIRE_POSTGRES is set but XMPPKIT_TEST_POSTGRES is not"
        );
        eprintln!(
            "no XMPPKIT_TEST_POSTGRES: the PostgreSQL conformance test of {name} did not run"
        );
        return None;
    };
    let db_name = format!("xmppkit_{name}_{}", std::process::id());
    let mut admin = postgres::Client::connect(&format!("{base} dbname=postgres"), postgres::NoTls)
        .expect("the test server");
    for statement in [
        format!("DROP DATABASE IF EXISTS {db_name}"),
        format!("CREATE DATABASE {db_name}"),
    ] {
        admin.batch_execute(&statement).expect("a database");
    }
    let url = format!("{base} dbname={db_name}");
    Some((Database::connect(&url).expect("connect and migrate"), url))
}

fn flushed(db: &Database) {
    db.flush(Duration::from_secs(10))
        .expect("every write committed");
}

#[test]
fn postgres_accounts() {
    let Some((db, _)) = fresh("accounts") else {
        return;
    };
    xmppkit_store_conformance::accounts(&db.accounts());
    flushed(&db);
}

#[test]
fn postgres_rosters() {
    let Some((db, _)) = fresh("rosters") else {
        return;
    };
    xmppkit_store_conformance::rosters(&mut db.rosters());
    flushed(&db);
}

#[test]
fn postgres_offline() {
    let Some((db, _)) = fresh("offline") else {
        return;
    };
    xmppkit_store_conformance::offline(&mut db.offline());
    flushed(&db);
}

#[test]
fn postgres_tokens() {
    let Some((db, _)) = fresh("tokens") else {
        return;
    };
    xmppkit_store_conformance::tokens(&mut db.tokens());
    flushed(&db);
}

#[test]
fn postgres_blocking() {
    let Some((db, _)) = fresh("blocking") else {
        return;
    };
    xmppkit_store_conformance::blocking(&mut db.blocking());
    flushed(&db);
}

#[test]
fn postgres_unread() {
    let Some((db, _)) = fresh("unread") else {
        return;
    };
    xmppkit_store_conformance::unread(&mut db.archive());
    flushed(&db);
}

#[test]
fn postgres_positions() {
    let Some((db, _)) = fresh("positions") else {
        return;
    };
    xmppkit_store_conformance::positions(&mut db.positions());
    xmppkit_store_conformance::entry_props(&mut db.entry_props());
    flushed(&db);
}

#[test]
fn postgres_read_state() {
    let Some((db, _)) = fresh("read_state") else {
        return;
    };
    xmppkit_store_conformance::read_state(&mut db.archive(), &mut db.positions());
    flushed(&db);
}

#[test]
fn postgres_archive() {
    let Some((db, _)) = fresh("archive") else {
        return;
    };
    xmppkit_store_conformance::archive(&mut db.archive());
    // The duplicate id the suite appends is the one write that failed.
    let everything = db.durable(0, db.queued());
    assert!(block_on(everything).is_err(), "the duplicate was reported");
}

#[test]
fn postgres_rooms() {
    let Some((db, _)) = fresh("rooms") else {
        return;
    };
    xmppkit_store_conformance::rooms(&mut db.rooms());
    flushed(&db);
}

#[test]
fn postgres_read_markers() {
    let Some((db, _)) = fresh("read_markers") else {
        return;
    };
    xmppkit_store_conformance::read_markers(&db.read_markers());
    flushed(&db);
}

#[test]
fn postgres_nodes() {
    let Some((db, _)) = fresh("nodes") else {
        return;
    };
    xmppkit_store_conformance::nodes(&mut || Box::new(db.nodes().unwrap()), true);
    flushed(&db);
}

#[test]
fn writes_survive_a_reconnect_and_are_seen_by_a_new_connection() {
    use xmppkit_server::OfflineStore;
    let Some((db, url)) = fresh("durable") else {
        return;
    };
    let juliet = "juliet@example.com".parse().unwrap();
    let mut offline = db.offline();
    for n in 0..100 {
        offline
            .push(
                &juliet,
                format!("<message xmlns='jabber:client' id='m{n}'/>")
                    .parse()
                    .unwrap(),
            )
            .unwrap();
    }
    let through = db.queued();
    assert_eq!(through, 100, "one number per write");
    assert_eq!(block_on(db.durable(0, through)), Ok(()));
    // Another process (a restarted server) sees them all.
    let other = Database::connect(&url).unwrap();
    assert_eq!(other.offline().count(&juliet).unwrap(), 100);
    // Nothing queued: durable at once.
    assert_eq!(block_on(other.durable(0, 0)), Ok(()));
    // Each transaction recorded its last write under its writer's name, which is what a
    // writer reads back after a COMMIT that lost its connection instead of writing twice.
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let marks: Vec<i64> = admin
        .query("SELECT through FROM write_marks", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        marks,
        [100],
        "one writer wrote, and its mark is its last write"
    );
}

#[test]
fn a_second_connect_finds_the_schema_migrated() {
    let Some((_db, url)) = fresh("migrate") else {
        return;
    };
    let again = Database::connect(&url).expect("an up-to-date schema is left alone");
    assert!(again.accounts().scram_keys_absent("nobody"));
}

/// Polls a future to its end on this thread (the durability future wakes its waker from the
/// writer thread).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    struct Thread(std::thread::Thread);
    impl Wake for Thread {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Thread(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park_timeout(Duration::from_millis(100));
    }
}

trait Absent {
    fn scram_keys_absent(&self, user: &str) -> bool;
}

impl Absent for xmppkit_store_postgres::PgAccounts {
    fn scram_keys_absent(&self, user: &str) -> bool {
        use xmppkit_session::CredentialStore;
        self.scram_keys(user, xmppkit_session::scram::ScramHash::Sha256)
            .expect("the lookup is answered")
            .is_none()
    }
}

#[test]
fn appends_written_together_keep_order_positions_and_stamps() {
    use xmppkit_mam::payload::Filter;
    use xmppkit_mam::{Archive, Archived, MemoryArchive, Page};
    let Some((db, _)) = fresh("batched") else {
        return;
    };
    let mut archive = db.archive();
    let mut memory = MemoryArchive::default();
    let owners: Vec<xmppkit_jid::BareJid> = ["juliet@capulet.lit", "romeo@montague.lit"]
        .iter()
        .map(|j| j.parse().unwrap())
        .collect();
    let partners = [
        "nurse@capulet.lit/a",
        "tybalt@capulet.lit/b",
        "benvolio@montague.lit/c",
    ];
    // Queued faster than the writer commits, so they go in multi-row statements; some stamps
    // go back in time (kept as the previous stamp).
    for n in 0..600u32 {
        let owner = &owners[(n % 2) as usize];
        let with: xmppkit_jid::Jid = partners[(n % 3) as usize].parse().unwrap();
        let second = if n % 7 == 0 { n as i64 - 5 } else { n as i64 };
        let item = Archived {
            id: format!("m{n}"),
            stamp: xmppkit_stanza::datetime::DateTime::from_unix(1_000_000 + second, 0).unwrap(),
            with,
            message: format!(
                "<message xmlns='jabber:client' id='x{n}'><body>word{} common</body></message>",
                n % 5
            )
            .parse()
            .unwrap(),
        };
        archive.append(owner, item.clone()).unwrap();
        memory.append(owner, item).unwrap();
    }
    flushed(&db);
    let stats = db.stats();
    assert_eq!(stats.split, 0, "no batch met an error: {stats:?}");
    assert_eq!(stats.committed, 600);
    assert!(stats.batches < 300, "written together: {stats:?}");
    let page = |index| Page {
        max: 50,
        index: Some(index),
        ..Page::default()
    };
    for owner in &owners {
        for with in [None, Some("tybalt@capulet.lit")] {
            for fulltext in [None, Some("word3 COMMON")] {
                let filter = Filter {
                    with: with.map(|w| w.parse().unwrap()),
                    fulltext: fulltext.map(str::to_owned),
                    ..Filter::default()
                };
                for index in [0, 75, 250] {
                    assert_eq!(
                        archive.query(owner, &filter, &page(index)).unwrap(),
                        memory.query(owner, &filter, &page(index)).unwrap(),
                        "{owner} {filter:?} from {index}"
                    );
                }
            }
        }
        assert_eq!(
            archive.bounds(owner).unwrap(),
            memory.bounds(owner).unwrap()
        );
    }
}
