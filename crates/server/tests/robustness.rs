//! Whatever a logged-in user sends (stanzas built from the pieces every handler reads: kinds,
//! types, addresses good and bad, and the payloads of rosters, blocking, registration, carbons,
//! MAM, PubSub, disco and ping), the server neither panics nor loops, keeps every other user
//! served, and keeps what waits for each connection under the bound.

mod common;
use common::*;
use proptest::prelude::*;

const TYPES: &[&str] = &[
    "",
    "chat",
    "normal",
    "headline",
    "groupchat",
    "error",
    "get",
    "set",
    "result",
    "subscribe",
    "subscribed",
    "unsubscribe",
    "unsubscribed",
    "probe",
    "unavailable",
    "bogus",
];
const TOS: &[&str] = &[
    "",
    "alice@example.com",
    "alice@example.com/a",
    "bob@example.com",
    "bob@example.com/b",
    "bob@example.com/none",
    "example.com",
    "nobody@example.com",
    "elsewhere.example",
    "@@bad",
];
const PAYLOADS: &[&str] = &[
    "",
    "<body>hi</body>",
    "<query xmlns='jabber:iq:roster'/>",
    "<query xmlns='jabber:iq:roster' ver='3'/>",
    "<query xmlns='jabber:iq:roster'><item jid='bob@example.com' name='B'><group>G</group></item></query>",
    "<query xmlns='jabber:iq:roster'><item jid='bob@example.com' subscription='remove'/></query>",
    "<query xmlns='jabber:iq:roster'><item jid='@@'/></query>",
    "<blocklist xmlns='urn:xmpp:blocking'/>",
    "<block xmlns='urn:xmpp:blocking'><item jid='bob@example.com'/></block>",
    "<block xmlns='urn:xmpp:blocking'><item jid='@@'/></block>",
    "<unblock xmlns='urn:xmpp:blocking'/>",
    "<query xmlns='jabber:iq:register'><username>alice</username><password>new</password></query>",
    "<query xmlns='jabber:iq:register'/>",
    "<enable xmlns='urn:xmpp:carbons:2'/>",
    "<query xmlns='urn:xmpp:mam:2'/>",
    "<pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='n'><item><x xmlns='y'/></item></publish></pubsub>",
    "<query xmlns='http://jabber.org/protocol/disco#info'/>",
    "<query xmlns='http://jabber.org/protocol/disco#items'/>",
    "<ping xmlns='urn:xmpp:ping'/>",
    "<priority>-3</priority>",
    "<x xmlns='urn:example'/>",
];

fn stanza() -> impl Strategy<Value = String> {
    (
        0usize..3,
        0..TYPES.len(),
        0..TOS.len(),
        0..PAYLOADS.len(),
        0u8..9,
    )
        .prop_map(|(kind, t, to, payload, id)| {
            let name = ["message", "presence", "iq"][kind];
            let mut attrs = format!(" id='x{id}'");
            if !TYPES[t].is_empty() {
                attrs.push_str(&format!(" type='{}'", TYPES[t]));
            }
            if !TOS[to].is_empty() {
                attrs.push_str(&format!(" to='{}'", TOS[to]));
            }
            format!("<{name}{attrs}>{}</{name}>", PAYLOADS[payload])
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_mix_of_stanzas_is_handled(stanzas in proptest::collection::vec(stanza(), 1..25)) {
        let mut w = World::new(|c| c.max_queued_bytes = 16 * 1024);
        let alice = w.login("alice", "a", 0);
        let bob = w.login("bob", "b", 0);
        for xml in &stanzas {
            let el: minidom::Element = el(xml);
            // The client session refuses some of these itself; the rest go to the server.
            let _ = w.clients[alice].session.send(el);
            w.run();
        }
        for c in &w.clients {
            let waiting: usize = c.backlog.iter().map(|(_, s)| *s).sum();
            prop_assert!(waiting <= 16 * 1024);
        }
        // Bob is still served.
        let carol = w.login("carol", "c", 0);
        w.take(bob);
        w.send(carol, "<message to='bob@example.com/b' type='chat'><body>still here</body></message>");
        prop_assert_eq!(w.bodies(bob), vec!["still here".to_owned()]);
    }
}
