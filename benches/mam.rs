//! Query latency of the MAM archives, in memory, on SQLite and (with `XMPPKIT_BENCH_POSTGRES`
//! set to a connection string of an empty database) on PostgreSQL: one 50-message page from a
//! 1,000,000-message archive, at the start, in the middle and at the end, with and without a
//! `with` filter, through the whole engine (query parsing, archive, result stanzas); full-text
//! queries on each (one matching a single message, one matching them all); and one append.
//! For each query the p50 and p99 of single runs are printed too, and the process's resident
//! memory after filling each archive (`VmRSS`). `XMPPKIT_BENCH_SQLITE=off` leaves SQLite out
//! (the memory archive alone, or with PostgreSQL). Results in docs/benchmarks.md.

#[path = "support/percentiles.rs"]
mod percentiles;

use criterion::{criterion_group, criterion_main, Criterion};
use minidom::Element;
use percentiles::percentiles;
use std::hint::black_box;
use std::time::Duration;
use xmppkit::jid::{BareJid, Jid};
use xmppkit::mam::{query_iq, Archive, ArchiveKind, Filter, Mam, MamConfig, MemoryArchive};
use xmppkit::stanza::datetime::DateTime;
use xmppkit::stanza::rsm::Set;
use xmppkit::stanza::set_attr;

const SIZE: usize = 1_000_000;

fn message(i: usize, with: &Jid) -> Element {
    let mut message: Element = Element::builder("message", "jabber:client")
        .append(
            Element::builder("body", "jabber:client")
                .append(format!("message number {i}, with a few words of text"))
                .build(),
        )
        .build();
    set_attr(&mut message, "type", "chat");
    set_attr(&mut message, "from", with.to_string());
    message
}

/// The resident memory of this process, from /proc (Linux), in MiB.
fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn archive<A: Archive>(store: A) -> Mam<A> {
    let mut mam = Mam::new(store, MamConfig::default());
    let owner: BareJid = "juliet@capulet.lit".parse().unwrap();
    let partners: Vec<Jid> = (0..100)
        .map(|i| format!("friend{i}@example.com/phone").parse().unwrap())
        .collect();
    for i in 0..SIZE {
        let with = &partners[i % partners.len()];
        let message = message(i, with);
        let stamp = DateTime::from_unix(1_600_000_000 + i as i64, 0).unwrap();
        mam.store(
            &owner,
            ArchiveKind::User,
            with,
            true,
            &message,
            format!("{i:08}"),
            stamp,
        )
        .unwrap();
    }
    mam
}

fn bench(c: &mut Criterion) {
    let before = rss_mib();
    let memory = archive(MemoryArchive::default());
    eprintln!(
        "VmRSS: {:.0} MiB before, {:.0} MiB with 1,000,000 messages in memory",
        before.unwrap_or(0.0),
        rss_mib().unwrap_or(0.0)
    );
    let mut memory = pages(c, "mam_page_of_50_from_1m", memory);
    fulltext(c, "mam_memory_fulltext_from_1m", &mut memory);
    drop(memory);
    if std::env::var("XMPPKIT_BENCH_SQLITE").as_deref() != Ok("off") {
        let dir = std::env::temp_dir().join(format!("xmppkit-bench-mam-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = xmppkit::store_sqlite::Database::open(dir.join("mam.db")).unwrap();
        let before = rss_mib();
        let sqlite = archive(db.archive());
        eprintln!(
            "VmRSS: {:.0} MiB before, {:.0} MiB with 1,000,000 messages on SQLite",
            before.unwrap_or(0.0),
            rss_mib().unwrap_or(0.0)
        );
        let mut sqlite = pages(c, "mam_sqlite_page_of_50_from_1m", sqlite);
        fulltext(c, "mam_sqlite_fulltext_from_1m", &mut sqlite);
        drop((sqlite, db));
        std::fs::remove_dir_all(dir).unwrap();
    }
    if let Ok(url) = std::env::var("XMPPKIT_BENCH_POSTGRES") {
        // The fill queues faster than PostgreSQL commits: let the queue hold all of it.
        let options = xmppkit::store_postgres::Options {
            max_queued: u64::MAX,
            ..Default::default()
        };
        let db = xmppkit::store_postgres::Database::connect_with(&url, options).unwrap();
        let before = rss_mib();
        let started = std::time::Instant::now();
        let postgres = archive(db.archive());
        db.flush(Duration::from_secs(600)).unwrap();
        eprintln!(
            "VmRSS: {:.0} MiB before, {:.0} MiB with 1,000,000 messages on PostgreSQL \
             (appended and committed in {:.1} s: {:?})",
            before.unwrap_or(0.0),
            rss_mib().unwrap_or(0.0),
            started.elapsed().as_secs_f64(),
            db.stats()
        );
        let mut postgres = pages(c, "mam_postgres_page_of_50_from_1m", postgres);
        fulltext(c, "mam_postgres_fulltext_from_1m", &mut postgres);
    }
}

/// Full-text queries (XEP-0431) on a filled archive: a word of one message, and two words of
/// every message (the page and the count of 1,000,000).
fn fulltext<A: Archive>(c: &mut Criterion, group_name: &str, mam: &mut Mam<A>) {
    let mut group = c.benchmark_group(group_name);
    group.sample_size(10);
    for (name, words, results) in [("one_match", "500000", 1), ("all_match", "few WORDS", 50)] {
        let filter = Filter {
            fulltext: Some(words.into()),
            ..Filter::default()
        };
        let set = Set {
            max: Some(50),
            ..Set::default()
        };
        let mut iq = query_iq("q", None, "qid", &filter, Some(set));
        iq.from = Some("juliet@capulet.lit/phone".parse().unwrap());
        let out = mam.handle_iq(&iq, ArchiveKind::User, |_| false).unwrap();
        assert_eq!(
            out.len(),
            results + 1,
            "{name}: {results} results and the fin"
        );
        percentiles(&format!("{group_name}/{name}"), || {
            black_box(mam.handle_iq(&iq, ArchiveKind::User, |_| false)).unwrap();
        });
        group.bench_function(name, |b| {
            b.iter(|| black_box(mam.handle_iq(black_box(&iq), ArchiveKind::User, |_| false)))
        });
    }
    group.finish();
}

/// One append, in memory and on SQLite (one commit each), to an archive that grows as it runs.
fn append(c: &mut Criterion) {
    let owner: BareJid = "romeo@montague.lit".parse().unwrap();
    let with: Jid = "friend1@example.com/phone".parse().unwrap();
    let dir = std::env::temp_dir().join(format!("xmppkit-bench-append-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = xmppkit::store_sqlite::Database::open(dir.join("append.db")).unwrap();
    let mut group = c.benchmark_group("mam_append");
    let mut run = |name: &str, mam: &mut Mam<Box<dyn Archive>>| {
        let mut i = 0usize;
        group.bench_function(name, |b| {
            b.iter(|| {
                i += 1;
                let stamp = DateTime::from_unix(1_700_000_000 + i as i64, 0).unwrap();
                mam.store(
                    &owner,
                    ArchiveKind::User,
                    &with,
                    true,
                    &message(i, &with),
                    format!("a{i}"),
                    stamp,
                )
                .unwrap()
            })
        });
    };
    run(
        "memory",
        &mut Mam::new(Box::new(MemoryArchive::default()), MamConfig::default()),
    );
    run(
        "sqlite",
        &mut Mam::new(Box::new(db.archive()), MamConfig::default()),
    );
    group.finish();
    drop(db);
    std::fs::remove_dir_all(dir).unwrap();
}

fn pages<A: Archive>(c: &mut Criterion, group_name: &str, mut mam: Mam<A>) -> Mam<A> {
    let mut group = c.benchmark_group(group_name);
    group.measurement_time(Duration::from_secs(5));
    let with: Jid = "friend7@example.com".parse().unwrap();
    let cases = [
        (
            "start",
            Filter::default(),
            Set {
                max: Some(50),
                ..Set::default()
            },
        ),
        (
            "middle",
            Filter::default(),
            Set {
                max: Some(50),
                after: Some(format!("{:08}", SIZE / 2)),
                ..Set::default()
            },
        ),
        (
            "end",
            Filter::default(),
            Set {
                max: Some(50),
                before: Some(String::new()),
                ..Set::default()
            },
        ),
        (
            "with_start",
            Filter {
                with: Some(with.clone()),
                ..Filter::default()
            },
            Set {
                max: Some(50),
                ..Set::default()
            },
        ),
        (
            "with_middle",
            Filter {
                with: Some(with.clone()),
                ..Filter::default()
            },
            Set {
                max: Some(50),
                after: Some(format!("{:08}", SIZE / 2 + 7)),
                ..Set::default()
            },
        ),
        (
            "with_end",
            Filter {
                with: Some(with),
                ..Filter::default()
            },
            Set {
                max: Some(50),
                before: Some(String::new()),
                ..Set::default()
            },
        ),
    ];
    for (name, filter, set) in cases {
        let mut iq = query_iq("q", None, "qid", &filter, Some(set));
        iq.from = Some("juliet@capulet.lit/phone".parse().unwrap());
        let out = mam.handle_iq(&iq, ArchiveKind::User, |_| false).unwrap();
        assert_eq!(out.len(), 51, "{name}: 50 results and the fin");
        percentiles(&format!("{group_name}/{name}"), || {
            black_box(mam.handle_iq(&iq, ArchiveKind::User, |_| false)).unwrap();
        });
        group.bench_function(name, |b| {
            b.iter(|| black_box(mam.handle_iq(black_box(&iq), ArchiveKind::User, |_| false)))
        });
    }
    group.finish();
    mam
}

criterion_group!(benches, bench, append);
criterion_main!(benches);
