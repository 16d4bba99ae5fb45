//! MongooseIM's inbox (`erlang-solutions.com:xmpp:inbox:0`) as its documentation shows it: the
//! plain and the filtered inbox request, the properties set of the archiving example and the
//! others, a result and a fin; bad values refused.

use minidom::Element;
use xmppkit_read_markers::esl_inbox::{
    fin, result, InboxRequest, Order, Properties, PropertiesQuery, ARCHIVE_BOX, NS, NS_CONVERSATION,
};
use xmppkit_stanza::forwarding::Forwarded;

fn el(xml: &str) -> Element {
    xml.parse().unwrap()
}

#[test]
fn the_inbox_requests() {
    let plain = InboxRequest::try_from(el(
        "<inbox xmlns='erlang-solutions.com:xmpp:inbox:0' queryid='b6'/>",
    ))
    .unwrap();
    assert_eq!(plain.queryid.as_deref(), Some("b6"));
    assert_eq!(
        (plain.order, plain.hidden_read, plain.boxed),
        (Order::Desc, false, None)
    );
    let filtered = InboxRequest::try_from(el(
        "<inbox xmlns='erlang-solutions.com:xmpp:inbox:0' queryid='b6'>\
         <x xmlns='jabber:x:data' type='form'>\
         <field type='hidden' var='FORM_TYPE'><value>erlang-solutions.com:xmpp:inbox:0</value></field>\
         <field type='list-single' var='order'><value>asc</value></field>\
         <field type='text-single' var='hidden_read'><value>true</value></field>\
         <field type='list-single' var='box'><value>inbox</value></field></x>\
         <set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set></inbox>",
    ))
    .unwrap();
    assert_eq!(filtered.order, Order::Asc);
    assert!(filtered.hidden_read);
    assert_eq!(filtered.boxed.as_deref(), Some("inbox"));
    assert_eq!(filtered.set.and_then(|s| s.max), Some(10));
    let archived = InboxRequest::try_from(el(
        "<inbox xmlns='erlang-solutions.com:xmpp:inbox:0'><x xmlns='jabber:x:data' type='submit'>\
         <field var='archive'><value>true</value></field>\
         <field var='start'><value>2018-07-10T12:00:00Z</value></field></x></inbox>",
    ))
    .unwrap();
    assert_eq!(archived.boxed.as_deref(), Some(ARCHIVE_BOX));
    assert!(archived.start.is_some());
    for bad in [
        "order'><value>sideways",
        "hidden_read'><value>maybe",
        "start'><value>yesterday",
    ] {
        let xml = format!(
            "<inbox xmlns='{NS}'><x xmlns='jabber:x:data' type='submit'><field var='{bad}</value></field></x></inbox>"
        );
        assert!(InboxRequest::try_from(el(&xml)).is_err(), "{xml}");
    }
}

#[test]
fn the_properties_set() {
    let archive = PropertiesQuery::try_from(el(
        "<query xmlns='erlang-solutions.com:xmpp:inbox:0#conversation' jid='bob@localhost'>\
         <box>archive</box></query>",
    ))
    .unwrap();
    assert_eq!(
        archive.jid.as_ref().map(|j| j.as_str()),
        Some("bob@localhost")
    );
    assert_eq!(archive.change.boxed.as_deref(), Some("archive"));
    let all = PropertiesQuery::try_from(el(
        "<query xmlns='erlang-solutions.com:xmpp:inbox:0#conversation' jid='bob@localhost'>\
         <archive>false</archive><mute>3600</mute><read>true</read></query>",
    ))
    .unwrap();
    assert_eq!(all.change.boxed.as_deref(), Some("inbox"));
    assert_eq!(all.change.mute_seconds, Some(3600));
    assert_eq!(all.change.read, Some(true));
    let form = PropertiesQuery::try_from(el(
        "<query xmlns='erlang-solutions.com:xmpp:inbox:0#conversation'/>",
    ))
    .unwrap();
    assert_eq!(form.jid, None);
    for bad in [
        "<mute>-1</mute>",
        "<mute>NaN</mute>",
        "<read>yes</read>",
        "<box/>",
    ] {
        let xml = format!("<query xmlns='{NS_CONVERSATION}' jid='bob@localhost'>{bad}</query>");
        assert!(PropertiesQuery::try_from(el(&xml)).is_err(), "{xml}");
    }
}

#[test]
fn a_result_and_a_fin() {
    let properties = Properties {
        boxed: "inbox".into(),
        muted_until: None,
        read: true,
    };
    let last = Forwarded {
        delay: None,
        stanza: el(
            "<message xmlns='jabber:client' type='chat' to='bob@localhost/res1' \
            from='alice@localhost/res1' id='123'><body>Hello</body></message>",
        ),
    };
    let r = result("b6", 0, last, &properties);
    assert_eq!(
        (r.attr("unread"), r.attr("queryid")),
        (Some("0"), Some("b6"))
    );
    let text = |name: &str| r.get_child(name, NS).map(|c| c.text());
    assert_eq!(
        (text("box"), text("archive"), text("mute"), text("read")),
        (
            Some("inbox".into()),
            Some("false".into()),
            Some("0".into()),
            Some("true".into())
        )
    );
    let f = fin(1, 0, 0);
    let count = |name: &str| f.get_child(name, NS).map(|c| c.text());
    assert_eq!(
        (
            count("count"),
            count("unread-messages"),
            count("active-conversations")
        ),
        (Some("1".into()), Some("0".into()), Some("0".into()))
    );
    let push = properties.push(&"bob@localhost".parse().unwrap());
    assert_eq!(
        (push.name(), push.attr("jid")),
        ("x", Some("bob@localhost"))
    );
}
