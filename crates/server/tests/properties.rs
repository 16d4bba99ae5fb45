//! Properties over random histories: a versioned roster sync (XEP-0237) brings any earlier
//! version to exactly the current roster, and between two local users the subscription state
//! stays consistent on both sides (RFC 6121 §3: the user's `to` is the contact's `from`) whatever
//! subscription stanzas they exchange.

mod common;
use common::*;
use minidom::Element;
use proptest::prelude::*;
use std::collections::BTreeMap;
use xmppkit_jid::BareJid;
use xmppkit_server::roster::{Roster, Sync};
use xmppkit_server::subscription::{inbound, outbound, Kind, State};

fn contact(i: u8) -> BareJid {
    format!("c{i}@example.com").parse().unwrap()
}

fn listed(roster: &Roster) -> BTreeMap<String, Element> {
    roster
        .listed()
        .map(|(jid, item)| (jid.to_string(), item.element(jid)))
        .collect()
}

#[derive(Debug, Clone)]
enum Op {
    Set(u8, Option<String>),
    Remove(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..6, proptest::option::of("[a-z]{1,4}")).prop_map(|(c, n)| Op::Set(c, n)),
        (0u8..6).prop_map(Op::Remove),
    ]
}

proptest! {
    #[test]
    fn a_sync_from_any_version_reproduces_the_roster(ops in proptest::collection::vec(op(), 1..30), pick in any::<prop::sample::Index>()) {
        let mut roster = Roster::default();
        let mut snapshots = vec![(roster.version, listed(&roster))];
        for op in ops {
            match op {
                Op::Set(c, name) => {
                    let item = roster.entry(&contact(c));
                    item.name = name;
                    item.listed = true;
                    roster.touch(&contact(c));
                }
                Op::Remove(c) => {
                    roster.remove(&contact(c));
                }
            }
            snapshots.push((roster.version, listed(&roster)));
        }
        let (version, mut state) = snapshots[pick.index(snapshots.len())].clone();
        match roster.sync(&version.to_string()) {
            Sync::UpToDate => {}
            Sync::Pushes(pushes) => {
                let mut last = version;
                for (v, item) in pushes {
                    prop_assert!(v > last, "pushes come in version order");
                    last = v;
                    let jid = item.attr("jid").unwrap().to_owned();
                    if item.attr("subscription") == Some("remove") {
                        state.remove(&jid);
                    } else {
                        state.insert(jid, item);
                    }
                }
                prop_assert_eq!(last, roster.version);
            }
            Sync::Full(_) => prop_assert!(false, "a known version gets pushes"),
        }
        prop_assert_eq!(state, listed(&roster));
    }

    /// The two rosters of one pair, both on this server: what one side's tables do to the other
    /// side's never contradict it.
    #[test]
    fn both_sides_agree_after_any_exchange(steps in proptest::collection::vec((any::<bool>(), 0usize..4, any::<bool>()), 0..40)) {
        let kinds = [Kind::Subscribe, Kind::Subscribed, Kind::Unsubscribe, Kind::Unsubscribed];
        // a[0]: Alice's item for Bob, a[1]: Bob's item for Alice.
        let mut a = [State::default(); 2];
        for (bob_sends, k, pre_approval) in steps {
            let (me, them) = if bob_sends { (1, 0) } else { (0, 1) };
            let out = outbound(kinds[k], a[me], pre_approval);
            a[me] = out.state;
            if out.route {
                let got = inbound(kinds[k], a[them]);
                a[them] = got.state;
                if got.auto_reply {
                    // The server answers `subscribed` for the recipient.
                    a[me] = inbound(Kind::Subscribed, a[me]).state;
                }
            }
            prop_assert_eq!(a[0].to, a[1].from, "{:?}", a);
            prop_assert_eq!(a[1].to, a[0].from, "{:?}", a);
            for side in a {
                prop_assert!(!(side.to && side.pending_out), "{:?}", a);
            }
            prop_assert_eq!(a[0].pending_out, a[1].pending_in, "{:?}", a);
            prop_assert_eq!(a[1].pending_out, a[0].pending_in, "{:?}", a);
        }
    }
}

fn subscription(w: &mut World, i: usize, contact: &str) -> (String, bool) {
    w.send(
        i,
        "<iq type='get' id='r'><query xmlns='jabber:iq:roster'/></iq>",
    );
    let got = w.take(i);
    let result = got.iter().find(|s| s.attr("id") == Some("r")).unwrap();
    let item = result
        .get_child("query", "jabber:iq:roster")
        .unwrap()
        .children()
        .find(|c| c.attr("jid") == Some(contact));
    match item {
        Some(i) => (
            i.attr("subscription").unwrap().to_owned(),
            i.attr("ask").is_some(),
        ),
        None => ("none".into(), false),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// The same through the whole server, with real sessions: the rosters both users fetch agree.
    #[test]
    fn the_server_keeps_both_rosters_consistent(steps in proptest::collection::vec((any::<bool>(), 0usize..4), 0..12)) {
        let kinds = ["subscribe", "subscribed", "unsubscribe", "unsubscribed"];
        let mut w = World::new(|_| {});
        let alice = w.login("alice", "a", 0);
        let bob = w.login("bob", "b", 0);
        for (bob_sends, k) in steps {
            let (from, to) = if bob_sends { (bob, "alice") } else { (alice, "bob") };
            w.send(from, &format!("<presence to='{to}@example.com' type='{}'/>", kinds[k]));
        }
        let (a, a_ask) = subscription(&mut w, alice, "bob@example.com");
        let (b, b_ask) = subscription(&mut w, bob, "alice@example.com");
        let sees = |s: &str| (s == "to" || s == "both", s == "from" || s == "both");
        prop_assert_eq!(sees(&a).0, sees(&b).1, "alice {} / bob {}", a, b);
        prop_assert_eq!(sees(&b).0, sees(&a).1, "alice {} / bob {}", a, b);
        prop_assert!(!(a_ask && sees(&a).0), "alice {} asks", a);
        prop_assert!(!(b_ask && sees(&b).0), "bob {} asks", b);
    }
}
