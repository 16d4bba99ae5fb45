//! PubSub and PEP nodes (XEP-0060 §4, XEP-0163): every part of a node (configuration,
//! affiliations, subscriptions with options, items in order, the last item) comes back as it
//! was, per service; changes made through `node_mut` and removals hold after a flush, and, for
//! a durable store, after reopening.

use crate::{bare, el};
use std::collections::VecDeque;
use xmppkit_pubsub::{
    AccessModel, Affiliation, Node, NodeConfig, NodeStore, SendLastItem, StoredItem, Sub,
    Subscription,
};
use xmppkit_stanza::data_forms::DataForm;
use xmppkit_stanza::datetime::DateTime;

fn item(n: i64) -> StoredItem {
    StoredItem {
        id: format!("item-{n}"),
        publisher: "hamlet@denmark.lit/elsinore".parse().expect("a JID"),
        payload: (n != 2).then(|| {
            el(&format!(
                "<entry xmlns='http://www.w3.org/2005/Atom'><title>Soliloquy {n} &amp; more</title></entry>"
            ))
        }),
        stamp: DateTime::from_unix(1_071_340_202 + n, 0).expect("a time"),
    }
}

fn sample() -> Node {
    let config = NodeConfig {
        title: "Princely «Musings»".into(),
        description: "<of> & about".into(),
        access_model: AccessModel::Whitelist,
        roster_groups_allowed: vec!["friends".into(), "court".into()],
        max_items: 7,
        send_last_published_item: SendLastItem::OnSubAndPresence,
        payload_type: Some("http://www.w3.org/2005/Atom".into()),
        item_reply_publisher: true,
        notify_retract: false,
        ..NodeConfig::default()
    };
    let mut node = Node::new("princely_musings", config, bare("hamlet@denmark.lit"));
    node.affiliations
        .insert(bare("polonius@denmark.lit"), Affiliation::Publisher);
    node.affiliations
        .insert(bare("rosencrantz@denmark.lit"), Affiliation::Outcast);
    let options: DataForm = el(
        "<x xmlns='jabber:x:data' type='submit'>\
         <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#subscribe_options</value></field>\
         <field var='pubsub#deliver'><value>1</value></field></x>",
    )
    .try_into()
    .expect("a form");
    node.subscriptions = vec![
        Sub {
            jid: "francisco@denmark.lit".parse().expect("a JID"),
            subid: "ba49252aaa4f5d320c24d3766f0bdcade78c78d3".into(),
            state: Subscription::Subscribed,
            options: Some(options),
        },
        Sub {
            jid: "bernardo@denmark.lit/pda".parse().expect("a JID"),
            subid: "s2".into(),
            state: Subscription::Pending,
            options: None,
        },
    ];
    node.items = (0..3).map(item).collect::<VecDeque<_>>();
    node.last = Some(item(2));
    node
}

/// Runs the node rules on stores made by `open`, which opens the same storage each time (for
/// `durable` stores: what one flushed, the next sees).
pub fn nodes(open: &mut dyn FnMut() -> Box<dyn NodeStore>, durable: bool) {
    let service = bare("pubsub.shakespeare.lit");
    let pep = bare("hamlet@denmark.lit");
    let mut store = open();
    assert!(store.node(&service, "princely_musings").is_none());
    assert_eq!(store.count(&service), 0);

    let node = sample();
    store.insert(&service, node.clone()).expect("insert");
    let mut avatar = Node::new(
        "urn:xmpp:avatar:metadata",
        NodeConfig::default(),
        pep.clone(),
    );
    avatar.items.push_back(item(9));
    store.insert(&pep, avatar.clone()).expect("insert");
    store
        .insert(
            &service,
            Node::new("doomed", NodeConfig::default(), bare("hamlet@denmark.lit")),
        )
        .expect("insert");
    store.flush().expect("flush");
    assert_eq!(store.node(&service, "princely_musings"), Some(&node));
    assert_eq!(store.count(&service), 2);
    assert_eq!(store.count(&pep), 1, "services are apart");
    let ids: Vec<&str> = store.nodes(&service).map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["doomed", "princely_musings"], "by id");

    // A change through node_mut, and a removal.
    let changed = {
        let n = store
            .node_mut(&service, "princely_musings")
            .expect("the node");
        n.items.pop_front();
        n.items.push_back(item(3));
        n.subscriptions.remove(1);
        n.affiliations.remove(&bare("rosencrantz@denmark.lit"));
        n.config.title = "Retitled".into();
        n.clone()
    };
    assert!(store.remove(&service, "doomed").is_some());
    store.flush().expect("flush");
    assert_eq!(store.node(&service, "princely_musings"), Some(&changed));
    assert!(store.node(&service, "doomed").is_none());

    if durable {
        drop(store);
        let reopened = open();
        assert_eq!(
            reopened.node(&service, "princely_musings"),
            Some(&changed),
            "after reopening"
        );
        assert!(
            reopened.node(&service, "doomed").is_none(),
            "removed for good"
        );
        assert_eq!(
            reopened.node(&pep, "urn:xmpp:avatar:metadata"),
            Some(&avatar)
        );
        assert_eq!(reopened.count(&service), 1);
    }
}
