//! Every example of XEP-0060 (tests/data, in document order) through the payload types: each
//! `pubsub`, `#owner` and `#event` element parses, and serializes to something that parses to
//! the same value. The few that do not parse are listed with the reason.

use minidom::Element;
use proptest::prelude::*;
use xmppkit_pubsub::*;

fn examples() -> Vec<(u32, String, Element)> {
    let text = include_str!("data/xep-0060-examples.xml");
    let root: Element = text.parse().unwrap();
    root.children()
        .map(|e| {
            let n = e.attr("n").unwrap().parse().unwrap();
            (n, e.attr("caption").unwrap().to_owned(), e.clone())
        })
        .collect()
}

fn descendants<'a>(el: &'a Element, out: &mut Vec<&'a Element>) {
    for c in el.children() {
        out.push(c);
        descendants(c, out);
    }
}

fn round_trip<T>(el: &Element) -> Result<(), String>
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

#[test]
fn every_xep_0060_example_parses_and_round_trips() {
    // Examples that are not valid requests on purpose or by the XEP's own shorthand.
    let expected_failures: &[(u32, &str)] = &[
        (
            223,
            "the XEP puts <configure/> in the pubsub namespace; it belongs to #owner (§8.2)",
        ),
        (
            238,
            "URI section shorthand: <subscribe/> without the required jid (§6.1.1)",
        ),
        (
            240,
            "URI section shorthand: <unsubscribe/> without the required jid (§6.2.1)",
        ),
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for (n, caption, example) in examples() {
        let mut all = Vec::new();
        descendants(&example, &mut all);
        for el in all {
            let result = match (el.name(), el.ns().as_str()) {
                ("pubsub", ns::PUBSUB) => round_trip::<PubSub>(el),
                ("pubsub", ns::OWNER) => round_trip::<PubSubOwner>(el),
                ("event", ns::EVENT) => round_trip::<Event>(el),
                _ => continue,
            };
            checked += 1;
            if let Err(e) = result {
                failures.push((n, format!("#{n} {caption}: {e}")));
            }
        }
    }
    let unexpected: Vec<&String> = failures
        .iter()
        .filter(|(n, _)| !expected_failures.iter().any(|(m, _)| m == n))
        .map(|(_, f)| f)
        .collect();
    assert!(
        unexpected.is_empty(),
        "{} of {checked}:\n{}",
        unexpected.len(),
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(checked >= 130, "only {checked} elements checked");
}

#[test]
fn error_conditions_of_the_errors_namespace_are_read_back() {
    for (_, _, example) in examples() {
        let mut all = Vec::new();
        descendants(&example, &mut all);
        for el in all.into_iter().filter(|e| e.ns() == ns::ERRORS) {
            let condition = Condition::from_element(el).unwrap_or_else(|| panic!("{}", el.name()));
            assert_eq!(condition.name(), el.name());
        }
    }
}

fn jid() -> impl Strategy<Value = xmppkit_jid::Jid> {
    (
        "[a-z]{1,8}",
        "[a-z]{1,8}\\.lit",
        proptest::option::of("[a-z]{1,6}"),
    )
        .prop_map(|(n, d, r)| {
            match r {
                Some(r) => format!("{n}@{d}/{r}"),
                None => format!("{n}@{d}"),
            }
            .parse()
            .unwrap()
        })
}

fn item() -> impl Strategy<Value = Item> {
    (
        proptest::option::of("[a-zA-Z0-9_-]{1,12}"),
        proptest::option::of(jid()),
        proptest::option::of("[a-z ]{0,12}"),
    )
        .prop_map(|(id, publisher, text)| Item {
            id,
            publisher,
            payload: text.map(|t| {
                let mut e = Element::builder("entry", "http://www.w3.org/2005/Atom").build();
                if !t.is_empty() {
                    e.append_text_node(t);
                }
                e
            }),
        })
}

proptest! {
    #[test]
    fn publish_and_items_round_trip(node in "[a-z/_]{1,16}", items in proptest::collection::vec(item(), 0..4), max in proptest::option::of(0u32..100)) {
        let p = PubSub::Publish { node: node.clone(), items: items.clone(), options: None };
        prop_assert_eq!(PubSub::try_from(Element::from(p.clone())).unwrap(), p);
        let p = PubSub::Items { node, max_items: max, subid: None, items, rsm: None };
        prop_assert_eq!(PubSub::try_from(Element::from(p.clone())).unwrap(), p);
    }

    #[test]
    fn events_round_trip(node in "[a-z/_]{1,16}", items in proptest::collection::vec(item(), 0..3), retracts in proptest::collection::vec("[a-z0-9]{1,8}", 0..3)) {
        let e = Event::Items { node, items, retracts };
        prop_assert_eq!(Event::try_from(Element::from(e.clone())).unwrap(), e);
    }

    #[test]
    fn owner_affiliations_round_trip(node in "[a-z]{1,10}", list in proptest::collection::vec((jid(), prop_oneof![Just(Affiliation::Owner), Just(Affiliation::Publisher), Just(Affiliation::PublishOnly), Just(Affiliation::Member), Just(Affiliation::None), Just(Affiliation::Outcast)]), 0..4)) {
        let o = PubSubOwner::Affiliations { node, list };
        prop_assert_eq!(PubSubOwner::try_from(Element::from(o.clone())).unwrap(), o);
    }
}
