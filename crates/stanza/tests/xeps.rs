//! The shared XEPs, with their own examples written out as vectors, and their error cases.

use minidom::Element;
use xmppkit_stanza::data_forms::{DataForm, Field, FieldType, FormType};
use xmppkit_stanza::delay::Delay;
use xmppkit_stanza::disco::{DiscoInfo, DiscoItems};
use xmppkit_stanza::forwarding::Forwarded;
use xmppkit_stanza::hints::Hint;
use xmppkit_stanza::rsm::Set;
use xmppkit_stanza::sid::{OriginId, StanzaId};
use xmppkit_stanza::{Message, ParseError};

fn el(s: &str) -> Element {
    s.parse().unwrap()
}

/// Parse, check, serialize, and compare with the original element.
fn round_trip<T>(element: Element) -> T
where
    T: TryFrom<Element, Error = ParseError> + Into<Element> + Clone + std::fmt::Debug,
{
    let value = T::try_from(element.clone()).unwrap();
    assert_eq!(value.clone().into(), element);
    value
}

#[test]
fn xep0004_form_example() {
    // XEP-0004 §9 Example 2 (abridged): a configuration form.
    let form: DataForm = round_trip(el("<x xmlns='jabber:x:data' type='form'>\
        <title>Bot Configuration</title>\
        <instructions>Fill out this form to configure your new bot!</instructions>\
        <field type='hidden' var='FORM_TYPE'><value>jabber:bot</value></field>\
        <field type='fixed'><value>Section 1: Bot Info</value></field>\
        <field type='text-single' label='The name of your bot' var='botname'/>\
        <field type='text-multi' label='Helpful description of your bot' var='description'/>\
        <field type='boolean' label='Public bot?' var='public'><required/></field>\
        <field type='text-private' label='Password for special access' var='password'/>\
        <field type='list-multi' label='What features will the bot support?' var='features'>\
        <value>news</value><value>search</value>\
        <option label='Contests'><value>contests</value></option>\
        <option label='News'><value>news</value></option></field>\
        <field type='list-single' label='Maximum number of subscribers' var='maxsubs'><value>20</value>\
        <option label='10'><value>10</value></option><option label='20'><value>20</value></option></field>\
        <field type='jid-multi' label='People to invite' var='invitelist'><desc>Tell all your friends about your new bot!</desc></field>\
        </x>"));
    assert_eq!(form.type_, FormType::Form);
    assert_eq!(form.form_type(), Some("jabber:bot"));
    assert!(form.field("public").unwrap().required);
    assert_eq!(form.field("features").unwrap().values, ["news", "search"]);
    assert_eq!(form.field("features").unwrap().options.len(), 2);
    assert_eq!(
        form.field("invitelist").unwrap().type_,
        Some(FieldType::JidMulti)
    );
    assert_eq!(form.fields[1].var, None);
}

#[test]
fn xep0004_multi_item_result() {
    // XEP-0004 §3.4 / Example 8: a result with reported fields and items.
    let form: DataForm = round_trip(el("<x xmlns='jabber:x:data' type='result'>\
        <title>Joogle Search: verona</title>\
        <field var='name'/><field var='url'/>\
        <reported><field label='Name' var='name'/><field label='URL' var='url'/></reported>\
        <item><field var='name'><value>Comune di Verona - Benvenuti nel sito ufficiale</value></field>\
        <field var='url'><value>http://www.comune.verona.it/</value></field></item>\
        </x>"));
    assert_eq!(form.reported.as_ref().unwrap().len(), 2);
    assert_eq!(form.items[0][1].values[0], "http://www.comune.verona.it/");
}

#[test]
fn xep0004_errors() {
    assert!(matches!(
        DataForm::try_from(el("<x xmlns='jabber:x:data'/>")),
        Err(ParseError::MissingAttribute {
            attribute: "type",
            ..
        })
    ));
    assert!(DataForm::try_from(el("<x xmlns='jabber:x:data' type='bogus'/>")).is_err());
    assert!(DataForm::try_from(el(
        "<x xmlns='jabber:x:data' type='form'><field type='text-single'/></x>"
    ))
    .is_err());
    assert!(DataForm::try_from(el(
        "<x xmlns='jabber:x:data' type='form'><field var='a' type='nope'/></x>"
    ))
    .is_err());
    let f = Field::new("b", ["1"]);
    assert_eq!(f.as_bool(), Some(true));
}

#[test]
fn xep0030_info_result() {
    // XEP-0030 Example 2.
    let info: DiscoInfo = round_trip(el("<query xmlns='http://jabber.org/protocol/disco#info'>\
        <identity category='conference' type='text' name='Play-Specific Chatrooms'/>\
        <identity category='directory' type='chatroom' name='Play-Specific Chatrooms'/>\
        <feature var='http://jabber.org/protocol/disco#info'/>\
        <feature var='http://jabber.org/protocol/disco#items'/>\
        <feature var='http://jabber.org/protocol/muc'/>\
        <feature var='jabber:iq:register'/><feature var='jabber:iq:search'/>\
        <feature var='jabber:iq:time'/><feature var='jabber:iq:version'/></query>"));
    assert_eq!(info.identities.len(), 2);
    assert_eq!(
        info.identities[0].name.as_deref(),
        Some("Play-Specific Chatrooms")
    );
    assert!(info.has_feature("http://jabber.org/protocol/muc"));
    assert_eq!(info.features.len(), 7);
    // Example 1: the request, and a node query (Example 8).
    let request: DiscoInfo =
        round_trip(el("<query xmlns='http://jabber.org/protocol/disco#info'/>"));
    assert_eq!(request, DiscoInfo::default());
    let node: DiscoInfo = round_trip(el("<query xmlns='http://jabber.org/protocol/disco#info' node='http://jabber.org/protocol/commands'/>"));
    assert_eq!(
        node.node.as_deref(),
        Some("http://jabber.org/protocol/commands")
    );
    assert!(DiscoInfo::try_from(el(
        "<query xmlns='http://jabber.org/protocol/disco#info'><identity type='x'/></query>"
    ))
    .is_err());
    assert!(DiscoInfo::try_from(el(
        "<query xmlns='http://jabber.org/protocol/disco#info'><feature/></query>"
    ))
    .is_err());
}

#[test]
fn xep0030_items_result() {
    // XEP-0030 Example 10.
    let items: DiscoItems = round_trip(el(
        "<query xmlns='http://jabber.org/protocol/disco#items'>\
        <item jid='people.shakespeare.lit' name='Directory of Characters'/>\
        <item jid='plays.shakespeare.lit' name='Play-Specific Chatrooms'/>\
        <item jid='mim.shakespeare.lit' name='Gateway to Marlowe IM'/>\
        <item jid='words.shakespeare.lit' name='Shakespearean Lexicon'/>\
        <item jid='globe.shakespeare.lit' name='Calendar of Performances'/>\
        <item jid='headlines.shakespeare.lit' name='Latest Shakespearean News'/>\
        <item jid='catalog.shakespeare.lit' name='Buy Shakespeare Stuff!'/>\
        <item jid='en2fr.shakespeare.lit' name='French Translation Service'/></query>",
    ));
    assert_eq!(items.items.len(), 8);
    assert_eq!(items.items[0].jid.as_str(), "people.shakespeare.lit");
    assert!(DiscoItems::try_from(el(
        "<query xmlns='http://jabber.org/protocol/disco#items'><item/></query>"
    ))
    .is_err());
}

#[test]
fn xep0059_rsm() {
    // XEP-0059 Example 1 (request) and Example 2 (result page).
    let req: Set = round_trip(el(
        "<set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set>",
    ));
    assert_eq!(req.max, Some(10));
    let res: Set = round_trip(el("<set xmlns='http://jabber.org/protocol/rsm'>\
        <first index='0'>stpeter@jabber.org</first><last>peterpan@neverland.lit</last><count>800</count></set>"));
    assert_eq!(res.last.as_deref(), Some("peterpan@neverland.lit"));
    // Example 3: the next page; Example 8: the last page (empty before).
    let next: Set = round_trip(el("<set xmlns='http://jabber.org/protocol/rsm'><max>10</max><after>peterpan@neverland.lit</after></set>"));
    assert_eq!(next.after.as_deref(), Some("peterpan@neverland.lit"));
    let last: Set = round_trip(el(
        "<set xmlns='http://jabber.org/protocol/rsm'><max>10</max><before/></set>",
    ));
    assert_eq!(last.before.as_deref(), Some(""));
    // §2.6: jump to an index.
    let index: Set = round_trip(el(
        "<set xmlns='http://jabber.org/protocol/rsm'><max>10</max><index>371</index></set>",
    ));
    assert_eq!(index.index, Some(371));
    assert!(Set::try_from(el(
        "<set xmlns='http://jabber.org/protocol/rsm'><max>-1</max></set>"
    ))
    .is_err());
    assert!(Set::try_from(el(
        "<set xmlns='http://jabber.org/protocol/rsm'><first index='x'>a</first></set>"
    ))
    .is_err());
}

#[test]
fn xep0203_delay() {
    // XEP-0203 Example 1 (the delay part).
    let d: Delay = round_trip(el("<delay xmlns='urn:xmpp:delay' from='capulet.com' stamp='2002-09-10T23:08:25Z'>Offline Storage</delay>"));
    assert_eq!(d.from.unwrap().as_str(), "capulet.com");
    let d: Delay = round_trip(el(
        "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:41:07.123Z'/>",
    ));
    assert_eq!(d.stamp.to_string(), "2002-09-10T23:41:07.123Z");
    assert!(matches!(
        Delay::try_from(el("<delay xmlns='urn:xmpp:delay' stamp='yesterday'/>")),
        Err(ParseError::BadAttribute {
            attribute: "stamp",
            ..
        })
    ));
    assert!(Delay::try_from(el("<delay xmlns='urn:xmpp:delay'/>")).is_err());
}

#[test]
fn xep0297_forwarded_in_a_message() {
    // XEP-0297 Example 1.
    let message = Message::try_from(el("<message xmlns='jabber:client' to='mercutio@verona.lit' \
        from='romeo@montague.lit/home' id='28gs'><body>A most courteous exposition!</body>\
        <forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
        <message from='juliet@capulet.lit/orchard' id='0202197' to='romeo@montague.lit' type='chat' xmlns='jabber:client'>\
        <body>Yet I should kill thee with much cherishing.</body>\
        <mood xmlns='http://jabber.org/protocol/mood'><amorous/></mood></message></forwarded></message>")).unwrap();
    let forwarded: Forwarded = message.payload().unwrap().unwrap();
    assert_eq!(
        forwarded.delay.as_ref().unwrap().stamp.to_string(),
        "2010-07-10T23:08:25Z"
    );
    let inner = Message::try_from(forwarded.stanza.clone()).unwrap();
    assert_eq!(
        inner.body(),
        Some("Yet I should kill thee with much cherishing.")
    );
    assert_eq!(
        Forwarded::try_from(Element::from(forwarded.clone())).unwrap(),
        forwarded
    );
    assert!(Forwarded::try_from(el("<forwarded xmlns='urn:xmpp:forward:0'/>")).is_err());
}

#[test]
fn xep0359_ids() {
    // XEP-0359 Example 1 and 2.
    let s: StanzaId = round_trip(el("<stanza-id xmlns='urn:xmpp:sid:0' id='de305d54-75b4-431b-adb2-eb6b9e546013' by='room@muc.example.com'/>"));
    assert_eq!(s.id, "de305d54-75b4-431b-adb2-eb6b9e546013");
    let o: OriginId = round_trip(el(
        "<origin-id xmlns='urn:xmpp:sid:0' id='de305d54-75b4-431b-adb2-eb6b9e546013'/>",
    ));
    assert_eq!(o.id, s.id);
    assert!(StanzaId::try_from(el("<stanza-id xmlns='urn:xmpp:sid:0' id='x'/>")).is_err());
    assert!(OriginId::try_from(el("<origin-id xmlns='urn:xmpp:sid:0'/>")).is_err());
}

#[test]
fn xep0334_hints() {
    // XEP-0334 Example 1 and the others by name.
    let message = Message::try_from(el("<message xmlns='jabber:client' to='juliet@capulet.lit/laptop' from='romeo@montague.lit/laptop'>\
        <thread>123</thread><no-permanent-store xmlns='urn:xmpp:hints'/><no-copy xmlns='urn:xmpp:hints'/></message>")).unwrap();
    assert_eq!(
        Hint::all_in(&message.payloads),
        [Hint::NoPermanentStore, Hint::NoCopy]
    );
    for h in Hint::ALL {
        let _: Hint = round_trip(h.into());
    }
    assert!(Hint::try_from(el("<no-such xmlns='urn:xmpp:hints'/>")).is_err());
}

/// XEP-0085 §5 examples 1-5 (abridged to the payloads that matter): the states in messages.
#[test]
fn xep0085_examples() {
    use xmppkit_stanza::chat_states::ChatState;
    let cases = [
        ("<message xmlns='jabber:client' from='bernardo@shakespeare.lit/pda' to='francisco@shakespeare.lit' type='chat'>\
          <body>Who's there?</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>", ChatState::Active),
        ("<message xmlns='jabber:client' from='francisco@shakespeare.lit/elsinore' to='bernardo@shakespeare.lit/pda' type='chat'>\
          <composing xmlns='http://jabber.org/protocol/chatstates'/></message>", ChatState::Composing),
        ("<message xmlns='jabber:client' from='francisco@shakespeare.lit/elsinore' to='bernardo@shakespeare.lit/pda' type='chat'>\
          <paused xmlns='http://jabber.org/protocol/chatstates'/></message>", ChatState::Paused),
        ("<message xmlns='jabber:client' from='bernardo@shakespeare.lit/pda' to='francisco@shakespeare.lit/elsinore' type='chat'>\
          <inactive xmlns='http://jabber.org/protocol/chatstates'/></message>", ChatState::Inactive),
        ("<message xmlns='jabber:client' from='bernardo@shakespeare.lit/pda' to='francisco@shakespeare.lit/elsinore' type='chat'>\
          <gone xmlns='http://jabber.org/protocol/chatstates'/></message>", ChatState::Gone),
    ];
    for (xml, state) in cases {
        let message = el(xml);
        assert_eq!(ChatState::of(&message), Some(state), "{xml}");
        let payload = message.children().last().unwrap().clone();
        assert_eq!(round_trip::<ChatState>(payload), state);
    }
    assert!(ChatState::try_from(el(
        "<typing xmlns='http://jabber.org/protocol/chatstates'/>"
    ))
    .is_err());
}

/// XEP-0184 §6 examples 3 and 4: a message asking for a receipt, and the receipt.
#[test]
fn xep0184_examples() {
    use xmppkit_stanza::receipts::Receipt;
    let asks = el(
        "<message xmlns='jabber:client' from='northumberland@shakespeare.lit/westminster' \
        id='richard2-4.1.247' to='kingrichard@royalty.england.lit/throne'>\
        <body>My lord, dispatch; read o'er these articles.</body>\
        <request xmlns='urn:xmpp:receipts'/></message>",
    );
    assert_eq!(Receipt::of(&asks), Some(Receipt::Request));
    let receipt = el(
        "<message xmlns='jabber:client' from='kingrichard@royalty.england.lit/throne' \
        id='bi29sg183b4v' to='northumberland@shakespeare.lit/westminster'>\
        <received xmlns='urn:xmpp:receipts' id='richard2-4.1.247'/></message>",
    );
    assert_eq!(
        Receipt::of(&receipt),
        Some(Receipt::Received {
            id: "richard2-4.1.247".into()
        })
    );
    let payload = receipt.children().next().unwrap().clone();
    assert_eq!(
        round_trip::<Receipt>(payload),
        Receipt::Received {
            id: "richard2-4.1.247".into()
        }
    );
    assert!(Receipt::try_from(el("<received xmlns='urn:xmpp:receipts'/>")).is_err());
}
