//! A room's message to its occupants through the server (XEP-0045 §7.4): serialized once by the
//! MUC service, each occupant's copy spliced from those bytes, and what each client parses is
//! the message the tree path would have given it. The per-recipient rules still hold: an
//! occupant who blocked the room gets nothing (XEP-0191 §3.5), a detached one gets it on
//! resumption (XEP-0198 §5). A pubsub node's notification (XEP-0060 §7.1.2) fans out the same
//! way, to bare and full JIDs alike.

mod common;
use common::*;
use minidom::Element;
use xmppkit_muc::{Service, ServiceConfig};
use xmppkit_pubsub::{Engine, MemoryStore, PubSubConfig};
use xmppkit_server::PubSubComponent;
use xmppkit_session::ClientEvent;

const ROOM: &str = "lobby@conference.example.com";

/// Alice, Bob and Carol in one room; Alice created it.
fn room() -> (World, [usize; 3]) {
    let mut w = World::new(|_| {});
    let muc = Service::new(
        "conference.example.com".parse().unwrap(),
        ServiceConfig::default(),
        (),
    );
    w.server
        .add_component("conference.example.com", Box::new(muc));
    let who = w.three_in_room(ROOM);
    (w, who)
}

fn groupchat(w: &mut World, from: usize, body: &str) {
    w.send(
        from,
        &format!("<message to='{ROOM}' type='groupchat' id='g1'><body>{body}</body></message>"),
    );
}

fn messages(w: &mut World, i: usize) -> Vec<Element> {
    w.take(i)
        .into_iter()
        .filter(|s| s.name() == "message")
        .collect()
}

/// `m` without its `to`, to compare copies.
fn unaddressed(m: &Element) -> Element {
    let mut out = Element::builder(m.name(), m.ns()).build();
    for ((ns, name), value) in m.attrs() {
        if name.as_str() != "to" {
            out.set_attr(ns.clone(), name.clone(), value.clone());
        }
    }
    for child in m.children() {
        out.append_child(child.clone());
    }
    out
}

#[test]
fn every_occupant_gets_the_reflected_message_addressed_to_itself() {
    let (mut w, who) = room();
    groupchat(
        &mut w,
        who[1],
        "Thrice the brinded cat hath mew'd &amp; &lt;more&gt;",
    );
    let copies: Vec<Element> = who
        .iter()
        .map(|&i| {
            let mut got = messages(&mut w, i);
            assert_eq!(got.len(), 1, "one copy for client {i}");
            got.remove(0)
        })
        .collect();
    for (copy, user) in copies.iter().zip(["alice", "bob", "carol"]) {
        assert_eq!(copy.attr("to"), Some(&*format!("{user}@example.com/r")));
        assert_eq!(copy.attr("from"), Some(&*format!("{ROOM}/bob")));
        assert_eq!(copy.attr("type"), Some("groupchat"));
        // §7.4 and muc#stable_id: the sender's id is kept.
        assert_eq!(copy.attr("id"), Some("g1"));
        assert_eq!(
            copy.get_child("body", "jabber:client").unwrap().text(),
            "Thrice the brinded cat hath mew'd & <more>"
        );
        let sid = copy.get_child("stanza-id", "urn:xmpp:sid:0").unwrap();
        assert_eq!(sid.attr("by"), Some(ROOM));
    }
    // The same message, only `to` differs.
    assert_eq!(unaddressed(&copies[0]), unaddressed(&copies[1]));
    assert_eq!(unaddressed(&copies[0]), unaddressed(&copies[2]));
}

#[test]
fn an_occupant_who_blocked_the_room_gets_nothing_and_the_others_do() {
    let (mut w, [alice, bob, carol]) = room();
    w.send(
        carol,
        &format!("<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='{ROOM}'/></block></iq>"),
    );
    w.take(carol);
    groupchat(&mut w, bob, "hear ye");
    assert_eq!(w.bodies(alice), ["hear ye"]);
    assert_eq!(w.bodies(bob), ["hear ye"]);
    assert!(w.bodies(carol).is_empty());
}

#[test]
fn a_detached_occupant_gets_the_message_when_it_resumes() {
    let (mut w, [alice, bob, _]) = room();
    w.cut(bob);
    groupchat(&mut w, alice, "while you were away");
    assert_eq!(w.bodies(alice), ["while you were away"]);
    let again = w.reconnect(bob);
    assert!(w.clients[again]
        .events
        .iter()
        .any(|e| matches!(e, ClientEvent::Resumed { .. })));
    assert_eq!(w.bodies(again), ["while you were away"]);
}

#[test]
fn a_pubsub_notification_reaches_bare_and_full_jid_subscribers() {
    let mut w = World::new(|_| {});
    let engine = Engine::new(MemoryStore::default(), PubSubConfig::default());
    w.server
        .add_component("pubsub.example.com", Box::new(PubSubComponent(engine)));
    let alice = w.login("alice", "r", 0);
    let bob = w.login("bob", "r", 0);
    let carol = w.login("carol", "r", 0);
    w.send(alice, "<iq to='pubsub.example.com' type='set' id='c'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
        <create node='princely_musings'/></pubsub></iq>");
    // Bob subscribes his bare JID, Carol one resource (XEP-0060 §6.1.1).
    for (i, jid) in [(bob, "bob@example.com"), (carol, "carol@example.com/r")] {
        w.send(i, &format!("<iq to='pubsub.example.com' type='set' id='s'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
            <subscribe node='princely_musings' jid='{jid}'/></pubsub></iq>"));
    }
    for i in [alice, bob, carol] {
        w.take(i);
    }
    w.send(alice, "<iq to='pubsub.example.com' type='set' id='p'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
        <publish node='princely_musings'><item id='ae890ac52d0df67ed7cfdf51b644e901'>\
        <entry xmlns='http://www.w3.org/2005/Atom'><title>Soliloquy</title></entry></item></publish></pubsub></iq>");
    for (i, to) in [(bob, "bob@example.com"), (carol, "carol@example.com/r")] {
        let got = messages(&mut w, i);
        assert_eq!(got.len(), 1, "{to} is notified once");
        assert_eq!(got[0].attr("to"), Some(to));
        assert_eq!(got[0].attr("from"), Some("pubsub.example.com"));
        let item = got[0]
            .get_child("event", "http://jabber.org/protocol/pubsub#event")
            .and_then(|e| e.get_child("items", "http://jabber.org/protocol/pubsub#event"))
            .and_then(|i| i.get_child("item", "http://jabber.org/protocol/pubsub#event"))
            .expect("an item");
        assert_eq!(item.attr("id"), Some("ae890ac52d0df67ed7cfdf51b644e901"));
        assert!(item
            .get_child("entry", "http://www.w3.org/2005/Atom")
            .is_some());
    }
    assert!(messages(&mut w, alice).is_empty());
}
