//! Arbitrary client bytes against a server session that offers SASL2, Bind 2 and FAST, after a
//! well-formed start chosen by the fuzzer (a SASL2 PLAIN login with Bind 2 and a token request,
//! a FAST login with a known token, or nothing; with or without a XEP-0388 PIN task after the
//! mechanism): the application answers every request (tokens, bind, resumption, task steps) as a
//! server would. The session must never panic, must end in at most one
//! failure, and must write a well-formed stream.
#![no_main]

#[path = "common/written_stream.rs"]
mod written_stream;

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use std::time::Instant;
use xmppkit_session::ht::HtMechanism;
use xmppkit_session::sasl2::IssuedToken;
use xmppkit_session::*;

const HEADER: &[u8] = b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";
const TOKEN: &str = "fuzz-token";

fn authenticate(mechanism: &str, initial: &[u8], inline: &str) -> Vec<u8> {
    format!(
        "<authenticate xmlns='urn:xmpp:sasl:2' mechanism='{mechanism}'>\
         <initial-response>{}</initial-response><user-agent id='ua'/>{inline}</authenticate>",
        base64::engine::general_purpose::STANDARD.encode(initial)
    )
    .into_bytes()
}

fuzz_target!(|input: (u8, Vec<u8>)| {
    let (start, data) = input;
    let now = Instant::now();
    let mut users = MemoryCredentials::default();
    users.add_user("juliet", "r0m30", b"salt", 1);
    let mut config = ServerConfig::new("example.com".parse().unwrap());
    config.tls = ServerTls::Unavailable;
    config.allow_plain_without_tls = true;
    config.fast = true;
    // XEP-0388 tasks: a PIN after the mechanism, on every other start.
    config.sasl2_tasks = (start / 3) % 2 == 1;
    let mut n = 0u32;
    let mut server = ServerSession::new(config, Arc::new(users), Box::new(move || { n += 1; format!("r{n}") }), now);
    server.handle_input(HEADER, now);
    match start % 3 {
        0 => server.handle_input(
            &authenticate(
                "PLAIN",
                b"\0juliet\0r0m30",
                "<bind xmlns='urn:xmpp:bind:0'><tag>t</tag><enable xmlns='urn:xmpp:sm:3' resume='true'/>\
                 <enable xmlns='urn:xmpp:carbons:2'/></bind>\
                 <request-token xmlns='urn:xmpp:fast:0' mechanism='HT-SHA-256-NONE'/>",
            ),
            now,
        ),
        1 => {
            let initial = HtMechanism::from_name("HT-SHA-256-NONE")
                .unwrap()
                .initial_response("juliet", TOKEN, &Default::default())
                .unwrap();
            server.handle_input(
                &authenticate("HT-SHA-256-NONE", &initial, "<fast xmlns='urn:xmpp:fast:0' count='1'/>"),
                now,
            )
        }
        _ => {}
    }
    let mut failures = 0;
    for round in 0..2 {
        if round == 1 {
            server.handle_input(&data, now);
        }
        while let Some(event) = server.poll_event() {
            match event {
                ServerEvent::Failed(_) => failures += 1,
                ServerEvent::FastTokensNeeded { .. } => server.fast_tokens_loaded(
                    Ok(vec![FastToken {
                        token: TOKEN.into(),
                        mechanism: "HT-SHA-256-NONE".into(),
                    }]),
                    now,
                ),
                ServerEvent::FastLogin(_) => server.fast_done(Some(IssuedToken {
                    token: "new".into(),
                    expiry: "2030-01-01T00:00:00Z".into(),
                })),
                ServerEvent::BindRequest { resource } => {
                    server.bind(resource.as_deref().unwrap_or("phone"))
                }
                ServerEvent::ResumeRequest { .. } => server.refuse_resume(None),
                ServerEvent::TasksNeeded { .. } => server.sasl2_tasks(vec!["PIN".into()], None),
                ServerEvent::Sasl2Task { data, .. } => server.sasl2_task_step(match data.as_deref() {
                    None => TaskStep::Challenge(b"pin?".to_vec()),
                    Some(b"1234") => TaskStep::Done { data: None, next: Vec::new() },
                    Some(b"more") => TaskStep::Done { data: Some(b"ok".to_vec()), next: vec!["PIN".into()] },
                    Some(_) => TaskStep::Failed("not-authorized"),
                }),
                _ => {}
            }
        }
    }
    assert!(failures <= 1);
    let _ = server.detach(now);
    written_stream::assert_well_formed(&mut server);
});
