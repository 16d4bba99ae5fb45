//! §8 owner use cases: creating (instant, configured, conflicts, policy), configuring (form,
//! submission, notification), default configuration, deleting with redirect, purging, and the
//! subscription and affiliation lists.

mod common;
use common::*;
use xmppkit_pubsub::{CreatePolicy, Event, PubSub, PubSubConfig, PubSubOwner};

#[test]
fn creating_nodes() {
    let mut w = World::new();
    // §8.1.2 instant node: the id comes back.
    let out = w.pubsub(HAMLET, "set", "<create/>");
    let PubSub::Create { node: Some(id), .. } = PubSub::try_from(out.payload()).unwrap() else {
        panic!()
    };
    assert!(!id.is_empty());
    // §8.1.1 named; §8.1.3.3 conflict.
    w.create("");
    assert_eq!(
        w.pubsub(HAMLET, "set", &format!("<create node='{NODE}'/>"))
            .outcome(),
        "conflict"
    );
    // §8.1.3 a bad configuration: not-acceptable.
    let out = w.pubsub(
        HAMLET,
        "set",
        "<create node='other'/><configure><x xmlns='jabber:x:data' type='submit'>\
        <field var='pubsub#access_model'><value>secret</value></field></x></configure>",
    );
    assert_eq!(out.outcome(), "not-acceptable");
    // §8.1.3.1 creation not allowed.
    let mut w = World::with(PubSubConfig {
        create: CreatePolicy::Domains(vec!["elsinore.lit".into()]),
        ..PubSubConfig::default()
    });
    assert_eq!(
        w.pubsub(HAMLET, "set", "<create node='x'/>").outcome(),
        "forbidden"
    );
    let mut w = World::with(PubSubConfig {
        create: CreatePolicy::Nobody,
        ..PubSubConfig::default()
    });
    assert_eq!(
        w.pubsub(HAMLET, "set", "<create node='x'/>").outcome(),
        "feature-not-implemented/unsupported"
    );
}

#[test]
fn configuring_shows_the_form_applies_submissions_and_notifies() {
    let mut w = World::new();
    w.create(&field("notify_config", "1"));
    w.subscribe(FRANCISCO);
    // §8.2.1
    let out = w.owner(HAMLET, "get", &format!("<configure node='{NODE}'/>"));
    let PubSubOwner::Configure {
        form: Some(form), ..
    } = PubSubOwner::try_from(out.payload()).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        form.form_type(),
        Some("http://jabber.org/protocol/pubsub#node_config")
    );
    assert_eq!(form.value("pubsub#access_model"), Some("open"));
    // §8.2.3.2 only owners.
    assert_eq!(
        w.owner(FRANCISCO, "get", &format!("<configure node='{NODE}'/>"))
            .outcome(),
        "forbidden"
    );
    // §8.2.4 submit; §8.2.5 subscribers are told.
    let out = w.owner(
        HAMLET,
        "set",
        &format!(
            "<configure node='{NODE}'><x xmlns='jabber:x:data' type='submit'>\
        {}</x></configure>",
            field("title", "Princely Musings (Atom)")
        ),
    );
    assert!(out.ok());
    assert!(matches!(&out.events()[0].1, Event::Configuration { .. }));
    // §8.3 defaults.
    let out = w.owner(HAMLET, "get", "<default/>");
    assert!(out.ok());
}

#[test]
fn deleting_tells_subscribers_where_to_go() {
    let mut w = World::new();
    w.create("");
    w.subscribe(FRANCISCO);
    assert_eq!(
        w.owner(FRANCISCO, "set", &format!("<delete node='{NODE}'/>"))
            .outcome(),
        "forbidden"
    );
    // §8.4.2 Example 157–159.
    let out = w.owner(
        HAMLET,
        "set",
        &format!(
            "<delete node='{NODE}'><redirect uri='xmpp:hamlet@denmark.lit?;node=blog'/></delete>"
        ),
    );
    assert!(out.ok());
    let (to, Event::Delete { redirect, .. }) = &out.events()[0] else {
        panic!()
    };
    assert_eq!(to, "francisco@denmark.lit");
    assert_eq!(
        redirect.as_deref(),
        Some("xmpp:hamlet@denmark.lit?;node=blog")
    );
    assert_eq!(
        w.owner(HAMLET, "set", &format!("<delete node='{NODE}'/>"))
            .outcome(),
        "item-not-found"
    );
}

#[test]
fn purging_removes_every_item_and_notifies() {
    let mut w = World::new();
    w.create("");
    w.subscribe(FRANCISCO);
    w.publish(HAMLET, "a", "A");
    // §8.5.2
    let out = w.owner(HAMLET, "set", &format!("<purge node='{NODE}'/>"));
    assert!(out.ok());
    assert!(matches!(&out.events()[0].1, Event::Purge { .. }));
    let PubSub::Items { items, .. } = PubSub::try_from(w.items(FRANCISCO, "").payload()).unwrap()
    else {
        panic!()
    };
    assert!(items.is_empty());
    assert_eq!(
        w.owner(FRANCISCO, "set", &format!("<purge node='{NODE}'/>"))
            .outcome(),
        "forbidden"
    );
}

#[test]
fn owners_manage_subscriptions_and_affiliations() {
    let mut w = World::new();
    w.create("");
    w.subscribe(FRANCISCO);
    // §8.8.1
    let out = w.owner(HAMLET, "get", &format!("<subscriptions node='{NODE}'/>"));
    let PubSubOwner::Subscriptions { list, .. } = PubSubOwner::try_from(out.payload()).unwrap()
    else {
        panic!()
    };
    assert_eq!(list.len(), 1);
    // §8.8.2 remove one.
    let out = w.owner(HAMLET, "set", &format!("<subscriptions node='{NODE}'><subscription jid='francisco@denmark.lit' subscription='none'/></subscriptions>"));
    assert!(out.ok());
    assert_eq!(w.publish(HAMLET, "a", "A").events().len(), 0);
    // §8.9.1–2 affiliations; banning ends subscriptions.
    w.subscribe(BERNARDO);
    w.owner(
        HAMLET,
        "set",
        &format!(
            "<affiliations node='{NODE}'>\
        <affiliation jid='bernardo@denmark.lit' affiliation='outcast'/>\
        <affiliation jid='horatio@denmark.lit' affiliation='publisher'/></affiliations>"
        ),
    );
    assert_eq!(w.publish(HAMLET, "b", "B").events().len(), 0);
    let out = w.owner(HAMLET, "get", &format!("<affiliations node='{NODE}'/>"));
    let PubSubOwner::Affiliations { list, .. } = PubSubOwner::try_from(out.payload()).unwrap()
    else {
        panic!()
    };
    assert_eq!(list.len(), 3);
    // The last owner stays.
    let out = w.owner(HAMLET, "set", &format!("<affiliations node='{NODE}'><affiliation jid='hamlet@denmark.lit' affiliation='none'/></affiliations>"));
    assert_eq!(out.outcome(), "conflict");
}

#[test]
fn disco_lists_nodes_and_describes_each() {
    let mut w = World::new();
    w.create(&field("title", "Princely Musings (Atom)"));
    let out = w.iq_disco(HAMLET, "http://jabber.org/protocol/disco#items", None);
    let items = xmppkit_stanza::disco::DiscoItems::try_from(out.payload()).unwrap();
    assert_eq!(items.items[0].node.as_deref(), Some(NODE));
    assert_eq!(
        items.items[0].name.as_deref(),
        Some("Princely Musings (Atom)")
    );
    let out = w.iq_disco(HAMLET, "http://jabber.org/protocol/disco#info", Some(NODE));
    let info = xmppkit_stanza::disco::DiscoInfo::try_from(out.payload()).unwrap();
    assert_eq!(info.identities[0].type_, "leaf");
    assert_eq!(
        info.extensions[0].form_type(),
        Some("http://jabber.org/protocol/pubsub#meta-data")
    );
    let out = w.iq_disco(HAMLET, "http://jabber.org/protocol/disco#info", None);
    let info = xmppkit_stanza::disco::DiscoInfo::try_from(out.payload()).unwrap();
    assert!(info.has_feature("http://jabber.org/protocol/pubsub#publish-options"));
}
