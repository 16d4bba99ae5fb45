//! PostgreSQL stopped under the store (the bad-input case of the storage issue): reads answer
//! with an error within the timeout instead of hanging, writes wait in a bounded queue (the
//! one past the bound is refused), nothing is reported durable while the server is down, and
//! once it is back every queued write is committed and seen by a new connection. Its own test
//! binary: it stops the shared test server, which no other test may be using meanwhile.

use std::process::Command;
use std::time::{Duration, Instant};
use xmppkit_server::OfflineStore;
use xmppkit_store_postgres::{Database, Options};

fn shell(command: &str) {
    let status = Command::new("sh").arg("-c").arg(command).status().unwrap();
    assert!(status.success(), "{command}");
}

#[test]
fn queued_writes_outlive_a_stopped_server_and_reads_fail_fast() {
    let (Ok(base), Ok(stop), Ok(start)) = (
        std::env::var("XMPPKIT_TEST_POSTGRES"),
        std::env::var("XMPPKIT_TEST_POSTGRES_STOP"),
        std::env::var("XMPPKIT_TEST_POSTGRES_START"),
    ) else {
        assert!(
            std::env::var_os("XMPPKIT_REQUIRE_POSTGRES").is_none(),
            "XMPPKIT_REQUIRE_POSTGRES is set but the test server's commands are not"
        );
        eprintln!("no XMPPKIT_TEST_POSTGRES_STOP/START: the outage test did not run");
        return;
    };
    let name = format!("xmppkit_outage_{}", std::process::id());
    let mut admin =
        postgres::Client::connect(&format!("{base} dbname=postgres"), postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    drop(admin);
    let url = format!("{base} dbname={name}");
    let options = Options {
        max_queued: 20,
        timeout: Duration::from_secs(1),
    };
    let db = Database::connect_with(&url, options).unwrap();
    let juliet = "juliet@example.com".parse().unwrap();
    let mut offline = db.offline();
    let message = |n: usize| {
        format!("<message xmlns='jabber:client' id='m{n}'><body>{n}</body></message>")
            .parse()
            .unwrap()
    };
    for n in 0..5 {
        offline.push(&juliet, message(n)).unwrap();
    }
    db.flush(Duration::from_secs(10)).unwrap();

    shell(&stop);
    // Writes queue up to the bound; the one past it is refused, not kept in memory.
    let before = db.queued();
    for n in 5..25 {
        offline.push(&juliet, message(n)).unwrap();
    }
    assert!(
        offline.push(&juliet, message(99)).is_err(),
        "past the bound"
    );
    // Nothing of it is durable while the server is down.
    let waited = db.flush(Duration::from_millis(500));
    assert!(
        waited.is_err(),
        "reported durable while PostgreSQL was down"
    );
    // A read fails within its timeout (plus the writer's retry pause), it does not hang.
    let asked = Instant::now();
    let count = std::thread::spawn({
        let offline = offline.clone();
        let juliet = juliet.clone();
        move || offline.count(&juliet)
    });
    std::thread::sleep(Duration::from_millis(1500));
    shell(&start);
    let count = count.join().unwrap();
    assert!(count.is_err(), "a read answered while PostgreSQL was down");
    assert!(asked.elapsed() < Duration::from_secs(5));

    // Back: everything queued is committed, and seen from a new connection.
    db.flush(Duration::from_secs(30)).unwrap();
    assert_eq!(db.queued(), before + 20);
    let other = Database::connect(&url).unwrap();
    let kept = other.offline().list(&juliet).unwrap();
    assert_eq!(
        kept.len(),
        25,
        "every write acknowledged by the queue is there"
    );
    let ids: Vec<String> = kept
        .iter()
        .map(|(_, m)| m.attr("id").unwrap().to_owned())
        .collect();
    assert_eq!(ids, (0..25).map(|n| format!("m{n}")).collect::<Vec<_>>());
}
