//! The `urn:xmpp:unread` elements as the ejabberd-unread concept paper shows them (stanza API
//! section): each request example decodes to its typed form and writes back the same; the
//! counts list is read in this server's form and in ejabberd-unread's; bad elements are
//! refused with the attribute at fault.

use minidom::Element;
use xmppkit_read_markers::unread::{
    counts_element, counts_in, first_unread_element, first_unread_in, AckUpto, FirstUnread,
    UnreadAck, UnreadCount, UnreadQuery, UnreadState,
};

fn el(xml: &str) -> Element {
    xml.parse().unwrap()
}

#[test]
fn ack_one_message_in_a_room_and_in_a_chat() {
    for (jid, id) in [
        ("test@conference.example.com", "1523085730748465"),
        ("bob@example.com", "1523085730748465"),
    ] {
        let xml = format!("<ack xmlns='urn:xmpp:unread' id='{id}' jid='{jid}'/>");
        let ack = UnreadAck::try_from(el(&xml)).unwrap();
        assert_eq!(ack.jid.as_str(), jid);
        assert_eq!(ack.upto, AckUpto::Message(id.into()));
        assert_eq!(Element::from(ack), el(&xml));
    }
}

#[test]
fn ack_all() {
    let ack = UnreadAck::try_from(el(
        "<ack xmlns='urn:xmpp:unread' id='all' jid='bob@example.com'/>",
    ))
    .unwrap();
    assert_eq!(ack.upto, AckUpto::All);
}

#[test]
fn bad_acks_are_refused() {
    for xml in [
        "<ack xmlns='urn:xmpp:unread' id='1'/>",
        "<ack xmlns='urn:xmpp:unread' jid='bob@example.com'/>",
        "<ack xmlns='urn:xmpp:unread' id=' ' jid='bob@example.com'/>",
        "<ack xmlns='urn:xmpp:unread' id='1' jid='bob@example.com/phone'/>",
        "<ack xmlns='urn:xmpp:read-markers' id='1' jid='bob@example.com'/>",
    ] {
        assert!(UnreadAck::try_from(el(xml)).is_err(), "{xml}");
    }
}

#[test]
fn queries_own_and_peers_view() {
    let own = UnreadQuery::try_from(el("<query xmlns='urn:xmpp:unread'/>")).unwrap();
    assert_eq!(own, UnreadQuery::default());
    let peers = el("<query xmlns='urn:xmpp:unread' jid='muc@conference.example.com'/>");
    let query = UnreadQuery::try_from(peers.clone()).unwrap();
    assert_eq!(
        query.jid.as_ref().map(|j| j.as_str()),
        Some("muc@conference.example.com")
    );
    assert_eq!(Element::from(query), peers);
}

#[test]
fn the_counts_list_both_ways() {
    let counts = vec![
        UnreadCount {
            jid: "room42@conference.example.com".parse().unwrap(),
            amount: 5,
        },
        UnreadCount {
            jid: "bob@example.com".parse().unwrap(),
            amount: 2,
        },
    ];
    // Ours: inside <query/>.
    let mut iq = el("<iq xmlns='jabber:client' type='result' id='q'/>");
    iq.append_child(counts_element(counts.clone()));
    assert_eq!(counts_in(&iq).unwrap(), counts);
    // Theirs: the children of the IQ.
    let theirs = el("<iq xmlns='jabber:client' type='result' id='q'>\
        <unread-messages xmlns='urn:xmpp:unread' jid='room42@conference.example.com' amount='5'/>\
        <unread-messages xmlns='urn:xmpp:unread' jid='bob@example.com' amount='2'/></iq>");
    assert_eq!(counts_in(&theirs).unwrap(), counts);
    let bad = el("<iq xmlns='jabber:client' type='result' id='q'>\
        <unread-messages xmlns='urn:xmpp:unread' jid='bob@example.com' amount='-2'/></iq>");
    assert!(counts_in(&bad).is_err());
}

#[test]
fn the_mam_unread_tag() {
    for (xml, state) in [
        ("<unread xmlns='urn:xmpp:unread' state='true'/>", true),
        ("<unread xmlns='urn:xmpp:unread' state='false'/>", false),
    ] {
        let tag = UnreadState::try_from(&el(xml)).unwrap();
        assert_eq!(tag, UnreadState(state));
        assert_eq!(Element::from(tag), el(xml));
    }
    assert!(
        UnreadState::try_from(&el("<unread xmlns='urn:xmpp:unread' state='true/false'/>")).is_err()
    );
}

#[test]
fn the_peers_view_both_ways() {
    let firsts = vec![
        FirstUnread {
            jid: "bob@example.com".parse().unwrap(),
            id: "1568719009427128".into(),
        },
        FirstUnread {
            jid: "john@example.com".parse().unwrap(),
            id: "1568719009428999".into(),
        },
    ];
    let theirs = el("<iq xmlns='jabber:client' type='result' id='q'>\
        <unread-message xmlns='urn:xmpp:unread' jid='bob@example.com' id='1568719009427128'/>\
        <unread-message xmlns='urn:xmpp:unread' jid='john@example.com' id='1568719009428999'/></iq>");
    assert_eq!(first_unread_in(&theirs).unwrap(), firsts);
    let mut ours = el("<iq xmlns='jabber:client' type='result' id='q'/>");
    ours.append_child(first_unread_element(
        &"muc@conference.example.com".parse().unwrap(),
        firsts.clone(),
    ));
    assert_eq!(first_unread_in(&ours).unwrap(), firsts);
    let bad = el("<iq xmlns='jabber:client' type='result' id='q'>\
        <unread-message xmlns='urn:xmpp:unread' jid='bob@example.com'/></iq>");
    assert!(first_unread_in(&bad).is_err(), "no id");
}
