//! A room's message to its occupants through the server (XEP-0045 §7.4): serialized once by the
//! MUC service, each occupant's copy spliced from those bytes, and what each client parses is
//! the message the tree path would have given it. The per-recipient rules still hold: an
//! occupant who blocked the room gets nothing (XEP-0191 §3.5), a detached one gets it on
//! resumption (XEP-0198 §5).

mod common;
use common::*;
use minidom::Element;
use xmppkit_muc::{Service, ServiceConfig};
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
    let mut who = [0; 3];
    for (k, user) in ["alice", "bob", "carol"].into_iter().enumerate() {
        let i = w.login(user, "r", 0);
        w.send(
            i,
            &format!("<presence to='{ROOM}/{user}'><x xmlns='http://jabber.org/protocol/muc'/></presence>"),
        );
        if k == 0 {
            w.send(i, &format!("<iq to='{ROOM}' type='set' id='c'><query xmlns='http://jabber.org/protocol/muc#owner'>\
                <x xmlns='jabber:x:data' type='submit'/></query></iq>"));
        }
        who[k] = i;
    }
    for i in who {
        w.take(i);
    }
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
