//! XEP-0388 §2.6.2 tasks, client against server in memory: a second factor after SCRAM (with a
//! challenge round), a wrong one, two tasks in a row, a task the client cannot do, a server that
//! asks for none, and a `<continue/>` whose mechanism data a man in the middle changed.

mod common;
use common::*;
use xmppkit_session::*;

const PIN: &str = "TEST-PIN";
const SECOND: &str = "TEST-SECOND";

fn pair(client_tasks: &[&str]) -> Pair {
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Required);
    client.sasl2_tasks = client_tasks.iter().map(|t| t.to_string()).collect();
    let mut server = server_config(ServerTls::Required);
    server.sasl2_tasks = true;
    let mut pair = Pair::new(client, server);
    pair.drive();
    pair
}

fn server_saw(pair: &Pair, f: impl Fn(&ServerEvent) -> bool) -> usize {
    pair.server_events.iter().filter(|e| f(e)).count()
}

fn authenticated(e: &ServerEvent) -> bool {
    matches!(e, ServerEvent::Authenticated { .. })
}

/// The mechanism succeeded: the server asks the application, which requires `tasks`.
fn require(pair: &mut Pair, tasks: &[&str]) {
    assert_eq!(
        server_saw(
            pair,
            |e| matches!(e, ServerEvent::TasksNeeded { mechanism, .. } if mechanism.starts_with("SCRAM-SHA-256"))
        ),
        1,
        "{:?}",
        pair.server_events
    );
    assert_eq!(server_saw(pair, authenticated), 0, "not before the tasks");
    pair.server.sasl2_tasks(
        tasks.iter().map(|t| t.to_string()).collect(),
        Some("2FA".into()),
    );
    pair.drive();
}

fn last_task_step(pair: &Pair) -> Option<(String, Option<Vec<u8>>)> {
    pair.server_events.iter().rev().find_map(|e| match e {
        ServerEvent::Sasl2Task { task, data } => Some((task.clone(), data.clone())),
        _ => None,
    })
}

#[test]
fn a_second_factor_with_a_challenge_round_then_online() {
    let mut pair = pair(&[PIN]);
    require(&mut pair, &["TEST-OTHER", PIN]);
    // Only the task the client can do is offered to its application, with the server's text.
    assert!(pair.client_events.contains(&ClientEvent::Sasl2Continue {
        tasks: vec![PIN.into()],
        text: Some("2FA".into()),
    }));
    assert!(
        !pair.client.sasl2_next("TEST-OTHER", None),
        "not one it can do"
    );
    assert!(pair.client.sasl2_next(PIN, Some(b"1234".to_vec())));
    pair.drive();
    assert_eq!(
        last_task_step(&pair),
        Some((PIN.into(), Some(b"1234".to_vec())))
    );
    pair.server
        .sasl2_task_step(TaskStep::Challenge(b"again".to_vec()));
    pair.drive();
    assert!(pair
        .client_events
        .contains(&ClientEvent::Sasl2TaskChallenge {
            task: PIN.into(),
            data: b"again".to_vec(),
        }));
    assert!(pair.client.sasl2_task_response(b"1234"));
    pair.drive();
    assert_eq!(
        last_task_step(&pair),
        Some((PIN.into(), Some(b"1234".to_vec())))
    );
    assert!(!pair.client.is_online());
    pair.server.sasl2_task_step(TaskStep::Done {
        data: Some(b"welcome".to_vec()),
        next: Vec::new(),
    });
    pair.drive();
    // The success carries the task's data, not SCRAM's: the client checked that at <continue/>.
    assert!(pair.client.is_online(), "{:?}", pair.client_events);
    assert_eq!(server_saw(&pair, authenticated), 1);
    assert!(pair.client_failure().is_none());
}

#[test]
fn a_wrong_second_factor_is_a_failed_login() {
    let mut pair = pair(&[PIN]);
    require(&mut pair, &[PIN]);
    assert!(pair.client.sasl2_next(PIN, Some(b"0000".to_vec())));
    pair.drive();
    pair.server
        .sasl2_task_step(TaskStep::Failed("not-authorized"));
    pair.drive();
    assert!(matches!(
        pair.client_failure(),
        Some(SessionError::AuthFailed { condition, .. }) if condition == "not-authorized"
    ));
    // Counted like a wrong password (throttling), and never authenticated.
    assert_eq!(
        server_saw(&pair, |e| matches!(
            e,
            ServerEvent::AuthFailed {
                condition: "not-authorized"
            }
        )),
        1
    );
    assert_eq!(server_saw(&pair, authenticated), 0);
    assert!(!pair.client.is_online());
}

#[test]
fn two_tasks_one_after_the_other() {
    let mut pair = pair(&[PIN, SECOND]);
    require(&mut pair, &[PIN]);
    assert!(pair.client.sasl2_next(PIN, None));
    pair.drive();
    assert_eq!(last_task_step(&pair), Some((PIN.into(), None)));
    pair.server.sasl2_task_step(TaskStep::Done {
        data: None,
        next: vec![SECOND.into()],
    });
    pair.drive();
    assert!(pair.client_events.contains(&ClientEvent::Sasl2Continue {
        tasks: vec![SECOND.into()],
        text: None,
    }));
    assert!(!pair.client.is_online());
    assert!(pair.client.sasl2_next(SECOND, Some(b"x".to_vec())));
    pair.drive();
    assert_eq!(
        last_task_step(&pair),
        Some((SECOND.into(), Some(b"x".to_vec())))
    );
    pair.server.sasl2_task_step(TaskStep::Done {
        data: None,
        next: Vec::new(),
    });
    pair.drive();
    assert!(pair.client.is_online(), "{:?}", pair.client_events);
    assert_eq!(server_saw(&pair, authenticated), 1);
}

#[test]
fn a_task_the_client_cannot_do_ends_the_login_with_an_abort() {
    let mut pair = pair(&[]);
    require(&mut pair, &[PIN]);
    assert!(matches!(
        pair.client_failure(),
        Some(SessionError::NoCommonTask { offered }) if offered == &[PIN.to_string()]
    ));
    assert_eq!(server_saw(&pair, authenticated), 0);
    assert!(!pair.client.is_online());
}

#[test]
fn no_task_required_is_the_usual_login() {
    let mut pair = pair(&[PIN]);
    require(&mut pair, &[]);
    assert!(pair.client.is_online(), "{:?}", pair.client_events);
    assert_eq!(server_saw(&pair, authenticated), 1);
    assert!(!pair
        .client_events
        .iter()
        .any(|e| matches!(e, ClientEvent::Sasl2Continue { .. })));
}

#[test]
fn a_forged_server_signature_in_continue_is_caught_before_any_task() {
    let mut pair = pair(&[PIN]);
    // A man in the middle replaces the additional data of the <continue/>: the SCRAM server
    // signature ("v=...") becomes one of its own.
    pair.rewrite = Some(Box::new(|bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        match (
            text.find("<continue"),
            text.find("<additional-data>"),
            text.find("</additional-data>"),
        ) {
            (Some(_), Some(start), Some(end)) => {
                let forged = "dj1BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE9";
                format!(
                    "{}<additional-data>{forged}{}",
                    &text[..start],
                    &text[end..]
                )
                .into_bytes()
            }
            _ => bytes.to_vec(),
        }
    }));
    require(&mut pair, &[PIN]);
    assert!(
        matches!(pair.client_failure(), Some(SessionError::Mechanism(_))),
        "{:?}",
        pair.client_events
    );
    assert!(!pair
        .client_events
        .iter()
        .any(|e| matches!(e, ClientEvent::Sasl2Continue { .. })));
}

/// XEP-0388 §4: once the server sent `<continue/>`, another `<authenticate/>` is a stream error.
#[test]
fn authenticating_again_during_tasks_is_a_stream_error() {
    let mut pair = pair(&[PIN]);
    require(&mut pair, &[PIN]);
    pair.server.handle_input(
        b"<authenticate xmlns='urn:xmpp:sasl:2' mechanism='PLAIN'><initial-response>AGp1bGlldAByMG0zMA==</initial-response></authenticate>",
        pair.now,
    );
    assert!(
        std::iter::from_fn(|| pair.server.poll_event())
            .any(|e| matches!(e, ServerEvent::Failed(SessionError::Protocol(_)))),
        "the stream ends with an error"
    );
    let mut written = Vec::new();
    while let Some(bytes) = pair.server.poll_transmit() {
        written.extend_from_slice(&bytes);
    }
    let written = String::from_utf8_lossy(&written);
    assert!(written.contains("policy-violation"), "{written}");
}
