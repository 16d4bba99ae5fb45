//! A contact whose account is not on this server (RFC 6121 §3 and §4 across servers): what the
//! user's server owes the contact leaves as stanzas to the contact's bare JID, never as reads
//! of the contact's state, and what the contact's server sends back is handled as it arrives.
//! A component at `remote.example` stands in for the other server (and for the server-to-server
//! link of federation, or another shard of this one): it records what reaches it and answers
//! like a server whose user `dave` approves every request and is online at `dave/desk`.

mod common;
use common::*;
use minidom::Element;
use std::sync::{Arc, Mutex};
use xmppkit_server::{Component, Context};
use xmppkit_stanza::{set_attr, Outgoing};

const DAVE: &str = "dave@remote.example";
const DESK: &str = "dave@remote.example/desk";

#[derive(Clone, Default)]
struct OtherServer {
    /// What reached it.
    seen: Arc<Mutex<Vec<Element>>>,
    /// What it sends the next time it is spoken to, besides its answers.
    to_send: Arc<Mutex<Vec<Element>>>,
}

fn presence(from: &str, to: &str, type_: Option<&str>) -> Element {
    let mut p = el("<presence/>");
    set_attr(&mut p, "from", from);
    set_attr(&mut p, "to", to);
    if let Some(t) = type_ {
        set_attr(&mut p, "type", t);
    }
    p
}

impl Component for OtherServer {
    fn handle_stanza(&mut self, stanza: Element, _: &Context<'_>, out: &mut Vec<Outgoing>) {
        let own = std::mem::take(&mut *self.to_send.lock().unwrap());
        out.extend(own.into_iter().map(Outgoing::Stanza));
        if stanza.name() != "presence" {
            return;
        }
        self.seen.lock().unwrap().push(stanza.clone());
        let from = stanza.attr("from").unwrap_or_default().to_owned();
        match stanza.attr("type") {
            // Dave's server approves for him, and his presence follows (§3.1.5).
            Some("subscribe") => {
                out.push(Outgoing::Stanza(presence(DAVE, &from, Some("subscribed"))));
                out.push(Outgoing::Stanza(presence(DESK, &from, None)));
            }
            // §4.3.2: answered to whoever probed, a resource or the account.
            Some("probe") => out.push(Outgoing::Stanza(presence(DESK, &from, None))),
            _ => {}
        }
    }
}

impl OtherServer {
    /// The presence that reached the other server since last asked, as (type, from, to).
    fn take(&self) -> Vec<(String, String, String)> {
        std::mem::take(&mut *self.seen.lock().unwrap())
            .iter()
            .map(|s| {
                let attr = |name| s.attr(name).unwrap_or_default().to_owned();
                (
                    s.attr("type").unwrap_or("available").to_owned(),
                    attr("from"),
                    attr("to"),
                )
            })
            .collect()
    }

    /// Dave's server sends `stanza`: it goes out when client `i` pings that server.
    fn send(&self, w: &mut World, i: usize, stanza: Element) {
        self.to_send.lock().unwrap().push(stanza);
        w.send(
            i,
            "<iq type='get' id='poke' to='remote.example'><ping xmlns='urn:xmpp:ping'/></iq>",
        );
    }
}

fn sent(type_: &str, from: &str) -> (String, String, String) {
    (type_.into(), from.into(), DAVE.into())
}

/// Presence from Dave's resource that client `i` received, as its types.
fn from_dave(w: &mut World, i: usize) -> Vec<String> {
    w.take(i)
        .iter()
        .filter(|s| s.name() == "presence" && s.attr("from") == Some(DESK))
        .map(|s| s.attr("type").unwrap_or("available").to_owned())
        .collect()
}

/// Alice asked for Dave's presence and his server approved: her item is `to`; she is online
/// at `phone`.
fn subscribed_to_dave() -> (World, OtherServer, usize) {
    let mut w = World::new(|_| {});
    let other = OtherServer::default();
    w.server
        .add_component("remote.example", Box::new(other.clone()));
    let alice = w.login("alice", "phone", 0);
    w.send(alice, &format!("<presence to='{DAVE}' type='subscribe'/>"));
    // §3.1.2: the request leaves from the account, not the resource.
    assert_eq!(other.take(), [sent("subscribe", "alice@example.com")]);
    // Dave's answer and presence were handled as they arrived.
    assert_eq!(from_dave(&mut w, alice), ["available"]);
    (w, other, alice)
}

#[test]
fn the_subscription_request_and_its_answer_cross_as_stanzas() {
    let (mut w, _, alice) = subscribed_to_dave();
    w.send(
        alice,
        "<iq type='get' id='r'><query xmlns='jabber:iq:roster'/></iq>",
    );
    let roster = w.take(alice);
    let item = roster[0]
        .get_child("query", "jabber:iq:roster")
        .and_then(|q| q.get_child("item", "jabber:iq:roster"))
        .expect("dave is on the roster");
    assert_eq!(item.attr("jid"), Some(DAVE));
    assert_eq!(item.attr("subscription"), Some("to"));
}

#[test]
fn a_new_resource_probes_the_contact_and_only_it_gets_the_answer() {
    let (mut w, other, alice) = subscribed_to_dave();
    let laptop = w.login("alice", "laptop", 0);
    // §4.3.1: the probe leaves from the resource that came online; §4.2.2: the broadcast of
    // its presence goes to the contact's bare JID only when the contact is a subscriber (not
    // yet: Dave has no `from`).
    assert_eq!(other.take(), [sent("probe", "alice@example.com/laptop")]);
    assert_eq!(from_dave(&mut w, laptop), ["available"]);
    assert!(
        from_dave(&mut w, alice).is_empty(),
        "the phone is not told again"
    );
}

#[test]
fn a_subscriber_elsewhere_gets_broadcasts_and_the_unavailable_presence_that_ends_them() {
    let (mut w, other, alice) = subscribed_to_dave();
    // Dave's server asks for him; Alice approves: `subscribed`, then her presence (§3.1.5).
    other.send(
        &mut w,
        alice,
        presence(DAVE, "alice@example.com", Some("subscribe")),
    );
    let asked = w.take(alice);
    assert!(asked
        .iter()
        .any(|s| s.attr("type") == Some("subscribe") && s.attr("from") == Some(DAVE)));
    w.send(alice, &format!("<presence to='{DAVE}' type='subscribed'/>"));
    assert_eq!(
        other.take(),
        [
            sent("subscribed", "alice@example.com"),
            sent("available", "alice@example.com/phone"),
        ]
    );
    // §4.2.2 / §4.4.2: every change goes to his bare JID, once per resource of hers.
    w.send(alice, "<presence><show>away</show></presence>");
    assert_eq!(other.take(), [sent("available", "alice@example.com/phone")]);
    let laptop = w.login("alice", "laptop", 0);
    assert_eq!(
        other.take(),
        [
            sent("available", "alice@example.com/laptop"),
            sent("probe", "alice@example.com/laptop"),
        ]
    );
    w.take(laptop);
    // XEP-0191 §3.3: blocking him sends him the unavailable presence of each resource.
    w.send(
        alice,
        &format!(
            "<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='{DAVE}'/></block></iq>"
        ),
    );
    let mut gone = other.take();
    gone.sort();
    assert_eq!(
        gone,
        [
            sent("unavailable", "alice@example.com/laptop"),
            sent("unavailable", "alice@example.com/phone"),
        ]
    );
    // Blocked: nothing more goes to him, a probe included (§3.6).
    w.send(alice, "<presence><show>dnd</show></presence>");
    assert!(other.take().is_empty());
    // Unblocked (§3.4): he gets her presence again and she asks for his.
    w.send(
        alice,
        &format!(
            "<iq type='set' id='u'><unblock xmlns='urn:xmpp:blocking'><item jid='{DAVE}'/></unblock></iq>"
        ),
    );
    let mut back = other.take();
    back.sort();
    assert_eq!(
        back,
        [
            sent("available", "alice@example.com/laptop"),
            sent("available", "alice@example.com/phone"),
            sent("probe", "alice@example.com"),
        ]
    );
    // Answered to the account: both resources get it.
    assert_eq!(from_dave(&mut w, alice), ["available"]);
    assert_eq!(from_dave(&mut w, laptop), ["available"]);
    // Her resource leaving tells him (§4.5.2), once its detached session expires.
    w.cut(laptop);
    assert!(other.take().is_empty(), "resumable for a while");
    w.advance(std::time::Duration::from_secs(3600));
    assert_eq!(
        other.take(),
        [sent("unavailable", "alice@example.com/laptop")]
    );
    // She cancels his subscription (§3.2.2): `unsubscribed`, and her resources go from his view.
    w.send(
        alice,
        &format!("<presence to='{DAVE}' type='unsubscribed'/>"),
    );
    assert_eq!(
        other.take(),
        [
            sent("unavailable", "alice@example.com/phone"),
            sent("unsubscribed", "alice@example.com"),
        ]
    );
    w.send(alice, "<presence><show>chat</show></presence>");
    assert!(other.take().is_empty(), "no longer a subscriber");
}
