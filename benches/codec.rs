//! Codec throughput: decode and encode a generated corpus of realistic stanzas (chat messages with
//! markers, stanza ids and chat states; presences with caps; disco#info results; MAM results), side
//! by side in the same process with minidom's own parser and writer, xmpp-parsers' typed parsing,
//! and a bare quick-xml `NsReader` pass (the tokenizer's own cost); and the byte-backed path
//! (`Decoder::next_raw`: bytes plus a routing index, no tree; written back as a copy or with a
//! spliced `to`).
//!
//! `cargo bench --bench codec`; results and machine in docs/benchmarks.md.

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use minidom::Element;
use std::hint::black_box;
use std::time::Duration;
use xmppkit::codec::{Decoder, Encoder, Event, RawEvent, RawStanza, Routing, StreamHeader};

const HEADER: &str =
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
    from='example.com' id='s1' version='1.0'>";
const STANZAS: usize = 5_000;

/// A small deterministic generator (no dependency, same corpus every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
    fn text(&mut self, len: usize) -> String {
        const WORDS: &[&str] = &[
            "the", "room", "is", "ready", "tomorrow", "price", "flat", "viewing", "ok", "thanks",
            "à", "bientôt", "€", "💬", "&", "<3", "call", "me", "at", "five",
        ];
        let mut s = String::new();
        while s.len() < len {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(WORDS[self.next(WORDS.len() as u64) as usize]);
        }
        s
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

/// One stanza, without namespace declaration (it inherits jabber:client from the stream).
fn stanza(rng: &mut Lcg, i: usize) -> String {
    let user = |rng: &mut Lcg| format!("user{}@example.com", rng.next(500));
    match rng.next(10) {
        0..=5 => {
            let len = 20 + rng.next(180) as usize;
            format!(
                "<message from='{}/phone' to='{}' type='chat' id='m{i}'><body>{}</body>\
                 <markable xmlns='urn:xmpp:chat-markers:0'/><active xmlns='http://jabber.org/protocol/chatstates'/>\
                 <stanza-id xmlns='urn:xmpp:sid:0' id='{:016x}' by='example.com'/>\
                 <origin-id xmlns='urn:xmpp:sid:0' id='o{i}'/></message>",
                user(rng), user(rng), escape(&rng.text(len)), rng.next(u64::MAX))
        }
        6 | 7 => format!(
            "<presence from='{}/laptop' id='p{i}'><show>away</show><status>{}</status><priority>5</priority>\
             <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://example.com/app' \
             ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>",
            user(rng), escape(&rng.text(15))),
        8 => {
            let features: String = (0..30).map(|f| format!("<feature var='urn:example:feature:{f}'/>")).collect();
            format!(
                "<iq type='result' id='d{i}' from='example.com' to='{}/phone'>\
                 <query xmlns='http://jabber.org/protocol/disco#info'>\
                 <identity category='server' type='im' name='Example'/>{features}</query></iq>",
                user(rng))
        }
        _ => format!(
            "<message to='{}/phone' id='r{i}'><result xmlns='urn:xmpp:mam:2' queryid='q1' id='{:016x}'>\
             <forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2026-11-01T10:00:00Z'/>\
             <message xmlns='jabber:client' from='{}/phone' to='{}' type='chat'><body>{}</body></message>\
             </forwarded></result></message>",
            user(rng), rng.next(u64::MAX), user(rng), user(rng), escape(&rng.text(80))),
    }
}

struct Corpus {
    /// The whole stream: header + stanzas, for stream decoders.
    stream: Vec<u8>,
    /// Each stanza on its own, with `xmlns='jabber:client'`, for per-stanza parsers.
    standalone: Vec<String>,
}

fn corpus() -> Corpus {
    let mut rng = Lcg(42);
    let mut stream = HEADER.as_bytes().to_vec();
    let mut standalone = Vec::with_capacity(STANZAS);
    for i in 0..STANZAS {
        let s = stanza(&mut rng, i);
        stream.extend_from_slice(s.as_bytes());
        let space = s.find([' ', '>']).unwrap();
        standalone.push(format!(
            "{} xmlns='jabber:client'{}",
            &s[..space],
            &s[space..]
        ));
    }
    Corpus { stream, standalone }
}

fn decode_ours(stream: &[u8]) -> Vec<Element> {
    let mut decoder = Decoder::new();
    decoder.feed(stream);
    let mut out = Vec::with_capacity(STANZAS);
    while let Some(event) = decoder.next_event().unwrap() {
        if let Event::Stanza(s) = event {
            out.push(s);
        }
    }
    out
}

fn decode_raw(stream: &[u8]) -> Vec<RawStanza> {
    let mut decoder = Decoder::new();
    decoder.feed(stream);
    let mut out = Vec::with_capacity(STANZAS);
    while let Some(event) = decoder.next_raw().unwrap() {
        if let RawEvent::Stanza(s) = event {
            out.push(s);
        }
    }
    out
}

fn decode(c: &mut Criterion) {
    let corpus = corpus();
    assert_eq!(decode_ours(&corpus.stream).len(), STANZAS);
    let standalone_bytes: usize = corpus.standalone.iter().map(String::len).sum();
    let mut group = c.benchmark_group("decode");
    group
        .sample_size(15)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));

    group.throughput(Throughput::Bytes(corpus.stream.len() as u64));
    assert_eq!(decode_raw(&corpus.stream).len(), STANZAS);
    group.bench_function(
        BenchmarkId::new(
            "xmppkit Decoder → RawStanza (bytes + index, no tree)",
            STANZAS,
        ),
        |b| b.iter(|| black_box(decode_raw(black_box(&corpus.stream)))),
    );
    group.bench_function(
        BenchmarkId::new("xmppkit Decoder → Element", STANZAS),
        |b| b.iter(|| black_box(decode_ours(black_box(&corpus.stream)))),
    );
    group.bench_function(
        BenchmarkId::new("xmppkit Decoder → typed Stanza", STANZAS),
        |b| {
            b.iter(|| {
                let elements = decode_ours(black_box(&corpus.stream));
                let typed: Vec<_> = elements
                    .into_iter()
                    .map(|e| xmppkit::stanza::Stanza::try_from(e).unwrap())
                    .collect();
                black_box(typed)
            })
        },
    );
    group.bench_function(
        BenchmarkId::new("quick-xml NsReader (tokenizer floor)", STANZAS),
        |b| {
            b.iter(|| {
                let text = std::str::from_utf8(&corpus.stream).unwrap();
                let mut reader = quick_xml::NsReader::from_str(text);
                let mut n = 0usize;
                loop {
                    match reader.read_resolved_event().unwrap() {
                        (_, quick_xml::events::Event::Eof) => break,
                        (
                            ns,
                            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e),
                        ) => {
                            for a in e.attributes() {
                                n += a
                                    .unwrap()
                                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                    .unwrap()
                                    .len();
                            }
                            black_box(ns);
                        }
                        (_, quick_xml::events::Event::Text(t)) => n += t.xml10_content().len(),
                        _ => {}
                    }
                }
                black_box(n)
            })
        },
    );

    group.throughput(Throughput::Bytes(standalone_bytes as u64));
    group.bench_function(
        BenchmarkId::new("minidom Element::from_str per stanza", STANZAS),
        |b| {
            b.iter(|| {
                let v: Vec<Element> = corpus
                    .standalone
                    .iter()
                    .map(|s| s.parse().unwrap())
                    .collect();
                black_box(v)
            })
        },
    );
    group.bench_function(
        BenchmarkId::new("minidom + xmpp-parsers typed", STANZAS),
        |b| {
            b.iter(|| {
                let mut n = 0;
                for s in &corpus.standalone {
                    let e: Element = s.parse().unwrap();
                    let ok = match e.name() {
                        "message" => xmpp_parsers::message::Message::try_from(e).is_ok(),
                        "presence" => xmpp_parsers::presence::Presence::try_from(e).is_ok(),
                        _ => xmpp_parsers::iq::Iq::try_from(e).is_ok(),
                    };
                    n += ok as usize;
                }
                assert_eq!(n, STANZAS);
                black_box(n)
            })
        },
    );
    group.finish();
}

fn encode(c: &mut Criterion) {
    let corpus = corpus();
    let elements = decode_ours(&corpus.stream);
    let mut out = BytesMut::new();
    for e in &elements {
        Encoder::new().stanza(e, &mut out);
    }
    let mut group = c.benchmark_group("encode");
    group
        .sample_size(15)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Bytes(out.len() as u64));
    group.bench_function(BenchmarkId::new("xmppkit Encoder::stanza", STANZAS), |b| {
        let mut encoder = Encoder::new();
        let mut out = BytesMut::with_capacity(8 << 20);
        encoder.header(&StreamHeader::server("example.com", "s1"), &mut out);
        b.iter(|| {
            out.clear();
            for e in &elements {
                encoder.stanza(e, &mut out);
            }
            black_box(out.len())
        })
    });
    let raw = decode_raw(&corpus.stream);
    group.bench_function(
        BenchmarkId::new("xmppkit RawStanza::write_to (unchanged: a copy)", STANZAS),
        |b| {
            let mut out = BytesMut::with_capacity(8 << 20);
            b.iter(|| {
                out.clear();
                for s in &raw {
                    s.write_to("jabber:client", &mut out);
                }
                black_box(out.len())
            })
        },
    );
    group.bench_function(
        BenchmarkId::new("xmppkit RawStanza::write_with (to spliced)", STANZAS),
        |b| {
            let mut out = BytesMut::with_capacity(8 << 20);
            b.iter(|| {
                out.clear();
                for s in &raw {
                    s.write_with(
                        Routing::To,
                        Some("juliet@example.com/balcony"),
                        "jabber:client",
                        &mut out,
                    );
                }
                black_box(out.len())
            })
        },
    );
    group.bench_function(
        BenchmarkId::new("minidom Element::write_to", STANZAS),
        |b| {
            let mut out = Vec::with_capacity(8 << 20);
            b.iter(|| {
                out.clear();
                for e in &elements {
                    e.write_to(&mut out).unwrap();
                }
                black_box(out.len())
            })
        },
    );
    group.finish();
}

criterion_group!(benches, decode, encode);
criterion_main!(benches);
