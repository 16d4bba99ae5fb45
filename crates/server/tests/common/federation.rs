//! `Federation`: two `World`s with different domains whose engines reach each other over real
//! `xmppkit-s2s` streams in memory: each `Output::Dial` becomes an `Initiating` stream to the
//! other world's `Receiving` one, STARTTLS is played (both sides told TLS is up), dialback keys
//! are checked by a verifier stream to the authoritative world, and stanzas are carried until
//! everything is quiet. A domain neither world serves is "not found"; a world can be made
//! silent (its dials get no answer) to play a remote server that never answers.

use super::World;
use xmppkit_s2s::*;
use xmppkit_server::{LinkFailure, LinkId, Output};

struct Stream {
    /// The dialing world and its link.
    from: usize,
    link: LinkId,
    /// The receiving world's link for the way back (XEP-0288), once offered.
    back: Option<LinkId>,
    /// Links of other sending domains multiplexed on this stream (XEP-0220 §3).
    extra: Vec<(LinkId, String)>,
    out: Initiating,
    inc: Receiving,
    up: bool,
}

impl Stream {
    /// Whether the dialing world's `link` is this stream's own or one multiplexed on it.
    fn carries(&self, link: LinkId) -> bool {
        self.link == link || self.extra.iter().any(|(l, _)| *l == link)
    }
}

pub struct Federation {
    pub worlds: [World; 2],
    streams: Vec<Stream>,
    /// Dials of world `i` go unanswered (its peer never answers).
    pub silent: [bool; 2],
    /// Names the "certificate" of each world proves when it connects out: SASL EXTERNAL.
    pub certified: [Vec<String>; 2],
    /// Dialback verifications carried, and how many were valid.
    pub verified: (usize, usize),
    /// Stream errors the receiving sides sent.
    pub refusals: Vec<String>,
    /// Every dial: (world, from, domain).
    pub dialed: Vec<(usize, String, String)>,
    /// XEP-0288 on both sides (the default).
    pub bidi: bool,
    /// Every other sending domain multiplexed on a stream: (world, domain).
    pub multiplexed: Vec<(usize, String)>,
    next_stream: u32,
}

/// A stream's settings in `world`: sending from `from` when initiating.
fn s2s_config(world: &World, from: Option<&str>, bidi: bool) -> S2sConfig {
    let mut domains: Vec<String> = from.into_iter().map(str::to_owned).collect();
    domains.extend(world.server.served_domains());
    S2sConfig {
        domains,
        tls: S2sTls::Required,
        direct_tls: false,
        secret: DialbackSecret::new(format!("secret of {}", world.server.config().domain)),
        bidi,
    }
}

impl Federation {
    pub fn new(a: World, b: World) -> Federation {
        Federation {
            worlds: [a, b],
            streams: Vec::new(),
            silent: [false; 2],
            certified: [Vec::new(), Vec::new()],
            verified: (0, 0),
            refusals: Vec::new(),
            dialed: Vec::new(),
            bidi: true,
            multiplexed: Vec::new(),
            next_stream: 0,
        }
    }

    /// The world serving `domain`.
    fn serving(&self, domain: &str) -> Option<usize> {
        (0..2).find(|&i| {
            self.worlds[i]
                .server
                .served_domains()
                .iter()
                .any(|d| d == domain)
        })
    }

    /// Runs both worlds and their links until quiet.
    pub fn settle(&mut self) {
        for _ in 0..1000 {
            let mut moved = false;
            for i in 0..2 {
                self.worlds[i].run();
                let outputs = std::mem::take(&mut self.worlds[i].link_outputs);
                moved |= !outputs.is_empty();
                for output in outputs {
                    self.output(i, output);
                }
            }
            moved |= self.pump();
            if !moved {
                return;
            }
        }
        panic!("the federation did not settle");
    }

    fn output(&mut self, i: usize, output: Output) {
        let now = self.worlds[i].now;
        match output {
            Output::Dial { link, from, domain } => {
                self.dialed.push((i, from.clone(), domain.clone()));
                if self.silent[i] {
                    return;
                }
                let Some(j) = self.serving(&domain).filter(|&j| j != i) else {
                    return self.worlds[i].server.link_closed(
                        link,
                        Some(LinkFailure::NotFound),
                        now,
                    );
                };
                self.next_stream += 1;
                let out =
                    Initiating::new(s2s_config(&self.worlds[i], Some(&from), self.bidi), domain);
                let inc = Receiving::new(
                    s2s_config(&self.worlds[j], None, self.bidi),
                    format!("st{}", self.next_stream),
                );
                self.streams.push(Stream {
                    from: i,
                    link,
                    back: None,
                    extra: Vec::new(),
                    out,
                    inc,
                    up: false,
                });
            }
            Output::Multiplex { link, on, from } => {
                self.multiplexed.push((i, from.clone()));
                let s = self
                    .streams
                    .iter_mut()
                    .find(|s| s.from == i && s.carries(on));
                let s = s.expect("the carrying stream");
                s.out.add_sender(&from);
                s.extra.push((link, from));
            }
            Output::Transmit { link, stanza } => {
                if let Some(s) = self
                    .streams
                    .iter_mut()
                    .find(|s| s.from == i && s.carries(link))
                {
                    s.out.send(stanza).expect("authenticated");
                } else {
                    let s = self
                        .streams
                        .iter_mut()
                        .find(|s| s.from != i && s.back == Some(link));
                    s.expect("a link that is up")
                        .inc
                        .send(stanza)
                        .expect("a reverse pair");
                }
            }
            Output::CloseLink { link } => {
                if let Some(s) = self
                    .streams
                    .iter_mut()
                    .find(|s| s.from == i && s.link == link)
                {
                    s.out.close();
                }
                self.worlds[i].server.link_closed(link, None, now);
            }
            _ => unreachable!(),
        }
    }

    /// Carries bytes and events of every stream once; whether anything moved.
    fn pump(&mut self) -> bool {
        let mut moved = false;
        let mut verifies = Vec::new();
        for (k, s) in self.streams.iter_mut().enumerate() {
            let j = 1 - s.from;
            while let Some(b) = s.out.poll_transmit() {
                s.inc.handle_input(&b);
                moved = true;
            }
            while let Some(b) = s.inc.poll_transmit() {
                s.out.handle_input(&b);
                moved = true;
            }
            let mut out_tls = false;
            while let Some(e) = s.out.poll_event() {
                moved = true;
                let now = self.worlds[s.from].now;
                match e {
                    InitiatingEvent::StartTls => out_tls = true,
                    InitiatingEvent::Authenticated => {
                        s.up = true;
                        self.worlds[s.from].server.link_up(s.link, now);
                    }
                    InitiatingEvent::Closed(reason) => {
                        let failure = (!s.up).then_some(LinkFailure::NotFound);
                        if reason.is_some() || !s.up {
                            self.worlds[s.from].server.link_closed(s.link, failure, now);
                        }
                    }
                    InitiatingEvent::Verified { .. } => {}
                    InitiatingEvent::SenderAdded { domain } => {
                        if let Some((link, _)) = s.extra.iter().find(|(_, d)| *d == domain) {
                            self.worlds[s.from].server.link_up(*link, now);
                        }
                    }
                    InitiatingEvent::SenderRefused { domain, .. } => {
                        if let Some((link, _)) = s.extra.iter().find(|(_, d)| *d == domain) {
                            let failure = Some(LinkFailure::NotFound);
                            self.worlds[s.from].server.link_closed(*link, failure, now);
                        }
                    }
                    InitiatingEvent::Stanza(stanza) => {
                        self.worlds[s.from].server.handle_remote_stanza(stanza, now)
                    }
                }
            }
            while let Some(e) = s.inc.poll_event() {
                moved = true;
                let now = self.worlds[j].now;
                match e {
                    ReceivingEvent::StartTls => {
                        s.inc.tls_established(self.certified[s.from].clone());
                    }
                    ReceivingEvent::Stanza(stanza) => {
                        self.worlds[j].server.handle_remote_stanza(stanza, now)
                    }
                    ReceivingEvent::VerifyDialback {
                        originating,
                        receiving,
                        stream_id,
                        key,
                    } => {
                        verifies.push((k, originating, receiving, stream_id, key));
                    }
                    ReceivingEvent::Closed(Some(LinkError::ToPeer(e))) => {
                        self.refusals.push(e.condition.name().to_owned())
                    }
                    ReceivingEvent::Reverse { local, remote } => {
                        s.back = self.worlds[j].server.link_offered(&local, &remote, now);
                    }
                    ReceivingEvent::Authenticated { .. } | ReceivingEvent::Closed(_) => {}
                }
            }
            if out_tls {
                s.out.tls_established();
            }
        }
        for (k, originating, receiving, stream_id, key) in verifies {
            let valid = self.verify(&originating, &receiving, &stream_id, &key);
            self.streams[k]
                .inc
                .dialback_result(&originating, &receiving, valid);
        }
        moved
    }

    /// XEP-0220 §2.3: a verifier stream from `receiving`'s world to the world serving
    /// `originating`, which answers as the Authoritative Server.
    fn verify(&mut self, originating: &str, receiving: &str, stream_id: &str, key: &str) -> bool {
        let (Some(asker), Some(authority)) = (self.serving(receiving), self.serving(originating))
        else {
            return false;
        };
        let mut config = s2s_config(&self.worlds[asker], Some(receiving), false);
        config.tls = S2sTls::Off;
        let mut question = Initiating::verifier(config, originating);
        question.verify(originating, stream_id, key);
        let mut config = s2s_config(&self.worlds[authority], None, false);
        config.tls = S2sTls::Off;
        let mut answer = Receiving::new(config, "verify".into());
        for _ in 0..4 {
            while let Some(b) = question.poll_transmit() {
                answer.handle_input(&b);
            }
            while let Some(b) = answer.poll_transmit() {
                question.handle_input(&b);
            }
        }
        let valid = std::iter::from_fn(|| question.poll_event()).any(|e| {
            matches!(e, InitiatingEvent::Verified { valid: true, stream_id: ref id, .. } if id == stream_id)
        });
        self.verified.0 += 1;
        self.verified.1 += valid as usize;
        valid
    }
}
