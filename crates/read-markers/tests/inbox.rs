//! XEP-0430 (Inbox 0.2) §Examples as test vectors: the query, each entry of the answer with
//! the MAM result that follows it, and the fin; each decodes to its typed form and writes back
//! an element that decodes the same. Bad attributes are refused.

use minidom::Element;
use xmppkit_mam::payload::ResultItem;
use xmppkit_read_markers::inbox::{InboxEntry, InboxFin, InboxQuery, NS};

fn el(xml: &str) -> Element {
    xml.parse().unwrap()
}

#[test]
fn example_query() {
    let iq = el("<iq xmlns='jabber:client' type='get' id='iq_stanza_id'>\
        <inbox xmlns='urn:xmpp:inbox:1'/></iq>");
    let query = InboxQuery::try_from(iq.get_child("inbox", NS).unwrap().clone()).unwrap();
    assert_eq!(query, InboxQuery::default());
    assert!(query.messages && !query.unread_only);
    let options = el(
        "<inbox xmlns='urn:xmpp:inbox:1' unread-only='true' messages='false'>\
        <set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set></inbox>",
    );
    let query = InboxQuery::try_from(options.clone()).unwrap();
    assert!(query.unread_only && !query.messages);
    assert_eq!(query.set.as_ref().and_then(|s| s.max), Some(10));
    assert_eq!(
        InboxQuery::try_from(Element::from(query.clone())).unwrap(),
        query
    );
    assert!(
        InboxQuery::try_from(el("<inbox xmlns='urn:xmpp:inbox:1' unread-only='maybe'/>")).is_err()
    );
}

#[test]
fn example_entries() {
    for (unread, jid, id, body) in [
        (
            5,
            "first_contact@example.net",
            "uuid-1",
            "Greetings from Alpha Centauri!",
        ),
        (
            0,
            "second_contact@example.net",
            "uuid-5",
            "Greetings from Mars!",
        ),
        (
            1,
            "third_contact@example.net",
            "uuid-8",
            "Greetings from Somewhere Else!",
        ),
    ] {
        let message = el(&format!(
            "<message xmlns='jabber:client'>\
             <entry xmlns='urn:xmpp:inbox:1' unread='{unread}' jid='{jid}' id='{id}'/>\
             <result xmlns='urn:xmpp:mam:2' queryid='iq_stanza_id' id='{id}'>\
             <forwarded xmlns='urn:xmpp:forward:0'>\
             <message xmlns='jabber:client' from='{jid}' to='user@example.org' type='chat'>\
             <body>{body}</body></message></forwarded></result></message>"
        ));
        let entry = InboxEntry::try_from(message.get_child("entry", NS).unwrap()).unwrap();
        assert_eq!(
            (entry.unread, entry.jid.as_str(), entry.id.as_str()),
            (unread, jid, id)
        );
        assert_eq!(
            InboxEntry::try_from(&Element::from(entry.clone())).unwrap(),
            entry
        );
        let result = message
            .get_child("result", "urn:xmpp:mam:2")
            .unwrap()
            .clone();
        let result = ResultItem::try_from(result).unwrap();
        assert_eq!(result.id, id, "the entry's id is its last message's");
        let forwarded = result.forwarded.stanza;
        assert_eq!(
            forwarded.get_child("body", "jabber:client").unwrap().text(),
            body
        );
    }
    assert!(InboxEntry::try_from(&el(
        "<entry xmlns='urn:xmpp:inbox:1' unread='-1' jid='a@b' id='x'/>"
    ))
    .is_err());
    assert!(InboxEntry::try_from(&el(
        "<entry xmlns='urn:xmpp:inbox:1' unread='1' jid='a@b/c' id='x'/>"
    ))
    .is_err());
}

#[test]
fn example_fin() {
    let iq = el("<iq xmlns='jabber:client' type='result' id='iq_stanza_id'>\
        <fin xmlns='urn:xmpp:inbox:1' total='3' unread='2' all-unread='6'/></iq>");
    let fin = InboxFin::try_from(iq.get_child("fin", NS).unwrap()).unwrap();
    assert_eq!((fin.total, fin.unread, fin.all_unread), (3, 2, 6));
    assert_eq!(
        InboxFin::try_from(&Element::from(fin.clone())).unwrap(),
        fin
    );
}
