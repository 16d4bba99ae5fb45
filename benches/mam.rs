//! Query latency of the in-memory MAM archive: one 50-message page from a 1,000,000-message
//! archive, at the start, in the middle and at the end, with and without a `with` filter, through
//! the whole engine (query parsing, archive, result stanzas). Results in docs/benchmarks.md.

use criterion::{criterion_group, criterion_main, Criterion};
use minidom::Element;
use std::hint::black_box;
use std::time::Duration;
use xmppkit::jid::{BareJid, Jid};
use xmppkit::mam::{query_iq, ArchiveKind, Filter, Mam, MamConfig, MemoryArchive};
use xmppkit::stanza::datetime::DateTime;
use xmppkit::stanza::rsm::Set;
use xmppkit::stanza::set_attr;

const SIZE: usize = 1_000_000;

fn archive() -> Mam<MemoryArchive> {
    let mut mam = Mam::new(MemoryArchive::default(), MamConfig::default());
    let owner: BareJid = "juliet@capulet.lit".parse().unwrap();
    let partners: Vec<Jid> = (0..100)
        .map(|i| format!("friend{i}@example.com/phone").parse().unwrap())
        .collect();
    for i in 0..SIZE {
        let with = &partners[i % partners.len()];
        let mut message: Element = Element::builder("message", "jabber:client")
            .append(
                Element::builder("body", "jabber:client")
                    .append(format!("message number {i}, with a few words of text"))
                    .build(),
            )
            .build();
        set_attr(&mut message, "type", "chat");
        set_attr(&mut message, "from", with.to_string());
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
    let mut mam = archive();
    let mut group = c.benchmark_group("mam_page_of_50_from_1m");
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
        group.bench_function(name, |b| {
            b.iter(|| black_box(mam.handle_iq(black_box(&iq), ArchiveKind::User, |_| false)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
