//! # xmppkit-s2s
//!
//! Server-to-server streams (RFC 6120 `jabber:server`), sans-IO, both directions:
//! - [`Initiating`]: our stream to a remote domain. STARTTLS (required by default), then SASL
//!   EXTERNAL when the peer offers it for our certificate (XEP-0178), else Server Dialback
//!   (XEP-0220) with keys made as XEP-0185 recommends ([`DialbackSecret`]). Built with
//!   [`Initiating::verifier`] it carries `db:verify` questions to an Authoritative Server;
//! - [`Receiving`]: a remote server's stream to us. It offers STARTTLS, EXTERNAL when the
//!   certificate the application checked proves the peer's domain, and dialback; it answers
//!   `db:verify` as the Authoritative Server; it passes on a stanza only when its `from` and
//!   `to` are a domain pair the stream authenticated (no spoofing across federation).
//! - XEP-0288 bidirectional streams ([`S2sConfig::bidi`], on by default): once a pair is
//!   authenticated, the receiving side may send the other way on the same connection
//!   ([`ReceivingEvent::Reverse`], [`Receiving::send`], [`InitiatingEvent::Stanza`]).
//! - Other sending domains of ours (a MUC service's) multiplexed on an initiating stream, each
//!   with its own dialback key (XEP-0220 §3, [`Initiating::add_sender`]).
//! - Where to connect: SRV records ordered by priority, RFC 2782 weights and direct TLS first
//!   ([`candidates`]); the lookups are the application's.
//!
//! Certificates are the application's: it runs TLS on the socket when told
//! ([`InitiatingEvent::StartTls`], [`ReceivingEvent::StartTls`]) and reports which domains the
//! peer's certificate proves. Direct TLS (XEP-0368) is [`S2sConfig::direct_tls`].
//!
//! ```
//! use xmppkit_s2s::*;
//!
//! // a.example sends to b.example; b.example asks a.example (authoritative) about the key.
//! let config = |domain: &str| {
//!     let mut c = S2sConfig::new(domain, DialbackSecret::new(format!("{domain} secret")));
//!     c.tls = S2sTls::Off;
//!     c
//! };
//! let mut out = Initiating::new(config("a.example"), "b.example");
//! let mut inc = Receiving::new(config("b.example"), "s2s-1".into());
//! let mut shuttle = |out: &mut Initiating, inc: &mut Receiving| for _ in 0..4 {
//!     while let Some(b) = out.poll_transmit() { inc.handle_input(&b); }
//!     while let Some(b) = inc.poll_transmit() { out.handle_input(&b); }
//! };
//! shuttle(&mut out, &mut inc);
//! let Some(ReceivingEvent::VerifyDialback { originating, receiving, stream_id, key }) =
//!     inc.poll_event() else { panic!() };
//!
//! // b.example's verifier stream to a.example's own receiving side.
//! let mut verifier = Initiating::verifier(config("b.example"), "a.example");
//! verifier.verify(&originating, &stream_id, &key);
//! let mut authority = Receiving::new(config("a.example"), "s2s-2".into());
//! shuttle(&mut verifier, &mut authority);
//! let Some(InitiatingEvent::Verified { valid: true, .. }) = verifier.poll_event() else { panic!() };
//!
//! inc.dialback_result(&originating, &receiving, true);
//! shuttle(&mut out, &mut inc);
//! assert_eq!(out.poll_event(), Some(InitiatingEvent::Authenticated));
//! let hello: minidom::Element = "<message xmlns='jabber:client' from='juliet@a.example/x' \
//!     to='romeo@b.example'><body>hi</body></message>".parse().unwrap();
//! out.send(hello.clone()).unwrap();
//! shuttle(&mut out, &mut inc);
//! assert_eq!(inc.poll_event(), Some(ReceivingEvent::Authenticated { domain: "a.example".into() }));
//! // XEP-0288 (on by default): the same stream carries b.example's answer back.
//! assert_eq!(inc.poll_event(),
//!     Some(ReceivingEvent::Reverse { local: "b.example".into(), remote: "a.example".into() }));
//! assert_eq!(inc.poll_event(), Some(ReceivingEvent::Stanza(hello)));
//! let answer: minidom::Element = "<message xmlns='jabber:client' from='romeo@b.example/y' \
//!     to='juliet@a.example/x'><body>hello</body></message>".parse().unwrap();
//! inc.send(answer.clone()).unwrap();
//! shuttle(&mut out, &mut inc);
//! assert_eq!(out.poll_event(), Some(InitiatingEvent::Stanza(answer)));
//! ```
#![forbid(unsafe_code)]

mod certificate;
mod config;
mod dialback;
mod error;
mod features;
mod initiating;
mod receiving;
mod resolve;

pub use certificate::PeerCertificate;
pub use config::{S2sConfig, S2sTls};
pub use dialback::{DialbackSecret, NS_DIALBACK, NS_DIALBACK_FEATURE};
pub use error::LinkError;
pub use features::{NS_BIDI, NS_BIDI_FEATURE};
pub use initiating::{Initiating, InitiatingEvent};
pub use receiving::{Receiving, ReceivingEvent};
pub use resolve::{candidates, Candidate, SrvRecord, DEFAULT_PORT};
