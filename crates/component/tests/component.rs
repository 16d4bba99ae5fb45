//! XEP-0114 both ways in memory: the handshake value, a component that logs in and exchanges
//! stanzas, and every refusal the server's side makes (RFC 6120 §4.9.3 conditions).

use minidom::Element;
use proptest::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use xmppkit_component::*;
use xmppkit_jid::BareJid;

fn server() -> ComponentAccept {
    let secrets = HashMap::from([("bot.example.com".to_owned(), "sesame".to_owned())]);
    ComponentAccept::new(Arc::new(secrets), "3BF96D32".into())
}

fn bot(secret: &str) -> ComponentSession {
    ComponentSession::new(BareJid::new("bot.example.com").unwrap(), secret.into())
}

fn shuttle(server: &mut ComponentAccept, bot: &mut ComponentSession) {
    for _ in 0..4 {
        while let Some(b) = bot.poll_transmit() {
            server.handle_input(&b);
        }
        while let Some(b) = server.poll_transmit() {
            bot.handle_input(&b);
        }
    }
}

fn online() -> (ComponentAccept, ComponentSession) {
    let (mut s, mut b) = (server(), bot("sesame"));
    shuttle(&mut s, &mut b);
    assert!(matches!(
        s.poll_event(),
        Some(AcceptEvent::Authenticated { .. })
    ));
    assert_eq!(b.poll_event(), Some(ComponentEvent::Online));
    (s, b)
}

fn el(xml: &str) -> Element {
    xml.parse().unwrap()
}

fn closed_with(server: &mut ComponentAccept) -> String {
    loop {
        match server.poll_event() {
            Some(AcceptEvent::Closed(Some(ComponentError::ToPeer(e)))) => {
                return e.condition.name().to_owned()
            }
            Some(AcceptEvent::Closed(other)) => panic!("{other:?}"),
            Some(_) => continue,
            None => panic!("not closed"),
        }
    }
}

/// SHA-1 of "3BF96D32" + "sesame", computed independently (Python's hashlib).
#[test]
fn handshake_value_is_lower_hex_sha1_of_id_and_secret() {
    assert_eq!(
        handshake_digest("3BF96D32", "sesame"),
        "7a98dc4c9e92493d7fd66a25364c862637789c45"
    );
    assert!(handshake_matches(
        "7A98DC4C9E92493D7FD66A25364C862637789C45",
        "3BF96D32",
        "sesame"
    ));
    assert!(!handshake_matches("7a98dc4c", "3BF96D32", "sesame"));
}

/// The server answers on the wire as XEP-0114 §2 shows: its header with the id, then the empty
/// handshake once the value checks.
#[test]
fn wire_exchange_follows_the_xep() {
    let mut s = server();
    s.handle_input(
        b"<stream:stream xmlns='jabber:component:accept' \
          xmlns:stream='http://etherx.jabber.org/streams' to='bot.example.com'>",
    );
    let header = String::from_utf8(s.poll_transmit().unwrap().to_vec()).unwrap();
    assert!(
        header.contains("xmlns='jabber:component:accept'"),
        "{header}"
    );
    assert!(header.contains("id='3BF96D32'"), "{header}");
    s.handle_input(b"<handshake>7a98dc4c9e92493d7fd66a25364c862637789c45</handshake>");
    assert_eq!(&s.poll_transmit().unwrap()[..], b"<handshake/>");
}

#[test]
fn stanzas_cross_both_ways_in_the_accept_namespace() {
    let (mut s, mut b) = online();
    s.send(el("<iq xmlns='jabber:client' type='get' id='1' from='a@example.com/x' to='bot.example.com'><ping xmlns='urn:xmpp:ping'/></iq>"));
    let wire = String::from_utf8(s.poll_transmit().unwrap().to_vec()).unwrap();
    assert!(!wire.contains("jabber:client"), "{wire}");
    b.handle_input(wire.as_bytes());
    let Some(ComponentEvent::Stanza(iq)) = b.poll_event() else {
        panic!()
    };
    assert!(iq.is("iq", "jabber:client"));
    assert!(iq.has_child("ping", "urn:xmpp:ping"));
    // A user at the component's domain may send (XEP-0114 §3).
    b.send(el("<message xmlns='jabber:client' from='room7@bot.example.com/n' to='a@example.com'><body>ok</body></message>")).unwrap();
    shuttle(&mut s, &mut b);
    let Some(AcceptEvent::Stanza(m)) = s.poll_event() else {
        panic!()
    };
    assert_eq!(m.get_child("body", "jabber:client").unwrap().text(), "ok");
}

#[test]
fn wrong_secret_is_not_authorized() {
    let (mut s, mut b) = (server(), bot("guess"));
    shuttle(&mut s, &mut b);
    assert_eq!(closed_with(&mut s), "not-authorized");
    assert!(matches!(
        b.poll_event(),
        Some(ComponentEvent::Closed(Some(ComponentError::FromPeer(_))))
    ));
    assert!(b
        .send(el(
            "<message xmlns='jabber:client' from='bot.example.com' to='a@b'/>"
        ))
        .is_err());
}

#[test]
fn unknown_domain_is_host_unknown() {
    let mut s = server();
    let mut b = ComponentSession::new(BareJid::new("other.example.com").unwrap(), "sesame".into());
    shuttle(&mut s, &mut b);
    assert_eq!(closed_with(&mut s), "host-unknown");
}

#[test]
fn a_stanza_before_the_handshake_is_not_authorized() {
    let mut s = server();
    s.handle_input(b"<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='bot.example.com'><message from='bot.example.com' to='a@b'/>");
    assert_eq!(closed_with(&mut s), "not-authorized");
}

#[test]
fn from_outside_the_domain_is_invalid_from() {
    let (mut s, mut b) = online();
    b.send(el(
        "<message xmlns='jabber:client' from='admin@example.com' to='a@example.com'/>",
    ))
    .unwrap();
    shuttle(&mut s, &mut b);
    assert_eq!(closed_with(&mut s), "invalid-from");
}

#[test]
fn missing_to_is_improper_addressing() {
    let (mut s, mut b) = online();
    b.send(el(
        "<message xmlns='jabber:client' from='bot.example.com'/>",
    ))
    .unwrap();
    shuttle(&mut s, &mut b);
    assert_eq!(closed_with(&mut s), "improper-addressing");
}

#[test]
fn a_client_stream_is_refused_with_a_header_first() {
    let mut s = server();
    s.handle_input(b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='bot.example.com'>");
    let out = String::from_utf8(s.poll_transmit().unwrap().to_vec()).unwrap();
    assert!(
        out.starts_with("<?xml version='1.0'?><stream:stream"),
        "{out}"
    );
    assert!(out.contains("invalid-namespace"), "{out}");
    assert!(s.is_closed());
}

proptest! {
    /// Input split anywhere gives the same result as input in one piece.
    #[test]
    fn split_input_logs_in(cut in 1usize..200, body in "[a-z <>&'\"]{0,40}") {
        let mut s = server();
        let stanza = el(&format!(
            "<message xmlns='jabber:component:accept' from='bot.example.com' to='a@example.com'><body>{}</body></message>",
            body.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\'', "&apos;").replace('"', "&quot;")
        ));
        let mut input = b"<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='bot.example.com'><handshake>7a98dc4c9e92493d7fd66a25364c862637789c45</handshake>".to_vec();
        input.extend_from_slice(xmppkit_codec::to_string(&stanza).as_bytes());
        let cut = cut.min(input.len());
        s.handle_input(&input[..cut]);
        s.handle_input(&input[cut..]);
        let authenticated = matches!(s.poll_event(), Some(AcceptEvent::Authenticated { .. }));
        prop_assert!(authenticated);
        let Some(AcceptEvent::Stanza(m)) = s.poll_event() else { panic!() };
        prop_assert_eq!(m.get_child("body", "jabber:client").unwrap().text(), body);
    }
}
