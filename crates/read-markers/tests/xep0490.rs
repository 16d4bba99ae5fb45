//! XEP-0490 (Message Displayed Synchronization 1.0) examples, written out (the published text
//! has two typos, `</display>` and a `<displayed` without its `>`, corrected here), decoded to
//! their typed form; the publication we build carries what §2.2 and §7 require.

use minidom::Element;
use xmppkit_read_markers::mds::{self, Displayed};
use xmppkit_stanza::data_forms::DataForm;

fn el(xml: &str) -> Element {
    xml.parse().unwrap()
}

fn displayed(id: &str, by: &str) -> Displayed {
    Displayed::new(id, by.parse::<xmppkit_jid::Jid>().unwrap())
}

/// The `<displayed/>` of each item of a `<publish/>` or `<items/>`, with the item id.
fn items(container: &Element) -> Vec<(String, Displayed)> {
    container
        .children()
        .filter(|c| c.name() == "item")
        .map(|item| {
            let payload = item.get_child("displayed", mds::NS).unwrap().clone();
            (
                item.attr("id").unwrap().to_owned(),
                Displayed::try_from(payload).unwrap(),
            )
        })
        .collect()
}

const PUBLISH_OPTIONS: &str = "<publish-options><x xmlns='jabber:x:data' type='submit'>\
    <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#publish-options</value></field>\
    <field var='pubsub#persist_items'><value>true</value></field>\
    <field var='pubsub#max_items'><value>max</value></field>\
    <field var='pubsub#send_last_published_item'><value>never</value></field>\
    <field var='pubsub#access_model'><value>whitelist</value></field>\
    </x></publish-options>";

/// Example 1: the client marks a chat as displayed; ours builds the same publication.
#[test]
fn example_1_publish() {
    let iq = el(&format!(
        "<iq xmlns='jabber:client' from='juliet@capulet.lit/balcony' type='set' id='flag-as-displayed-1'>\
         <pubsub xmlns='http://jabber.org/protocol/pubsub'>\
         <publish node='urn:xmpp:mds:displayed:0'><item id='romeo@montegue.lit'>\
         <displayed xmlns='urn:xmpp:mds:displayed:0'>\
         <stanza-id xmlns='urn:xmpp:sid:0' by='juliet@capulet.lit' id='0f710f2b-52ed-4d52-b928-784dad74a52b'/>\
         </displayed></item></publish>{PUBLISH_OPTIONS}</pubsub></iq>"
    ));
    let pubsub = iq.get_child("pubsub", mds::NS_PUBSUB).unwrap();
    let publish = pubsub.get_child("publish", mds::NS_PUBSUB).unwrap();
    assert_eq!(publish.attr("node"), Some(mds::NS));
    let expected = displayed("0f710f2b-52ed-4d52-b928-784dad74a52b", "juliet@capulet.lit");
    assert_eq!(
        items(publish),
        [("romeo@montegue.lit".to_owned(), expected.clone())]
    );
    let form = |p: &Element| {
        let x = p.get_child("publish-options", mds::NS_PUBSUB).unwrap();
        DataForm::try_from(x.get_child("x", "jabber:x:data").unwrap().clone()).unwrap()
    };
    let theirs = form(pubsub);

    let ours = mds::publish("romeo@montegue.lit", expected.clone());
    let our_publish = ours.get_child("publish", mds::NS_PUBSUB).unwrap();
    assert_eq!(our_publish.attr("node"), Some(mds::NS));
    assert_eq!(
        items(our_publish),
        [("romeo@montegue.lit".to_owned(), expected)]
    );
    let ours = form(&ours);
    for var in [
        "FORM_TYPE",
        "pubsub#persist_items",
        "pubsub#max_items",
        "pubsub#send_last_published_item",
        "pubsub#access_model",
    ] {
        assert_eq!(ours.value(var), theirs.value(var), "{var}");
    }
    assert_eq!(ours.value("pubsub#access_model"), Some("whitelist"));
}

/// Example 4: catching up, two chats (a contact's and a room's, whose id the room gave).
#[test]
fn example_4_catch_up() {
    let iq = el("<iq xmlns='jabber:client' type='result' to='juliet@capulet.lit/balcony' id='catchup-1'>\
         <pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:mds:displayed:0'>\
         <item id='romeo@montegue.lit'><displayed xmlns='urn:xmpp:mds:displayed:0'>\
         <stanza-id xmlns='urn:xmpp:sid:0' id='0f710f2b-52ed-4d52-b928-784dad74a52b' by='juliet@capulet.lit'/>\
         </displayed></item>\
         <item id='example@conference.shakespeare.lit'><displayed xmlns='urn:xmpp:mds:displayed:0'>\
         <stanza-id xmlns='urn:xmpp:sid:0' id='ca21deaf-812c-48f1-8f16-339a674f2864' by='example@conference.shakespeare.lit'/>\
         </displayed></item></items></pubsub></iq>");
    let list = iq
        .get_child("pubsub", mds::NS_PUBSUB)
        .and_then(|p| p.get_child("items", mds::NS_PUBSUB))
        .unwrap();
    assert_eq!(
        items(list),
        [
            (
                "romeo@montegue.lit".to_owned(),
                displayed("0f710f2b-52ed-4d52-b928-784dad74a52b", "juliet@capulet.lit")
            ),
            (
                "example@conference.shakespeare.lit".to_owned(),
                displayed(
                    "ca21deaf-812c-48f1-8f16-339a674f2864",
                    "example@conference.shakespeare.lit"
                )
            ),
        ]
    );
}

/// Examples 8-10: server assist. The server takes the MDS element out (the chat marker stays
/// and goes on to Romeo) and publishes it under the message's `to`.
#[test]
fn examples_8_to_10_server_assist() {
    let mut message = el("<message xmlns='jabber:client' to='romeo@montegue.lit'>\
         <displayed xmlns='urn:xmpp:chat-markers:0' id='the-msg-1'/>\
         <displayed xmlns='urn:xmpp:mds:displayed:0'>\
         <stanza-id xmlns='urn:xmpp:sid:0' by='juliet@capulet.lit' id='0423e3a9-d516-493d-bb06-bee0e51ab9fb'/>\
         </displayed></message>");
    let (chat, taken) = mds::take_server_assist(&mut message).unwrap();
    assert_eq!(chat, "romeo@montegue.lit");
    assert_eq!(
        taken,
        displayed("0423e3a9-d516-493d-bb06-bee0e51ab9fb", "juliet@capulet.lit")
    );
    // Example 9: what goes on to Romeo.
    assert!(!message.has_child("displayed", mds::NS));
    assert!(message.has_child("displayed", "urn:xmpp:chat-markers:0"));
    // Example 10: the notification Juliet's devices get carries the same item.
    let event = el("<message xmlns='jabber:client' from='juliet@capulet.lit' to='juliet@capulet.lit/balcony' type='headline' id='new-displayed-pep-event'>\
         <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:mds:displayed:0'>\
         <item id='romeo@montegue.lit'><displayed xmlns='urn:xmpp:mds:displayed:0'>\
         <stanza-id xmlns='urn:xmpp:sid:0' by='juliet@capulet.lit' id='0423e3a9-d516-493d-bb06-bee0e51ab9fb'/>\
         </displayed></item></items></event></message>");
    let list = event
        .get_child("event", "http://jabber.org/protocol/pubsub#event")
        .and_then(|e| e.get_child("items", "http://jabber.org/protocol/pubsub#event"))
        .unwrap();
    assert_eq!(items(list), [("romeo@montegue.lit".to_owned(), taken)]);
}

#[test]
fn a_message_without_it_is_left_alone_and_bad_ones_are_refused() {
    let mut plain =
        el("<message xmlns='jabber:client' to='romeo@montegue.lit'><body>hi</body></message>");
    let before = plain.clone();
    assert_eq!(mds::take_server_assist(&mut plain), None);
    assert_eq!(plain, before);
    // §2.1: exactly one stanza-id.
    let two = el("<displayed xmlns='urn:xmpp:mds:displayed:0'>\
         <stanza-id xmlns='urn:xmpp:sid:0' by='a@b' id='1'/><stanza-id xmlns='urn:xmpp:sid:0' by='a@b' id='2'/>\
         </displayed>");
    assert!(Displayed::try_from(two).is_err());
    let none = el("<displayed xmlns='urn:xmpp:mds:displayed:0'/>");
    assert!(Displayed::try_from(none).is_err());
    let no_id = el("<displayed xmlns='urn:xmpp:mds:displayed:0'><stanza-id xmlns='urn:xmpp:sid:0' by='a@b'/></displayed>");
    assert!(Displayed::try_from(no_id).is_err());
    // What slixmpp 1.17 publishes: no `by`. Read all the same; written back without it.
    let slixmpp = el("<displayed xmlns='urn:xmpp:mds:displayed:0'><stanza-id xmlns='urn:xmpp:sid:0' id='mds-1'/></displayed>");
    let read = Displayed::try_from(slixmpp.clone()).unwrap();
    assert_eq!((read.id.as_str(), read.by.as_ref()), ("mds-1", None));
    assert_eq!(Element::from(read), slixmpp);
    // An unreadable one is still taken out, so that it never reaches the recipient.
    let mut bad = el(
        "<message xmlns='jabber:client' to='romeo@montegue.lit'><body>hi</body>\
         <displayed xmlns='urn:xmpp:mds:displayed:0'/></message>",
    );
    assert_eq!(mds::take_server_assist(&mut bad), None);
    assert!(!bad.has_child("displayed", mds::NS));
}
