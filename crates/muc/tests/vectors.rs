//! XEP-0045 examples as test vectors for the payload types (written out here), and property
//! round-trips: parse(serialize(x)) == x.

use minidom::Element;
use proptest::prelude::*;
use xmppkit_muc::*;
use xmppkit_stanza::data_forms::DataForm;

fn el(xml: &str) -> Element {
    xml.parse().unwrap_or_else(|e| panic!("{e}: {xml}"))
}

fn round_trip<T>(value: T)
where
    T: Clone + PartialEq + std::fmt::Debug + Into<Element> + TryFrom<Element>,
    <T as TryFrom<Element>>::Error: std::fmt::Debug,
{
    let back = T::try_from(value.clone().into()).unwrap();
    assert_eq!(back, value);
}

#[test]
fn example_18_join_with_password_and_history() {
    let x = Muc::try_from(el("<x xmlns='http://jabber.org/protocol/muc'>\
        <history maxchars='65000' maxstanzas='20' seconds='180' since='1970-01-01T00:00:00Z'/>\
        <password>cauldronburn</password></x>"))
    .unwrap();
    assert_eq!(x.password.as_deref(), Some("cauldronburn"));
    let h = x.history.clone().unwrap();
    assert_eq!(
        (h.maxchars, h.maxstanzas, h.seconds),
        (Some(65000), Some(20), Some(180))
    );
    assert_eq!(h.since.unwrap().to_string(), "1970-01-01T00:00:00Z");
    round_trip(x);
    assert!(Muc::try_from(el(
        "<x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='many'/></x>"
    ))
    .is_err());
}

#[test]
fn example_22_presence_items_of_existing_occupants() {
    let x = MucUser::try_from(el(
        "<x xmlns='http://jabber.org/protocol/muc#user'>\
        <item affiliation='owner' role='moderator' jid='crone1@shakespeare.lit/desktop'/></x>",
    ))
    .unwrap();
    assert_eq!(x.items[0].affiliation, Some(Affiliation::Owner));
    assert_eq!(
        x.items[0].jid.as_ref().unwrap().to_string(),
        "crone1@shakespeare.lit/desktop"
    );
    round_trip(x);
}

#[test]
fn example_24_self_presence_with_100_and_110() {
    let x = MucUser::try_from(el("<x xmlns='http://jabber.org/protocol/muc#user'>\
        <item affiliation='member' jid='hag66@shakespeare.lit/pda' role='participant'/>\
        <status code='100'/><status code='110'/><status code='210'/></x>"))
    .unwrap();
    assert_eq!(x.status, vec![100, 110, 210]);
    round_trip(x);
    assert!(MucUser::try_from(el(
        "<x xmlns='http://jabber.org/protocol/muc#user'><status code='1100'/></x>"
    ))
    .is_err());
    assert!(MucUser::try_from(el(
        "<x xmlns='http://jabber.org/protocol/muc#user'><status/></x>"
    ))
    .is_err());
}

#[test]
fn example_51_nick_change_unavailable_with_303() {
    let x = MucUser::try_from(el("<x xmlns='http://jabber.org/protocol/muc#user'>\
        <item affiliation='member' jid='hag66@shakespeare.lit/pda' nick='oldhag' role='participant'/>\
        <status code='303'/></x>")).unwrap();
    assert_eq!(x.items[0].nick.as_deref(), Some("oldhag"));
    assert!(x.has_status(status::NICK_CHANGED));
}

#[test]
fn example_56_and_57_invitations() {
    let sent = MucUser::try_from(el("<x xmlns='http://jabber.org/protocol/muc#user'>\
        <invite to='hecate@shakespeare.lit'><reason>Hey Hecate, this is the place for all good witches!</reason></invite></x>")).unwrap();
    assert_eq!(
        sent.invites[0].to.as_ref().unwrap().to_string(),
        "hecate@shakespeare.lit"
    );
    round_trip(sent);
    let delivered = MucUser::try_from(el("<x xmlns='http://jabber.org/protocol/muc#user'>\
        <invite from='crone1@shakespeare.lit/desktop'><reason>Hey Hecate, this is the place for all good witches!</reason></invite>\
        <password>cauldronburn</password></x>")).unwrap();
    assert_eq!(delivered.password.as_deref(), Some("cauldronburn"));
    round_trip(delivered);
}

#[test]
fn example_59_decline_and_62_continue() {
    let x = MucUser::try_from(el("<x xmlns='http://jabber.org/protocol/muc#user'>\
        <decline to='crone1@shakespeare.lit'><reason>Sorry, I'm too busy right now.</reason></decline></x>")).unwrap();
    assert_eq!(
        x.declines[0].reason.as_deref(),
        Some("Sorry, I'm too busy right now.")
    );
    round_trip(x);
    let x = MucUser::try_from(el("<x xmlns='http://jabber.org/protocol/muc#user'>\
        <invite to='hecate@shakespeare.lit'><reason>This coven needs both wiccarocks and hag66.</reason>\
        <continue thread='e0ffe42b28561960c6b12b944a092794b9683a38'/></invite></x>")).unwrap();
    assert_eq!(
        x.invites[0].continue_thread.as_deref(),
        Some("e0ffe42b28561960c6b12b944a092794b9683a38")
    );
    round_trip(x);
}

#[test]
fn example_91_kick_with_actor_and_reason() {
    let x = MucUser::try_from(el("<x xmlns='http://jabber.org/protocol/muc#user'>\
        <item affiliation='none' role='none'><actor nick='Fluellen'/><reason>Avaunt, you cullion!</reason></item>\
        <status code='110'/><status code='307'/></x>")).unwrap();
    let item = &x.items[0];
    assert_eq!(
        item.actor.as_ref().unwrap().nick.as_deref(),
        Some("Fluellen")
    );
    assert_eq!(item.reason.as_deref(), Some("Avaunt, you cullion!"));
    round_trip(x);
}

#[test]
fn example_113_ban_list_result() {
    let q = AdminQuery::try_from(el("<query xmlns='http://jabber.org/protocol/muc#admin'>\
        <item affiliation='outcast' jid='earlofcambridge@shakespeare.lit'><reason>Treason</reason></item></query>")).unwrap();
    assert_eq!(q.items[0].affiliation, Some(Affiliation::Outcast));
    assert_eq!(q.items[0].reason.as_deref(), Some("Treason"));
    round_trip(q);
    assert!(AdminQuery::try_from(el(
        "<query xmlns='http://jabber.org/protocol/muc#admin'><item role='king'/></query>"
    ))
    .is_err());
}

#[test]
fn example_155_instant_room_and_163_configuration_submission() {
    let instant = OwnerQuery::try_from(el("<query xmlns='http://jabber.org/protocol/muc#owner'>\
        <x xmlns='jabber:x:data' type='submit'/></query>"))
    .unwrap();
    assert!(instant.form.unwrap().fields.is_empty());
    let q = OwnerQuery::try_from(el("<query xmlns='http://jabber.org/protocol/muc#owner'>\
        <x xmlns='jabber:x:data' type='submit'>\
        <field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>\
        <field var='muc#roomconfig_roomname'><value>A Dark Cave</value></field>\
        <field var='muc#roomconfig_roomdesc'><value>The place for all good witches!</value></field>\
        <field var='muc#roomconfig_enablelogging'><value>0</value></field>\
        <field var='muc#roomconfig_changesubject'><value>1</value></field>\
        <field var='muc#roomconfig_allowinvites'><value>0</value></field>\
        <field var='muc#roomconfig_allowpm'><value>anyone</value></field>\
        <field var='muc#roomconfig_maxusers'><value>10</value></field>\
        <field var='muc#roomconfig_publicroom'><value>0</value></field>\
        <field var='muc#roomconfig_persistentroom'><value>0</value></field>\
        <field var='muc#roomconfig_moderatedroom'><value>0</value></field>\
        <field var='muc#roomconfig_membersonly'><value>0</value></field>\
        <field var='muc#roomconfig_passwordprotectedroom'><value>1</value></field>\
        <field var='muc#roomconfig_roomsecret'><value>cauldronburn</value></field>\
        <field var='muc#roomconfig_whois'><value>moderators</value></field>\
        <field var='muc#maxhistoryfetch'><value>50</value></field>\
        <field var='muc#roomconfig_roomadmins'><value>wiccarocks@shakespeare.lit</value>\
        <value>hecate@shakespeare.lit</value></field></x></query>"))
    .unwrap();
    let mut config = RoomConfig::default();
    let lists = config.apply(&q.form.unwrap()).unwrap();
    assert_eq!(config.name, "A Dark Cave");
    assert_eq!(config.description, "The place for all good witches!");
    assert!(config.change_subject && !config.public && !config.persistent);
    assert_eq!(config.max_users, Some(10));
    assert_eq!(config.password.as_deref(), Some("cauldronburn"));
    assert_eq!(config.max_history, 50);
    assert_eq!(lists.admins.unwrap().len(), 2);
    assert_eq!(lists.owners, None);
    // The form the room sends back parses and re-applies to the same configuration.
    let form = config.to_form(&[], &[]);
    let mut submitted = DataForm::try_from(Element::from(form)).unwrap();
    submitted.type_ = xmppkit_stanza::data_forms::FormType::Submit;
    let mut again = RoomConfig::default();
    again.apply(&submitted).unwrap();
    assert_eq!(again, config);
}

#[test]
fn example_200_destroy_and_201_its_notice() {
    let q = OwnerQuery::try_from(el("<query xmlns='http://jabber.org/protocol/muc#owner'>\
        <destroy jid='coven@chat.shakespeare.lit'><reason>Macbeth doth come.</reason></destroy></query>")).unwrap();
    round_trip(q);
    let x = MucUser::try_from(el("<x xmlns='http://jabber.org/protocol/muc#user'>\
        <item affiliation='none' role='none'/><destroy jid='coven@chat.shakespeare.lit'>\
        <reason>Macbeth doth come.</reason></destroy></x>"))
    .unwrap();
    assert_eq!(
        x.destroy.as_ref().unwrap().jid.as_ref().unwrap().as_str(),
        "coven@chat.shakespeare.lit"
    );
    round_trip(x);
    assert!(
        OwnerQuery::try_from(el("<query xmlns='http://jabber.org/protocol/muc#owner'>\
        <destroy jid='coven@chat.shakespeare.lit/nick'/></query>"))
        .is_err()
    );
}

#[test]
fn roominfo_form_carries_the_xep_fields() {
    let config = RoomConfig {
        description: "The place for all good witches!".into(),
        lang: Some("en".into()),
        ..RoomConfig::default()
    };
    let form = config.info_form(3, Some("Spells"));
    assert_eq!(
        form.form_type(),
        Some("http://jabber.org/protocol/muc#roominfo")
    );
    assert_eq!(form.value("muc#roominfo_occupants"), Some("3"));
    assert_eq!(form.value("muc#roominfo_subject"), Some("Spells"));
    assert_eq!(form.value("muc#roominfo_lang"), Some("en"));
}

fn jid() -> impl Strategy<Value = xmppkit_jid::Jid> {
    (
        "[a-z]{1,8}",
        "[a-z]{1,8}\\.lit",
        proptest::option::of("[a-z]{1,6}"),
    )
        .prop_map(|(n, d, r)| {
            let s = match r {
                Some(r) => format!("{n}@{d}/{r}"),
                None => format!("{n}@{d}"),
            };
            s.parse().unwrap()
        })
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 <>&'\"]{1,20}"
}

fn item() -> impl Strategy<Value = Item> {
    let affiliation = prop_oneof![
        Just(Affiliation::Outcast),
        Just(Affiliation::None),
        Just(Affiliation::Member),
        Just(Affiliation::Admin),
        Just(Affiliation::Owner)
    ];
    let role = prop_oneof![
        Just(Role::None),
        Just(Role::Visitor),
        Just(Role::Participant),
        Just(Role::Moderator)
    ];
    (
        proptest::option::of(affiliation),
        proptest::option::of(role),
        proptest::option::of(jid()),
        proptest::option::of("[a-z]{1,10}"),
        proptest::option::of((
            proptest::option::of(jid()),
            proptest::option::of("[a-z]{1,6}"),
        )),
        proptest::option::of(text()),
    )
        .prop_map(|(affiliation, role, jid, nick, actor, reason)| Item {
            affiliation,
            role,
            jid,
            nick,
            actor: actor.map(|(jid, nick)| Actor { jid, nick }),
            reason,
            continue_: None,
        })
}

proptest! {
    #[test]
    fn muc_user_round_trips(
        items in proptest::collection::vec(item(), 0..3),
        status in proptest::collection::vec(100u16..1000, 0..4),
        invite in proptest::option::of((jid(), proptest::option::of(text()))),
        password in proptest::option::of(text()),
    ) {
        let x = MucUser {
            items,
            status,
            invites: invite.into_iter().map(|(to, reason)| Invite { to: Some(to), reason, ..Invite::default() }).collect(),
            password,
            ..MucUser::default()
        };
        let back = MucUser::try_from(Element::from(x.clone())).unwrap();
        prop_assert_eq!(back, x);
    }

    #[test]
    fn admin_query_round_trips(items in proptest::collection::vec(item(), 0..4)) {
        let q = AdminQuery { items };
        prop_assert_eq!(AdminQuery::try_from(Element::from(q.clone())).unwrap(), q);
    }

    #[test]
    fn join_round_trips(
        password in proptest::option::of(text()),
        limits in proptest::option::of((proptest::option::of(0u32..100_000), proptest::option::of(0u32..100), proptest::option::of(0u32..86_400))),
    ) {
        let muc = Muc {
            password,
            history: limits.map(|(maxchars, maxstanzas, seconds)| History { maxchars, maxstanzas, seconds, since: None }),
        };
        prop_assert_eq!(Muc::try_from(Element::from(muc.clone())).unwrap(), muc);
    }
}

fn descendants<'a>(el: &'a Element, out: &mut Vec<&'a Element>) {
    for c in el.children() {
        out.push(c);
        descendants(c, out);
    }
}

fn checked<T>(el: &Element) -> Result<(), String>
where
    T: TryFrom<Element> + Into<Element> + Clone + PartialEq + std::fmt::Debug,
    <T as TryFrom<Element>>::Error: std::fmt::Display,
{
    let value = T::try_from(el.clone()).map_err(|e| e.to_string())?;
    let again = T::try_from(value.clone().into()).map_err(|e| format!("re-parse: {e}"))?;
    if again != value {
        return Err(format!("round trip changed {value:?} into {again:?}"));
    }
    Ok(())
}

/// Every example of XEP-0045 (tests/data, in document order): each element of the four MUC
/// namespaces parses and round-trips; the few that do not are listed with the reason.
#[test]
fn every_xep_0045_example_parses_and_round_trips() {
    let root: Element = include_str!("data/xep-0045-examples.xml").parse().unwrap();
    let expected_failures: &[(u32, &str)] = &[];
    let mut failures = Vec::new();
    let mut count = 0;
    for example in root.children() {
        let n: u32 = example.attr("n").unwrap().parse().unwrap();
        let caption = example.attr("caption").unwrap();
        let mut all = Vec::new();
        descendants(example, &mut all);
        for el in all {
            let result = match (el.name(), el.ns().as_str()) {
                ("x", ns::MUC) => checked::<Muc>(el),
                ("x", ns::USER) => checked::<MucUser>(el),
                ("query", ns::ADMIN) => checked::<AdminQuery>(el),
                ("query", ns::OWNER) => checked::<OwnerQuery>(el),
                _ => continue,
            };
            count += 1;
            if let Err(e) = result {
                if !expected_failures.iter().any(|(m, _)| *m == n) {
                    failures.push(format!("#{n} {caption}: {e}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count >= 149, "only {count} elements checked");
}
