//! The byte path (`Config::route_bytes`) against the tree path, which is the reference: random
//! histories of messages of every type and payload (bodies, markers, receipts, chat states,
//! hints, private, forged stanza-ids) to full and bare JIDs, absent users and other domains,
//! with carbons switched and contacts blocked, run once each way. Every client must receive the
//! same stanzas, and every archive must hold the same messages.

mod common;
use common::*;
use minidom::Element;
use proptest::prelude::*;

const USERS: [&str; 3] = ["alice", "bob", "carol"];

#[derive(Debug, Clone)]
enum Op {
    /// Client `from` sends a message of `type_` to `to`, with the payloads chosen by `payload`.
    Send {
        from: usize,
        to: usize,
        type_: usize,
        payload: u8,
    },
    /// Client `i` switches carbons on or off.
    Carbons(usize, bool),
    /// Client `i` blocks or unblocks the user `whom`.
    Block(usize, usize, bool),
}

/// alice/phone, alice/laptop, bob/phone, carol/web (negative priority: never the best).
fn clients(world: &mut World) {
    world.login("alice", "phone", 1);
    world.login("alice", "laptop", 0);
    world.login("bob", "phone", 5);
    world.login("carol", "web", -1);
}

fn recipient(to: usize) -> String {
    match to {
        0 => "alice@example.com".into(),
        1 => "alice@example.com/laptop".into(),
        2 => "bob@example.com".into(),
        3 => "bob@example.com/phone".into(),
        4 => "bob@example.com/gone".into(),
        5 => "carol@example.com".into(),
        6 => "nobody@example.com".into(),
        _ => "someone@elsewhere.example".into(),
    }
}

fn message(n: usize, to: usize, type_: usize, payload: u8) -> String {
    let type_ = [
        "",
        " type='chat'",
        " type='normal'",
        " type='headline'",
        " type='error'",
    ][type_];
    let mut children = String::new();
    let parts = [
        format!("<body>message {n} &amp; more</body>"),
        "<markable xmlns='urn:xmpp:chat-markers:0'/>".into(),
        "<request xmlns='urn:xmpp:receipts'/>".into(),
        "<active xmlns='http://jabber.org/protocol/chatstates'/>".into(),
        "<no-store xmlns='urn:xmpp:hints'/>".into(),
        "<no-copy xmlns='urn:xmpp:hints'/>".into(),
        "<private xmlns='urn:xmpp:carbons:2'/>".into(),
        "<stanza-id xmlns='urn:xmpp:sid:0' by='bob@example.com' id='forged'/>".into(),
    ];
    for (bit, part) in parts.iter().enumerate() {
        if payload & (1 << bit) != 0 {
            children.push_str(part);
        }
    }
    if type_.contains("error") {
        children.push_str("<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>");
    }
    format!(
        "<message to='{}' id='m{n}'{type_}>{children}</message>",
        recipient(to)
    )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0usize..4, 0usize..8, 0usize..5, any::<u8>())
            .prop_map(|(from, to, type_, payload)| Op::Send { from, to, type_, payload }),
        1 => (0usize..4, any::<bool>()).prop_map(|(i, on)| Op::Carbons(i, on)),
        1 => (0usize..4, 0usize..3, any::<bool>()).prop_map(|(i, w, on)| Op::Block(i, w, on)),
    ]
}

/// What one step of a history sends, from which client.
fn step(n: usize, op: &Op) -> (usize, String) {
    match *op {
        Op::Send {
            from,
            to,
            type_,
            payload,
        } => (from, message(n, to, type_, payload)),
        Op::Carbons(i, on) => {
            let what = if on { "enable" } else { "disable" };
            (
                i,
                format!("<iq type='set' id='c{n}'><{what} xmlns='urn:xmpp:carbons:2'/></iq>"),
            )
        }
        Op::Block(i, whom, on) => {
            let what = if on { "block" } else { "unblock" };
            (
                i,
                format!(
                    "<iq type='set' id='b{n}'><{what} xmlns='urn:xmpp:blocking'>\
                     <item jid='{}@example.com'/></{what}></iq>",
                    USERS[whom]
                ),
            )
        }
    }
}

const MAM_QUERY: &str = "<iq type='set' id='mam'><query xmlns='urn:xmpp:mam:2'/></iq>";

/// Runs `ops` in a world with the byte path on or off; returns what each client received,
/// then each client's whole archive as its MAM results.
fn history(ops: &[Op], route_bytes: bool) -> Vec<Vec<Element>> {
    let mut world = World::new(|c| c.route_bytes = route_bytes);
    clients(&mut world);
    for (n, op) in ops.iter().enumerate() {
        let (i, xml) = step(n, op);
        world.send(i, &xml);
    }
    for i in 0..4 {
        world.send(i, MAM_QUERY);
    }
    (0..4).map(|i| world.take(i)).collect()
}

/// The same on a domain served by two shards, messages crossing between them as bytes.
fn cluster_history(ops: &[Op], route_bytes: bool) -> Vec<Vec<Element>> {
    let mut cluster = cluster::Cluster::new(2, |c| c.route_bytes = route_bytes);
    let at = [
        cluster.login("alice", "phone", 1),
        cluster.login("alice", "laptop", 0),
        cluster.login("bob", "phone", 5),
        cluster.login("carol", "web", -1),
    ];
    for (n, op) in ops.iter().enumerate() {
        let (i, xml) = step(n, op);
        cluster.send(at[i], &xml);
    }
    for a in at {
        cluster.send(a, MAM_QUERY);
    }
    at.iter().map(|a| cluster.take(*a)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn bytes_and_trees_deliver_and_archive_the_same(ops in proptest::collection::vec(op(), 1..40)) {
        let trees = history(&ops, false);
        let bytes = history(&ops, true);
        for (i, (t, b)) in trees.iter().zip(&bytes).enumerate() {
            prop_assert_eq!(t, b, "client {}", i);
        }
    }

    #[test]
    fn across_shards_too(ops in proptest::collection::vec(op(), 1..40)) {
        let trees = cluster_history(&ops, false);
        let bytes = cluster_history(&ops, true);
        for (i, (t, b)) in trees.iter().zip(&bytes).enumerate() {
            prop_assert_eq!(t, b, "client {}", i);
        }
    }
}

/// The users land on both shards, so that the cluster history crosses between them.
#[test]
fn the_users_are_on_two_shards() {
    let cluster = cluster::Cluster::new(2, |_| {});
    let shards: std::collections::BTreeSet<usize> =
        USERS.iter().map(|u| cluster.shard_of(u)).collect();
    assert_eq!(shards.len(), 2);
}

/// The common case, spelled out: a chat message between two online users with carbons on
/// both sides reaches the recipient with its archive's stanza-id, the sender's other resource
/// as a `sent` carbon, and both archives.
#[test]
fn a_chat_message_on_the_byte_path() {
    let mut world = World::new(|_| {});
    clients(&mut world);
    world.send(
        1,
        "<iq type='set' id='c'><enable xmlns='urn:xmpp:carbons:2'/></iq>",
    );
    world.take(1);
    world.send(
        0,
        "<message to='bob@example.com' type='chat' id='x'><body>hi</body></message>",
    );
    let got = world.take(2);
    assert_eq!(got.len(), 1);
    let sid = got[0].get_child("stanza-id", "urn:xmpp:sid:0").unwrap();
    assert_eq!(sid.attr("by"), Some("bob@example.com"));
    assert_eq!(got[0].attr("from"), Some("alice@example.com/phone"));
    let carbon = world.take(1);
    assert_eq!(carbon.len(), 1);
    assert!(carbon[0].has_child("sent", "urn:xmpp:carbons:2"));
}
