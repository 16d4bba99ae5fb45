//! Parsing and preparing addresses (RFC 7622) with xmppkit-jid's PRECIS profiles next to the
//! `jid` crate of xmpp-rs (RFC 6122 stringprep), on what a server parses all day (lower-case
//! ASCII, bare and full), on mixed case, and on non-ASCII addresses. Results in
//! docs/benchmarks.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

const SETS: [(&str, &[&str]); 3] = [
    (
        "ascii",
        &[
            "juliet@example.com",
            "romeo@example.net/orchard",
            "lobby@conference.example.org/nick",
            "example.com",
            "user1234@chat.example.org/phone-5f3a9c",
        ],
    ),
    (
        "mixed-case",
        &[
            "Juliet@Example.com",
            "ROMEO@example.net/Orchard",
            "Lobby@Conference.example.org/Nick",
        ],
    ),
    (
        "unicode",
        &[
            "fußball@example.com",
            "π@example.com/♚",
            "σ@münchen.de/tor",
            "ΣΑΣ@example.com",
        ],
    ),
];

fn parse(c: &mut Criterion) {
    for (name, set) in SETS {
        let mut group = c.benchmark_group(format!("jid/{name}"));
        group.throughput(Throughput::Elements(set.len() as u64));
        group.bench_function("xmppkit (PRECIS)", |b| {
            b.iter(|| {
                for s in set {
                    black_box(xmppkit::jid::Jid::new(black_box(s)).unwrap());
                }
            })
        });
        group.bench_function("jid crate (stringprep)", |b| {
            b.iter(|| {
                for s in set {
                    black_box(xmpp_parsers::jid::Jid::new(black_box(s)).unwrap());
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, parse);
criterion_main!(benches);
