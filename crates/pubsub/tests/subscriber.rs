//! §5–§6 subscriber use cases: subscribing under each access model, pending approval, the last
//! item on subscription, several subscriptions with subids, unsubscribing, options, retrieving
//! items (all, newest N, by id, paged), and one's own subscriptions and affiliations.

mod common;
use common::*;
use xmppkit_pubsub::{Event, PubSub, Subscription};

fn subscription(out: &Out) -> xmppkit_pubsub::SubscriptionInfo {
    match PubSub::try_from(out.payload()).unwrap() {
        PubSub::Subscription(s) => s,
        other => panic!("{other:?}"),
    }
}

fn item_ids(out: &Out) -> Vec<String> {
    match PubSub::try_from(out.payload()).unwrap() {
        PubSub::Items { items, .. } => items.into_iter().map(|i| i.id.unwrap()).collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn subscribing_to_an_open_node_is_immediate_and_sends_the_last_item() {
    let mut w = World::new();
    w.create("");
    w.publish(HAMLET, "first", "One");
    w.publish(HAMLET, "second", "Two");
    // §6.1.2 Example 33.
    let out = w.subscribe(FRANCISCO);
    let s = subscription(&out);
    assert_eq!(s.subscription, Some(Subscription::Subscribed));
    assert_eq!(s.jid.to_string(), "francisco@denmark.lit");
    assert!(s.subid.is_some());
    // §6.1.7: the last item follows, with a delay.
    let events = out.events();
    assert_eq!(events.len(), 1);
    let Event::Items { items, .. } = &events[0].1 else {
        panic!()
    };
    assert_eq!(items[0].id.as_deref(), Some("second"));
    assert!(out.0[1].get_child("delay", "urn:xmpp:delay").is_some());
    // Subscribing again returns the same subscription, without another last item.
    let again = w.subscribe(FRANCISCO);
    assert_eq!(subscription(&again).subid, s.subid);
}

#[test]
fn subscription_errors_follow_6_1_3() {
    let mut w = World::new();
    w.create("");
    // §6.1.3.1 another JID: bad-request + invalid-jid.
    let out = w.pubsub(
        FRANCISCO,
        "set",
        &format!("<subscribe node='{NODE}' jid='bernardo@denmark.lit'/>"),
    );
    assert_eq!(out.outcome(), "bad-request/invalid-jid");
    // §6.1.3.12 no such node.
    let out = w.pubsub(
        FRANCISCO,
        "set",
        "<subscribe node='nowhere' jid='francisco@denmark.lit'/>",
    );
    assert_eq!(out.outcome(), "item-not-found");
    // §6.1.3.8 outcast: forbidden.
    w.owner(HAMLET, "set", &format!("<affiliations node='{NODE}'><affiliation jid='francisco@denmark.lit' affiliation='outcast'/></affiliations>"));
    assert_eq!(w.subscribe(FRANCISCO).outcome(), "forbidden");
}

#[test]
fn access_models_decide_who_subscribes() {
    let mut w = World::new();
    w.create(&field("access_model", "presence"));
    // §6.1.3.2
    assert_eq!(
        w.subscribe(FRANCISCO).outcome(),
        "not-authorized/presence-subscription-required"
    );
    w.roster
        .presence
        .insert(("hamlet@denmark.lit".into(), "francisco@denmark.lit".into()));
    assert!(w.subscribe(FRANCISCO).ok());

    let mut w = World::new();
    w.create(&(field("access_model", "roster") + &field("roster_groups_allowed", "friends")));
    // §6.1.3.3
    assert_eq!(
        w.subscribe(FRANCISCO).outcome(),
        "not-authorized/not-in-roster-group"
    );
    w.roster.groups.insert(
        ("hamlet@denmark.lit".into(), "francisco@denmark.lit".into()),
        vec!["friends".into()],
    );
    assert!(w.subscribe(FRANCISCO).ok());

    let mut w = World::new();
    w.create(&field("access_model", "whitelist"));
    // §6.1.3.4
    assert_eq!(w.subscribe(FRANCISCO).outcome(), "not-allowed/closed-node");
    w.owner(HAMLET, "set", &format!("<affiliations node='{NODE}'><affiliation jid='francisco@denmark.lit' affiliation='member'/></affiliations>"));
    assert!(w.subscribe(FRANCISCO).ok());
}

#[test]
fn authorize_nodes_hold_subscriptions_pending_until_the_owner_approves() {
    let mut w = World::new();
    w.create(&field("access_model", "authorize"));
    w.publish(HAMLET, "first", "One");
    // §6.1.2 Example 34: pending, no last item.
    let out = w.subscribe(FRANCISCO);
    assert_eq!(subscription(&out).subscription, Some(Subscription::Pending));
    assert!(out.events().is_empty());
    // §6.1.3.7 a second request while pending.
    assert_eq!(
        w.subscribe(FRANCISCO).outcome(),
        "not-authorized/pending-subscription"
    );
    // §6.5.9.3 items need an approved subscription.
    assert_eq!(
        w.items(FRANCISCO, "").outcome(),
        "not-authorized/not-subscribed"
    );
    // §8.8.2 the owner approves; the subscriber is told (§8.8.4).
    let out = w.owner(
        HAMLET,
        "set",
        &format!(
            "<subscriptions node='{NODE}'>\
        <subscription jid='francisco@denmark.lit' subscription='subscribed'/></subscriptions>"
        ),
    );
    assert!(out.ok());
    let (to, Event::Subscription(s)) = &out.events()[0] else {
        panic!()
    };
    assert_eq!(to, "francisco@denmark.lit");
    assert_eq!(s.subscription, Some(Subscription::Subscribed));
    assert_eq!(item_ids(&w.items(FRANCISCO, "")), ["first"]);
}

#[test]
fn several_subscriptions_need_subids_to_unsubscribe() {
    let mut w = World::new();
    w.create("");
    let options =
        "<options><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'>\
        <value>http://jabber.org/protocol/pubsub#subscribe_options</value></field>\
        <field var='pubsub#deliver'><value>1</value></field></x></options>";
    let first = subscription(&w.subscribe(FRANCISCO));
    let second = subscription(&w.pubsub(
        FRANCISCO,
        "set",
        &format!("<subscribe node='{NODE}' jid='francisco@denmark.lit'/>{options}"),
    ));
    assert_ne!(first.subid, second.subid);
    // §6.2.3.1 subid required; §6.2.3.5 a wrong one.
    let unsubscribe = |w: &mut World, subid: &str| {
        w.pubsub(
            FRANCISCO,
            "set",
            &format!("<unsubscribe node='{NODE}' jid='francisco@denmark.lit'{subid}/>"),
        )
    };
    assert_eq!(
        unsubscribe(&mut w, "").outcome(),
        "bad-request/subid-required"
    );
    assert_eq!(
        unsubscribe(&mut w, " subid='nope'").outcome(),
        "not-acceptable/invalid-subid"
    );
    let subid = second.subid.unwrap();
    assert!(unsubscribe(&mut w, &format!(" subid='{subid}'")).ok());
    assert!(unsubscribe(&mut w, "").ok());
    // §6.2.3.2 no subscription left.
    assert_eq!(
        unsubscribe(&mut w, "").outcome(),
        "unexpected-request/not-subscribed"
    );
    // §6.2.3.3 someone else's.
    w.subscribe(FRANCISCO);
    let out = w.pubsub(
        BERNARDO,
        "set",
        &format!("<unsubscribe node='{NODE}' jid='francisco@denmark.lit'/>"),
    );
    assert_eq!(out.outcome(), "forbidden");
}

#[test]
fn subscription_options_are_served_and_stored() {
    let mut w = World::new();
    w.create("");
    w.subscribe(FRANCISCO);
    // §6.3.2
    let out = w.pubsub(
        FRANCISCO,
        "get",
        &format!("<options node='{NODE}' jid='francisco@denmark.lit'/>"),
    );
    let PubSub::Options {
        form: Some(form), ..
    } = PubSub::try_from(out.payload()).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        form.form_type(),
        Some("http://jabber.org/protocol/pubsub#subscribe_options")
    );
    assert_eq!(form.value("pubsub#deliver"), Some("1"));
    // §6.3.5 submit.
    let out = w.pubsub(
        FRANCISCO,
        "set",
        &format!(
            "<options node='{NODE}' jid='francisco@denmark.lit'>\
        <x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'>\
        <value>http://jabber.org/protocol/pubsub#subscribe_options</value></field>\
        <field var='pubsub#deliver'><value>0</value></field></x></options>"
        ),
    );
    assert!(out.ok());
    let out = w.pubsub(
        FRANCISCO,
        "get",
        &format!("<options node='{NODE}' jid='francisco@denmark.lit'/>"),
    );
    let PubSub::Options {
        form: Some(form), ..
    } = PubSub::try_from(out.payload()).unwrap()
    else {
        panic!()
    };
    assert_eq!(form.value("pubsub#deliver"), Some("0"));
    // §6.4 defaults.
    let out = w.pubsub(FRANCISCO, "get", "<default/>");
    assert!(out.ok());
}

#[test]
fn items_are_retrieved_all_newest_by_id_and_paged() {
    let mut w = World::new();
    w.create(&field("max_items", "3"));
    for (id, title) in [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")] {
        w.publish(HAMLET, id, title);
    }
    // max_items 3 keeps b, c, d (§7.1.3 the oldest go).
    assert_eq!(item_ids(&w.items(FRANCISCO, "")), ["b", "c", "d"]);
    // §6.5.7 the newest two.
    assert_eq!(item_ids(&w.items(FRANCISCO, " max_items='2'")), ["c", "d"]);
    // §6.5.8 by id.
    let out = w.pubsub(
        FRANCISCO,
        "get",
        &format!("<items node='{NODE}'><item id='c'/><item id='zzz'/></items>"),
    );
    assert_eq!(item_ids(&out), ["c"]);
    // XEP-0059 paging.
    let out = w.pubsub(
        FRANCISCO,
        "get",
        &format!(
            "<items node='{NODE}'/><set xmlns='http://jabber.org/protocol/rsm'><max>2</max></set>"
        ),
    );
    assert_eq!(item_ids(&out), ["b", "c"]);
    let out = w.pubsub(FRANCISCO, "get", &format!("<items node='{NODE}'/><set xmlns='http://jabber.org/protocol/rsm'><max>2</max><after>c</after></set>"));
    assert_eq!(item_ids(&out), ["d"]);
    // Republishing an id replaces the item and makes it newest.
    w.publish(HAMLET, "b", "B2");
    assert_eq!(item_ids(&w.items(FRANCISCO, "")), ["c", "d", "b"]);
    // §6.5.9.11 no such node.
    assert_eq!(
        w.pubsub(FRANCISCO, "get", "<items node='nowhere'/>")
            .outcome(),
        "item-not-found"
    );
}

#[test]
fn own_subscriptions_and_affiliations_are_listed() {
    let mut w = World::new();
    w.create("");
    w.subscribe(FRANCISCO);
    // §5.6
    let out = w.pubsub(FRANCISCO, "get", "<subscriptions/>");
    let PubSub::Subscriptions { list, .. } = PubSub::try_from(out.payload()).unwrap() else {
        panic!()
    };
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].node.as_deref(), Some(NODE));
    // §5.7
    let out = w.pubsub(HAMLET, "get", "<affiliations/>");
    let PubSub::Affiliations { list, .. } = PubSub::try_from(out.payload()).unwrap() else {
        panic!()
    };
    assert_eq!(
        list,
        [(NODE.to_owned(), xmppkit_pubsub::Affiliation::Owner)]
    );
}

#[test]
fn too_many_subscriptions_are_a_policy_violation() {
    let mut w = World::with(xmppkit_pubsub::PubSubConfig {
        max_subscriptions: 2,
        ..Default::default()
    });
    w.create("");
    let with_options = format!(
        "<subscribe node='{NODE}' jid='francisco@denmark.lit'/>\
        <options><x xmlns='jabber:x:data' type='submit'/></options>"
    );
    assert!(w.pubsub(FRANCISCO, "set", &with_options).ok());
    assert!(w.pubsub(FRANCISCO, "set", &with_options).ok());
    // §6.1.3.9
    let out = w.pubsub(FRANCISCO, "set", &with_options);
    assert_eq!(out.outcome(), "policy-violation/too-many-subscriptions");
}
