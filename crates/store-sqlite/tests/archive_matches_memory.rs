//! The SQLite archive answers every query exactly as the in-memory reference does: random
//! archives (partners bare and full, equal stamps, stamps going back) and random filters and
//! pages (XEP-0313 §4 with XEP-0059, full text of XEP-0431), compared item by item, with the
//! same errors. Also: an archive written by schema version 2 gets its positions and its
//! full-text index when opened by this version.

use proptest::prelude::*;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_mam::payload::Filter;
use xmppkit_mam::{Archive, Archived, MemoryArchive, Page, PageResult};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_store_sqlite::Database;

const PARTNERS: [&str; 4] = [
    "romeo@example.net/orchard",
    "romeo@example.net/balcony",
    "nurse@example.net",
    "tybalt@example.com/sword",
];

fn owner() -> BareJid {
    BareJid::new("juliet@example.com").unwrap()
}

/// Words of bodies and full-text queries: cases, diacritics, digits.
const WORDS: [&str; 6] = ["apple", "Banana", "CHERRY", "Éclair", "naïve", "42"];

fn item(n: usize, partner: usize, second: i64) -> Archived {
    item_saying(n, partner, second, &[])
}

fn item_saying(n: usize, partner: usize, second: i64, words: &[usize]) -> Archived {
    let with: Jid = PARTNERS[partner].parse().unwrap();
    let body: Vec<&str> = words.iter().map(|w| WORDS[*w]).collect();
    let body = match body.is_empty() {
        true => String::new(),
        false => format!("<body>{}, again!</body>", body.join(" ")),
    };
    Archived {
        id: format!("m{n}"),
        stamp: DateTime::from_unix(1_780_000_000 + second, 0).unwrap(),
        message: format!("<message xmlns='jabber:client' from='{with}'>{body}</message>")
            .parse()
            .unwrap(),
        with,
    }
}

fn summary(
    r: Result<PageResult, xmppkit_mam::ArchiveError>,
) -> Result<(Vec<String>, usize, usize, bool), String> {
    r.map(|p| {
        (
            p.items
                .iter()
                .map(|i| format!("{}@{}", i.id, i.stamp))
                .collect(),
            p.first_index,
            p.count,
            p.complete,
        )
    })
    .map_err(|e| e.to_string())
}

fn id(n: usize, len: usize) -> String {
    // Mostly ids that exist, sometimes one that does not.
    if n < len {
        format!("m{n}")
    } else {
        "missing".into()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn any_query_gets_the_memory_archive_answer(
        messages in prop::collection::vec(
            (0..PARTNERS.len(), 0i64..4, prop::collection::vec(0..WORDS.len(), 0..3)),
            0..40,
        ),
        fulltext in prop::option::of((prop::collection::vec(0..WORDS.len(), 0..3), any::<bool>())),
        with in prop::option::of((0..PARTNERS.len(), any::<bool>())),
        start in prop::option::of(0i64..80),
        end in prop::option::of(0i64..80),
        after_id in prop::option::of(0usize..45),
        before_id in prop::option::of(0usize..45),
        ids in prop::collection::vec(0usize..45, 0..4),
        paging in 0u8..4,
        at in 0usize..45,
        max in 0usize..6,
    ) {
        let db = Database::in_memory().unwrap();
        let (mut sqlite, mut memory) = (db.archive(), MemoryArchive::default());
        let mut second = 0;
        for (n, (partner, step, words)) in messages.iter().enumerate() {
            // Steps of 0 repeat a stamp; a step of 3 goes back in time (kept as the last).
            second += match step { 3 => -2, s => *s };
            sqlite.append(&owner(), item_saying(n, *partner, second, words)).unwrap();
            memory.append(&owner(), item_saying(n, *partner, second, words)).unwrap();
        }
        let len = messages.len();
        let filter = Filter {
            with: with.map(|(p, bare)| {
                let jid: Jid = PARTNERS[p].parse().unwrap();
                if bare { jid.to_bare().into() } else { jid }
            }),
            start: start.map(|s| DateTime::from_unix(1_780_000_000 + s - 10, 0).unwrap()),
            end: end.map(|s| DateTime::from_unix(1_780_000_000 + s - 10, 0).unwrap()),
            after_id: after_id.map(|n| id(n, len)),
            before_id: before_id.map(|n| id(n, len)),
            ids: ids.iter().map(|n| id(*n, len)).collect(),
            fulltext: fulltext.map(|(words, upper)| {
                let text: Vec<&str> = words.iter().map(|w| WORDS[*w]).collect();
                let text = text.join(" ");
                if upper { text.to_uppercase() } else { text.to_lowercase() }
            }),
        };
        let page = match paging {
            0 => Page { max, after: Some(id(at, len)), ..Page::default() },
            1 => Page { max, before: Some(id(at, len)), ..Page::default() },
            2 => Page { max, before: Some(String::new()), ..Page::default() },
            _ => Page { max, index: Some(at), ..Page::default() },
        };
        prop_assert_eq!(
            summary(sqlite.query(&owner(), &filter, &page)),
            summary(memory.query(&owner(), &filter, &page)),
            "{:?} {:?}", filter, page
        );
    }
}

#[test]
fn an_archive_of_schema_version_2_gets_its_positions() {
    let dir = std::env::temp_dir().join(format!("xmppkit-sqlite-migrate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../src/schema.sql"))
            .unwrap();
        conn.execute_batch(include_str!("../src/schema2.sql"))
            .unwrap();
        conn.execute_batch("PRAGMA user_version = 2").unwrap();
        for n in 0..6 {
            let with = PARTNERS[n % 3];
            let bare = with.split('/').next().unwrap();
            conn.execute(
                "INSERT INTO archive (owner, id, stamp, with_bare, with_jid, stanza) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![
                    "juliet@example.com",
                    format!("m{n}"),
                    (1_780_000_000i64 + n as i64) * 1_000_000_000,
                    bare,
                    with,
                    format!("<message xmlns='jabber:client'><body>{n}</body></message>")
                ],
            )
            .unwrap();
        }
    }
    let db = Database::open(&path).unwrap();
    let mut archive = db.archive();
    let romeo = Filter {
        with: Some("romeo@example.net".parse().unwrap()),
        ..Filter::default()
    };
    let last_two = Page {
        max: 2,
        before: Some(String::new()),
        ..Page::default()
    };
    let got = archive.query(&owner(), &romeo, &last_two).unwrap();
    let ids: Vec<&str> = got.items.iter().map(|i| i.id.as_str()).collect();
    // romeo is partner 0 and 1 (two resources): m0, m1, m3, m4.
    assert_eq!((ids, got.first_index, got.count), (vec!["m3", "m4"], 2, 4));
    // Their bodies became searchable (schema version 4 indexes what was archived before it).
    let three = Filter {
        fulltext: Some("3".into()),
        ..Filter::default()
    };
    let found = archive
        .query(
            &owner(),
            &three,
            &Page {
                max: 10,
                ..Page::default()
            },
        )
        .unwrap();
    assert_eq!(
        found
            .items
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>(),
        ["m3"]
    );
    // New messages continue the numbering.
    archive.append(&owner(), item(6, 0, 6)).unwrap();
    let all = archive
        .query(
            &owner(),
            &Filter::default(),
            &Page {
                max: 10,
                ..Page::default()
            },
        )
        .unwrap();
    assert_eq!(all.count, 7);
    assert_eq!(all.items.last().unwrap().id, "m6");
    drop(db);
    std::fs::remove_dir_all(dir).unwrap();
}
