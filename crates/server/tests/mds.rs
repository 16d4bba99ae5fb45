//! XEP-0490 Message Displayed Synchronization through the server: the server-assist feature on
//! the account, a message carrying the MDS `<displayed/>` delivered without it (the chat marker
//! stays) and not archived with it, the item published on the user's PEP node under the chat's
//! JID and notified to the user's other device only (the node is whitelist: a contact
//! subscribed to the user's presence sees nothing), and the item read back on catch-up.

mod common;
use common::*;
use minidom::Element;

const MDS: &str = "urn:xmpp:mds:displayed:0";
const EVENT: &str = "http://jabber.org/protocol/pubsub#event";
const PUBSUB: &str = "http://jabber.org/protocol/pubsub";

fn mds_events(stanzas: &[Element]) -> Vec<(String, String)> {
    stanzas
        .iter()
        .filter(|s| s.name() == "message")
        .filter_map(|m| m.get_child("event", EVENT))
        .filter_map(|e| e.get_child("items", EVENT))
        .filter(|items| items.attr("node") == Some(MDS))
        .flat_map(|items| items.children())
        .map(|item| {
            let sid = item
                .get_child("displayed", MDS)
                .and_then(|d| d.get_child("stanza-id", "urn:xmpp:sid:0"))
                .and_then(|s| s.attr("id"))
                .unwrap_or_default();
            (
                item.attr("id").unwrap_or_default().to_owned(),
                sid.to_owned(),
            )
        })
        .collect()
}

#[test]
fn server_assist_publishes_for_the_users_devices_only() {
    let mut w = World::new(|_| {});
    let phone = w.login("alice", "phone", 0);
    let laptop = w.login("alice", "laptop", 0);
    let bob = w.login("bob", "pc", 0);
    // Bob is subscribed to Alice's presence (and she to his): a contact who would get her PEP
    // notifications of a presence node.
    w.send(phone, "<presence to='bob@example.com' type='subscribe'/>");
    w.send(bob, "<presence to='alice@example.com' type='subscribed'/>");
    w.send(bob, "<presence to='alice@example.com' type='subscribe'/>");
    w.send(phone, "<presence to='bob@example.com' type='subscribed'/>");
    for i in [phone, laptop, bob] {
        w.take(i);
    }

    // §2.5.2: the feature on the account.
    w.send(
        phone,
        "<iq type='get' id='d1' to='alice@example.com'>\
         <query xmlns='http://jabber.org/protocol/disco#info'/></iq>",
    );
    let info = w.take(phone);
    assert!(
        String::from(&info[0]).contains("urn:xmpp:mds:server-assist:0"),
        "{info:?}"
    );

    // §2.5.3, example 8: a chat marker to Bob and the MDS element in one message.
    w.send(
        phone,
        "<message to='bob@example.com' id='m1' type='chat'>\
         <displayed xmlns='urn:xmpp:chat-markers:0' id='the-msg-1'/>\
         <displayed xmlns='urn:xmpp:mds:displayed:0'>\
         <stanza-id xmlns='urn:xmpp:sid:0' by='alice@example.com' id='s-42'/></displayed></message>",
    );
    // Example 9: Bob gets the marker, not the MDS element.
    let to_bob = w.take(bob);
    let marker = to_bob
        .iter()
        .find(|s| s.name() == "message")
        .expect("the message goes on");
    assert!(marker.has_child("displayed", "urn:xmpp:chat-markers:0"));
    assert!(
        !marker.has_child("displayed", MDS),
        "{:?}",
        String::from(marker)
    );
    assert!(
        mds_events(&to_bob).is_empty(),
        "a contact never sees read state"
    );
    // Example 10: the other device is notified; the sending one gets no IQ result it never
    // asked for (it may get the notification too, as one of the account's resources).
    let to_laptop = w.take(laptop);
    assert_eq!(
        mds_events(&to_laptop),
        [("bob@example.com".to_owned(), "s-42".to_owned())]
    );
    let to_phone = w.take(phone);
    assert!(
        !to_phone.iter().any(|s| s.name() == "iq"),
        "{:?}",
        to_phone.iter().map(String::from).collect::<Vec<_>>()
    );

    // §2.4: catching up, and the node is closed to contacts.
    let items = "<iq type='get' id='c1' to='alice@example.com'>\
         <pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:mds:displayed:0'/></pubsub></iq>";
    w.send(laptop, items);
    let got = w.take(laptop);
    let item = got[0]
        .get_child("pubsub", PUBSUB)
        .and_then(|p| p.get_child("items", PUBSUB))
        .and_then(|i| i.get_child("item", PUBSUB))
        .expect("the item is kept");
    assert_eq!(item.attr("id"), Some("bob@example.com"));
    w.send(bob, items);
    let refused = w.take(bob);
    assert_eq!(
        refused[0].attr("type"),
        Some("error"),
        "whitelist: closed to contacts"
    );
}

#[test]
fn the_assist_element_never_reaches_the_archive_or_carbons() {
    let mut w = World::new(|_| {});
    let phone = w.login("alice", "phone", 0);
    let laptop = w.login("alice", "laptop", 0);
    let _bob = w.login("bob", "pc", 0);
    w.send(
        laptop,
        "<iq type='set' id='c'><enable xmlns='urn:xmpp:carbons:2'/></iq>",
    );
    w.take(laptop);
    w.send(
        phone,
        "<message to='bob@example.com' id='m2' type='chat'><body>seen, thanks</body>\
         <displayed xmlns='urn:xmpp:mds:displayed:0'>\
         <stanza-id xmlns='urn:xmpp:sid:0' by='alice@example.com' id='s-43'/></displayed></message>",
    );
    // The carbon copy of the sent message has no MDS element.
    let copies: Vec<String> = w
        .take(laptop)
        .iter()
        .filter(|s| s.has_child("sent", "urn:xmpp:carbons:2"))
        .map(String::from)
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert!(
        copies[0].contains("seen, thanks") && !copies[0].contains(MDS),
        "{copies:?}"
    );
    // Nor has the archived one.
    w.send(
        phone,
        "<iq type='set' id='q'><query xmlns='urn:xmpp:mam:2' queryid='q1'/></iq>",
    );
    let archived: Vec<String> = w
        .take(phone)
        .iter()
        .filter(|s| s.name() == "message" && String::from(*s).contains("seen, thanks"))
        .map(String::from)
        .collect();
    assert_eq!(archived.len(), 1);
    assert!(!archived[0].contains(MDS), "{archived:?}");
}

/// §2.2–§2.4 with the client helper on both devices: the phone displays and publishes, the
/// laptop applies the notification, an older position from the phone is ignored by the laptop,
/// and a third device catches up after login.
#[test]
fn two_devices_keep_one_forward_only_position() {
    use xmppkit_read_markers::mds::Displayed;
    use xmppkit_read_markers::mds_client::{catch_up, DisplayedPositions};
    let at =
        |id: &str| Displayed::new(id, "alice@example.com".parse::<xmppkit_jid::Jid>().unwrap());
    // Both devices hold the chat's history s1 < s2 < s3 (from the archive).
    let is_after = |a: &str, b: &str| a > b;
    let mut w = World::new(|_| {});
    let phone = w.login("alice", "phone", 0);
    let laptop = w.login("alice", "laptop", 0);
    let (mut on_phone, mut on_laptop) =
        (DisplayedPositions::default(), DisplayedPositions::default());
    let publish = |w: &mut World, pubsub: Element| {
        let mut iq = el("<iq type='set' id='p' to='alice@example.com'/>");
        iq.append_child(pubsub);
        w.send_el(phone, iq);
    };
    publish(
        &mut w,
        on_phone
            .display("bob@example.com", at("s2"), is_after)
            .unwrap(),
    );
    let moved: Vec<String> = w
        .take(laptop)
        .iter()
        .flat_map(|s| on_laptop.apply(s, is_after))
        .collect();
    assert_eq!(moved, ["bob@example.com"]);
    assert_eq!(on_laptop.get("bob@example.com").unwrap().id, "s2");
    // The phone does not publish what does not move it; a stale publication from elsewhere
    // (here forced) does not move the laptop back.
    assert!(on_phone
        .display("bob@example.com", at("s1"), is_after)
        .is_none());
    publish(
        &mut w,
        xmppkit_read_markers::mds::publish("bob@example.com", at("s1")),
    );
    let answers = w.take(phone);
    assert!(
        answers
            .iter()
            .any(|s| s.name() == "iq" && s.attr("type") == Some("result")),
        "the same publish-options are met again: {:?}",
        answers.iter().map(String::from).collect::<Vec<_>>()
    );
    let moved: Vec<String> = w
        .take(laptop)
        .iter()
        .flat_map(|s| on_laptop.apply(s, is_after))
        .collect();
    assert!(moved.is_empty());
    assert_eq!(on_laptop.get("bob@example.com").unwrap().id, "s2");
    // A device that logs in later catches up with what the node holds now (the last item).
    let tablet = w.login("alice", "tablet", 0);
    let mut get = el("<iq type='get' id='c' to='alice@example.com'/>");
    get.append_child(catch_up());
    w.send_el(tablet, get);
    let mut on_tablet = DisplayedPositions::default();
    let moved: Vec<String> = w
        .take(tablet)
        .iter()
        .flat_map(|s| on_tablet.apply(s, is_after))
        .collect();
    assert_eq!(moved, ["bob@example.com"]);
    assert_eq!(
        on_tablet.get("bob@example.com").unwrap().id,
        "s1",
        "what was published last"
    );
}
