//! One domain served by two shards (`Shards`): Alice is served by shard 0, Bob and Carol by
//! shard 1, and each shard has stores of its own (only the accounts are shared), so a shard
//! that read another's user state would find nothing. Chat, subscriptions and presence,
//! errors, a room on shard 0 with occupants on both, and PEP all work across the boundary, as
//! stanzas forwarded in order.

mod common;
use common::cluster::{At, Cluster};
use minidom::Element;
use xmppkit_muc::{Service, ServiceConfig};

const ROOM: &str = "lobby@conference.example.com";

fn two_shards() -> Cluster {
    let c = Cluster::new(2, |_| {});
    assert_eq!(
        ["alice", "bob", "carol"].map(|u| c.shard_of(u)),
        [0, 1, 1],
        "the split this test is written for"
    );
    c
}

fn presences_from(stanzas: &[Element], from: &str) -> Vec<String> {
    stanzas
        .iter()
        .filter(|s| s.name() == "presence" && s.attr("from") == Some(from))
        .map(|s| s.attr("type").unwrap_or("available").to_owned())
        .collect()
}

fn condition(stanza: &Element) -> Option<String> {
    let error = stanza.get_child("error", "jabber:client")?;
    error
        .children()
        .find(|c| c.ns() == "urn:ietf:params:xml:ns:xmpp-stanzas")
        .map(|c| c.name().to_owned())
}

#[test]
fn a_chat_message_crosses_with_each_side_archiving_and_copying_on_its_own_shard() {
    let mut c = two_shards();
    let alice = c.login("alice", "phone", 0);
    let alice2 = c.login("alice", "laptop", 0);
    let bob = c.login("bob", "b", 0);
    let bob2 = c.login("bob", "b2", 0);
    for at in [alice, alice2, bob, bob2] {
        c.send(
            at,
            "<iq type='set' id='cc'><enable xmlns='urn:xmpp:carbons:2'/></iq>",
        );
        c.take(at);
    }
    let before = c.carried;
    c.send(
        alice,
        "<message to='bob@example.com/b' type='chat' id='m1'><body>hi</body></message>",
    );
    assert_eq!(c.carried - before, 1, "one stanza crossed");
    let got = c.take(bob);
    assert_eq!(got.len(), 1);
    // Bob's shard archived it for Bob (XEP-0359 stanza-id by bob@example.com).
    let sid = got[0]
        .get_child("stanza-id", "urn:xmpp:sid:0")
        .expect("stamped by the recipient's archive");
    assert_eq!(sid.attr("by"), Some("bob@example.com"));
    // XEP-0280: each side's other resource got its carbon from its own shard.
    let sent = c.take(alice2);
    assert!(sent[0].get_child("sent", "urn:xmpp:carbons:2").is_some());
    let received = c.take(bob2);
    assert!(received[0]
        .get_child("received", "urn:xmpp:carbons:2")
        .is_some());
    // Alice's shard archived her copy: her MAM query answers it.
    c.send(
        alice,
        "<iq type='set' id='q'><query xmlns='urn:xmpp:mam:2' queryid='f'/></iq>",
    );
    let results: Vec<Element> = c
        .take(alice)
        .into_iter()
        .filter(|s| s.name() == "message")
        .collect();
    assert_eq!(results.len(), 1);
}

#[test]
fn subscriptions_and_presence_cross_as_stanzas() {
    let mut c = two_shards();
    let alice = c.login("alice", "phone", 0);
    let bob = c.login("bob", "b", 0);
    c.send(alice, "<presence to='bob@example.com' type='subscribe'/>");
    let got = c.take(bob);
    assert!(got.iter().any(
        |s| s.attr("type") == Some("subscribe") && s.attr("from") == Some("alice@example.com")
    ));
    c.send(bob, "<presence to='alice@example.com' type='subscribed'/>");
    let got = c.take(alice);
    assert!(got.iter().any(|s| s.attr("type") == Some("subscribed")));
    // §3.1.5: Bob's presence arrives from his shard.
    assert_eq!(presences_from(&got, "bob@example.com/b"), ["available"]);
    // His changes reach her; her new resource's probe is answered from his shard, to it only.
    c.send(bob, "<presence><show>away</show></presence>");
    assert_eq!(
        presences_from(&c.take(alice), "bob@example.com/b"),
        ["available"]
    );
    let laptop = c.login("alice", "laptop", 0);
    assert_eq!(
        presences_from(&c.take(laptop), "bob@example.com/b"),
        ["available"]
    );
    assert!(presences_from(&c.take(alice), "bob@example.com/b").is_empty());
    // Only Alice subscribed: her presence does not go to Bob.
    assert!(presences_from(&c.take(bob), "alice@example.com/laptop").is_empty());
    // Bob goes: unavailable from his shard once his session expires.
    c.cut(bob);
    c.advance(std::time::Duration::from_secs(3600));
    assert_eq!(
        presences_from(&c.take(alice), "bob@example.com/b"),
        ["unavailable"]
    );
    assert_eq!(
        presences_from(&c.take(laptop), "bob@example.com/b"),
        ["unavailable"]
    );
}

#[test]
fn errors_come_back_across_shards() {
    let mut c = two_shards();
    let bob = c.login("bob", "b", 0);
    // No such account: `dave` would be served by shard 0 (§8.5.1).
    assert_eq!(c.shard_of("dave"), 0);
    c.send(
        bob,
        "<message to='dave@example.com' type='chat' id='z'><body>anyone?</body></message>",
    );
    let got = c.take(bob);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].attr("type"), Some("error"));
    assert_eq!(condition(&got[0]).as_deref(), Some("service-unavailable"));
    // No such resource of an account on the other shard (§8.5.3.2.1): an IQ is refused.
    c.send(
        bob,
        "<iq to='alice@example.com/nowhere' type='get' id='v'><query xmlns='jabber:iq:version'/></iq>",
    );
    let got = c.take(bob);
    assert_eq!(condition(&got[0]).as_deref(), Some("service-unavailable"));
}

#[test]
fn a_full_shard_refuses_with_resource_constraint_and_nothing_is_lost_silently() {
    let mut c = two_shards();
    let alice = c.login("alice", "a", 0);
    let bob = c.login("bob", "b", 0);
    c.full = Some(1);
    c.send(
        alice,
        "<message to='bob@example.com' type='chat' id='m'><body>busy?</body></message>",
    );
    c.send(
        alice,
        "<iq to='bob@example.com/b' type='get' id='v'><query xmlns='jabber:iq:version'/></iq>",
    );
    let got = c.take(alice);
    assert_eq!(
        got.iter()
            .map(|s| (s.name().to_owned(), s.attr("id").map(str::to_owned)))
            .collect::<Vec<_>>(),
        [
            ("message".into(), Some("m".into())),
            ("iq".into(), Some("v".into()))
        ]
    );
    for (reply, from) in got.iter().zip(["bob@example.com", "bob@example.com/b"]) {
        assert_eq!(reply.attr("type"), Some("error"));
        assert_eq!(
            reply.attr("from"),
            Some(from),
            "from the address it was sent to"
        );
        assert_eq!(condition(reply).as_deref(), Some("resource-constraint"));
        let error = reply.get_child("error", "jabber:client").unwrap();
        assert_eq!(error.attr("type"), Some("wait"), "RFC 6120 §8.3.3.18");
    }
    assert!(c.take(bob).is_empty());
    // An error refused in turn is not answered (RFC 6120 §8.3.1: no error about an error).
    c.send(
        alice,
        "<message to='bob@example.com' type='error' id='e'><error type='cancel'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
    );
    assert!(c.take(alice).is_empty());
    // Once there is room again, the same message arrives.
    c.full = None;
    c.send(
        alice,
        "<message to='bob@example.com' type='chat' id='m'><body>busy?</body></message>",
    );
    assert_eq!(c.bodies(bob), ["busy?"]);
}

/// A room on shard 0; Alice (shard 0), Bob and Carol (shard 1) in it.
fn room() -> (Cluster, [At; 3]) {
    let mut c = Cluster::new(2, |config| {
        config
            .shards
            .services
            .insert("conference.example.com".into(), 0);
    });
    let muc = Service::new(
        "conference.example.com".parse().unwrap(),
        ServiceConfig::default(),
        (),
    );
    c.shards[0]
        .server
        .add_component("conference.example.com", Box::new(muc));
    let mut who = Vec::new();
    for (k, user) in ["alice", "bob", "carol"].into_iter().enumerate() {
        let at = c.login(user, "r", 0);
        c.send(
            at,
            &format!("<presence to='{ROOM}/{user}'><x xmlns='http://jabber.org/protocol/muc'/></presence>"),
        );
        if k == 0 {
            c.send(at, &format!("<iq to='{ROOM}' type='set' id='c'><query xmlns='http://jabber.org/protocol/muc#owner'>\
                <x xmlns='jabber:x:data' type='submit'/></query></iq>"));
        }
        who.push(at);
    }
    for at in &who {
        c.take(*at);
    }
    (c, [who[0], who[1], who[2]])
}

#[test]
fn a_room_on_one_shard_reaches_occupants_on_both_with_one_fan_out_per_shard() {
    let (mut c, [alice, bob, carol]) = room();
    let before = c.carried;
    c.send(
        bob,
        &format!("<message to='{ROOM}' type='groupchat' id='g'><body>hello all</body></message>"),
    );
    // Bob's message to the room's shard, and the room's one fan-out back for Bob and Carol
    // (not a stanza each).
    assert_eq!(c.carried - before, 2);
    for at in [alice, bob, carol] {
        assert_eq!(c.bodies(at), ["hello all"]);
    }
    // Carol's session ends: her unavailable presence reaches the room on the other shard
    // (it was directed there), and the others see her leave.
    c.cut(carol);
    c.advance(std::time::Duration::from_secs(3600));
    for at in [alice, bob] {
        let got = c.take(at);
        assert_eq!(
            presences_from(&got, &format!("{ROOM}/carol")),
            ["unavailable"]
        );
    }
    c.send(
        alice,
        &format!("<message to='{ROOM}' type='groupchat' id='g2'><body>bye carol</body></message>"),
    );
    assert_eq!(c.bodies(bob), ["bye carol"]);
}

#[test]
fn a_pep_notification_reaches_a_subscriber_on_the_other_shard() {
    let mut c = two_shards();
    let alice = c.login("alice", "phone", 0);
    let bob = c.login("bob", "b", 0);
    // Mutual subscription.
    c.send(alice, "<presence to='bob@example.com' type='subscribe'/>");
    c.send(bob, "<presence to='alice@example.com' type='subscribed'/>");
    c.send(bob, "<presence to='alice@example.com' type='subscribe'/>");
    c.send(alice, "<presence to='bob@example.com' type='subscribed'/>");
    c.take(alice);
    c.take(bob);
    // XEP-0163 §4.3: Alice publishes; Bob, a subscriber served by the other shard, is told at
    // his bare JID and his shard hands it to his available resource.
    c.send(
        alice,
        "<iq type='set' id='p'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
         <publish node='http://jabber.org/protocol/tune'><item id='current'>\
         <tune xmlns='http://jabber.org/protocol/tune'><title>Yesterday</title></tune>\
         </item></publish></pubsub></iq>",
    );
    let got = c.take(bob);
    let event = got
        .iter()
        .find(|s| s.name() == "message")
        .and_then(|m| m.get_child("event", "http://jabber.org/protocol/pubsub#event"))
        .expect("bob is notified");
    assert!(event
        .get_child("items", "http://jabber.org/protocol/pubsub#event")
        .is_some());
}
