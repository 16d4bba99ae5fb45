//! XEP-0163 Personal Eventing: a user's own service at their bare JID, nodes created on first
//! publish by the account owner only, `presence` access by default, notifications to the
//! resources the server says want the namespace (+notify), and the last item on presence.

mod common;
use common::*;
use xmppkit_pubsub::Event;

const TUNE: &str = "http://jabber.org/protocol/tune";

fn publish_tune(w: &mut World, who: &str, to: Option<&str>) -> Out {
    w.pep(who, to, "set", &format!("<publish node='{TUNE}'><item id='current'>\
        <tune xmlns='{TUNE}'><artist>Gerald Finzi</artist><title>Introduction</title></tune></item></publish>"))
}

#[test]
fn the_first_publish_creates_the_node_and_notifies_interested_contacts() {
    let mut w = World::new();
    // XEP-0163 §4: horatio (subscribed to hamlet's presence) and hamlet's own other resource
    // want tune notifications.
    w.roster
        .presence
        .insert(("hamlet@denmark.lit".into(), "horatio@denmark.lit".into()));
    w.roster.interested.insert(
        ("hamlet@denmark.lit".into(), TUNE.into()),
        vec![
            "horatio@denmark.lit/castle".into(),
            "hamlet@denmark.lit/library".into(),
        ],
    );
    let out = publish_tune(&mut w, HAMLET, None);
    assert!(out.ok(), "{out:?}");
    assert_eq!(
        out.recipients(),
        ["hamlet@denmark.lit/library", "horatio@denmark.lit/castle"]
    );
    let m = &out.0[1];
    assert_eq!(m.attr("from"), Some("hamlet@denmark.lit"));
    let Event::Items { node, items, .. } = xmppkit_pubsub::client::event(m).unwrap() else {
        panic!()
    };
    assert_eq!(node, TUNE);
    assert_eq!(items[0].payload.as_ref().unwrap().name(), "tune");
}

#[test]
fn only_the_account_owner_publishes_to_its_pep_service() {
    let mut w = World::new();
    let out = publish_tune(&mut w, HORATIO, Some("hamlet@denmark.lit"));
    assert_eq!(out.outcome(), "forbidden");
}

#[test]
fn pep_nodes_default_to_presence_access_and_keep_one_item() {
    let mut w = World::new();
    publish_tune(&mut w, HAMLET, None);
    publish_tune(&mut w, HAMLET, None);
    let items = |w: &mut World, who: &str| {
        w.pep(
            who,
            Some("hamlet@denmark.lit"),
            "get",
            &format!("<items node='{TUNE}'/>"),
        )
    };
    assert_eq!(
        items(&mut w, HORATIO).outcome(),
        "not-authorized/presence-subscription-required"
    );
    w.roster
        .presence
        .insert(("hamlet@denmark.lit".into(), "horatio@denmark.lit".into()));
    let out = items(&mut w, HORATIO);
    assert!(out.ok());
    assert_eq!(String::from(&out.payload()).matches("<item ").count(), 1);
}

#[test]
fn subscribers_get_the_last_item_when_they_come_online() {
    let mut w = World::new();
    w.roster
        .presence
        .insert(("hamlet@denmark.lit".into(), "horatio@denmark.lit".into()));
    publish_tune(&mut w, HAMLET, None);
    let out = w.pep(
        HORATIO,
        Some("hamlet@denmark.lit"),
        "set",
        &format!("<subscribe node='{TUNE}' jid='horatio@denmark.lit'/>"),
    );
    assert!(out.ok());
    let service = "hamlet@denmark.lit".parse().unwrap();
    let last =
        w.ps.presence_available(&service, &"horatio@denmark.lit/castle".parse().unwrap());
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].attr("to"), Some("horatio@denmark.lit/castle"));
}

/// XEP-0163 §4.3 with XEP-0060 §4.5: notifications go only to those the access model lets
/// retrieve the items. A `whitelist` node (XEP-0490 read state, XEP-0402 bookmarks) notifies
/// the owner's own resources, never a contact who wants the namespace; a contact without a
/// presence subscription gets nothing from a `presence` node.
#[test]
fn notifications_respect_the_access_model() {
    const MDS: &str = "urn:xmpp:mds:displayed:0";
    let mut w = World::new();
    w.roster
        .presence
        .insert(("hamlet@denmark.lit".into(), "horatio@denmark.lit".into()));
    w.roster.interested.insert(
        ("hamlet@denmark.lit".into(), MDS.into()),
        vec![
            "horatio@denmark.lit/castle".into(),
            "hamlet@denmark.lit/library".into(),
        ],
    );
    let out = w.pep(
        HAMLET,
        None,
        "set",
        &format!(
            "<publish node='{MDS}'><item id='ophelia@denmark.lit'>\
             <displayed xmlns='{MDS}'><stanza-id xmlns='urn:xmpp:sid:0' by='hamlet@denmark.lit' id='s1'/></displayed>\
             </item></publish>\
             <publish-options><x xmlns='jabber:x:data' type='submit'>\
             <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#publish-options</value></field>\
             <field var='pubsub#access_model'><value>whitelist</value></field></x></publish-options>"
        ),
    );
    assert!(out.ok(), "{out:?}");
    assert_eq!(out.recipients(), ["hamlet@denmark.lit/library"]);

    // Without the presence subscription, a contact gets nothing from a presence node either.
    let mut w = World::new();
    w.roster.interested.insert(
        ("hamlet@denmark.lit".into(), TUNE.into()),
        vec!["horatio@denmark.lit/castle".into()],
    );
    let out = publish_tune(&mut w, HAMLET, None);
    assert!(out.ok(), "{out:?}");
    assert!(out.recipients().is_empty(), "{:?}", out.recipients());
}
