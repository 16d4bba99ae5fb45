//! §7 publisher use cases: publishing with and without an item id, notifications with and
//! without payload, transient nodes, payload rules, preconditions, auto-creation, and
//! retracting with its permissions and notifications.

mod common;
use common::*;
use xmppkit_pubsub::{Event, NodeStore, PubSub, PubSubConfig};

fn published_id(out: &Out) -> String {
    let PubSub::Publish { items, .. } = PubSub::try_from(out.payload()).unwrap() else {
        panic!()
    };
    items[0].id.clone().unwrap()
}

fn subscribed() -> World {
    let mut w = World::new();
    w.create("");
    w.subscribe(FRANCISCO);
    w.subscribe(BERNARDO);
    w
}

#[test]
fn publishing_notifies_every_subscriber_with_the_payload() {
    let mut w = subscribed();
    // §7.1.2 Example 99–101.
    let out = w.publish(HAMLET, "ae890ac52d0df67ed7cfdf51b644e901", "Soliloquy");
    assert_eq!(published_id(&out), "ae890ac52d0df67ed7cfdf51b644e901");
    assert_eq!(
        out.recipients(),
        ["bernardo@denmark.lit", "francisco@denmark.lit"]
    );
    for (_, event) in out.events() {
        let Event::Items { node, items, .. } = event else {
            panic!()
        };
        assert_eq!(node, NODE);
        assert_eq!(items[0].payload.as_ref().unwrap().name(), "entry");
    }
    let m = &out.0[1];
    assert_eq!(m.attr("from"), Some(SERVICE));
    assert_eq!(m.attr("type"), Some("headline"));
}

#[test]
fn the_service_names_items_published_without_an_id() {
    let mut w = subscribed();
    // §7.1.2 Example 98.
    let out = w.pubsub(
        HAMLET,
        "set",
        &format!(
            "<publish node='{NODE}'><item>\
        <entry xmlns='http://www.w3.org/2005/Atom'/></item></publish>"
        ),
    );
    let id = published_id(&out);
    assert!(!id.is_empty());
    let Event::Items { items, .. } = &out.events()[0].1 else {
        panic!()
    };
    assert_eq!(items[0].id.as_deref(), Some(id.as_str()));
}

#[test]
fn notification_only_nodes_send_no_payload_and_transient_nodes_keep_nothing() {
    let mut w = World::new();
    w.create(&field("deliver_payloads", "0"));
    w.subscribe(FRANCISCO);
    let out = w.publish(HAMLET, "x", "X");
    let Event::Items { items, .. } = &out.events()[0].1 else {
        panic!()
    };
    assert_eq!(items[0].id.as_deref(), Some("x"));
    assert_eq!(items[0].payload, None);

    let mut w = World::new();
    w.create(&(field("persist_items", "0") + &field("deliver_payloads", "0")));
    w.subscribe(FRANCISCO);
    // §7.1.3.6 a transient notification node takes no item …
    assert_eq!(
        w.publish(HAMLET, "x", "X").outcome(),
        "bad-request/item-forbidden"
    );
    // … but an empty publish, notified as an empty <items/>.
    let out = w.pubsub(HAMLET, "set", &format!("<publish node='{NODE}'/>"));
    assert!(out.ok());
    assert_eq!(out.events().len(), 1);
    // §6.5.9.5 nothing to retrieve.
    assert_eq!(
        w.items(FRANCISCO, "").outcome(),
        "feature-not-implemented/unsupported"
    );
}

#[test]
fn payload_rules_of_7_1_3() {
    let mut w = World::new();
    w.create(&field("type", "http://www.w3.org/2005/Atom"));
    // Persistent node without item: item-required.
    let out = w.pubsub(HAMLET, "set", &format!("<publish node='{NODE}'/>"));
    assert_eq!(out.outcome(), "bad-request/item-required");
    // Payload node without payload: payload-required.
    let out = w.pubsub(
        HAMLET,
        "set",
        &format!("<publish node='{NODE}'><item id='1'/></publish>"),
    );
    assert_eq!(out.outcome(), "bad-request/payload-required");
    // Two payloads, or the wrong namespace: invalid-payload.
    let out = w.pubsub(HAMLET, "set", &format!("<publish node='{NODE}'><item id='1'><a xmlns='urn:a'/><b xmlns='urn:b'/></item></publish>"));
    assert_eq!(out.outcome(), "bad-request");
    let out = w.pubsub(HAMLET, "set", &format!("<publish node='{NODE}'><item id='1'><geoloc xmlns='http://jabber.org/protocol/geoloc'/></item></publish>"));
    assert_eq!(out.outcome(), "bad-request/invalid-payload");
    // Too big: payload-too-big.
    let mut w = World::with(PubSubConfig {
        max_payload: 100,
        ..PubSubConfig::default()
    });
    w.create("");
    let out = w.publish(HAMLET, "big", &"x".repeat(200));
    assert_eq!(out.outcome(), "not-acceptable/payload-too-big");
}

#[test]
fn only_publishers_publish_under_the_publishers_model() {
    let mut w = subscribed();
    // §7.1.3.1
    assert_eq!(w.publish(FRANCISCO, "x", "X").outcome(), "forbidden");
    w.owner(HAMLET, "set", &format!("<affiliations node='{NODE}'><affiliation jid='francisco@denmark.lit' affiliation='publisher'/></affiliations>"));
    assert!(w.publish(FRANCISCO, "x", "X").ok());
    // §7.1.3.3 no such node, without auto-create.
    let mut w = World::with(PubSubConfig {
        auto_create: false,
        ..PubSubConfig::default()
    });
    let out = w.pubsub(HAMLET, "set", "<publish node='nowhere'><item><entry xmlns='http://www.w3.org/2005/Atom'/></item></publish>");
    assert_eq!(out.outcome(), "item-not-found");
}

#[test]
fn publish_options_are_preconditions() {
    let mut w = subscribed();
    let with_options = |access: &str| {
        format!("<publish node='{NODE}'><item id='p'><entry xmlns='http://www.w3.org/2005/Atom'/></item></publish>\
        <publish-options><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'>\
        <value>http://jabber.org/protocol/pubsub#publish-options</value></field>\
        <field var='pubsub#access_model'><value>{access}</value></field></x></publish-options>")
    };
    // §7.1.5: met, then not met (conflict + precondition-not-met).
    assert!(w.pubsub(HAMLET, "set", &with_options("open")).ok());
    assert_eq!(
        w.pubsub(HAMLET, "set", &with_options("whitelist"))
            .outcome(),
        "conflict/precondition-not-met"
    );
    // Unknown fields are refused.
    let out = w.pubsub(HAMLET, "set", &format!("<publish node='{NODE}'><item><entry xmlns='http://www.w3.org/2005/Atom'/></item></publish>\
        <publish-options><x xmlns='jabber:x:data' type='submit'><field var='pubsub#colour'><value>red</value></field></x></publish-options>"));
    assert_eq!(out.outcome(), "bad-request/invalid-options");
    // §7.1.4 + §7.1.5: auto-creation takes the preconditions as configuration.
    let out = w.pubsub(
        HAMLET,
        "set",
        &with_options("whitelist").replace(NODE, "fresh"),
    );
    assert!(out.ok());
    let node =
        w.ps.store()
            .nodes(&SERVICE.parse().unwrap())
            .find(|n| n.id == "fresh")
            .unwrap()
            .config
            .access_model;
    assert_eq!(node, xmppkit_pubsub::AccessModel::Whitelist);
}

/// The options a node was auto-created with are met by the next publication with the same
/// ones, whatever their spelling: `max_items` `max` (held as the limit), booleans as `1`. The
/// XEP-0490 and XEP-0223 profiles publish this way every time.
#[test]
fn the_same_publish_options_are_met_again() {
    let mut w = subscribed();
    let publish = |id: &str, persist: &str| {
        format!("<publish node='private'><item id='{id}'><entry xmlns='http://www.w3.org/2005/Atom'/></item></publish>\
        <publish-options><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'>\
        <value>http://jabber.org/protocol/pubsub#publish-options</value></field>\
        <field var='pubsub#persist_items'><value>{persist}</value></field>\
        <field var='pubsub#max_items'><value>max</value></field>\
        <field var='pubsub#send_last_published_item'><value>never</value></field>\
        <field var='pubsub#access_model'><value>whitelist</value></field></x></publish-options>")
    };
    assert!(w.pubsub(HAMLET, "set", &publish("a", "true")).ok());
    let again = w.pubsub(HAMLET, "set", &publish("b", "1"));
    assert!(again.ok(), "{again:?}");
    // A different value is still not met.
    let other = publish("c", "true").replace("<value>max</value>", "<value>5</value>");
    assert_eq!(
        w.pubsub(HAMLET, "set", &other).outcome(),
        "conflict/precondition-not-met"
    );
}

#[test]
fn retracting_follows_the_affiliation_table_and_notifies() {
    let mut w = subscribed();
    w.owner(
        HAMLET,
        "set",
        &format!(
            "<affiliations node='{NODE}'>\
        <affiliation jid='horatio@denmark.lit' affiliation='publish-only'/></affiliations>"
        ),
    );
    w.publish(HAMLET, "hamlets", "H");
    w.publish(HORATIO, "horatios", "O");
    let retract = |w: &mut World, who: &str, id: &str| {
        w.pubsub(
            who,
            "set",
            &format!("<retract node='{NODE}' notify='true'><item id='{id}'/></retract>"),
        )
    };
    // §7.2.3.1 a subscriber may not; publish-only only its own.
    assert_eq!(retract(&mut w, FRANCISCO, "hamlets").outcome(), "forbidden");
    assert_eq!(retract(&mut w, HORATIO, "hamlets").outcome(), "forbidden");
    let out = retract(&mut w, HORATIO, "horatios");
    assert!(out.ok());
    // §7.2.2.1 the retraction is notified.
    let Event::Items { retracts, .. } = &out.events()[0].1 else {
        panic!()
    };
    assert_eq!(retracts, &["horatios"]);
    assert_eq!(
        out.recipients(),
        ["bernardo@denmark.lit", "francisco@denmark.lit"]
    );
    // §7.2.3.3 no such item; §7.2.3.4 no item at all.
    assert_eq!(retract(&mut w, HAMLET, "nope").outcome(), "item-not-found");
    let out = w.pubsub(HAMLET, "set", &format!("<retract node='{NODE}'/>"));
    assert_eq!(out.outcome(), "bad-request/item-required");
}
