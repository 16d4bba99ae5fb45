//! XEP-0313 examples as vectors, paging forwards and backwards over 10,000 messages, the filters,
//! the errors and the security rules (who may query, forged results).

use minidom::Element;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_mam::*;
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::rsm::Set;
use xmppkit_stanza::{DefinedCondition, Iq, IqPayload};

fn el(s: &str) -> Element {
    s.parse().unwrap()
}

fn bare(s: &str) -> BareJid {
    s.parse().unwrap()
}

fn t(secs: i64) -> DateTime {
    DateTime::from_unix(1_278_800_000 + secs, 0).unwrap()
}

const FORM: &str = "<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>";

#[test]
fn example_query_results_and_fin() {
    // Examples 2–4: the query, a result message and the fin.
    let query = Query::try_from(el("<query xmlns='urn:xmpp:mam:2' queryid='f27'/>")).unwrap();
    assert_eq!(query.queryid.as_deref(), Some("f27"));
    let message = el("<message xmlns='jabber:client' id='aeb213' to='juliet@capulet.lit/chamber'>\
        <result xmlns='urn:xmpp:mam:2' queryid='f27' id='28482-98726-73623'>\
        <forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
        <message xmlns='jabber:client' from='witch@shakespeare.lit' to='macbeth@shakespeare.lit'>\
        <body>Hail to thee</body></message></forwarded></result></message>");
    let result = ResultItem::try_from(message.get_child("result", NS).unwrap().clone()).unwrap();
    assert_eq!(result.id, "28482-98726-73623");
    assert_eq!(
        result.forwarded.delay.as_ref().unwrap().stamp.to_string(),
        "2010-07-10T23:08:25Z"
    );
    assert_eq!(
        Element::from(result),
        message.get_child("result", NS).unwrap().clone()
    );
    let fin = Fin::try_from(el(
        "<fin xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'>\
        <first index='0'>28482-98726-73623</first><last>09af3-cc343-b409f</last></set></fin>",
    ))
    .unwrap();
    assert!(!fin.complete && fin.stable);
    assert_eq!(fin.set.last.as_deref(), Some("09af3-cc343-b409f"));
    let complete = Fin::try_from(el("<fin xmlns='urn:xmpp:mam:2' complete='true'>\
        <set xmlns='http://jabber.org/protocol/rsm'><count>0</count></set></fin>"))
    .unwrap();
    assert!(complete.complete);
    assert_eq!(
        Fin::try_from(Element::from(complete.clone())).unwrap(),
        complete
    );
}

#[test]
fn example_query_forms() {
    // Examples 6, 10–12: with; after-id + before-id; ids.
    let with = Query::try_from(el(&format!(
        "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>{FORM}\
        <field var='with'><value>juliet@capulet.lit</value></field></x></query>"
    )))
    .unwrap();
    let filter = Filter::from_form(with.form.as_ref().unwrap()).unwrap();
    assert_eq!(filter.with, Some("juliet@capulet.lit".parse().unwrap()));
    let between = Query::try_from(el(&format!(
        "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>{FORM}\
        <field var='after-id'><value>28482-98726-73623</value></field>\
        <field var='before-id'><value>09af3-cc343-b409f</value></field></x></query>"
    )))
    .unwrap();
    let filter = Filter::from_form(between.form.as_ref().unwrap()).unwrap();
    assert_eq!(filter.after_id.as_deref(), Some("28482-98726-73623"));
    assert_eq!(filter.before_id.as_deref(), Some("09af3-cc343-b409f"));
    let ids = Query::try_from(el(&format!(
        "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>{FORM}\
        <field var='ids'><value>28482-98726-73623</value></field></x></query>"
    )))
    .unwrap();
    assert_eq!(
        Filter::from_form(ids.form.as_ref().unwrap()).unwrap().ids,
        ["28482-98726-73623"]
    );
    // A timespan, and the round trip of a filter through its form.
    let span = Filter {
        start: Some("2010-06-07T00:00:00Z".parse().unwrap()),
        end: Some("2010-07-07T13:23:54Z".parse().unwrap()),
        ..Filter::default()
    };
    assert_eq!(Filter::from_form(&span.to_form()).unwrap(), span);
    // Unknown fields and bad values.
    let one_field = |var: &str, value: &str| {
        use xmppkit_stanza::data_forms::{DataForm, Field};
        DataForm::submit(NS, vec![Field::new(var, [value])])
    };
    assert!(matches!(
        Filter::from_form(&one_field("{urn:x}full-text", "x")),
        Err(FormError::UnknownField(_))
    ));
    assert!(matches!(
        Filter::from_form(&one_field("start", "yesterday")),
        Err(FormError::BadField { .. })
    ));
    // The last page (example 22) and a flipped page (example 23).
    let last = Query::try_from(el(&format!("<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>{FORM}\
        <field var='start'><value>2010-08-07T00:00:00Z</value></field></x>\
        <set xmlns='http://jabber.org/protocol/rsm'><max>10</max><before/></set><flip-page/></query>"))).unwrap();
    assert_eq!(last.set.as_ref().unwrap().before.as_deref(), Some(""));
    assert!(last.flip_page);
    assert_eq!(Query::try_from(Element::from(last.clone())).unwrap(), last);
}

#[test]
fn example_metadata_prefs_and_form() {
    let metadata = Metadata::try_from(el(
        "<metadata xmlns='urn:xmpp:mam:2'><start id='YWxwaGEg' timestamp='2008-08-22T21:09:04Z'/>\
        <end id='b21lZ2Eg' timestamp='2020-04-20T14:34:21Z'/></metadata>",
    ))
    .unwrap();
    assert_eq!(metadata.start.as_ref().unwrap().0, "YWxwaGEg");
    assert_eq!(
        Metadata::try_from(Element::from(metadata.clone())).unwrap(),
        metadata
    );
    assert_eq!(
        Metadata::try_from(el("<metadata xmlns='urn:xmpp:mam:2'/>")).unwrap(),
        Metadata::default()
    );
    let prefs = Prefs::try_from(el("<prefs xmlns='urn:xmpp:mam:2' default='roster'>\
        <always><jid>romeo@montague.lit</jid></always><never><jid>montague@montague.lit</jid></never></prefs>")).unwrap();
    assert_eq!(prefs.default, DefaultPref::Roster);
    assert!(prefs.archives(&"romeo@montague.lit/orchard".parse().unwrap(), false));
    assert!(!prefs.archives(&"montague@montague.lit".parse().unwrap(), true));
    assert!(prefs.archives(&"nurse@capulet.lit".parse().unwrap(), true));
    assert!(!prefs.archives(&"nurse@capulet.lit".parse().unwrap(), false));
    assert_eq!(
        Prefs::try_from(Element::from(prefs.clone())).unwrap(),
        prefs
    );
    let form = query_form();
    for var in ["with", "start", "end", "before-id", "after-id", "ids"] {
        assert!(form.field(var).is_some(), "{var}");
    }
}

/// An archive for juliet with `n` messages alternating between romeo and the nurse.
fn juliet_archive(n: usize) -> Mam<MemoryArchive> {
    let mut mam = Mam::new(MemoryArchive::default(), MamConfig::default());
    let juliet = bare("juliet@capulet.lit");
    for i in 0..n {
        let with: Jid = if i % 2 == 0 {
            "romeo@montague.lit/orchard"
        } else {
            "nurse@capulet.lit/kitchen"
        }
        .parse()
        .unwrap();
        let message = el(&format!("<message xmlns='jabber:client' from='{with}' to='juliet@capulet.lit/balcony' type='chat'><body>{i}</body></message>"));
        mam.store(
            &juliet,
            ArchiveKind::User,
            &with,
            true,
            &message,
            format!("id{i}"),
            t(i as i64),
        )
        .unwrap()
        .unwrap();
    }
    mam
}

/// Runs one query as juliet and returns (bodies, fin), through the client collector.
fn run(
    mam: &mut Mam<MemoryArchive>,
    filter: &Filter,
    set: Set,
    flip: bool,
) -> Result<(Vec<String>, Fin), DefinedCondition> {
    let mut iq = query_iq("q1", None, "qid", filter, Some(set));
    if flip {
        if let IqPayload::Set(query) = &mut iq.payload {
            query.append_child(Element::builder("flip-page", NS).build());
        }
    }
    iq.from = Some("juliet@capulet.lit/chamber".parse().unwrap());
    let out = mam.handle_iq(&iq, ArchiveKind::User, |_| false).unwrap();
    let (answer, results) = out.split_last().unwrap();
    let answer = Iq::try_from(answer.clone()).unwrap();
    if let IqPayload::Error(e, _) = &answer.payload {
        return Err(e.condition.clone());
    }
    let mut collector = Collector::new(bare("juliet@capulet.lit"), None, "qid");
    for r in results {
        assert!(collector.accept(r).unwrap());
    }
    let (items, fin) = collector.finish(&answer).unwrap();
    let bodies = items
        .iter()
        .map(|i| {
            i.forwarded
                .stanza
                .get_child("body", "jabber:client")
                .unwrap()
                .text()
        })
        .collect();
    Ok((bodies, fin))
}

fn page(max: u32) -> Set {
    Set {
        max: Some(max),
        ..Set::default()
    }
}

#[test]
fn paging_forwards_and_backwards_over_10000_messages() {
    let mut mam = juliet_archive(10_000);
    let all: Vec<String> = (0..10_000).map(|i| i.to_string()).collect();
    // Forwards with <after/>.
    let (mut seen, mut after) = (Vec::new(), None::<String>);
    loop {
        let set = Set {
            after: after.clone(),
            ..page(250)
        };
        let (bodies, fin) = run(&mut mam, &Filter::default(), set, false).unwrap();
        assert_eq!(fin.set.count, Some(10_000));
        assert_eq!(
            fin.set.first.as_ref().map(|f| f.1),
            Some(Some(seen.len() as u32))
        );
        seen.extend(bodies);
        after = fin.set.last.clone();
        if fin.complete {
            break;
        }
    }
    assert_eq!(seen, all, "every message exactly once, in order");
    // Backwards with <before/>, starting from the last page.
    let (mut pages, mut before) = (Vec::new(), String::new());
    loop {
        let set = Set {
            before: Some(before.clone()),
            ..page(128)
        };
        let (bodies, fin) = run(&mut mam, &Filter::default(), set, false).unwrap();
        before = fin.set.first.clone().unwrap().0;
        pages.push(bodies);
        if fin.complete {
            break;
        }
    }
    let seen: Vec<String> = pages.into_iter().rev().flatten().collect();
    assert_eq!(seen, all);
    // Index paging and a flipped page.
    let (bodies, _) = run(
        &mut mam,
        &Filter::default(),
        Set {
            index: Some(9_998),
            ..page(5)
        },
        false,
    )
    .unwrap();
    assert_eq!(bodies, ["9998", "9999"]);
    let (bodies, fin) = run(
        &mut mam,
        &Filter::default(),
        Set {
            before: Some(String::new()),
            ..page(3)
        },
        true,
    )
    .unwrap();
    assert_eq!(bodies, ["9999", "9998", "9997"]);
    assert_eq!(
        fin.set.first.unwrap().0,
        "id9997",
        "first/last stay in archive order"
    );
}

#[test]
fn filters() {
    let mut mam = juliet_archive(100);
    let with_romeo = Filter {
        with: Some("romeo@montague.lit".parse().unwrap()),
        ..Filter::default()
    };
    let (bodies, fin) = run(&mut mam, &with_romeo, page(5), false).unwrap();
    assert_eq!(bodies, ["0", "2", "4", "6", "8"]);
    assert_eq!(fin.set.count, Some(50));
    // A full JID matches only that resource.
    let other_resource = Filter {
        with: Some("romeo@montague.lit/balcony".parse().unwrap()),
        ..Filter::default()
    };
    assert_eq!(
        run(&mut mam, &other_resource, page(5), false).unwrap().0,
        Vec::<String>::new()
    );
    // start / end are inclusive.
    let span = Filter {
        start: Some(t(10)),
        end: Some(t(13)),
        ..Filter::default()
    };
    assert_eq!(
        run(&mut mam, &span, page(50), false).unwrap().0,
        ["10", "11", "12", "13"]
    );
    // with + span + RSM after.
    let both = Filter {
        start: Some(t(10)),
        end: Some(t(20)),
        ..with_romeo.clone()
    };
    let (bodies, fin) = run(
        &mut mam,
        &both,
        Set {
            after: Some("id12".into()),
            ..page(2)
        },
        false,
    )
    .unwrap();
    assert_eq!(bodies, ["14", "16"]);
    assert!(!fin.complete);
    // after-id / before-id are exclusive.
    let between = Filter {
        after_id: Some("id3".into()),
        before_id: Some("id7".into()),
        ..Filter::default()
    };
    assert_eq!(
        run(&mut mam, &between, page(50), false).unwrap().0,
        ["4", "5", "6"]
    );
    // ids, in archive order.
    let ids = Filter {
        ids: vec!["id42".into(), "id7".into()],
        ..Filter::default()
    };
    assert_eq!(run(&mut mam, &ids, page(50), false).unwrap().0, ["7", "42"]);
    // An empty result is complete with a count of 0.
    let none = Filter {
        start: Some(t(1000)),
        ..Filter::default()
    };
    let (bodies, fin) = run(&mut mam, &none, page(10), false).unwrap();
    assert!(bodies.is_empty() && fin.complete);
    assert_eq!(fin.set.count, Some(0));
}

#[test]
fn errors() {
    let mut mam = juliet_archive(10);
    let unknown_after_id = Filter {
        after_id: Some("nope".into()),
        ..Filter::default()
    };
    assert_eq!(
        run(&mut mam, &unknown_after_id, page(5), false).unwrap_err(),
        DefinedCondition::ItemNotFound
    );
    let unknown_ids = Filter {
        ids: vec!["id1".into(), "nope".into()],
        ..Filter::default()
    };
    assert_eq!(
        run(&mut mam, &unknown_ids, page(5), false).unwrap_err(),
        DefinedCondition::ItemNotFound
    );
    let rsm_unknown = Set {
        after: Some("nope".into()),
        ..page(5)
    };
    assert_eq!(
        run(&mut mam, &Filter::default(), rsm_unknown, false).unwrap_err(),
        DefinedCondition::ItemNotFound
    );
    assert_eq!(
        run(&mut mam, &Filter::default(), page(251), false).unwrap_err(),
        DefinedCondition::NotAcceptable
    );
    let both = Set {
        after: Some("id1".into()),
        before: Some("id5".into()),
        ..page(5)
    };
    assert_eq!(
        run(&mut mam, &Filter::default(), both, false).unwrap_err(),
        DefinedCondition::BadRequest
    );
    let ask = |mam: &mut Mam<MemoryArchive>, xml: &str, set: bool| {
        let payload = el(xml);
        let mut iq = if set {
            Iq::set("e", None, payload)
        } else {
            Iq::get("e", None, payload)
        };
        iq.from = Some("juliet@capulet.lit/chamber".parse().unwrap());
        let out = mam.handle_iq(&iq, ArchiveKind::User, |_| false).unwrap();
        match Iq::try_from(out.last().unwrap().clone()).unwrap().payload {
            IqPayload::Error(e, _) => Some(e.condition),
            _ => None,
        }
    };
    let unknown_field = format!(
        "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>{FORM}\
        <field var='{{urn:example}}search'><value>x</value></field></x></query>"
    );
    assert_eq!(
        ask(&mut mam, &unknown_field, true),
        Some(DefinedCondition::FeatureNotImplemented)
    );
    let bad_value = format!(
        "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>{FORM}\
        <field var='with'><value>@@</value></field></x></query>"
    );
    assert_eq!(
        ask(&mut mam, &bad_value, true),
        Some(DefinedCondition::BadRequest)
    );
    assert_eq!(
        ask(
            &mut mam,
            "<query xmlns='urn:xmpp:mam:2'><bogus/></query>",
            true
        ),
        Some(DefinedCondition::BadRequest)
    );
    // Form discovery, metadata, prefs.
    assert_eq!(
        ask(&mut mam, "<query xmlns='urn:xmpp:mam:2'/>", false),
        None
    );
    assert_eq!(
        ask(&mut mam, "<metadata xmlns='urn:xmpp:mam:2'/>", false),
        None
    );
    assert_eq!(
        ask(
            &mut mam,
            "<prefs xmlns='urn:xmpp:mam:2' default='never'/>",
            true
        ),
        None
    );
    assert_eq!(
        mam.archive()
            .prefs(&bare("juliet@capulet.lit"))
            .unwrap()
            .default,
        DefaultPref::Never
    );
    assert_eq!(
        ask(
            &mut mam,
            "<prefs xmlns='urn:xmpp:mam:2' default='sometimes'/>",
            true
        ),
        Some(DefinedCondition::BadRequest)
    );
    // Not MAM at all: not ours.
    let mut other = Iq::get("x", None, el("<query xmlns='jabber:iq:version'/>"));
    other.from = Some("juliet@capulet.lit/chamber".parse().unwrap());
    assert!(mam
        .handle_iq(&other, ArchiveKind::User, |_| false)
        .is_none());
}

#[test]
fn what_is_archived_and_stamped() {
    let mut mam = Mam::new(MemoryArchive::default(), MamConfig::default());
    let juliet = bare("juliet@capulet.lit");
    let romeo: Jid = "romeo@montague.lit/orchard".parse().unwrap();
    let cases = [
        ("<message xmlns='jabber:client' type='chat'><body>a</body></message>", true),
        ("<message xmlns='jabber:client' type='chat'><displayed xmlns='urn:xmpp:chat-markers:0' id='x'/></message>", true),
        ("<message xmlns='jabber:client' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/><store xmlns='urn:xmpp:hints'/></message>", true),
        ("<message xmlns='jabber:client' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>", false),
        ("<message xmlns='jabber:client' type='chat'><body>a</body><no-store xmlns='urn:xmpp:hints'/></message>", false),
        ("<message xmlns='jabber:client' type='chat'><body>a</body><no-permanent-store xmlns='urn:xmpp:hints'/></message>", false),
        ("<message xmlns='jabber:client' type='error'><body>a</body></message>", false),
        ("<message xmlns='jabber:client' type='groupchat'><body>a</body></message>", false),
    ];
    for (n, (xml, archived)) in cases.iter().enumerate() {
        let stored = mam
            .store(
                &juliet,
                ArchiveKind::User,
                &romeo,
                true,
                &el(xml),
                format!("s{n}"),
                t(n as i64),
            )
            .unwrap();
        assert_eq!(stored.is_some(), *archived, "{xml}");
    }
    // A stanza-id forged by the sender is replaced by the archive's own.
    let forged = el("<message xmlns='jabber:client' type='chat'><body>b</body>\
        <stanza-id xmlns='urn:xmpp:sid:0' by='juliet@capulet.lit' id='forged'/>\
        <stanza-id xmlns='urn:xmpp:sid:0' by='other.example' id='kept'/></message>");
    let sid = mam
        .store(
            &juliet,
            ArchiveKind::User,
            &romeo,
            true,
            &forged,
            "real".into(),
            t(50),
        )
        .unwrap()
        .unwrap();
    let mut delivered = forged.clone();
    stamp(&mut delivered, &sid);
    let ids: Vec<(&str, &str)> = delivered
        .children()
        .filter(|c| c.name() == "stanza-id")
        .map(|c| (c.attr("by").unwrap(), c.attr("id").unwrap()))
        .collect();
    assert_eq!(
        ids,
        [("other.example", "kept"), ("juliet@capulet.lit", "real")]
    );
    // Preferences: never with romeo.
    mam.store(
        &juliet,
        ArchiveKind::User,
        &romeo,
        true,
        &el(cases[0].0),
        "p0".into(),
        t(60),
    )
    .unwrap()
    .unwrap();
    let mut iq = Iq::set("p", None, el("<prefs xmlns='urn:xmpp:mam:2' default='always'><never><jid>romeo@montague.lit</jid></never></prefs>"));
    iq.from = Some("juliet@capulet.lit/chamber".parse().unwrap());
    mam.handle_iq(&iq, ArchiveKind::User, |_| false).unwrap();
    assert!(mam
        .store(
            &juliet,
            ArchiveKind::User,
            &romeo,
            true,
            &el(cases[0].0),
            "p1".into(),
            t(61)
        )
        .unwrap()
        .is_none());
    // A room archives only groupchat.
    let room = bare("coven@chat.shakespeare.lit");
    let groupchat = el(cases[7].0);
    assert!(mam
        .store(
            &room,
            ArchiveKind::Room,
            &romeo,
            false,
            &groupchat,
            "g0".into(),
            t(70)
        )
        .unwrap()
        .is_some());
}

#[test]
fn who_may_query_which_archive() {
    let mut mam = juliet_archive(3);
    let query = |mam: &mut Mam<MemoryArchive>, from: &str, to: Option<&str>, kind, member: bool| {
        let mut iq = query_iq("q", to.map(bare), "qid", &Filter::default(), None);
        iq.from = Some(from.parse().unwrap());
        let out = mam.handle_iq(&iq, kind, |_| member).unwrap();
        match Iq::try_from(out.last().unwrap().clone()).unwrap().payload {
            IqPayload::Error(e, _) => Err(e.condition),
            _ => Ok(out.len() - 1),
        }
    };
    assert_eq!(
        query(
            &mut mam,
            "juliet@capulet.lit/x",
            None,
            ArchiveKind::User,
            false
        ),
        Ok(3)
    );
    assert_eq!(
        query(
            &mut mam,
            "juliet@capulet.lit/x",
            Some("juliet@capulet.lit"),
            ArchiveKind::User,
            false
        ),
        Ok(3)
    );
    assert_eq!(
        query(
            &mut mam,
            "romeo@montague.lit/x",
            Some("juliet@capulet.lit"),
            ArchiveKind::User,
            true
        ),
        Err(DefinedCondition::Forbidden)
    );
    // A room: members may, others may not.
    let room = bare("coven@chat.shakespeare.lit");
    let message = el("<message xmlns='jabber:client' type='groupchat' from='coven@chat.shakespeare.lit/firstwitch'><body>Thrice</body></message>");
    mam.store(
        &room,
        ArchiveKind::Room,
        &"coven@chat.shakespeare.lit/firstwitch".parse().unwrap(),
        false,
        &message,
        "r1".into(),
        t(0),
    )
    .unwrap();
    assert_eq!(
        query(
            &mut mam,
            "hag@shakespeare.lit/x",
            Some("coven@chat.shakespeare.lit"),
            ArchiveKind::Room,
            true
        ),
        Ok(1)
    );
    assert_eq!(
        query(
            &mut mam,
            "stranger@x.lit/x",
            Some("coven@chat.shakespeare.lit"),
            ArchiveKind::Room,
            false
        ),
        Err(DefinedCondition::Forbidden)
    );
}

#[test]
fn forged_results_are_refused() {
    let mut collector = Collector::new(bare("juliet@capulet.lit"), None, "f27");
    let result = |from: Option<&str>, queryid: &str| {
        let from = from.map(|f| format!(" from='{f}'")).unwrap_or_default();
        el(&format!("<message xmlns='jabber:client' to='juliet@capulet.lit/chamber'{from}>\
            <result xmlns='urn:xmpp:mam:2' queryid='{queryid}' id='1'><forwarded xmlns='urn:xmpp:forward:0'>\
            <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
            <message xmlns='jabber:client'><body>x</body></message></forwarded></result></message>"))
    };
    assert_eq!(
        collector.accept(&result(None, "f27")),
        Ok(true),
        "own archive: no from"
    );
    assert_eq!(
        collector.accept(&result(Some("juliet@capulet.lit"), "f27")),
        Ok(true)
    );
    assert!(matches!(
        collector.accept(&result(Some("tybalt@capulet.lit"), "f27")),
        Err(MamClientError::WrongArchive { .. })
    ));
    assert!(matches!(
        collector.accept(&result(Some("juliet@capulet.lit"), "other")),
        Err(MamClientError::WrongQueryId { .. })
    ));
    assert_eq!(
        collector.accept(&el(
            "<message xmlns='jabber:client'><body>plain</body></message>"
        )),
        Ok(false)
    );
    // A room's archive: results must come from the room.
    let mut room = Collector::new(
        bare("juliet@capulet.lit"),
        Some(bare("coven@chat.shakespeare.lit")),
        "f27",
    );
    assert!(matches!(
        room.accept(&result(None, "f27")),
        Err(MamClientError::WrongArchive { .. })
    ));
    assert_eq!(
        room.accept(&result(Some("coven@chat.shakespeare.lit"), "f27")),
        Ok(true)
    );
}

#[test]
fn example_timespans_and_room_results() {
    // Examples 7 and 8: a timespan, and everything after a time.
    let span = Query::try_from(el(&format!(
        "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>{FORM}\
        <field var='start'><value>2010-06-07T00:00:00Z</value></field>\
        <field var='end'><value>2010-07-07T13:23:54Z</value></field></x></query>"
    )))
    .unwrap();
    let filter = Filter::from_form(span.form.as_ref().unwrap()).unwrap();
    assert_eq!(filter.start.unwrap().to_string(), "2010-06-07T00:00:00Z");
    assert_eq!(filter.end.unwrap().to_string(), "2010-07-07T13:23:54Z");
    let after = Query::try_from(el(&format!(
        "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>{FORM}\
        <field var='start'><value>2010-08-07T00:00:00Z</value></field></x></query>"
    )))
    .unwrap();
    assert!(Filter::from_form(after.form.as_ref().unwrap())
        .unwrap()
        .end
        .is_none());
    // The room results of §5.1.2 (example 27): accepted from the room, for the right query.
    let result = el("<message xmlns='jabber:client' id='iasd207' from='coven@chat.shakespeare.lit' to='hag66@shakespeare.lit/pda'>\
        <result xmlns='urn:xmpp:mam:2' queryid='g27' id='78527-06716-51603'><forwarded xmlns='urn:xmpp:forward:0'>\
        <delay xmlns='urn:xmpp:delay' stamp='2002-10-13T23:58:37Z'/>\
        <message xmlns='jabber:client' from='coven@chat.shakespeare.lit/firstwitch' \
        id='162BEBB1-F6DB-4D9A-9BD8-CFDCC801A0B2' type='groupchat'><body>Thrice the brinded cat hath mew'd.</body>\
        <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' jid='crone1@shakespeare.lit' role='participant'/></x>\
        </message></forwarded></result></message>");
    let mut collector = Collector::new(
        bare("hag66@shakespeare.lit"),
        Some(bare("coven@chat.shakespeare.lit")),
        "g27",
    );
    assert_eq!(collector.accept(&result), Ok(true));
    let fin = Iq::try_from(el("<iq xmlns='jabber:client' type='result' id='g1' from='coven@chat.shakespeare.lit'>\
        <fin xmlns='urn:xmpp:mam:2' complete='true'><set xmlns='http://jabber.org/protocol/rsm'>\
        <first index='0'>78527-06716-51603</first><last>78527-06716-51603</last><count>1</count></set></fin></iq>")).unwrap();
    let (items, fin) = collector.finish(&fin).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].forwarded.stanza.attr("type"), Some("groupchat"));
    assert!(fin.complete);
    // An error answer is reported as the archive's refusal.
    let refused = Iq::try_from(el(
        "<iq xmlns='jabber:client' type='error' id='g1'><error type='cancel'>\
        <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    ))
    .unwrap();
    let collector = Collector::new(bare("hag66@shakespeare.lit"), None, "g27");
    assert!(
        matches!(collector.finish(&refused), Err(MamClientError::Refused(e)) if e.condition == DefinedCondition::ItemNotFound)
    );
}

#[test]
fn xep0431_full_text_field_is_read_written_and_announced() {
    // XEP-0431 §3.1: the `{urn:xmpp:fulltext:0}fulltext` text field of the urn:xmpp:mam:2 form.
    let query = Query::try_from(el(&format!(
        "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>{FORM}\
        <field var='{{urn:xmpp:fulltext:0}}fulltext'><value>Where arth thou, my Juliet?</value></field>\
        </x></query>"
    )))
    .unwrap();
    let filter = Filter::from_form(query.form.as_ref().unwrap()).unwrap();
    assert_eq!(
        filter.fulltext.as_deref(),
        Some("Where arth thou, my Juliet?")
    );
    assert_eq!(Filter::from_form(&filter.to_form()).unwrap(), filter);
    // An empty value is no search (§3.2: "if non-empty").
    let empty = Query::try_from(el(&format!(
        "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>{FORM}\
        <field var='{{urn:xmpp:fulltext:0}}fulltext'><value> </value></field></x></query>"
    )))
    .unwrap();
    assert_eq!(
        Filter::from_form(empty.form.as_ref().unwrap())
            .unwrap()
            .fulltext,
        None
    );
    let announced = query_form();
    assert!(announced
        .fields
        .iter()
        .any(|f| f.var.as_deref() == Some("{urn:xmpp:fulltext:0}fulltext")));
    // Matching: every word, whole words, any case.
    let message =
        el("<message xmlns='jabber:client'><body>Wherefore art thou Romeo?</body></message>");
    let words = fulltext::words("ROMEO art");
    assert!(fulltext::matches(&words, &message));
    assert!(!fulltext::matches(&fulltext::words("Rom"), &message));
    assert!(!fulltext::matches(
        &fulltext::words("Romeo Juliet"),
        &message
    ));
}

/// The message as a byte-backed stanza, as a server that routes bytes holds it.
fn raw(xml: &str) -> xmppkit_codec::RawStanza {
    let mut decoder = xmppkit_codec::Decoder::fragments("jabber:client");
    decoder.feed(xml.as_bytes());
    match decoder.next_raw() {
        Ok(Some(xmppkit_codec::RawEvent::Stanza(s))) => s,
        other => panic!("{xml}: {other:?}"),
    }
}

/// `store_raw` archives what `store` archives, under the same rules, and hands back the message
/// with the stanza-id `store` would have stamped; a forged stanza-id is replaced as on the tree.
#[test]
fn bytes_are_archived_as_trees_are() {
    let juliet = bare("juliet@capulet.lit");
    let romeo: Jid = "romeo@montague.lit/orchard".parse().unwrap();
    let cases = [
        "<message type='chat' id='1'><body>a &amp; b</body></message>",
        "<message type='chat'><displayed xmlns='urn:xmpp:chat-markers:0' id='x'/></message>",
        "<message type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
        "<message type='chat'><body>a</body><no-store xmlns='urn:xmpp:hints'/></message>",
        "<message type='groupchat'><body>a</body></message>",
        "<message><body>normal</body><stanza-id xmlns='urn:xmpp:sid:0' by='juliet@capulet.lit' id='forged'/></message>",
    ];
    let mut trees = Mam::new(MemoryArchive::default(), MamConfig::default());
    let mut bytes = Mam::new(MemoryArchive::default(), MamConfig::default());
    for (n, xml) in cases.iter().enumerate() {
        let message = raw(xml);
        let tree = message.element().unwrap().clone();
        let (id, at) = (format!("s{n}"), t(n as i64));
        let sid = trees
            .store(
                &juliet,
                ArchiveKind::User,
                &romeo,
                true,
                &tree,
                id.clone(),
                at,
            )
            .unwrap();
        let stamped = bytes
            .store_raw(&juliet, ArchiveKind::User, &romeo, true, &message, id, at)
            .unwrap();
        assert_eq!(sid.is_some(), stamped.is_some(), "{xml}");
        if let (Some(sid), Some(stamped)) = (sid, stamped) {
            let mut expected = tree;
            stamp(&mut expected, &sid);
            assert_eq!(stamped.element().unwrap(), &expected, "{xml}");
        }
    }
    let everything = |mam: &Mam<MemoryArchive>| {
        let page = Page {
            max: 100,
            ..Page::default()
        };
        mam.archive()
            .query(&juliet, &Filter::default(), &page)
            .unwrap()
            .items
    };
    assert_eq!(everything(&trees).len(), 3);
    assert_eq!(everything(&trees), everything(&bytes));
    // Full text reads the body the bytes carried.
    let filter = Filter {
        fulltext: Some("b".into()),
        ..Filter::default()
    };
    let page = Page {
        max: 10,
        ..Page::default()
    };
    let found = bytes.archive().query(&juliet, &filter, &page).unwrap();
    assert_eq!(found.items.len(), 1);
}
