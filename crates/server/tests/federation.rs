//! Federation between two engines over real server-to-server streams in memory
//! (`common::federation`): chat, subscriptions and presence, a room on one domain joined from the
//! other, both sides' archives; and what the senders get when a link cannot be had (RFC 6120
//! §8.3.3.13-14), the policy refuses a domain, or too much waits. External components
//! (XEP-0114) are routed by domain to their link.

mod common;
use common::federation::Federation;
use common::*;
use std::time::Duration;
use xmppkit_jid::BareJid;
use xmppkit_muc::{Service, ServiceConfig};
use xmppkit_server::{Config, LinkFailure, Output};

fn world(domain: &str, configure: impl FnOnce(&mut Config)) -> World {
    World::new(|c| {
        c.domain = BareJid::new(domain).unwrap();
        c.federation.enabled = true;
        configure(c);
    })
}

fn pair() -> Federation {
    Federation::new(world("a.example", |_| {}), world("b.example", |_| {}))
}

fn errors(stanzas: &[minidom::Element]) -> Vec<String> {
    stanzas
        .iter()
        .filter(|s| s.attr("type") == Some("error"))
        .filter_map(|s| s.get_child("error", "jabber:client"))
        .filter_map(|e| e.children().next().map(|c| c.name().to_owned()))
        .collect()
}

fn send(f: &mut Federation, w: usize, i: usize, xml: &str) {
    f.worlds[w].send(i, xml);
    f.settle();
}

const ROOM: &str = "lobby@conference.a.example";

/// a.example with a MUC service at conference.a.example, and b.example.
fn pair_with_rooms() -> Federation {
    let mut a = world("a.example", |_| {});
    let muc = Service::new(
        "conference.a.example".parse().unwrap(),
        ServiceConfig::default(),
        (),
    );
    a.server
        .add_component("conference.a.example", Box::new(muc));
    Federation::new(a, world("b.example", |_| {}))
}

/// Alice (a.example) opens ROOM as an instant room; Bob (b.example) enters it and sees
/// himself in.
fn alice_opens_bob_enters(f: &mut Federation, alice: usize, bob: usize) {
    let enter = |nick: &str| {
        format!(
            "<presence to='{ROOM}/{nick}'><x xmlns='http://jabber.org/protocol/muc'/></presence>"
        )
    };
    send(f, 0, alice, &enter("alice"));
    send(f, 0, alice, &format!("<iq to='{ROOM}' type='set' id='c'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>"));
    send(f, 1, bob, &enter("bob"));
    let joined = f.worlds[1].take(bob);
    let own = format!("{ROOM}/bob");
    assert!(
        joined
            .iter()
            .any(|s| s.name() == "presence" && s.attr("from") == Some(&own)),
        "{joined:?}"
    );
}

#[test]
fn chat_crosses_domains_both_ways_and_both_archives_keep_it() {
    let mut f = pair();
    let alice = f.worlds[0].login("alice", "phone", 1);
    let bob = f.worlds[1].login("bob", "desk", 1);
    send(
        &mut f,
        0,
        alice,
        "<message to='bob@b.example' type='chat' id='m1'><body>hello b</body></message>",
    );
    let got = f.worlds[1].take(bob);
    let hello = got
        .iter()
        .find(|s| s.name() == "message")
        .expect("delivered");
    assert_eq!(hello.attr("from"), Some("alice@a.example/phone"));
    assert_eq!(
        hello.get_child("body", "jabber:client").unwrap().text(),
        "hello b"
    );
    // Dialback was checked with a.example's own answer.
    assert_eq!(f.verified, (1, 1));
    // The answer goes back on the same stream (XEP-0288): nothing more is dialed or verified.
    send(
        &mut f,
        1,
        bob,
        "<message to='alice@a.example/phone' type='chat' id='m2'><body>hello a</body></message>",
    );
    assert_eq!(f.worlds[0].bodies(alice), vec!["hello a"]);
    assert_eq!(f.verified, (1, 1));
    assert_eq!(f.dialed.len(), 1);
    for (w, i) in [(0, alice), (1, bob)] {
        send(
            &mut f,
            w,
            i,
            "<iq type='set' id='q'><query xmlns='urn:xmpp:mam:2'/></iq>",
        );
        let archived = f.worlds[w]
            .take(i)
            .iter()
            .filter(|s| s.has_child("result", "urn:xmpp:mam:2"))
            .count();
        assert_eq!(archived, 2, "world {w} archived both messages");
    }
}

#[test]
fn without_bidirectional_streams_each_direction_dials_its_own_link() {
    let mut f = pair();
    f.bidi = false;
    let alice = f.worlds[0].login("alice", "phone", 1);
    let bob = f.worlds[1].login("bob", "desk", 1);
    send(
        &mut f,
        0,
        alice,
        "<message to='bob@b.example' type='chat' id='m1'><body>hello b</body></message>",
    );
    send(
        &mut f,
        1,
        bob,
        "<message to='alice@a.example/phone' type='chat' id='m2'><body>hello a</body></message>",
    );
    assert_eq!(f.worlds[1].bodies(bob), vec!["hello b"]);
    assert_eq!(f.worlds[0].bodies(alice), vec!["hello a"]);
    assert_eq!(f.verified, (2, 2));
    let dialed: Vec<_> = f.dialed.iter().map(|(w, _, d)| (*w, d.as_str())).collect();
    assert_eq!(dialed, vec![(0, "b.example"), (1, "a.example")]);
}

#[test]
fn subscription_and_presence_across_domains() {
    let mut f = pair();
    let alice = f.worlds[0].login("alice", "phone", 1);
    let bob = f.worlds[1].login("bob", "desk", 1);
    // Roster pushes go to resources that asked for the roster (RFC 6121 §2.1.6).
    send(
        &mut f,
        0,
        alice,
        "<iq type='get' id='r'><query xmlns='jabber:iq:roster'/></iq>",
    );
    f.worlds[0].take(alice);
    send(
        &mut f,
        0,
        alice,
        "<presence to='bob@b.example' type='subscribe'/>",
    );
    let request = f.worlds[1].take(bob);
    assert!(request
        .iter()
        .any(|s| s.attr("type") == Some("subscribe") && s.attr("from") == Some("alice@a.example")));
    send(
        &mut f,
        1,
        bob,
        "<presence to='alice@a.example' type='subscribed'/>",
    );
    let got = f.worlds[0].take(alice);
    assert!(
        got.iter().any(|s| s.attr("type") == Some("subscribed")),
        "{got:?}"
    );
    // RFC 6121 §3.1.5: bob's current presence follows the approval.
    assert!(
        got.iter().any(|s| s.name() == "presence"
            && s.attr("type").is_none()
            && s.attr("from") == Some("bob@b.example/desk")),
        "{got:?}"
    );
    let items = roster_items(&got, "set");
    assert!(
        items.contains(&("bob@b.example".into(), "to".into())),
        "{items:?}"
    );
    // Bob's next presence reaches his new subscriber on the other server.
    send(&mut f, 1, bob, "<presence><show>away</show></presence>");
    let got = f.worlds[0].take(alice);
    assert!(
        got.iter().any(|s| s.has_child("show", "jabber:client")),
        "{got:?}"
    );
}

#[test]
fn a_room_on_one_domain_is_joined_from_the_other() {
    let mut f = pair_with_rooms();
    let alice = f.worlds[0].login("alice", "phone", 1);
    let bob = f.worlds[1].login("bob", "desk", 1);
    let room = ROOM;
    alice_opens_bob_enters(&mut f, alice, bob);
    send(
        &mut f,
        0,
        alice,
        &format!("<message to='{room}' type='groupchat' id='g'><body>welcome</body></message>"),
    );
    assert_eq!(f.worlds[1].bodies(bob), vec!["welcome"]);
    assert_eq!(
        f.worlds[0].bodies(alice),
        vec!["welcome"],
        "the room's echo"
    );
    send(
        &mut f,
        1,
        bob,
        &format!("<message to='{room}' type='groupchat' id='h'><body>thanks</body></message>"),
    );
    assert_eq!(f.worlds[0].bodies(alice), vec!["thanks"]);
    // b.example dialed the room's domain (its own pair, conference.a.example, verified by
    // dialback); the room answers on that stream (XEP-0288).
    let dialed: Vec<_> = f
        .dialed
        .iter()
        .map(|(w, from, d)| (*w, from.as_str(), d.as_str()))
        .collect();
    assert_eq!(dialed, vec![(1, "b.example", "conference.a.example")]);
    assert_eq!(f.verified, (1, 1));
}

/// XEP-0220 §3: the room's domain sends on a.example's stream to b.example, with a key of its
/// own, instead of dialing again (streams one way only here, so that the room's answers need a
/// stream of a.example's).
#[test]
fn a_second_sending_domain_is_multiplexed_on_an_existing_stream() {
    let mut f = pair_with_rooms();
    f.bidi = false;
    let alice = f.worlds[0].login("alice", "phone", 1);
    let bob = f.worlds[1].login("bob", "desk", 1);
    send(
        &mut f,
        0,
        alice,
        "<message to='bob@b.example' type='chat' id='m1'><body>come in</body></message>",
    );
    alice_opens_bob_enters(&mut f, alice, bob);
    let dialed: Vec<_> = f
        .dialed
        .iter()
        .map(|(w, from, d)| (*w, from.as_str(), d.as_str()))
        .collect();
    assert_eq!(
        dialed,
        vec![
            (0, "a.example", "b.example"),
            (1, "b.example", "conference.a.example")
        ]
    );
    assert_eq!(f.multiplexed, vec![(0, "conference.a.example".to_string())]);
    // a.example's key, b.example's to the room's domain, and the room's own on a's stream.
    assert_eq!(f.verified, (3, 3));
}

#[test]
fn a_domain_nobody_serves_is_remote_server_not_found() {
    let mut f = pair();
    let alice = f.worlds[0].login("alice", "phone", 1);
    send(
        &mut f,
        0,
        alice,
        "<message to='zed@nowhere.example' type='chat' id='m'><body>x</body></message>",
    );
    assert_eq!(
        errors(&f.worlds[0].take(alice)),
        vec!["remote-server-not-found"]
    );
}

#[test]
fn a_server_that_never_answers_is_remote_server_timeout_and_waits_are_bounded() {
    let mut f = Federation::new(
        world("a.example", |c| c.federation.max_queued = 2),
        world("b.example", |_| {}),
    );
    f.silent[0] = true;
    let alice = f.worlds[0].login("alice", "phone", 1);
    for n in 0..3 {
        send(
            &mut f,
            0,
            alice,
            &format!(
                "<message to='bob@b.example' type='chat' id='m{n}'><body>{n}</body></message>"
            ),
        );
    }
    // The third did not fit while the link is set up.
    assert_eq!(
        errors(&f.worlds[0].take(alice)),
        vec!["resource-constraint"]
    );
    f.worlds[0].advance(Duration::from_secs(31));
    f.settle();
    assert_eq!(
        errors(&f.worlds[0].take(alice)),
        vec!["remote-server-timeout"; 2]
    );
}

#[test]
fn the_policy_refuses_denied_domains_and_federation_can_be_off() {
    let deny = world("a.example", |c| {
        c.federation.deny = vec!["b.example".into()]
    });
    let mut f = Federation::new(deny, world("b.example", |_| {}));
    let alice = f.worlds[0].login("alice", "phone", 1);
    send(
        &mut f,
        0,
        alice,
        "<message to='bob@b.example' type='chat' id='m'><body>x</body></message>",
    );
    assert_eq!(errors(&f.worlds[0].take(alice)), vec!["not-allowed"]);
    let only = world("a.example", |c| {
        c.federation.allow = Some(vec!["c.example".into()])
    });
    let mut f = Federation::new(only, world("b.example", |_| {}));
    let alice = f.worlds[0].login("alice", "phone", 1);
    send(
        &mut f,
        0,
        alice,
        "<message to='bob@b.example' type='chat' id='m'><body>x</body></message>",
    );
    assert_eq!(errors(&f.worlds[0].take(alice)), vec!["not-allowed"]);
    let off = World::new(|c| c.domain = BareJid::new("a.example").unwrap());
    let mut f = Federation::new(off, world("b.example", |_| {}));
    let alice = f.worlds[0].login("alice", "phone", 1);
    send(
        &mut f,
        0,
        alice,
        "<message to='bob@b.example' type='chat' id='m'><body>x</body></message>",
    );
    assert_eq!(
        errors(&f.worlds[0].take(alice)),
        vec!["remote-server-not-found"]
    );
}

#[test]
fn a_certificate_for_the_domain_needs_no_dialback() {
    let mut f = pair();
    f.certified[0] = vec!["a.example".into()];
    let alice = f.worlds[0].login("alice", "phone", 1);
    let bob = f.worlds[1].login("bob", "desk", 1);
    send(
        &mut f,
        0,
        alice,
        "<message to='bob@b.example' type='chat' id='m1'><body>by EXTERNAL</body></message>",
    );
    assert_eq!(f.worlds[1].bodies(bob), vec!["by EXTERNAL"]);
    assert_eq!(f.verified, (0, 0));
}

#[test]
fn an_idle_link_closes_and_the_next_stanza_dials_again() {
    let mut f = pair();
    let alice = f.worlds[0].login("alice", "phone", 1);
    let bob = f.worlds[1].login("bob", "desk", 1);
    send(
        &mut f,
        0,
        alice,
        "<message to='bob@b.example' type='chat' id='m1'><body>1</body></message>",
    );
    f.worlds[0].advance(Duration::from_secs(601));
    f.settle();
    send(
        &mut f,
        0,
        alice,
        "<message to='bob@b.example' type='chat' id='m2'><body>2</body></message>",
    );
    assert_eq!(f.worlds[1].bodies(bob), vec!["1", "2"]);
    assert_eq!(f.verified, (2, 2), "a second link was authenticated");
}

#[test]
fn a_remote_stanza_for_a_domain_not_served_here_is_not_relayed() {
    let mut f = pair();
    let alice = f.worlds[0].login("alice", "x", 1);
    let now = f.worlds[1].now;
    // What a receiving stream would pass on only if it had authenticated the pair: the engine
    // still refuses to relay it to a third server.
    f.worlds[1].server.handle_remote_stanza(
        el("<message from='alice@a.example/x' to='carol@c.example' type='chat' id='r'><body>relay?</body></message>"),
        now,
    );
    f.settle();
    assert_eq!(errors(&f.worlds[0].take(alice)), vec!["item-not-found"]);
    assert_eq!(f.dialed, vec![(1, "b.example".into(), "a.example".into())]);
}

#[test]
fn an_external_component_gets_its_domain_and_answers() {
    let mut w = World::new(|_| {});
    let link = w.server.attach_component("bot.example.com").unwrap();
    assert!(w.server.attach_component("bot.example.com").is_err());
    assert!(w.server.attach_component("example.com").is_err());
    let alice = w.login("alice", "phone", 1);
    w.send(
        alice,
        "<message to='echo@bot.example.com' type='chat' id='m'><body>ping</body></message>",
    );
    let sent: Vec<_> = std::mem::take(&mut w.link_outputs);
    let [Output::Transmit { link: to, stanza }] = &sent[..] else {
        panic!("{sent:?}")
    };
    assert_eq!(*to, link);
    assert_eq!(stanza.attr("from"), Some("alice@example.com/phone"));
    let now = w.now;
    w.server.handle_link_stanza(
        link,
        el("<message from='echo@bot.example.com' to='alice@example.com/phone' type='chat'><body>pong</body></message>"),
        now,
    );
    w.run();
    assert_eq!(w.bodies(alice), vec!["pong"]);
    // Gone: its domain is no longer routed to it.
    w.server.link_closed(link, None, now);
    w.send(
        alice,
        "<message to='echo@bot.example.com' type='chat' id='m2'><body>ping</body></message>",
    );
    assert!(w.link_outputs.is_empty());
    assert_eq!(errors(&w.take(alice)), vec!["remote-server-not-found"]);
    let _ = LinkFailure::Timeout;
}

#[test]
fn stanzas_a_link_never_sent_come_back_as_errors() {
    let mut w = world("example.com", |_| {});
    let link = w.server.attach_component("bot.example.com").unwrap();
    let alice = w.login("alice", "phone", 1);
    w.send(
        alice,
        "<message to='echo@bot.example.com' type='chat' id='m1'><body>1</body></message>",
    );
    w.send(
        alice,
        "<message to='bob@b.example' type='chat' id='m2'><body>2</body></message>",
    );
    let stanzas: Vec<_> = std::mem::take(&mut w.link_outputs)
        .into_iter()
        .filter_map(|o| match o {
            Output::Transmit { stanza, .. } => Some(stanza),
            _ => None,
        })
        .collect();
    assert_eq!(stanzas.len(), 1, "the remote one waits for its link");
    let now = w.now;
    w.server.link_returned(stanzas, now);
    w.server.link_closed(link, None, now);
    w.run();
    assert_eq!(errors(&w.take(alice)), vec!["service-unavailable"]);
}
