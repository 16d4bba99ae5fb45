//! Arbitrary peer bytes against the server's links: a receiving server-to-server stream (before
//! authentication, or with a dialback pair authenticated), an initiating one (after the peer's
//! header), and the accepting side of an external component (before or after its handshake).
//! None may panic; each ends at most once; what each writes is one well-formed stream (restarted
//! after SASL success).
#![no_main]

#[path = "common/written_stream.rs"]
mod written_stream;

use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use std::sync::Arc;
use xmppkit_component::{AcceptEvent, ComponentAccept};
use xmppkit_s2s::*;

const S2S_HEADER: &[u8] = b"<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' xmlns:stream='http://etherx.jabber.org/streams' from='a.example' to='b.example' version='1.0'>";

fn config(domain: &str) -> S2sConfig {
    let mut config = S2sConfig::new(domain, DialbackSecret::new("fuzz"));
    config.tls = S2sTls::Off;
    config
}

fuzz_target!(|input: (u8, Vec<u8>)| {
    let (which, data) = input;
    let mut out = Vec::new();
    match which % 4 {
        0 | 1 => {
            let mut link = Receiving::new(config("b.example"), "id".into());
            link.handle_input(S2S_HEADER);
            if which % 4 == 1 {
                link.handle_input(b"<db:result from='a.example' to='b.example'>k</db:result>");
                link.dialback_result("a.example", "b.example", true);
            }
            link.handle_input(&data);
            let mut closed = 0;
            while let Some(event) = link.poll_event() {
                closed += matches!(event, ReceivingEvent::Closed(_)) as u32;
            }
            assert!(closed <= 1);
            while let Some(b) = link.poll_transmit() {
                out.extend_from_slice(&b);
            }
        }
        2 => {
            let mut link = Initiating::new(config("a.example"), "b.example");
            link.handle_input(b"<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' xmlns:stream='http://etherx.jabber.org/streams' from='b.example' id='x' version='1.0'>");
            link.handle_input(&data);
            let mut closed = 0;
            while let Some(event) = link.poll_event() {
                closed += matches!(event, InitiatingEvent::Closed(_)) as u32;
            }
            assert!(closed <= 1);
            while let Some(b) = link.poll_transmit() {
                out.extend_from_slice(&b);
            }
        }
        _ => {
            let secrets = HashMap::from([("bot.example".to_owned(), "s".to_owned())]);
            let mut accept = ComponentAccept::new(Arc::new(secrets), "id".into());
            accept.handle_input(b"<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='bot.example'>");
            if data.first().is_some_and(|b| b % 2 == 0) {
                let digest = xmppkit_component::handshake_digest("id", "s");
                accept.handle_input(format!("<handshake>{digest}</handshake>").as_bytes());
            }
            accept.handle_input(&data);
            let mut closed = 0;
            while let Some(event) = accept.poll_event() {
                closed += matches!(event, AcceptEvent::Closed(_)) as u32;
            }
            assert!(closed <= 1);
            while let Some(b) = accept.poll_transmit() {
                out.extend_from_slice(&b);
            }
        }
    }
    written_stream::assert_bytes_well_formed(&out);
});
