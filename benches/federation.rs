//! Server-to-server streams in memory (issue #20): what one chat message costs across a link
//! (the initiating side writes it in `jabber:server`, the receiving side decodes it, checks its
//! domain pair and hands it on in `jabber:client`), next to parsing the same bytes with minidom
//! alone, the peer measured in the same run; and what setting up a link costs: STARTTLS
//! signalled, dialback with its verification question answered by the authoritative side
//! (XEP-0185 keys), the first stanza through. Results in docs/benchmarks.md.

use criterion::{criterion_group, criterion_main, Criterion};
use minidom::Element;
use std::hint::black_box;
use xmppkit::s2s::*;

fn config(domain: &str) -> S2sConfig {
    let mut c = S2sConfig::new(domain, DialbackSecret::new(format!("{domain} secret")));
    c.tls = S2sTls::Required;
    c
}

fn message() -> Element {
    "<message xmlns='jabber:client' from='juliet@capulet.lit/balcony' to='romeo@montague.lit' \
     type='chat' id='a1b2c3'><body>Wherefore art thou, Romeo?</body>\
     <active xmlns='http://jabber.org/protocol/chatstates'/></message>"
        .parse()
        .unwrap()
}

/// Shuttles bytes both ways, playing TLS; returns both sides' other events.
fn shuttle(
    out: &mut Initiating,
    inc: &mut Receiving,
) -> (Vec<InitiatingEvent>, Vec<ReceivingEvent>) {
    let (mut initiating, mut events) = (Vec::new(), Vec::new());
    for _ in 0..8 {
        while let Some(b) = out.poll_transmit() {
            inc.handle_input(&b);
        }
        while let Some(b) = inc.poll_transmit() {
            out.handle_input(&b);
        }
        let mut tls = false;
        while let Some(e) = out.poll_event() {
            match e {
                InitiatingEvent::StartTls => tls = true,
                e => initiating.push(e),
            }
        }
        while let Some(e) = inc.poll_event() {
            match e {
                ReceivingEvent::StartTls => inc.tls_established(Vec::new()),
                e => events.push(e),
            }
        }
        if tls {
            out.tls_established();
        }
    }
    (initiating, events)
}

/// A link from capulet.lit to montague.lit, authenticated by dialback.
fn link() -> (Initiating, Receiving) {
    let mut out = Initiating::new(config("capulet.lit"), "montague.lit");
    let mut inc = Receiving::new(config("montague.lit"), "s2s-1".into());
    let (_, events) = shuttle(&mut out, &mut inc);
    let Some(ReceivingEvent::VerifyDialback {
        originating,
        receiving,
        stream_id,
        key,
    }) = events.into_iter().next()
    else {
        panic!("no dialback")
    };
    let mut question = Initiating::verifier(config("montague.lit"), "capulet.lit");
    let mut authority = Receiving::new(config("capulet.lit"), "s2s-2".into());
    question.verify(&originating, &stream_id, &key);
    let (answers, _) = shuttle(&mut question, &mut authority);
    let valid = answers
        .iter()
        .any(|e| matches!(e, InitiatingEvent::Verified { valid: true, .. }));
    inc.dialback_result(&originating, &receiving, valid);
    shuttle(&mut out, &mut inc);
    assert!(out.is_online());
    (out, inc)
}

fn bench(c: &mut Criterion) {
    let stanza = message();
    let (mut out, mut inc) = link();
    out.send(stanza.clone()).unwrap();
    let wire = out.poll_transmit().unwrap();
    println!(
        "one chat message on a server-to-server stream: {} bytes",
        wire.len()
    );
    let mut group = c.benchmark_group("federation");
    group.bench_function("message across a link (write, read, check, rename)", |b| {
        b.iter(|| {
            out.send(black_box(stanza.clone())).unwrap();
            let bytes = out.poll_transmit().unwrap();
            inc.handle_input(&bytes);
            black_box(inc.poll_event().unwrap());
        })
    });
    let text = std::str::from_utf8(&wire)
        .unwrap()
        .replace("<message ", "<message xmlns='jabber:server' ");
    group.bench_function("minidom parse of the same message (peer)", |b| {
        b.iter(|| black_box(text.parse::<Element>().unwrap()))
    });
    group.bench_function(
        "link set-up: STARTTLS signalled, dialback verified, online",
        |b| b.iter(|| black_box(link())),
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
