//! Message archives (XEP-0313 §4 with XEP-0059 paging): the filters (`with` bare and full,
//! `start`/`end` inclusive, `after-id`/`before-id` exclusive, `ids`), the three ways of paging
//! with their `first_index`, `count` and `complete`, `item-not-found` for unknown ids, stamps
//! kept in order, duplicate ids refused, bounds, preferences, and owners kept apart.

use crate::{bare, el};
use xmppkit_jid::Jid;
use xmppkit_mam::payload::{DefaultPref, Filter, Prefs};
use xmppkit_mam::{Archive, ArchiveError, Archived, Page, PageResult};
use xmppkit_stanza::datetime::DateTime;

const T0: i64 = 1_780_000_000;

fn stamp(n: i64) -> DateTime {
    DateTime::from_unix(T0 + n, 250_000_000 * (n as u32 % 4)).expect("a valid time")
}

fn with(n: usize) -> Jid {
    let jid = match n {
        9 => "romeo@example.net/balcony",
        _ if n % 2 == 0 => "romeo@example.net/orchard",
        _ => "nurse@example.net",
    };
    jid.parse().expect("a JID")
}

fn item(n: usize) -> Archived {
    Archived {
        id: format!("a{n}"),
        stamp: stamp(n as i64),
        with: with(n),
        message: el(&format!(
            "<message xmlns='jabber:client' from='{}' to='juliet@example.com' type='chat'>\
             <body>line {n} &lt;&amp;&gt;</body>\
             <stanza-id xmlns='urn:xmpp:sid:0' by='juliet@example.com' id='a{n}'/></message>",
            with(n)
        )),
    }
}

fn ids(result: &PageResult) -> Vec<&str> {
    result.items.iter().map(|i| i.id.as_str()).collect()
}

fn page(max: usize) -> Page {
    Page {
        max,
        ..Page::default()
    }
}

fn ask(store: &dyn Archive, filter: &Filter, page: &Page) -> (Vec<String>, usize, usize, bool) {
    let owner = bare("juliet@example.com");
    let r = store
        .query(&owner, filter, page)
        .unwrap_or_else(|e| panic!("query {filter:?} {page:?}: {e}"));
    (
        ids(&r).into_iter().map(str::to_owned).collect(),
        r.first_index,
        r.count,
        r.complete,
    )
}

fn list(ids: &[usize]) -> Vec<String> {
    ids.iter().map(|n| format!("a{n}")).collect()
}

/// Runs the archive rules on an empty `store`.
pub fn archive(store: &mut dyn Archive) {
    let juliet = bare("juliet@example.com");
    let romeo = bare("romeo@example.net");
    assert_eq!(store.bounds(&juliet).expect("bounds"), None);
    assert_eq!(store.prefs(&juliet).expect("prefs"), Prefs::default());
    for n in 0..10 {
        store.append(&juliet, item(n)).expect("append");
    }

    // Everything, and each item exactly as appended.
    let all = store
        .query(&juliet, &Filter::default(), &page(100))
        .expect("query");
    assert_eq!(all.items, (0..10).map(item).collect::<Vec<_>>());
    assert_eq!((all.first_index, all.count, all.complete), (0, 10, true));

    let none = Filter::default();
    let by = |jid: &str| Filter {
        with: Some(jid.parse().expect("a JID")),
        ..Filter::default()
    };
    // `with`: a bare JID matches every resource, a full JID only itself (§4.1.1).
    assert_eq!(
        ask(store, &by("romeo@example.net"), &page(100)),
        (list(&[0, 2, 4, 6, 8, 9]), 0, 6, true)
    );
    assert_eq!(
        ask(store, &by("romeo@example.net/orchard"), &page(100)),
        (list(&[0, 2, 4, 6, 8]), 0, 5, true)
    );
    assert_eq!(
        ask(store, &by("nobody@example.net"), &page(100)),
        (vec![], 0, 0, true)
    );
    // `start` and `end` are inclusive.
    let window = Filter {
        start: Some(stamp(3)),
        end: Some(stamp(6)),
        ..Filter::default()
    };
    assert_eq!(
        ask(store, &window, &page(100)),
        (list(&[3, 4, 5, 6]), 0, 4, true)
    );
    // `after-id` and `before-id` are exclusive, and combine.
    let after = Filter {
        after_id: Some("a6".into()),
        ..Filter::default()
    };
    assert_eq!(
        ask(store, &after, &page(100)),
        (list(&[7, 8, 9]), 0, 3, true)
    );
    let between = Filter {
        after_id: Some("a2".into()),
        before_id: Some("a5".into()),
        with: Some("romeo@example.net".parse().expect("a JID")),
        ..Filter::default()
    };
    assert_eq!(ask(store, &between, &page(100)), (list(&[4]), 0, 1, true));
    // `ids`: sorted by archive order, duplicates once, other filters still apply.
    let chosen = Filter {
        ids: vec!["a5".into(), "a1".into(), "a1".into(), "a8".into()],
        ..Filter::default()
    };
    assert_eq!(
        ask(store, &chosen, &page(100)),
        (list(&[1, 5, 8]), 0, 3, true)
    );
    let chosen_with = Filter {
        with: Some("nurse@example.net".parse().expect("a JID")),
        ..chosen
    };
    assert_eq!(
        ask(store, &chosen_with, &page(100)),
        (list(&[1, 5]), 0, 2, true)
    );

    // Full text (XEP-0431): every word, any case, word for word; combined with the other fields
    // and paged like them; no word at all is no filter.
    let text = |words: &str| Filter {
        fulltext: Some(words.into()),
        ..Filter::default()
    };
    assert_eq!(
        ask(store, &text("LINE 3"), &page(100)),
        (list(&[3]), 0, 1, true)
    );
    assert_eq!(
        ask(store, &text("3 line"), &page(100)),
        (list(&[3]), 0, 1, true)
    );
    assert_eq!(
        ask(store, &text("lin"), &page(100)),
        (vec![], 0, 0, true),
        "whole words"
    );
    assert_eq!(
        ask(store, &text("line 3 extra"), &page(100)),
        (vec![], 0, 0, true)
    );
    assert_eq!(
        ask(store, &text(" ,; "), &page(3)),
        (list(&[0, 1, 2]), 0, 10, false)
    );
    let romeo_lines = Filter {
        fulltext: Some("Line".into()),
        ..by("romeo@example.net")
    };
    assert_eq!(
        ask(
            store,
            &romeo_lines,
            &Page {
                after: Some("a2".into()),
                ..page(2)
            }
        ),
        (list(&[4, 6]), 2, 6, false)
    );
    assert_eq!(
        ask(
            store,
            &text("line"),
            &Page {
                before: Some(String::new()),
                ..page(2)
            }
        ),
        (list(&[8, 9]), 8, 10, false)
    );

    // Unknown ids anywhere: item-not-found (§4.1.2, §4.3.1).
    let unknown = |filter: Filter, page: Page| {
        assert_eq!(
            store.query(&juliet, &filter, &page),
            Err(ArchiveError::ItemNotFound("zz".into())),
            "{filter:?} {page:?}"
        );
    };
    unknown(
        Filter {
            after_id: Some("zz".into()),
            ..Filter::default()
        },
        page(10),
    );
    unknown(
        Filter {
            before_id: Some("zz".into()),
            ..Filter::default()
        },
        page(10),
    );
    unknown(
        Filter {
            ids: vec!["a1".into(), "zz".into()],
            ..Filter::default()
        },
        page(10),
    );
    unknown(
        Filter::default(),
        Page {
            after: Some("zz".into()),
            ..page(10)
        },
    );
    unknown(
        Filter::default(),
        Page {
            before: Some("zz".into()),
            ..page(10)
        },
    );

    // Paging forward with <after/> (XEP-0059 §2.2).
    let forward = |after: Option<&str>, max| Page {
        after: after.map(str::to_owned),
        ..page(max)
    };
    assert_eq!(
        ask(store, &none, &page(3)),
        (list(&[0, 1, 2]), 0, 10, false)
    );
    assert_eq!(
        ask(store, &none, &forward(Some("a2"), 3)),
        (list(&[3, 4, 5]), 3, 10, false)
    );
    assert_eq!(
        ask(store, &none, &forward(Some("a8"), 3)),
        (list(&[9]), 9, 10, true)
    );
    assert_eq!(
        ask(store, &none, &forward(Some("a9"), 3)),
        (vec![], 10, 10, true)
    );
    let romeo_filter = by("romeo@example.net");
    assert_eq!(
        ask(store, &romeo_filter, &forward(Some("a4"), 2)),
        (list(&[6, 8]), 3, 6, false)
    );
    // An <after/> outside the selection still places the page.
    assert_eq!(
        ask(store, &romeo_filter, &forward(Some("a5"), 2)),
        (list(&[6, 8]), 3, 6, false)
    );
    // Paging backward with <before/> (§2.5: empty is the last page).
    let backward = |before: &str, max| Page {
        before: Some(before.to_owned()),
        ..page(max)
    };
    assert_eq!(
        ask(store, &none, &backward("", 3)),
        (list(&[7, 8, 9]), 7, 10, false)
    );
    assert_eq!(
        ask(store, &none, &backward("a7", 3)),
        (list(&[4, 5, 6]), 4, 10, false)
    );
    assert_eq!(
        ask(store, &none, &backward("a3", 3)),
        (list(&[0, 1, 2]), 0, 10, true)
    );
    assert_eq!(ask(store, &none, &backward("a0", 3)), (vec![], 0, 10, true));
    assert_eq!(
        ask(store, &romeo_filter, &backward("a9", 10)),
        (list(&[0, 2, 4, 6, 8]), 0, 6, true)
    );
    assert_eq!(
        ask(store, &romeo_filter, &backward("", 2)),
        (list(&[8, 9]), 4, 6, false)
    );
    // By index (§2.6).
    let at = |index, max| Page {
        index: Some(index),
        ..page(max)
    };
    assert_eq!(ask(store, &none, &at(8, 3)), (list(&[8, 9]), 8, 10, true));
    assert_eq!(ask(store, &none, &at(20, 3)), (vec![], 10, 10, true));
    assert_eq!(
        ask(store, &romeo_filter, &at(1, 2)),
        (list(&[2, 4]), 1, 6, false)
    );
    // A count-only query.
    assert_eq!(ask(store, &none, &page(0)), (vec![], 0, 10, false));

    // A stamp earlier than the last is kept as the last: the archive stays in time order.
    let mut late = item(10);
    late.stamp = stamp(0);
    store.append(&juliet, late).expect("append");
    let last = store
        .query(&juliet, &Filter::default(), &backward("", 1))
        .expect("query");
    assert_eq!(last.items[0].id, "a10");
    assert_eq!(last.items[0].stamp, stamp(9));
    assert_eq!(
        store.bounds(&juliet).expect("bounds"),
        Some([("a0".into(), stamp(0)), ("a10".into(), stamp(9))])
    );
    // Duplicate ids are refused: with an error, or (a store that writes behind, whose write
    // then fails on its own) by leaving the archive as it was.
    let before = store
        .query(&juliet, &Filter::default(), &page(100))
        .expect("query");
    match store.append(&juliet, item(3)) {
        Err(ArchiveError::Storage(_)) => {}
        Ok(()) => {}
        Err(other) => panic!("a duplicate id gave {other:?}"),
    }
    assert_eq!(
        store
            .query(&juliet, &Filter::default(), &page(100))
            .expect("query"),
        before,
        "a duplicate id leaves the archive as it was"
    );

    // Owners are apart: the same ids may exist in another archive, and are unknown in it.
    assert_eq!(
        store.query(&romeo, &after, &page(10)),
        Err(ArchiveError::ItemNotFound("a6".into()))
    );
    store
        .append(&romeo, item(3))
        .expect("the same id elsewhere");
    assert_eq!(
        ids(&store.query(&romeo, &none, &page(10)).expect("query")),
        ["a3"]
    );
    assert_eq!(
        store.query(&juliet, &none, &page(0)).expect("query").count,
        11
    );

    // Preferences (§6) round-trip, per owner.
    let prefs = Prefs {
        default: DefaultPref::Roster,
        always: vec!["romeo@example.net".parse().expect("a JID")],
        never: vec![
            "tybalt@example.com/sword".parse().expect("a JID"),
            "paris@example.net".parse().expect("a JID"),
        ],
    };
    store.set_prefs(&juliet, prefs.clone()).expect("set prefs");
    assert_eq!(store.prefs(&juliet).expect("prefs"), prefs);
    assert_eq!(store.prefs(&romeo).expect("prefs"), Prefs::default());
    let never = Prefs {
        default: DefaultPref::Never,
        ..Prefs::default()
    };
    store.set_prefs(&juliet, never.clone()).expect("set prefs");
    assert_eq!(store.prefs(&juliet).expect("prefs"), never);
}
