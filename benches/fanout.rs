//! One groupchat message to a room of 1,000 occupants through the whole server: the `Server`
//! engine routing it to the MUC service plugged in as a component, the room's fan-out, the
//! engine's delivery checks for each occupant (account, blocklist, archive rules, carbons, the
//! bound on queued bytes), and each delivery turned into the bytes its connection writes. Prints
//! the allocations per recipient too. Results in docs/benchmarks.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use minidom::Element;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use xmppkit::codec::RawStanza;
use xmppkit::jid::BareJid;
use xmppkit::muc::{Service, ServiceConfig};
use xmppkit::server::{Config, ConnId, MemoryAccounts, Now, Output, Server, Stores};
use xmppkit::session::{ServerEvent, ServerSession};
use xmppkit::stanza::datetime::DateTime;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const OCCUPANTS: usize = 1_000;
const DOMAIN: &str = "example.org";
const MUC: &str = "conference.example.org";
const ROOM: &str = "lobby@conference.example.org";

fn now() -> Now {
    Now {
        instant: Instant::now(),
        utc: DateTime::from_unix(1_700_000_000, 0).unwrap(),
    }
}

fn el(xml: &str) -> Element {
    xml.parse().unwrap()
}

/// The server, and each user's connection with its (idle) session.
struct World {
    server: Server,
    conns: Vec<(ConnId, ServerSession)>,
}

impl World {
    fn new() -> World {
        let config = Config::new(BareJid::new(DOMAIN).unwrap());
        let stores = Stores::memory(Arc::new(MemoryAccounts::default()));
        let mut counter = 0u8;
        let random = Box::new(move |bytes: &mut [u8]| {
            for b in bytes {
                counter = counter.wrapping_add(1);
                *b = counter;
            }
        });
        let mut server = Server::new(config, stores, random, now());
        let mut muc_config = ServiceConfig::default();
        muc_config.default_room.max_users = None;
        let muc = Service::new(MUC.parse().unwrap(), muc_config, ());
        server.add_component(MUC, Box::new(muc));
        let mut world = World {
            server,
            conns: Vec::new(),
        };
        for i in 0..OCCUPANTS {
            world.online(i);
            world.send(
                i,
                &format!(
                    "<presence xmlns='jabber:client' to='{ROOM}/user{i}'>\
                <x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>"
                ),
            );
            if i == 0 {
                // The owner accepts the default configuration (XEP-0045 §10.1.2).
                world.send(0, &format!("<iq xmlns='jabber:client' to='{ROOM}' type='set' id='c'>\
                    <query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>"));
            }
            world.drain();
        }
        world
    }

    /// `user{i}` bound to `user{i}@example.org/r` on a connection of its own.
    fn online(&mut self, i: usize) {
        let conn = self.server.connect(None);
        let credentials = self.server.credentials();
        let config = self.server.session_config(conn);
        let mut session =
            ServerSession::new(config, credentials, Box::new(|| "x".into()), Instant::now());
        let user: BareJid = format!("user{i}@{DOMAIN}").parse().unwrap();
        let jid = user.with_resource_str("r").unwrap();
        let events = [
            ServerEvent::Authenticated {
                user,
                mechanism: "SCRAM-SHA-256",
            },
            ServerEvent::Online { jid },
        ];
        for event in events {
            self.server.handle_event(conn, &mut session, event, now());
        }
        self.conns.push((conn, session));
    }

    /// A stanza from `user{i}`, stamped with its full JID as its session would.
    fn send(&mut self, i: usize, xml: &str) {
        let (conn, session) = &mut self.conns[i];
        let mut stanza = el(xml);
        xmppkit::stanza::set_attr(&mut stanza, "from", format!("user{i}@{DOMAIN}/r"));
        let raw = RawStanza::from_element(&stanza, "jabber:client").unwrap();
        self.server
            .handle_event(*conn, session, ServerEvent::Stanza(raw), now());
    }

    /// Takes every output (each delivery is the bytes its connection writes) and reports each
    /// delivery written. Returns how many there were.
    fn drain(&mut self) -> usize {
        let mut n = 0;
        while let Some(output) = self.server.poll_output() {
            if let Output::Deliver { conn, stanza, size } = output {
                black_box(stanza);
                self.server.handle_written(conn, size);
                n += 1;
            }
        }
        n
    }
}

fn message(i: u64) -> String {
    format!(
        "<message xmlns='jabber:client' to='{ROOM}' type='groupchat' id='m{i}'>\
        <body>Message number {i}, with a sentence of ordinary length in it.</body>\
        <origin-id xmlns='urn:xmpp:sid:0' id='m{i}'/></message>"
    )
}

fn run(world: &mut World, i: &mut u64) -> usize {
    *i += 1;
    world.send(7, &message(*i));
    let n = world.drain();
    assert_eq!(n, OCCUPANTS);
    n
}

fn bench(c: &mut Criterion) {
    let mut world = World::new();
    let mut i = 0;

    // Allocations, counted over 100 messages.
    let region = Region::new(GLOBAL);
    for _ in 0..100 {
        run(&mut world, &mut i);
    }
    let stats = region.change();
    let per = (100 * OCCUPANTS) as f64;
    println!(
        "server_muc_fan_out_1000: {:.1} allocations and {:.0} bytes allocated per recipient",
        stats.allocations as f64 / per,
        stats.bytes_allocated as f64 / per
    );

    let mut group = c.benchmark_group("server_muc_fan_out_1000");
    group.measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(OCCUPANTS as u64));
    group.bench_function("server + MUC, to bytes", |b| {
        b.iter(|| run(&mut world, &mut i))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
