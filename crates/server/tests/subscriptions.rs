//! RFC 6121 §3 and Appendix A: every transition of the four outbound and four inbound tables
//! (written out here from the RFC), then the handshake between two users through real
//! sessions, pre-approval, roster pushes to every interested resource with versioning, and
//! roster removal ending both subscriptions.

mod common;
use common::*;
use xmppkit_server::subscription::{inbound, outbound, Kind, State};

/// The nine states of Appendix A.1, by their RFC names.
fn state(name: &str) -> State {
    let (to, from) = match name.split(" + ").next().unwrap() {
        "None" => (false, false),
        "To" => (true, false),
        "From" => (false, true),
        "Both" => (true, true),
        other => panic!("{other}"),
    };
    State {
        to,
        from,
        pending_out: name.contains("Pending Out"),
        pending_in: name.contains("Pending In") || name.contains("Out/In"),
        approved: false,
    }
}

const STATES: [&str; 9] = [
    "None",
    "None + Pending Out",
    "None + Pending In",
    "None + Pending Out/In",
    "To",
    "To + Pending In",
    "From",
    "From + Pending Out",
    "Both",
];

fn name(s: State) -> String {
    let base = match (s.to, s.from) {
        (false, false) => "None",
        (true, false) => "To",
        (false, true) => "From",
        (true, true) => "Both",
    };
    match (s.pending_out, s.pending_in) {
        (true, true) => format!("{base} + Pending Out/In"),
        (true, false) => format!("{base} + Pending Out"),
        (false, true) => format!("{base} + Pending In"),
        _ => base.to_owned(),
    }
}

/// (existing state, new state) for each of the nine states, in the order of `STATES`.
fn check_outbound(kind: Kind, table: [&str; 9], routed: [bool; 9]) {
    for ((old, new), route) in STATES.iter().zip(table).zip(routed) {
        let out = outbound(kind, state(old), false);
        assert_eq!(name(out.state), new, "{kind:?} from {old}");
        assert_eq!(out.route, route, "{kind:?} from {old}: routed");
    }
}

fn check_inbound(kind: Kind, table: [&str; 9], delivered: [bool; 9]) {
    for ((old, new), deliver) in STATES.iter().zip(table).zip(delivered) {
        let got = inbound(kind, state(old));
        assert_eq!(name(got.state), new, "{kind:?} arriving in {old}");
        assert_eq!(
            got.deliver, deliver,
            "{kind:?} arriving in {old}: delivered"
        );
    }
}

#[test]
fn appendix_a_2_subscribe() {
    // A.2.1: outbound subscribe (always routed).
    check_outbound(
        Kind::Subscribe,
        [
            "None + Pending Out",
            "None + Pending Out",
            "None + Pending Out/In",
            "None + Pending Out/In",
            "To",
            "To + Pending In",
            "From + Pending Out",
            "From + Pending Out",
            "Both",
        ],
        [true; 9],
    );
    // A.2.2: inbound subscribe.
    check_inbound(
        Kind::Subscribe,
        [
            "None + Pending In",
            "None + Pending Out/In",
            "None + Pending In",
            "None + Pending Out/In",
            "To + Pending In",
            "To + Pending In",
            "From",
            "From + Pending Out",
            "Both",
        ],
        [true, true, false, false, true, false, false, false, false],
    );
    // Already subscribed: the server answers for the contact (§3.1.3).
    for old in ["From", "From + Pending Out", "Both"] {
        assert!(inbound(Kind::Subscribe, state(old)).auto_reply, "{old}");
    }
}

#[test]
fn appendix_a_3_subscribed() {
    check_outbound(
        Kind::Subscribed,
        [
            "None",
            "None + Pending Out",
            "From",
            "From + Pending Out",
            "To",
            "Both",
            "From",
            "From + Pending Out",
            "Both",
        ],
        [false, false, true, true, false, true, false, false, false],
    );
    check_inbound(
        Kind::Subscribed,
        [
            "None",
            "To",
            "None + Pending In",
            "To + Pending In",
            "To",
            "To + Pending In",
            "From",
            "Both",
            "Both",
        ],
        [false, true, false, true, false, false, false, true, false],
    );
}

#[test]
fn appendix_a_4_unsubscribe() {
    check_outbound(
        Kind::Unsubscribe,
        [
            "None",
            "None",
            "None + Pending In",
            "None + Pending In",
            "None",
            "None + Pending In",
            "From",
            "From",
            "From",
        ],
        [true; 9],
    );
    check_inbound(
        Kind::Unsubscribe,
        [
            "None",
            "None + Pending Out",
            "None",
            "None + Pending Out",
            "To",
            "To",
            "None",
            "None + Pending Out",
            "To",
        ],
        [false, false, true, true, false, true, true, true, true],
    );
}

#[test]
fn appendix_a_5_unsubscribed() {
    check_outbound(
        Kind::Unsubscribed,
        [
            "None",
            "None + Pending Out",
            "None",
            "None + Pending Out",
            "To",
            "To",
            "None",
            "None + Pending Out",
            "To",
        ],
        [false, false, true, true, false, true, true, true, true],
    );
    check_inbound(
        Kind::Unsubscribed,
        [
            "None",
            "None",
            "None + Pending In",
            "None + Pending In",
            "None",
            "None + Pending In",
            "From",
            "From",
            "From",
        ],
        [false, true, false, true, true, true, false, true, true],
    );
}

#[test]
fn pre_approval_of_section_3_4() {
    let out = outbound(Kind::Subscribed, state("None"), true);
    assert!(out.state.approved && !out.route);
    let got = inbound(Kind::Subscribe, out.state);
    assert!(got.auto_reply && !got.deliver);
    assert_eq!(name(got.state), "From");
    assert!(!got.state.approved);
    // An unsubscribed withdraws it.
    assert!(!outbound(Kind::Unsubscribed, out.state, true).state.approved);
}

fn items(w: &mut World, i: usize) -> Vec<(String, String)> {
    roster_items(&w.take(i), "set")
}

fn request_roster(w: &mut World, i: usize) {
    w.send(
        i,
        "<iq type='get' id='r'><query xmlns='jabber:iq:roster' ver=''/></iq>",
    );
    w.take(i);
}

#[test]
fn the_handshake_pushes_to_every_interested_resource_and_shares_presence() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "phone", 0);
    let alice2 = w.login("alice", "laptop", 0);
    let bob = w.login("bob", "b", 0);
    for i in [alice, alice2, bob] {
        request_roster(&mut w, i);
    }
    w.send(alice, "<presence to='bob@example.com' type='subscribe'/>");
    let ask = ("bob@example.com".to_owned(), "none+ask".to_owned());
    assert_eq!(items(&mut w, alice), std::slice::from_ref(&ask));
    assert_eq!(items(&mut w, alice2), [ask]);
    let got = w.take(bob);
    let request = got
        .iter()
        .find(|s| s.name() == "presence" && s.attr("type") == Some("subscribe"))
        .expect("bob is asked");
    assert_eq!(request.attr("from"), Some("alice@example.com"));
    w.send(bob, "<presence to='alice@example.com' type='subscribed'/>");
    assert_eq!(
        items(&mut w, bob),
        [("alice@example.com".into(), "from".into())]
    );
    let got = w.take(alice);
    assert!(got.iter().any(|s| s.attr("type") == Some("subscribed")));
    assert!(got.iter().any(|s| s.name() == "iq"
        && s.get_child("query", "jabber:iq:roster").is_some_and(|q| q
            .get_child("item", "jabber:iq:roster")
            .is_some_and(|i| i.attr("subscription") == Some("to")))));
    // §3.1.5: the approver's presence arrives.
    assert!(got.iter().any(|s| s.name() == "presence"
        && s.attr("from") == Some("bob@example.com/b")
        && s.attr("type").is_none()));
    // Bob's presence changes now reach both of Alice's resources.
    w.take(alice2);
    w.send(bob, "<presence><show>away</show></presence>");
    for i in [alice, alice2] {
        assert!(w.take(i).iter().any(|s| s.name() == "presence"
            && s.get_child("show", "jabber:client")
                .is_some_and(|e| e.text() == "away")));
    }
    // A later subscribe is answered by the server (§3.1.3), Bob is not asked again.
    w.send(alice, "<presence to='bob@example.com' type='subscribe'/>");
    assert!(w
        .take(bob)
        .iter()
        .all(|s| s.attr("type") != Some("subscribe")));
    // Bob cancels (§3.2): Alice sees him go.
    w.send(
        bob,
        "<presence to='alice@example.com' type='unsubscribed'/>",
    );
    let got = w.take(alice);
    assert!(got
        .iter()
        .any(|s| s.attr("type") == Some("unavailable")
            && s.attr("from") == Some("bob@example.com/b")));
    assert!(got.iter().any(|s| s.attr("type") == Some("unsubscribed")));
}

#[test]
fn a_request_waits_for_the_contact_to_come_online() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    w.send(alice, "<presence to='carol@example.com' type='subscribe'/>");
    let carol = w.bound("carol", "c");
    w.presence(carol, 0);
    let got = w.take(carol);
    assert!(got.iter().any(
        |s| s.attr("type") == Some("subscribe") && s.attr("from") == Some("alice@example.com")
    ));
    // Unlisted until approved: Carol's roster does not show the request (§3.1.3).
    w.send(
        carol,
        "<iq type='get' id='r'><query xmlns='jabber:iq:roster'/></iq>",
    );
    let result = w.take(carol).remove(0);
    assert_eq!(
        result
            .get_child("query", "jabber:iq:roster")
            .unwrap()
            .children()
            .count(),
        0
    );
}

#[test]
fn pre_approval_end_to_end() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    let bob = w.login("bob", "b", 0);
    request_roster(&mut w, bob);
    w.send(bob, "<presence to='alice@example.com' type='subscribed'/>");
    let pushed = w.take(bob);
    let item = pushed[0]
        .get_child("query", "jabber:iq:roster")
        .and_then(|q| q.get_child("item", "jabber:iq:roster"))
        .unwrap();
    assert_eq!(item.attr("approved"), Some("true"));
    w.take(alice);
    w.send(alice, "<presence to='bob@example.com' type='subscribe'/>");
    // Approved without asking Bob.
    assert!(w
        .take(bob)
        .iter()
        .all(|s| s.attr("type") != Some("subscribe")));
    assert!(w
        .take(alice)
        .iter()
        .any(|s| s.attr("type") == Some("subscribed")));
}

#[test]
fn roster_versioning_sends_only_what_changed() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    w.send(
        alice,
        "<iq type='get' id='r1'><query xmlns='jabber:iq:roster' ver=''/></iq>",
    );
    let first = w.take(alice).remove(0);
    let ver0 = first
        .get_child("query", "jabber:iq:roster")
        .unwrap()
        .attr("ver")
        .unwrap()
        .to_owned();
    w.send(alice, "<iq type='set' id='s1'><query xmlns='jabber:iq:roster'><item jid='bob@example.com' name='Bob'><group>Friends</group></item></query></iq>");
    w.send(alice, "<iq type='set' id='s2'><query xmlns='jabber:iq:roster'><item jid='carol@example.com'/></query></iq>");
    let got = w.take(alice);
    let pushes: Vec<_> = got
        .iter()
        .filter(|s| s.attr("type") == Some("set"))
        .collect();
    assert_eq!(pushes.len(), 2);
    let ver2 = pushes[1]
        .get_child("query", "jabber:iq:roster")
        .unwrap()
        .attr("ver")
        .unwrap()
        .to_owned();
    // Up to date: an empty result.
    w.send(
        alice,
        &format!("<iq type='get' id='r2'><query xmlns='jabber:iq:roster' ver='{ver2}'/></iq>"),
    );
    let got = w.take(alice);
    assert_eq!(got.len(), 1);
    assert!(got[0].children().next().is_none());
    // From the first version: an empty result, then both changes as pushes.
    w.send(
        alice,
        &format!("<iq type='get' id='r3'><query xmlns='jabber:iq:roster' ver='{ver0}'/></iq>"),
    );
    let got = w.take(alice);
    assert!(got[0].children().next().is_none());
    assert_eq!(got.len(), 3);
    let ver = |s: &minidom::Element| {
        s.get_child("query", "jabber:iq:roster")
            .and_then(|q| q.attr("ver"))
            .map(str::to_owned)
    };
    assert_ne!(ver(&got[1]), ver(&got[2]), "each push has its own version");
    assert_eq!(ver(&got[2]).as_deref(), Some(ver2.as_str()));
    // A removal is a change too; an unknown version gets the whole roster.
    w.send(alice, "<iq type='set' id='s3'><query xmlns='jabber:iq:roster'><item jid='carol@example.com' subscription='remove'/></query></iq>");
    w.take(alice);
    w.send(
        alice,
        &format!("<iq type='get' id='r4'><query xmlns='jabber:iq:roster' ver='{ver2}'/></iq>"),
    );
    let got = w.take(alice);
    let removal = got[1].get_child("query", "jabber:iq:roster").unwrap();
    assert_eq!(
        removal
            .get_child("item", "jabber:iq:roster")
            .unwrap()
            .attr("subscription"),
        Some("remove")
    );
    w.send(
        alice,
        "<iq type='get' id='r5'><query xmlns='jabber:iq:roster' ver='bogus'/></iq>",
    );
    let full = w.take(alice).remove(0);
    assert_eq!(
        full.get_child("query", "jabber:iq:roster")
            .unwrap()
            .children()
            .count(),
        1
    );
}

#[test]
fn roster_sets_are_checked_and_removal_ends_both_subscriptions() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    let bob = w.login("bob", "b", 0);
    for (id, xml) in [
        (
            "two",
            "<item jid='bob@example.com'/><item jid='carol@example.com'/>",
        ),
        (
            "dup",
            "<item jid='bob@example.com'><group>A</group><group>A</group></item>",
        ),
        (
            "empty",
            "<item jid='bob@example.com'><group></group></item>",
        ),
        (
            "missing",
            "<item jid='nobody@example.com' subscription='remove'/>",
        ),
    ] {
        w.send(
            alice,
            &format!("<iq type='set' id='{id}'><query xmlns='jabber:iq:roster'>{xml}</query></iq>"),
        );
        let got = w.take(alice);
        assert_eq!(got[0].attr("type"), Some("error"), "{id}");
    }
    // Both ways subscribed, then Alice removes Bob.
    w.send(alice, "<presence to='bob@example.com' type='subscribe'/>");
    w.send(bob, "<presence to='alice@example.com' type='subscribed'/>");
    w.send(bob, "<presence to='alice@example.com' type='subscribe'/>");
    w.send(alice, "<presence to='bob@example.com' type='subscribed'/>");
    request_roster(&mut w, bob);
    w.send(alice, "<iq type='set' id='rm'><query xmlns='jabber:iq:roster'><item jid='bob@example.com' subscription='remove'/></query></iq>");
    let got = w.take(bob);
    assert!(got.iter().any(|s| s.attr("type") == Some("unsubscribe")));
    assert!(got.iter().any(|s| s.attr("type") == Some("unsubscribed")));
    w.send(
        bob,
        "<iq type='get' id='r'><query xmlns='jabber:iq:roster'/></iq>",
    );
    let roster = w.take(bob).remove(0);
    let item = roster
        .get_child("query", "jabber:iq:roster")
        .and_then(|q| q.get_child("item", "jabber:iq:roster"))
        .unwrap();
    assert_eq!(item.attr("subscription"), Some("none"));
}

#[test]
fn initial_presence_reaches_every_own_resource_including_its_sender() {
    let mut w = World::new(|_| {});
    let phone = w.login("alice", "phone", 0);
    let laptop = w.bound("alice", "laptop");
    w.take(phone);
    w.presence(laptop, 0);
    for i in [phone, laptop] {
        assert!(
            w.take(i)
                .iter()
                .any(|s| s.name() == "presence"
                    && s.attr("from") == Some("alice@example.com/laptop")),
            "RFC 6121 §4.2.2"
        );
    }
}
