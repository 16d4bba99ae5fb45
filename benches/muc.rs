//! Fan-out of one groupchat message in a room of 1,000 occupants through the whole MUC service
//! (checks, reflection, stanza-id, history, one addressed copy per occupant), without and with
//! the MAM and read-markers hooks, next to the floor any minidom-based fan-out pays: cloning the
//! message and setting `to` 1,000 times; and the service's one fan-out with each copy spliced
//! from one serialization. Results in docs/benchmarks.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

#[path = "support/floor.rs"]
mod floor;
use minidom::Element;
use std::hint::black_box;
use std::time::Duration;
use xmppkit::mam::{Mam, MamConfig, MemoryArchive};
use xmppkit::muc::{MamHook, ReadMarkersHook, RoomHooks, Service, ServiceConfig};
use xmppkit::read_markers::{MemoryStore, ReadMarkers};
use xmppkit::stanza::datetime::DateTime;
use xmppkit::stanza::Outgoing;

const OCCUPANTS: usize = 1_000;
const ROOM: &str = "lobby@conference.example.org";

fn now() -> DateTime {
    DateTime::from_unix(1_700_000_000, 0).unwrap()
}

fn el(xml: &str) -> Element {
    xml.parse().unwrap()
}

/// A service with one room of 1,000 members, all present.
fn service<H: RoomHooks>(hooks: H) -> Service<H> {
    let mut config = ServiceConfig::default();
    config.default_room.max_users = None;
    let mut muc = Service::new("conference.example.org".parse().unwrap(), config, hooks);
    muc.handle_stanza(
        el(&format!(
            "<presence xmlns='jabber:client' from='user0@example.org/r' to='{ROOM}/user0'>\
            <x xmlns='http://jabber.org/protocol/muc'/></presence>"
        )),
        now(),
    );
    muc.handle_stanza(
        el(&format!("<iq xmlns='jabber:client' from='user0@example.org/r' to='{ROOM}' type='set' id='c'>\
            <query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>")),
        now(),
    );
    let mut items = String::new();
    for i in 1..OCCUPANTS {
        items.push_str(&format!(
            "<item affiliation='member' jid='user{i}@example.org'/>"
        ));
    }
    muc.handle_stanza(
        el(&format!(
            "<iq xmlns='jabber:client' from='user0@example.org/r' to='{ROOM}' type='set' id='m'>\
            <query xmlns='http://jabber.org/protocol/muc#admin'>{items}</query></iq>"
        )),
        now(),
    );
    for i in 1..OCCUPANTS {
        muc.handle_stanza(
            el(&format!(
                "<presence xmlns='jabber:client' from='user{i}@example.org/r' to='{ROOM}/user{i}'>\
                <x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>"
            )),
            now(),
        );
        while muc.poll_transmit().is_some() {}
    }
    while muc.poll_transmit().is_some() {}
    muc
}

fn message(i: u64) -> Element {
    el(&format!("<message xmlns='jabber:client' from='user7@example.org/r' to='{ROOM}' type='groupchat' id='m{i}'>\
        <body>Message number {i}, with a sentence of ordinary length in it.</body>\
        <origin-id xmlns='urn:xmpp:sid:0' id='m{i}'/></message>"))
}

fn run<H: RoomHooks>(muc: &mut Service<H>, i: &mut u64) -> usize {
    *i += 1;
    muc.handle_stanza(message(*i), now());
    let mut n = 0;
    while let Some(s) = muc.poll_transmit() {
        black_box(s);
        n += 1;
    }
    assert_eq!(n, OCCUPANTS);
    n
}

/// The same message taken out as the one fan-out the service builds (`poll_outgoing`), each
/// occupant's copy written by splicing its `to` into the one serialization, as the server does.
fn run_serialized_once<H: RoomHooks>(muc: &mut Service<H>, i: &mut u64) -> usize {
    *i += 1;
    muc.handle_stanza(message(*i), now());
    let mut n = 0;
    while let Some(o) = muc.poll_outgoing() {
        if let Outgoing::FanOut(fan) = o {
            for to in fan.recipients() {
                black_box(fan.unaddressed().addressed(to.as_str()));
                n += 1;
            }
        }
    }
    assert_eq!(n, OCCUPANTS);
    n
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("muc_fan_out_1000");
    group.measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(OCCUPANTS as u64));

    let mut plain = service(());
    let mut i = 0;
    group.bench_function("service, no hooks", |b| b.iter(|| run(&mut plain, &mut i)));
    group.bench_function(
        "service, no hooks, serialized once + 1000 spliced copies",
        |b| b.iter(|| run_serialized_once(&mut plain, &mut i)),
    );

    let mut mam_only = service(MamHook(Mam::new(
        MemoryArchive::default(),
        MamConfig::default(),
    )));
    let mut k = 0;
    group.bench_function("service, MAM hook", |b| {
        b.iter(|| run(&mut mam_only, &mut k))
    });
    drop(mam_only);

    let mut markers_only = service(ReadMarkersHook(ReadMarkers::new(MemoryStore::default())));
    let mut l = 0;
    group.bench_function("service, read-markers hook", |b| {
        b.iter(|| run(&mut markers_only, &mut l))
    });
    drop(markers_only);

    let hooks = (
        MamHook(Mam::new(MemoryArchive::default(), MamConfig::default())),
        ReadMarkersHook(ReadMarkers::new(MemoryStore::default())),
    );
    let mut hooked = service(hooks);
    let mut j = 0;
    group.bench_function("service, MAM + read-markers hooks", |b| {
        b.iter(|| run(&mut hooked, &mut j))
    });

    // The floor: the message exactly as the service reflects it (stanza-id included), cloned and
    // addressed once per occupant.
    let recipients: Vec<String> = (0..OCCUPANTS)
        .map(|i| format!("user{i}@example.org/r"))
        .collect();
    let mut probe = service(());
    probe.handle_stanza(message(0), now());
    let reflected = floor::without_to(&probe.poll_transmit().unwrap());
    floor::bench(
        &mut group,
        "floor: clone + set to, 1000 times",
        &reflected,
        &recipients,
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
