//! XEP-0191 through real sessions: the blocklist, pushes to the resources that asked for it,
//! stanzas from a blocked entity not delivered (messages answered), stanzas to one refused with
//! `<blocked/>`, presence withdrawn and restored, and the XEP-0016 matching rules.

mod common;
use common::*;
use xmppkit_jid::Jid;
use xmppkit_server::blocking::covers;

fn j(s: &str) -> Jid {
    s.parse().unwrap()
}

#[test]
fn matching_follows_xep_0016_section_2_1() {
    let sender = j("romeo@montague.lit/orchard");
    assert!(covers(&j("romeo@montague.lit/orchard"), &sender));
    assert!(!covers(&j("romeo@montague.lit/garden"), &sender));
    assert!(covers(&j("romeo@montague.lit"), &sender));
    assert!(covers(&j("montague.lit"), &sender));
    assert!(!covers(&j("capulet.lit"), &sender));
    assert!(!covers(&j("montague.lit/orchard"), &sender));
    assert!(covers(
        &j("montague.lit/orchard"),
        &j("montague.lit/orchard")
    ));
}

#[test]
fn blocking_end_to_end() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    let alice2 = w.login("alice", "a2", 0);
    let bob = w.login("bob", "b", 0);
    // Mutual subscription, so presence flows.
    w.send(alice, "<presence to='bob@example.com' type='subscribe'/>");
    w.send(bob, "<presence to='alice@example.com' type='subscribed'/>");
    w.send(bob, "<presence to='alice@example.com' type='subscribe'/>");
    w.send(alice, "<presence to='bob@example.com' type='subscribed'/>");
    w.send(
        alice2,
        "<iq type='get' id='l'><blocklist xmlns='urn:xmpp:blocking'/></iq>",
    );
    for i in [alice, alice2, bob] {
        w.take(i);
    }
    w.send(
        alice,
        "<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'/></iq>",
    );
    assert_eq!(
        w.take(alice)[0].attr("type"),
        Some("error"),
        "block needs an item"
    );
    w.send(alice, "<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='bob@example.com'/></block></iq>");
    assert!(w
        .take(alice)
        .iter()
        .any(|s| s.attr("id") == Some("b") && s.attr("type") == Some("result")));
    // The push goes to the resource that asked for the list.
    assert!(w
        .take(alice2)
        .iter()
        .any(|s| s.get_child("block", "urn:xmpp:blocking").is_some()));
    // Bob sees Alice go.
    assert!(w
        .take(bob)
        .iter()
        .any(|s| s.attr("type") == Some("unavailable")
            && s.attr("from")
                .is_some_and(|f| f.starts_with("alice@example.com/"))));
    // What Bob sends is not delivered; a message is answered.
    w.send(
        bob,
        "<message id='m' to='alice@example.com' type='chat'><body>hello?</body></message>",
    );
    assert!(w.bodies(alice).is_empty());
    let got = w.take(bob);
    assert!(got
        .iter()
        .any(|s| s.attr("id") == Some("m") && s.attr("type") == Some("error")));
    w.send(bob, "<presence><show>dnd</show></presence>");
    assert!(w.take(alice).is_empty());
    // What Alice sends to Bob is refused with <blocked/>.
    w.send(
        alice,
        "<message id='n' to='bob@example.com' type='chat'><body>x</body></message>",
    );
    let got = w.take(alice);
    let error = got
        .iter()
        .find(|s| s.attr("id") == Some("n"))
        .expect("an error");
    let e = error.get_child("error", "jabber:client").unwrap();
    assert!(e.has_child("not-acceptable", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    assert!(e.has_child("blocked", "urn:xmpp:blocking:errors"));
    assert!(w.bodies(bob).is_empty());
    // The list; unblock all: presence flows again both ways.
    w.send(
        alice,
        "<iq type='get' id='l2'><blocklist xmlns='urn:xmpp:blocking'/></iq>",
    );
    let list = w.take(alice).remove(0);
    let items = list.get_child("blocklist", "urn:xmpp:blocking").unwrap();
    assert_eq!(items.children().count(), 1);
    w.send(
        alice,
        "<iq type='set' id='u'><unblock xmlns='urn:xmpp:blocking'/></iq>",
    );
    assert!(w.take(bob).iter().any(|s| s.name() == "presence"
        && s.attr("type").is_none()
        && s.attr("from")
            .is_some_and(|f| f.starts_with("alice@example.com/"))));
    assert!(w
        .take(alice)
        .iter()
        .any(|s| s.name() == "presence" && s.attr("from") == Some("bob@example.com/b")));
    w.send(
        bob,
        "<message to='alice@example.com/a' type='chat'><body>again</body></message>",
    );
    assert_eq!(w.bodies(alice), ["again"]);
}
