//! Round trips from connecting to online, counted in the in-memory pair (each time the client
//! sends and then waits for the server), over (simulated) STARTTLS: RFC 6120 SASL and resource
//! binding, XEP-0388 SASL2 with XEP-0386 Bind 2, and XEP-0484 FAST. The TLS handshake's own
//! round trip comes on top of each.

mod common;
use common::*;
use xmppkit_session::sasl2::UserAgent;
use xmppkit_session::*;

fn login(configure: impl FnOnce(&mut ClientConfig), fast: bool) -> Pair {
    let mut client = client_config("juliet", "r0m30", TlsPolicy::Required);
    client.stream_management = None;
    configure(&mut client);
    let mut server = server_config(ServerTls::Required);
    server.stream_management = None;
    server.fast = fast;
    let mut pair = Pair::new(client, server);
    pair.drive();
    pair
}

#[test]
fn flights_until_online() {
    // Header, STARTTLS, header, <auth/>, SCRAM's <response/>, header after the restart, bind.
    let sasl1 = login(|c| c.sasl2 = false, false);
    assert!(sasl1.client.is_online());
    assert_eq!(sasl1.client_flights, 7);
    // Header, STARTTLS, header, <authenticate/> with Bind 2, SCRAM's <response/>: the
    // success carries the bound JID.
    let sasl2 = login(|_| {}, false);
    assert!(sasl2.client.is_online());
    assert_eq!(sasl2.client_flights, 5);
    // With a FAST token: <authenticate/> is answered by the success itself.
    let token = ClientToken {
        token: "t0k3n".into(),
        mechanism: "HT-SHA-256-NONE".into(),
        expiry: "2030-01-01T00:00:00Z".into(),
        count: None,
    };
    let mut pair = login(
        |c| {
            c.user_agent = Some(UserAgent {
                id: Some("ua".into()),
                ..UserAgent::default()
            });
            c.fast_token = Some(token.clone());
        },
        true,
    );
    // The application answers the token lookup; the pair stops at it.
    assert!(pair
        .server_events
        .iter()
        .any(|e| matches!(e, ServerEvent::FastTokensNeeded { .. })));
    pair.server.fast_tokens_loaded(
        Ok(vec![FastToken {
            token: token.token.clone(),
            mechanism: token.mechanism.clone(),
        }]),
        pair.now,
    );
    pair.drive();
    pair.server.fast_done(None);
    pair.drive();
    assert!(pair.client.is_online(), "{:?}", pair.client_events);
    assert_eq!(pair.client_flights, 4);
}
