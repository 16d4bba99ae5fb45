//! Publishing one item to a node with 10,000 subscribers through the whole engine (request
//! parsing, permission and payload checks, storage, the result, one notification per
//! subscriber), next to the floor any minidom-based fan-out pays: the very notification,
//! cloned and given a `to` 10,000 times. Results in docs/benchmarks.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

#[path = "support/floor.rs"]
mod floor;
use minidom::Element;
use std::hint::black_box;
use std::time::Duration;
use xmppkit::pubsub::{Engine, MemoryStore, PubSubConfig, ServiceKind};
use xmppkit::stanza::datetime::DateTime;
use xmppkit::stanza::Iq;
use xmppkit::stanza::Outgoing;

const SUBSCRIBERS: usize = 10_000;
const SERVICE: &str = "pubsub.example.org";

fn now() -> DateTime {
    DateTime::from_unix(1_700_000_000, 0).unwrap()
}

fn iq(xml: &str) -> Iq {
    Iq::try_from(xml.parse::<Element>().unwrap()).unwrap()
}

fn engine() -> Engine<MemoryStore> {
    let mut ps = Engine::new(MemoryStore::default(), PubSubConfig::default());
    let create = iq(&format!(
        "<iq xmlns='jabber:client' type='set' id='c' from='owner@example.org/r' to='{SERVICE}'>\
        <pubsub xmlns='http://jabber.org/protocol/pubsub'><create node='news'/></pubsub></iq>"
    ));
    ps.handle_iq(&create, ServiceKind::Service, &(), now())
        .unwrap();
    for i in 0..SUBSCRIBERS {
        let sub = iq(&format!("<iq xmlns='jabber:client' type='set' id='s' from='user{i}@example.org/r' to='{SERVICE}'>\
            <pubsub xmlns='http://jabber.org/protocol/pubsub'><subscribe node='news' jid='user{i}@example.org'/></pubsub></iq>"));
        ps.handle_iq(&sub, ServiceKind::Service, &(), now())
            .unwrap();
    }
    ps
}

fn publish(i: u64) -> Iq {
    iq(&format!(
        "<iq xmlns='jabber:client' type='set' id='p{i}' from='owner@example.org/r' to='{SERVICE}'>\
        <pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='news'><item id='item{i}'>\
        <entry xmlns='http://www.w3.org/2005/Atom'><title>Headline number {i}</title>\
        <summary>A sentence of ordinary length about what happened today.</summary></entry>\
        </item></publish></pubsub></iq>"
    ))
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("pubsub_publish_10000_subscribers");
    group.measurement_time(Duration::from_secs(10));
    group.sample_size(30);
    group.throughput(Throughput::Elements(SUBSCRIBERS as u64));

    let mut ps = engine();
    let mut i = 0;
    group.bench_function("engine", |b| {
        b.iter(|| {
            i += 1;
            let out = ps
                .handle_iq(&publish(i), ServiceKind::Service, &(), now())
                .unwrap();
            assert_eq!(out.len(), SUBSCRIBERS + 1);
            for m in out {
                black_box(m);
            }
        })
    });

    // The same publish with the notification kept as one fan-out, serialized once, and each
    // subscriber's copy written by splicing its `to` into those bytes (what the server does).
    let mut j = 1_000_000;
    group.bench_function("engine, serialized once + 10000 spliced copies", |b| {
        b.iter(|| {
            j += 1;
            let out = ps
                .handle_iq_outgoing(&publish(j), ServiceKind::Service, &(), now())
                .unwrap();
            let mut copies = 0;
            for o in out {
                if let Outgoing::FanOut(fan) = o {
                    for to in fan.recipients() {
                        black_box(fan.unaddressed().addressed(to.as_str()));
                        copies += 1;
                    }
                }
            }
            assert_eq!(copies, SUBSCRIBERS);
        })
    });

    // The floor: the notification exactly as the engine sends it, without `to`, cloned and
    // addressed once per subscriber.
    let sent = ps
        .handle_iq(&publish(0), ServiceKind::Service, &(), now())
        .unwrap();
    let notification = floor::without_to(&sent[1]);
    let recipients: Vec<String> = (0..SUBSCRIBERS)
        .map(|i| format!("user{i}@example.org"))
        .collect();
    floor::bench(
        &mut group,
        "floor: clone + set to, 10000 times",
        &notification,
        &recipients,
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
