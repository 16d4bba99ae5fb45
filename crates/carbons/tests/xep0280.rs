//! XEP-0280 examples as vectors, the §6.1 rules one by one, forged-carbon rejection, and a
//! round trip of the wrappers.

use minidom::Element;
use proptest::prelude::*;
use xmppkit_carbons::*;
use xmppkit_jid::{BareJid, FullJid};

fn el(s: &str) -> Element {
    s.parse().unwrap()
}

fn full(s: &str) -> FullJid {
    s.parse().unwrap()
}

fn romeo() -> BareJid {
    "romeo@montague.example".parse().unwrap()
}

const JULIET_TO_GARDEN: &str = "<message xmlns='jabber:client' from='juliet@capulet.example/balcony' \
    to='romeo@montague.example/garden' type='chat'><body>What man art thou that, thus bescreen'd in \
    night, so stumblest on my counsel?</body><thread>0e3141cd80894871a68e6fe6b1ec56fa</thread></message>";

const HOME_TO_JULIET: &str = "<message xmlns='jabber:client' from='romeo@montague.example/home' \
    to='juliet@capulet.example/balcony' type='chat'><body>Neither, fair saint, if either thee \
    dislike.</body><thread>0e3141cd80894871a68e6fe6b1ec56fa</thread></message>";

#[test]
fn example_enable_and_disable() {
    // Examples 3 and 5 (enable / disable requests).
    let enable = el(
        "<iq xmlns='jabber:client' from='romeo@montague.example/garden' id='enable1' \
        type='set'><enable xmlns='urn:xmpp:carbons:2'/></iq>",
    );
    let payload = enable.children().next().unwrap().clone();
    assert_eq!(Toggle::try_from(payload).unwrap(), Toggle::Enable);
    let disable = el("<disable xmlns='urn:xmpp:carbons:2'/>");
    assert_eq!(Toggle::try_from(disable).unwrap(), Toggle::Disable);
    assert!(Toggle::try_from(el("<enable xmlns='urn:xmpp:carbons:1'/>")).is_err());
    let built: Element = toggle_iq("enable1", Toggle::Enable).into();
    assert_eq!(built.attr("type"), Some("set"));
    assert!(built.has_child("enable", NS));
}

#[test]
fn example_received_copy() {
    // Juliet writes to romeo/garden; romeo/home has carbons on and gets example 8's copy.
    let original = el(JULIET_TO_GARDEN);
    let garden = full("romeo@montague.example/garden");
    let home = full("romeo@montague.example/home");
    let out = copies(
        &original,
        Direction::Received,
        &romeo(),
        [&garden, &home],
        std::slice::from_ref(&garden),
    );
    let expected = el(&format!(
        "<message xmlns='jabber:client' from='romeo@montague.example' \
         to='romeo@montague.example/home' type='chat'><received xmlns='urn:xmpp:carbons:2'>\
         <forwarded xmlns='urn:xmpp:forward:0'>{JULIET_TO_GARDEN}</forwarded></received></message>"
    ));
    assert_eq!(out, vec![expected.clone()]);
    // The client at home unwraps it.
    let carbon = unwrap(&expected, &romeo()).unwrap().unwrap();
    assert_eq!(carbon.direction, Direction::Received);
    assert_eq!(carbon.forwarded.stanza, original);
}

#[test]
fn example_sent_copy() {
    let original = el(HOME_TO_JULIET);
    let garden = full("romeo@montague.example/garden");
    let home = full("romeo@montague.example/home");
    let out = copies(
        &original,
        Direction::Sent,
        &romeo(),
        [&garden, &home],
        std::slice::from_ref(&home),
    );
    let expected = el(&format!(
        "<message xmlns='jabber:client' from='romeo@montague.example' \
         to='romeo@montague.example/garden' type='chat'><sent xmlns='urn:xmpp:carbons:2'>\
         <forwarded xmlns='urn:xmpp:forward:0'>{HOME_TO_JULIET}</forwarded></sent></message>"
    ));
    assert_eq!(out, vec![expected]);
}

#[test]
fn example_forged_carbon_is_rejected() {
    let forged = el(
        "<message xmlns='jabber:client' from='tybalt@capulet.example/home' \
        to='romeo@montague.example' type='chat'><received xmlns='urn:xmpp:carbons:2'>\
        <forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' \
        from='juliet@capulet.example/balcony' to='romeo@montague.example/garden' type='chat'>\
        <body>Thou shall meet me tonite, at our house's hall!</body></message></forwarded>\
        </received></message>",
    );
    match unwrap(&forged, &romeo()) {
        Some(Err(CarbonError::Forged { from, own })) => {
            assert_eq!(from.as_deref(), Some("tybalt@capulet.example/home"));
            assert_eq!(own, romeo());
        }
        other => panic!("{other:?}"),
    }
    // Our own full JID is not the account either: carbons come from the bare JID.
    let mut from_resource = forged.clone();
    xmppkit_stanza::set_attr(&mut from_resource, "from", "romeo@montague.example/home");
    assert!(matches!(
        unwrap(&from_resource, &romeo()),
        Some(Err(CarbonError::Forged { .. }))
    ));
    // No from at all is not the account's bare JID.
    let mut anonymous = forged;
    anonymous
        .attrs_mut()
        .retain(|_, name, _| name.as_str() != "from");
    assert!(matches!(
        unwrap(&anonymous, &romeo()),
        Some(Err(CarbonError::Forged { from: None, .. }))
    ));
    // A plain message is not a carbon.
    assert!(unwrap(&el(JULIET_TO_GARDEN), &romeo()).is_none());
    // A carbon from the right JID with a broken wrapper is malformed, not accepted.
    let broken = el(
        "<message xmlns='jabber:client' from='romeo@montague.example'>\
        <sent xmlns='urn:xmpp:carbons:2'/></message>",
    );
    assert!(matches!(
        unwrap(&broken, &romeo()),
        Some(Err(CarbonError::Malformed(_)))
    ));
}

#[test]
fn example_private_messages_are_not_copied() {
    let private = el("<message xmlns='jabber:client' from='romeo@montague.example/home' \
        to='juliet@capulet.example/balcony' type='chat'><body>Neither, fair saint, if either thee \
        dislike.</body><private xmlns='urn:xmpp:carbons:2'/><no-copy xmlns='urn:xmpp:hints'/></message>");
    assert!(!eligible(&private, Direction::Sent));
    assert!(!eligible(&private, Direction::Received));
    let no_copy_only = el("<message xmlns='jabber:client' type='chat'><body>x</body>\
        <no-copy xmlns='urn:xmpp:hints'/></message>");
    assert!(!eligible(&no_copy_only, Direction::Sent));
    assert_eq!(
        Private::try_from(el("<private xmlns='urn:xmpp:carbons:2'/>")),
        Ok(Private)
    );
}

/// §6.1, rule by rule; `(message, sent eligible, received eligible)`.
#[test]
fn eligibility_rules() {
    let cases = [
        ("<message xmlns='jabber:client' type='chat'/>", true, true),
        ("<message xmlns='jabber:client'><body>hi</body></message>", true, true),
        ("<message xmlns='jabber:client' type='normal'/>", false, false),
        ("<message xmlns='jabber:client' type='normal'><received xmlns='urn:xmpp:receipts' id='1'/></message>", true, true),
        ("<message xmlns='jabber:client'><displayed xmlns='urn:xmpp:chat-markers:0' id='1'/></message>", true, true),
        ("<message xmlns='jabber:client' type='headline'><body>news</body></message>", false, false),
        ("<message xmlns='jabber:client' type='headline'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>", true, true),
        ("<message xmlns='jabber:client' type='groupchat'><body>hi</body></message>", false, false),
        ("<message xmlns='jabber:client' type='error'><body>hi</body><error type='cancel'/></message>", true, true),
        ("<message xmlns='jabber:client' type='error'><error type='cancel'/></message>", false, false),
        // A private message in a room: copied when sent, not when received (§6.1 MUC rules).
        ("<message xmlns='jabber:client' type='chat'><body>psst</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>", true, false),
        // Invitations, direct (XEP-0249) and mediated.
        ("<message xmlns='jabber:client'><x xmlns='jabber:x:conference' jid='room@muc.example'/></message>", true, true),
        ("<message xmlns='jabber:client'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='a@b.example'/></x></message>", true, true),
        // A carbon is never copied again.
        ("<message xmlns='jabber:client' type='chat'><sent xmlns='urn:xmpp:carbons:2'/></message>", false, false),
        // Not a message.
        ("<presence xmlns='jabber:client'/>", false, false),
    ];
    for (xml, sent, received) in cases {
        let message = el(xml);
        assert_eq!(eligible(&message, Direction::Sent), sent, "sent: {xml}");
        assert_eq!(
            eligible(&message, Direction::Received),
            received,
            "received: {xml}"
        );
        // The same rules read from the bytes' index, and the same copies written around them.
        let raw = raw(xml);
        for direction in [Direction::Sent, Direction::Received] {
            assert_eq!(
                eligible(&raw, direction),
                eligible(&message, direction),
                "{direction:?} on bytes: {xml}"
            );
            let user = romeo();
            let enabled = [
                full("romeo@montague.example/home"),
                full("romeo@montague.example/garden"),
            ];
            let exclude = [enabled[0].clone()];
            let trees = copies(&message, direction, &user, &enabled, &exclude);
            let bytes: Vec<Element> = copies_raw(&raw, direction, &user, &enabled, &exclude)
                .into_iter()
                .map(|(to, bytes)| {
                    let copy = parse_client(&bytes);
                    assert_eq!(copy.attr("to"), Some(to.as_str()));
                    copy
                })
                .collect();
            assert_eq!(bytes, trees, "{direction:?} copies of {xml}");
        }
    }
}

/// `xml` as a server that routes bytes holds it (its own `xmlns` dropped, as in a stream).
fn raw(xml: &str) -> xmppkit_codec::RawStanza {
    let wire = xml.replacen(" xmlns='jabber:client'", "", 1);
    let mut decoder = xmppkit_codec::Decoder::fragments("jabber:client");
    decoder.feed(wire.as_bytes());
    match decoder.next_raw() {
        Ok(Some(xmppkit_codec::RawEvent::Stanza(s))) => s,
        other => panic!("{xml}: {other:?}"),
    }
}

/// Bytes written for a `jabber:client` stream, as a tree.
fn parse_client(bytes: &[u8]) -> Element {
    let mut decoder = xmppkit_codec::Decoder::fragments("jabber:client");
    decoder.feed(bytes);
    match decoder.next_event() {
        Ok(Some(xmppkit_codec::Event::Stanza(e))) => e,
        other => panic!("{other:?}"),
    }
}

#[test]
fn copies_go_only_to_the_users_other_enabled_resources() {
    let original = el(JULIET_TO_GARDEN);
    let garden = full("romeo@montague.example/garden");
    let home = full("romeo@montague.example/home");
    let stranger = full("mercutio@montague.example/street");
    // The home resource did not enable carbons: nothing.
    assert!(copies(
        &original,
        Direction::Received,
        &romeo(),
        [&garden],
        std::slice::from_ref(&garden)
    )
    .is_empty());
    // Someone else's resource in the enabled list never gets a copy.
    assert!(copies(&original, Direction::Received, &romeo(), [&stranger], &[]).is_empty());
    // A message to the bare JID delivered to both resources: no copies at all.
    let both = [garden.clone(), home.clone()];
    assert!(copies(
        &original,
        Direction::Received,
        &romeo(),
        [&garden, &home],
        &both
    )
    .is_empty());
    // A groupchat message: no copies.
    let groupchat = el("<message xmlns='jabber:client' type='groupchat'><body>x</body></message>");
    assert!(copies(&groupchat, Direction::Received, &romeo(), [&home], &[]).is_empty());
}

proptest! {
    #[test]
    fn carbon_round_trip(body in "[a-zA-Z0-9 <>&'\"]{1,40}", sent in any::<bool>()) {
        let mut message = el("<message xmlns='jabber:client' type='chat'/>");
        message.append_child(Element::builder("body", "jabber:client").append(body.as_str()).build());
        let carbon = Carbon {
            direction: if sent { Direction::Sent } else { Direction::Received },
            forwarded: xmppkit_stanza::forwarding::Forwarded { delay: None, stanza: message },
        };
        let bytes = xmppkit_codec::to_string(&Element::from(carbon.clone()));
        let parsed = Carbon::try_from(bytes.parse::<Element>().unwrap()).unwrap();
        prop_assert_eq!(parsed, carbon);
    }
}
