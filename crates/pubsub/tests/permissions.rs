//! The permission matrix of XEP-0060: each access model (§4.5) × each affiliation (§4.1) for
//! subscribing and retrieving items, and each affiliation for publishing, retracting, purging,
//! configuring and deleting — run through the engine, checked against the expected answer.

mod common;
use common::*;

const AFFILIATIONS: [&str; 6] = [
    "owner",
    "publisher",
    "publish-only",
    "member",
    "none",
    "outcast",
];

/// NODE with `access`, and francisco holding `affiliation` (hamlet stays owner).
fn node(access: &str, affiliation: &str) -> World {
    let mut w = World::new();
    w.create(&field("access_model", access));
    w.publish(HAMLET, "first", "One");
    if affiliation == "owner" {
        w.owner(HAMLET, "set", &format!("<affiliations node='{NODE}'><affiliation jid='francisco@denmark.lit' affiliation='owner'/></affiliations>"));
    } else if affiliation != "none" {
        w.owner(HAMLET, "set", &format!("<affiliations node='{NODE}'><affiliation jid='francisco@denmark.lit' affiliation='{affiliation}'/></affiliations>"));
    }
    w
}

fn short(outcome: String) -> String {
    match outcome.as_str() {
        "ok" => "ok",
        "forbidden" => "F",
        "not-allowed/closed-node" => "closed",
        "not-authorized/presence-subscription-required" => "presence",
        "not-authorized/not-in-roster-group" => "roster",
        "not-authorized/not-subscribed" => "unsub",
        other => return other.to_owned(),
    }
    .to_owned()
}

#[test]
fn subscribe_and_retrieve_per_access_model_and_affiliation() {
    // Columns: owner, publisher, publish-only, member, none, outcast. "pending": the
    // subscription waits for approval. Nobody is in the owner's roster here.
    let subscribe: &[(&str, [&str; 6])] = &[
        ("open", ["ok", "ok", "F", "ok", "ok", "F"]),
        ("presence", ["ok", "ok", "F", "presence", "presence", "F"]),
        ("roster", ["ok", "ok", "F", "roster", "roster", "F"]),
        ("authorize", ["ok", "ok", "F", "ok", "pending", "F"]),
        ("whitelist", ["ok", "ok", "F", "ok", "closed", "F"]),
    ];
    let retrieve: &[(&str, [&str; 6])] = &[
        ("open", ["ok", "ok", "F", "ok", "ok", "F"]),
        ("presence", ["ok", "ok", "F", "presence", "presence", "F"]),
        ("roster", ["ok", "ok", "F", "roster", "roster", "F"]),
        ("authorize", ["ok", "ok", "F", "unsub", "unsub", "F"]),
        ("whitelist", ["ok", "ok", "F", "ok", "closed", "F"]),
    ];
    let mut wrong = Vec::new();
    for (access, expected) in subscribe {
        for (affiliation, want) in AFFILIATIONS.iter().zip(expected) {
            let mut w = node(access, affiliation);
            let out = w.subscribe(FRANCISCO);
            let mut got = short(out.outcome());
            if got == "ok" && String::from(out.answer()).contains("subscription='pending'") {
                got = "pending".into();
            }
            if got != *want {
                wrong.push(format!(
                    "subscribe {access}/{affiliation}: expected {want}, got {got}"
                ));
            }
        }
    }
    for (access, expected) in retrieve {
        for (affiliation, want) in AFFILIATIONS.iter().zip(expected) {
            let mut w = node(access, affiliation);
            let got = short(w.items(FRANCISCO, "").outcome());
            if got != *want {
                wrong.push(format!(
                    "retrieve {access}/{affiliation}: expected {want}, got {got}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn publishing_and_node_management_per_affiliation() {
    // §4.1 table, with hamlet's item "first" and (for retract) one of francisco's own when he
    // may publish.
    let actions: &[(&str, [&str; 6])] = &[
        ("publish", ["ok", "ok", "ok", "F", "F", "F"]),
        ("retract hamlet's item", ["ok", "ok", "F", "F", "F", "F"]),
        ("retract own item", ["ok", "ok", "ok", "-", "-", "-"]),
        ("purge", ["ok", "ok", "F", "F", "F", "F"]),
        ("configure", ["ok", "F", "F", "F", "F", "F"]),
        ("delete", ["ok", "F", "F", "F", "F", "F"]),
        ("list subscriptions", ["ok", "F", "F", "F", "F", "F"]),
        ("list affiliations", ["ok", "F", "F", "F", "F", "F"]),
    ];
    let mut wrong = Vec::new();
    for (action, expected) in actions {
        for (affiliation, want) in AFFILIATIONS.iter().zip(expected) {
            if *want == "-" {
                continue;
            }
            let mut w = node("open", affiliation);
            let out = match *action {
                "publish" => w.publish(FRANCISCO, "x", "X"),
                "retract hamlet's item" => w.pubsub(
                    FRANCISCO,
                    "set",
                    &format!("<retract node='{NODE}'><item id='first'/></retract>"),
                ),
                "retract own item" => {
                    assert!(w.publish(FRANCISCO, "mine", "M").ok());
                    w.pubsub(
                        FRANCISCO,
                        "set",
                        &format!("<retract node='{NODE}'><item id='mine'/></retract>"),
                    )
                }
                "purge" => w.owner(FRANCISCO, "set", &format!("<purge node='{NODE}'/>")),
                "configure" => w.owner(FRANCISCO, "get", &format!("<configure node='{NODE}'/>")),
                "delete" => w.owner(FRANCISCO, "set", &format!("<delete node='{NODE}'/>")),
                "list subscriptions" => {
                    w.owner(FRANCISCO, "get", &format!("<subscriptions node='{NODE}'/>"))
                }
                "list affiliations" => {
                    w.owner(FRANCISCO, "get", &format!("<affiliations node='{NODE}'/>"))
                }
                _ => unreachable!(),
            };
            let got = short(out.outcome());
            if got != *want {
                wrong.push(format!(
                    "{action} as {affiliation}: expected {want}, got {got}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn publish_models_open_the_node_to_subscribers_or_anyone() {
    let mut w = World::new();
    w.create(&field("publish_model", "subscribers"));
    assert_eq!(w.publish(FRANCISCO, "x", "X").outcome(), "forbidden");
    w.subscribe(FRANCISCO);
    assert!(w.publish(FRANCISCO, "x", "X").ok());
    let mut w = World::new();
    w.create(&field("publish_model", "open"));
    assert!(w.publish(BERNARDO, "x", "X").ok());
}

#[test]
fn collection_nodes_are_not_implemented() {
    let mut w = World::new();
    let out = w.pubsub(
        HAMLET,
        "set",
        "<create node='announcements'/><configure><x xmlns='jabber:x:data' type='submit'>\
        <field var='pubsub#node_type'><value>collection</value></field></x></configure>",
    );
    assert_eq!(out.outcome(), "feature-not-implemented/unsupported");
    assert!(String::from(out.answer()).contains("feature='collections'"));
}
