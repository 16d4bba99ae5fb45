//! The XEP-0198 outbox: what 100,000 unacknowledged chat messages cost held as the bytes written
//! (`xmppkit_sm::Queued`, today) against held as `minidom::Element` trees (before), as process
//! resident memory (`VmRSS`) and as the bytes themselves; and the time to queue one message
//! (serialize it and keep the copy) and to take an acknowledgement of 100 of them.
//!
//! `cargo bench --bench outbox`; results in docs/benchmarks.md.

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, Criterion};
use minidom::Element;
use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use xmppkit::sm::{Queued, SmConfig, SmStream};

const QUEUED: usize = 100_000;

/// A chat message of the shape the load run sends (body, markable, stanza-id, origin-id).
fn message(i: usize) -> Element {
    format!(
        "<message xmlns='jabber:client' from='user{}@example.com/phone' to='user{}@example.com' \
         type='chat' id='m{i}'><body>message {i}: the room is ready tomorrow, à bientôt</body>\
         <markable xmlns='urn:xmpp:chat-markers:0'/>\
         <stanza-id xmlns='urn:xmpp:sid:0' id='{i:016x}' by='example.com'/>\
         <origin-id xmlns='urn:xmpp:sid:0' id='o{i}'/></message>",
        i % 100,
        (i + 1) % 100
    )
    .parse()
    .unwrap()
}

/// The resident memory of this process, from /proc (Linux), in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Memory first, bytes before trees: heap freed by the first run is reused by the second, so
/// the trees' figure can only come out too low, never the bytes' one.
fn memory() {
    let messages: Vec<Element> = (0..QUEUED).map(message).collect();
    let ns: Arc<str> = Arc::from("jabber:client");
    let before = rss_mib();
    let mut out = BytesMut::with_capacity(1 << 20);
    let mut stream = SmStream::new(SmConfig::default());
    let now = Instant::now();
    let mut wire = 0;
    for m in &messages {
        out.clear();
        let queued = Queued::write(m, &ns, &mut out);
        wire += queued.bytes().len();
        stream.sent_queued(queued, now);
    }
    let bytes_rss = rss_mib() - before;
    assert_eq!(stream.unacked_queued().count(), QUEUED);
    drop(stream);
    let before = rss_mib();
    let trees: VecDeque<Element> = messages.iter().cloned().collect();
    let trees_rss = rss_mib() - before;
    black_box(&trees);
    eprintln!(
        "outbox of {QUEUED} messages ({wire} bytes on the wire, {} per message): \
         VmRSS +{bytes_rss:.1} MiB as bytes (Queued), +{trees_rss:.1} MiB as trees (Element)",
        wire / QUEUED
    );
}

fn timing(c: &mut Criterion) {
    memory();
    let mut group = c.benchmark_group("sm_outbox");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    let m = message(7);
    let ns: Arc<str> = Arc::from("jabber:client");
    group.bench_function("write and keep one message (Queued::write)", |b| {
        let mut out = BytesMut::with_capacity(4096);
        b.iter(|| {
            out.clear();
            black_box(Queued::write(black_box(&m), &ns, &mut out))
        })
    });
    group.bench_function("write one message, no outbox (Encoder::stanza)", |b| {
        let mut out = BytesMut::with_capacity(4096);
        let encoder = xmppkit::codec::Encoder::new();
        b.iter(|| {
            out.clear();
            encoder.stanza(black_box(&m), &mut out);
            black_box(out.len())
        })
    });
    group.bench_function("queue 100 and take their acknowledgement", |b| {
        let queued: Vec<Queued> = (0..100)
            .map(|i| Queued::write(&message(i), &ns, &mut BytesMut::new()))
            .collect();
        let now = Instant::now();
        b.iter(|| {
            let mut stream = SmStream::new(SmConfig::default());
            for q in &queued {
                stream.sent_queued(q.clone(), now);
            }
            black_box(stream.ack(100, now).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, timing);
criterion_main!(benches);
