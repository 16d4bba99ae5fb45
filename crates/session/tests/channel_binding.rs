//! SCRAM `-PLUS` between the client and server sessions in memory (RFC 5802 §6, XEP-0440,
//! XEP-0474): each channel-binding type, a connection whose data differ (a man in the middle who
//! terminates TLS), a client without binding data, and a man in the middle who strips the
//! `-PLUS` mechanisms from the features, each with the exact outcome.

mod common;
use common::*;
use xmppkit_session::scram::ChannelBindings;
use xmppkit_session::*;

fn bindings(exporter: Option<u8>, end_point: Option<u8>) -> ChannelBindings {
    ChannelBindings {
        tls_exporter: exporter.map(|b| vec![b; 32]),
        tls_server_end_point: end_point.map(|b| vec![b; 32]),
    }
}

/// A login over (simulated) TLS with these bindings on each side.
fn login(client: ChannelBindings, server: ChannelBindings) -> Pair {
    let mut pair = Pair::new(
        client_config("juliet", "r0m30", TlsPolicy::Required),
        server_config(ServerTls::Required),
    );
    pair.client_bindings = client;
    pair.server_bindings = server;
    pair.drive();
    pair
}

fn mechanism(pair: &Pair) -> Option<&'static str> {
    pair.server_events.iter().find_map(|e| match e {
        ServerEvent::Authenticated { mechanism, .. } => Some(*mechanism),
        _ => None,
    })
}

fn sasl_condition(pair: &Pair) -> Option<String> {
    pair.server_events.iter().find_map(|e| match e {
        ServerEvent::AuthFailed { condition } => Some(condition.to_string()),
        _ => None,
    })
}

#[test]
fn each_binding_type_logs_in_with_plus() {
    // Both types on both sides: tls-exporter, the stronger, is used.
    let pair = login(bindings(Some(1), Some(2)), bindings(Some(1), Some(2)));
    assert!(pair.client.is_online(), "{:?}", pair.client_events);
    assert_eq!(mechanism(&pair), Some("SCRAM-SHA-256-PLUS"));
    // Only tls-server-end-point on the server (TLS 1.2, say): that one.
    let pair = login(bindings(Some(1), Some(2)), bindings(None, Some(2)));
    assert!(pair.client.is_online(), "{:?}", pair.client_events);
    assert_eq!(mechanism(&pair), Some("SCRAM-SHA-256-PLUS"));
}

#[test]
fn a_connection_that_ends_elsewhere_is_refused() {
    // The client's TLS connection ends at a man in the middle: other keying material.
    let pair = login(bindings(Some(9), None), bindings(Some(1), None));
    assert!(!pair.client.is_online());
    assert_eq!(sasl_condition(&pair).as_deref(), Some("not-authorized"));
}

#[test]
fn a_client_without_binding_data_uses_plain_scram() {
    let pair = login(ChannelBindings::default(), bindings(Some(1), Some(2)));
    assert!(pair.client.is_online(), "{:?}", pair.client_events);
    assert_eq!(mechanism(&pair), Some("SCRAM-SHA-256"));
}

#[test]
fn a_server_without_binding_data_offers_no_plus() {
    let pair = login(bindings(Some(1), None), ChannelBindings::default());
    assert!(pair.client.is_online(), "{:?}", pair.client_events);
    assert_eq!(mechanism(&pair), Some("SCRAM-SHA-256"));
}

/// A man in the middle who removes the -PLUS mechanisms (and XEP-0440's list) from the
/// features the client sees.
fn stripping() -> Rewrite {
    Box::new(|bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let mut out = text.replace("<mechanism>SCRAM-SHA-256-PLUS</mechanism>", "");
        out = out.replace("<mechanism>SCRAM-SHA-1-PLUS</mechanism>", "");
        if let (Some(start), Some(end)) = (
            out.find("<sasl-channel-binding"),
            out.find("</sasl-channel-binding>"),
        ) {
            out.replace_range(start..end + "</sasl-channel-binding>".len(), "");
        }
        out.into_bytes()
    })
}

#[test]
fn stripped_plus_mechanisms_are_a_detected_downgrade() {
    let mut pair = Pair::new(
        client_config("juliet", "r0m30", TlsPolicy::Required),
        server_config(ServerTls::Required),
    );
    pair.client_bindings = bindings(Some(1), None);
    pair.server_bindings = bindings(Some(1), None);
    pair.rewrite = Some(stripping());
    pair.drive();
    assert!(!pair.client.is_online());
    // The client says `y` (it could bind but saw no -PLUS): the server, which did offer it,
    // refuses (RFC 5802 §6).
    assert_eq!(sasl_condition(&pair).as_deref(), Some("not-authorized"));
}

#[test]
fn stripping_is_caught_by_the_downgrade_hash_even_without_binding() {
    // The client has no binding data, so it would go on with `n`; the XEP-0474 hash in the
    // server-first-message does not match what it saw, and it stops there.
    let mut pair = Pair::new(
        client_config("juliet", "r0m30", TlsPolicy::Required),
        server_config(ServerTls::Required),
    );
    pair.server_bindings = bindings(Some(1), None);
    pair.rewrite = Some(stripping());
    pair.drive();
    assert!(!pair.client.is_online());
    let failure = pair
        .client_failure()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(failure.contains("tampered"), "{failure}");
    // Without the man in the middle, the same pair logs in.
    let pair = login(ChannelBindings::default(), bindings(Some(1), None));
    assert!(pair.client.is_online());
}

#[test]
fn a_stripped_binding_list_is_caught_by_the_downgrade_hash() {
    // Only XEP-0440's list is removed: the client, told no types, binds to nothing (`n`) and
    // would log in without binding, but the hash of what it saw differs from the server's.
    let mut pair = Pair::new(
        client_config("juliet", "r0m30", TlsPolicy::Required),
        server_config(ServerTls::Required),
    );
    pair.client_bindings = bindings(Some(1), None);
    pair.server_bindings = bindings(Some(1), None);
    pair.rewrite = Some(Box::new(|bytes: &[u8]| {
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        if let (Some(start), Some(end)) = (
            text.find("<sasl-channel-binding"),
            text.find("</sasl-channel-binding>"),
        ) {
            text.replace_range(start..end + "</sasl-channel-binding>".len(), "");
        }
        text.into_bytes()
    }));
    pair.drive();
    assert!(!pair.client.is_online());
    let failure = pair
        .client_failure()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(failure.contains("tampered"), "{failure}");
}
