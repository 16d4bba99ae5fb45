//! The read-state engine (issue #19) in memory, on SQLite and (with `XMPPKIT_BENCH_POSTGRES`
//! set to a connection string of an empty database) on PostgreSQL: the counts list of a user
//! with 1,000 1:1 conversations of 20 messages each (the user wrote 5 of the first 10 and read
//! up to the 10th: the last 10 unread in each), with its p50 and p99; acks that move a
//! position forward (10,000, timed as one pass) and one that finds it there already; and what
//! a room message costs when the room has 10 or 10,000 members: one archive row either way
//! (bytes per message on SQLite), against the per-member counters of the old room read
//! markers (rows written and time per message). Results in docs/benchmarks.md.

#[path = "support/percentiles.rs"]
mod percentiles;

use criterion::{criterion_group, criterion_main, Criterion};
use minidom::Element;
use percentiles::percentiles;
use std::hint::black_box;
use std::time::{Duration, Instant};
use xmppkit::jid::{BareJid, Jid};
use xmppkit::mam::{Archive, ArchiveKind, Mam, MamConfig, MemoryArchive};
use xmppkit::read_markers::{
    Conversation, MemoryPositions, PositionStore, ReadMarkerStore, ReadState, Upto,
};
use xmppkit::stanza::datetime::DateTime;
use xmppkit::stanza::set_attr;

const CONVERSATIONS: usize = 1_000;
const PER_CONVERSATION: usize = 20;

fn user() -> BareJid {
    "juliet@capulet.lit".parse().unwrap()
}

fn contact(i: usize) -> Jid {
    format!("friend{i}@example.com/phone").parse().unwrap()
}

fn message(from: &str, body: &str, kind: &str) -> Element {
    let mut message: Element = Element::builder("message", "jabber:client")
        .append(
            Element::builder("body", "jabber:client")
                .append(body)
                .build(),
        )
        .build();
    set_attr(&mut message, "type", kind);
    set_attr(&mut message, "from", from);
    message
}

fn at(n: usize) -> DateTime {
    DateTime::from_unix(1_700_000_000 + n as i64, 0).unwrap()
}

/// Fills `archive` and `positions` for the user: 1,000 conversations, read up to the 10th
/// message of each.
fn fill<A: Archive, P: PositionStore>(archive: A, positions: P) -> (Mam<A>, ReadState<P>) {
    let mut mam = Mam::new(archive, MamConfig::default());
    let mut state = ReadState::new(positions);
    let owner = user();
    let mine = format!("{owner}/balcony");
    let mut n = 0;
    for round in 0..PER_CONVERSATION {
        for i in 0..CONVERSATIONS {
            let with = contact(i);
            let from = if round < 10 && round % 2 == 1 {
                mine.clone()
            } else {
                with.to_string()
            };
            let body = format!("message {round} of conversation {i}");
            n += 1;
            mam.store(
                &owner,
                ArchiveKind::User,
                &with,
                true,
                &message(&from, &body, "chat"),
                format!("{i}-{round}"),
                at(n),
            )
            .unwrap();
        }
    }
    for i in 0..CONVERSATIONS {
        let chat = Conversation::Chat(contact(i).to_bare());
        let id = format!("{i}-9");
        state
            .ack(mam.archive(), &owner, &chat, Upto::Message(&id), at(n))
            .unwrap();
    }
    (mam, state)
}

fn counts_list<A: Archive, P: PositionStore>(
    c: &mut Criterion,
    name: &str,
    mam: &Mam<A>,
    state: &ReadState<P>,
) {
    let owner = user();
    let no_rooms = |_: &BareJid| false;
    let counts = state.counts(mam.archive(), &owner, &no_rooms).unwrap();
    assert_eq!(counts.len(), CONVERSATIONS);
    assert!(counts.iter().all(|(_, n)| *n == 10), "{:?}", &counts[..3]);
    percentiles(&format!("read_state_counts_1000/{name}"), || {
        black_box(state.counts(mam.archive(), &owner, &no_rooms).unwrap());
    });
    let mut group = c.benchmark_group("read_state_counts_1000");
    group.sample_size(20);
    group.bench_function(name, |b| {
        b.iter(|| black_box(state.counts(mam.archive(), &owner, &no_rooms).unwrap()))
    });
    group.finish();
}

/// Acks: first 10,000 that each move a position (every conversation from its 10th message to
/// its 20th, one message at a time), timed as one pass up to `flush` returning (what a
/// database wrote behind is committed), and printed per ack; then criterion on an ack that
/// finds the position already there (a second device behind the first: kept, no write).
fn acks<A: Archive, P: PositionStore>(
    c: &mut Criterion,
    name: &str,
    mam: &Mam<A>,
    state: &mut ReadState<P>,
    flush: &dyn Fn(),
) {
    let owner = user();
    let chats: Vec<Conversation> = (0..CONVERSATIONS)
        .map(|i| Conversation::Chat(contact(i).to_bare()))
        .collect();
    let started = Instant::now();
    let mut moves = 0;
    for round in 10..PER_CONVERSATION {
        for (i, chat) in chats.iter().enumerate() {
            let id = format!("{i}-{round}");
            let acked = state
                .ack(mam.archive(), &owner, chat, Upto::Message(&id), at(round))
                .unwrap();
            assert!(matches!(acked, xmppkit::read_markers::Acked::Moved(_)));
            moves += 1;
        }
    }
    flush();
    let took = started.elapsed();
    eprintln!(
        "read_state_ack_moves/{name}: {moves} acks in {:.1} ms: {:.2} µs each, {:.0} acks/s",
        took.as_secs_f64() * 1e3,
        took.as_secs_f64() * 1e6 / moves as f64,
        moves as f64 / took.as_secs_f64()
    );
    let mut k = 0usize;
    let mut group = c.benchmark_group("read_state_ack_kept");
    group.sample_size(20);
    group.bench_function(name, |b| {
        b.iter(|| {
            let i = k % CONVERSATIONS;
            k += 1;
            let id = format!("{i}-15");
            black_box(
                state
                    .ack(mam.archive(), &owner, &chats[i], Upto::Message(&id), at(k))
                    .unwrap(),
            )
        })
    });
    group.finish();
}

/// The bytes a room message adds on SQLite, and the per-member counters of the old room read
/// markers, for 10 and 10,000 members.
fn room_storage(dir: &std::path::Path) {
    const MESSAGES: usize = 2_000;
    let room: BareJid = "lobby@conference.example.com".parse().unwrap();
    for members in [10usize, 10_000] {
        let path = dir.join(format!("room-{members}.db"));
        let member = |m: usize| -> BareJid { format!("member{m}@example.com").parse().unwrap() };
        let db = xmppkit::store_sqlite::Database::open(&path).unwrap();
        let mut mam = Mam::new(db.archive(), MamConfig::default());
        let mut state = ReadState::new(db.positions());
        let say = |mam: &mut Mam<_>, n: usize| {
            let author = member(n % 10);
            let occupant: Jid = format!("{room}/nick{}", n % 10).parse().unwrap();
            let message = message(
                &occupant.to_string(),
                &format!("room message {n}"),
                "groupchat",
            );
            mam.store_room(&room, &occupant, &author, &message, format!("r{n}"), at(n))
                .unwrap();
        };
        say(&mut mam, 0);
        // Every member has read the first message: one position row each, written once.
        let in_room = Conversation::Room(room.clone());
        for m in 0..members {
            state
                .ack(
                    mam.archive(),
                    &member(m),
                    &in_room,
                    Upto::Message("r0"),
                    at(0),
                )
                .unwrap();
        }
        drop((mam, state, db));
        let before = std::fs::metadata(&path).unwrap().len();
        let db = xmppkit::store_sqlite::Database::open(&path).unwrap();
        let mut mam = Mam::new(db.archive(), MamConfig::default());
        let started = Instant::now();
        for n in 1..=MESSAGES {
            say(&mut mam, n);
        }
        let took = started.elapsed();
        let state = ReadState::new(db.positions());
        let unread = state
            .unread(mam.archive(), &member(members - 1), &in_room)
            .unwrap();
        // With 10 members the last member wrote the second last message: one unread after
        // it; with 10,000 the last member never wrote: every one.
        let expected = if members == 10 { 1 } else { MESSAGES as u64 };
        assert_eq!(unread, expected);
        drop((mam, state, db));
        let after = std::fs::metadata(&path).unwrap().len();
        eprintln!(
            "read_state room message, {members} members: {:.0} bytes per message on SQLite \
             (file {before} -> {after} bytes over {MESSAGES} messages), 1 row written, {:.1} µs each",
            (after - before) as f64 / MESSAGES as f64,
            took.as_secs_f64() * 1e6 / MESSAGES as f64
        );
        // The old room read markers: a counter per member, moved by every message.
        let markers = db_markers(&path);
        let others: Vec<BareJid> = (0..members).map(member).collect();
        let old_messages = 20;
        let started = Instant::now();
        for n in 0..old_messages {
            markers
                .message(&room, &member(n % 10), &format!("old{n}"), at(n), &others)
                .unwrap();
        }
        eprintln!(
            "read_state room message, {members} members, old per-member counters: {} rows \
             written, {:.1} µs each",
            members,
            started.elapsed().as_secs_f64() * 1e6 / old_messages as f64
        );
    }
}

fn db_markers(path: &std::path::Path) -> xmppkit::store_sqlite::SqliteReadMarkers {
    xmppkit::store_sqlite::Database::open(path)
        .unwrap()
        .read_markers()
}

fn bench(c: &mut Criterion) {
    let (memory, mut memory_state) = fill(MemoryArchive::default(), MemoryPositions::default());
    counts_list(c, "memory", &memory, &memory_state);
    acks(c, "memory", &memory, &mut memory_state, &|| {});
    drop((memory, memory_state));

    let dir = std::env::temp_dir().join(format!("xmppkit-bench-read-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = xmppkit::store_sqlite::Database::open(dir.join("read-state.db")).unwrap();
    let (sqlite, mut sqlite_state) = fill(db.archive(), db.positions());
    counts_list(c, "sqlite", &sqlite, &sqlite_state);
    acks(c, "sqlite", &sqlite, &mut sqlite_state, &|| {});
    drop((sqlite, sqlite_state, db));
    room_storage(&dir);
    std::fs::remove_dir_all(&dir).unwrap();

    if let Ok(url) = std::env::var("XMPPKIT_BENCH_POSTGRES") {
        let db = xmppkit::store_postgres::Database::connect(&url).unwrap();
        let (postgres, mut postgres_state) = fill(db.archive(), db.positions());
        db.flush(Duration::from_secs(600)).unwrap();
        counts_list(c, "postgres", &postgres, &postgres_state);
        let flush = || db.flush(Duration::from_secs(600)).unwrap();
        acks(c, "postgres", &postgres, &mut postgres_state, &flush);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
