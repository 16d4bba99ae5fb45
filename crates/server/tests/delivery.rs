//! RFC 6121 §8.5 delivery, driven through real sessions: bare and full JIDs with priorities,
//! negative priority, no resource, no account, headline and groupchat, offline storage and the
//! error when it is full.

mod common;
use common::*;

fn condition(stanza: &minidom::Element) -> Option<String> {
    let error = stanza.get_child("error", "jabber:client")?;
    error
        .children()
        .find(|c| c.ns() == "urn:ietf:params:xml:ns:xmpp-stanzas" && c.name() != "text")
        .map(|c| c.name().to_owned())
}

#[test]
fn a_message_to_the_bare_jid_reaches_the_highest_non_negative_priorities() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    let low = w.login("bob", "low", 1);
    let high = w.login("bob", "high", 5);
    let also_high = w.login("bob", "also-high", 5);
    let negative = w.login("bob", "negative", -1);
    for i in [low, high, also_high, negative] {
        w.take(i);
    }
    w.send(
        alice,
        "<message to='bob@example.com' type='chat'><body>hi</body></message>",
    );
    assert_eq!(w.bodies(high), ["hi"]);
    assert_eq!(w.bodies(also_high), ["hi"]);
    assert!(w.bodies(low).is_empty());
    assert!(w.bodies(negative).is_empty());
}

#[test]
fn a_message_to_a_full_jid_reaches_that_resource_even_with_negative_priority() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    let bob = w.login("bob", "b", 10);
    let hidden = w.login("bob", "hidden", -5);
    w.take(bob);
    w.take(hidden);
    w.send(
        alice,
        "<message to='bob@example.com/hidden' type='chat'><body>psst</body></message>",
    );
    assert_eq!(w.bodies(hidden), ["psst"]);
    assert!(w.bodies(bob).is_empty());
    // §8.5.3.2.1: a resource that is not there: as to the bare JID.
    w.send(
        alice,
        "<message to='bob@example.com/gone' type='chat'><body>anyone</body></message>",
    );
    assert_eq!(w.bodies(bob), ["anyone"]);
}

#[test]
fn only_negative_priorities_or_no_resource_means_offline_storage_delivered_at_login() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    let negative = w.login("bob", "negative", -1);
    w.take(negative);
    w.send(
        alice,
        "<message to='bob@example.com' type='chat'><body>one</body></message>",
    );
    w.send(
        alice,
        "<message to='bob@example.com'><body>two</body></message>",
    );
    // Headlines are not stored (§8.5.2.2.1), nor messages without a body.
    w.send(
        alice,
        "<message to='bob@example.com' type='headline'><body>news</body></message>",
    );
    w.send(alice, "<message to='bob@example.com' type='chat'><active xmlns='http://jabber.org/protocol/chatstates'/></message>");
    assert!(w.bodies(negative).is_empty());
    let bob = w.login("bob", "phone", 0);
    let got = w.take(bob);
    let bodies: Vec<String> = got
        .iter()
        .filter_map(|m| m.get_child("body", "jabber:client").map(|b| b.text()))
        .collect();
    assert_eq!(bodies, ["one", "two"]);
    let delay = got[got.len() - 1]
        .get_child("delay", "urn:xmpp:delay")
        .expect("a delay stamp");
    assert_eq!(delay.attr("from"), Some("example.com"));
    // Delivered once: a second resource gets nothing stored.
    let tablet = w.login("bob", "tablet", 0);
    assert!(w.bodies(tablet).is_empty());
}

/// XEP-0334 hints, XEP-0085 chat states, XEP-0184 receipts and XEP-0333 markers for a user who
/// is away: a chat state alone is not kept (and not answered), a `no-store` message with a body
/// is not kept and its sender is told, a bodyless message with a `store` hint, a receipt and a
/// marker are kept, and `no-permanent-store` still allows this temporary storage.
#[test]
fn hints_receipts_markers_and_chat_states_for_a_user_who_is_away() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    let send = |w: &mut World, id: &str, inner: &str| {
        w.send(
            alice,
            &format!("<message id='{id}' to='bob@example.com' type='chat'>{inner}</message>"),
        )
    };
    send(
        &mut w,
        "cs",
        "<composing xmlns='http://jabber.org/protocol/chatstates'/>",
    );
    send(
        &mut w,
        "ns",
        "<body>forget me</body><no-store xmlns='urn:xmpp:hints'/>",
    );
    send(
        &mut w,
        "st",
        "<store xmlns='urn:xmpp:hints'/><x xmlns='urn:example:custom'/>",
    );
    send(
        &mut w,
        "rc",
        "<received xmlns='urn:xmpp:receipts' id='earlier'/>",
    );
    send(
        &mut w,
        "mk",
        "<displayed xmlns='urn:xmpp:chat-markers:0' id='earlier'/>",
    );
    send(
        &mut w,
        "np",
        "<body>keep me a while</body><no-permanent-store xmlns='urn:xmpp:hints'/>",
    );
    let errors: Vec<String> = w
        .take(alice)
        .iter()
        .filter(|s| s.attr("type") == Some("error"))
        .map(|s| {
            format!(
                "{} {}",
                s.attr("id").unwrap_or_default(),
                condition(s).unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(errors, ["ns service-unavailable"]);
    let bob = w.login("bob", "phone", 0);
    let kept: Vec<String> = w
        .take(bob)
        .iter()
        .filter(|s| s.name() == "message")
        .filter_map(|m| m.attr("id").map(str::to_owned))
        .collect();
    assert_eq!(kept, ["st", "rc", "mk", "np"]);
}

#[test]
fn a_full_offline_store_answers_the_sender_instead_of_dropping() {
    let mut w = World::new(|c| c.offline_limit = 3);
    let alice = w.login("alice", "a", 0);
    for n in 0..4 {
        w.send(
            alice,
            &format!(
                "<message id='m{n}' to='bob@example.com' type='chat'><body>{n}</body></message>"
            ),
        );
    }
    let got = w.take(alice);
    let errors: Vec<_> = got
        .iter()
        .filter(|s| s.attr("type") == Some("error"))
        .collect();
    assert_eq!(errors.len(), 1, "{got:?}");
    assert_eq!(errors[0].attr("id"), Some("m3"));
    assert_eq!(condition(errors[0]).as_deref(), Some("service-unavailable"));
    let bob = w.login("bob", "b", 0);
    assert_eq!(w.bodies(bob), ["0", "1", "2"]);
}

#[test]
fn no_such_account_no_such_domain_and_no_such_resource_get_the_rfc_errors() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    w.send(
        alice,
        "<message id='1' to='nobody@example.com' type='chat'><body>x</body></message>",
    );
    w.send(
        alice,
        "<iq id='2' type='get' to='bob@example.com/none'><query xmlns='jabber:iq:version'/></iq>",
    );
    w.send(
        alice,
        "<message id='3' to='someone@elsewhere.example' type='chat'><body>x</body></message>",
    );
    w.send(
        alice,
        "<message id='4' to='bob@example.com/none' type='groupchat'><body>x</body></message>",
    );
    let got = w.take(alice);
    let by_id = |id: &str| {
        got.iter()
            .find(|s| s.attr("id") == Some(id))
            .and_then(condition)
    };
    assert_eq!(by_id("1").as_deref(), Some("service-unavailable"));
    assert_eq!(by_id("2").as_deref(), Some("service-unavailable"));
    assert_eq!(by_id("3").as_deref(), Some("remote-server-not-found"));
    assert_eq!(by_id("4").as_deref(), Some("service-unavailable"));
    // Presence to nobody is dropped silently (§8.5.1).
    w.send(alice, "<presence to='nobody@example.com'/>");
    assert!(w.take(alice).is_empty());
}

#[test]
fn an_iq_to_a_full_jid_is_delivered_and_the_answer_comes_back() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    let bob = w.login("bob", "b", 0);
    w.take(bob);
    w.send(
        alice,
        "<iq id='v1' type='get' to='bob@example.com/b'><query xmlns='jabber:iq:version'/></iq>",
    );
    let got = w.take(bob);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].attr("from"), Some("alice@example.com/a"));
    w.send(bob, "<iq id='v1' type='result' to='alice@example.com/a'><query xmlns='jabber:iq:version'><name>b</name></query></iq>");
    let got = w.take(alice);
    assert!(got
        .iter()
        .any(|s| s.attr("id") == Some("v1") && s.attr("type") == Some("result")));
}

#[test]
fn headlines_go_to_every_non_negative_resource() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    let one = w.login("bob", "one", 0);
    let two = w.login("bob", "two", 3);
    w.take(one);
    w.take(two);
    w.send(
        alice,
        "<message to='bob@example.com' type='headline'><body>news</body></message>",
    );
    assert_eq!(w.bodies(one), ["news"]);
    assert_eq!(w.bodies(two), ["news"]);
}

#[test]
fn stored_messages_wait_for_a_non_negative_priority() {
    let mut w = World::new(|_| {});
    let alice = w.login("alice", "a", 0);
    w.send(
        alice,
        "<message to='bob@example.com' type='chat'><body>kept</body></message>",
    );
    let bob = w.login("bob", "b", -1);
    assert!(w.bodies(bob).is_empty());
    w.presence(bob, 1);
    assert_eq!(w.bodies(bob), ["kept"]);
}

/// The accounts, counting how often the server asks whether one exists.
struct CountingAccounts {
    inner: xmppkit_server::MemoryAccounts,
    exists: std::sync::atomic::AtomicUsize,
}

impl xmppkit_session::CredentialStore for CountingAccounts {
    fn scram_keys(
        &self,
        username: &str,
        hash: xmppkit_session::scram::ScramHash,
    ) -> Result<Option<xmppkit_session::scram::ScramKeys>, xmppkit_session::CredentialError> {
        self.inner.scram_keys(username, hash)
    }
}

impl xmppkit_server::AccountStore for CountingAccounts {
    fn create(
        &self,
        user: &str,
        keys: [xmppkit_session::scram::ScramKeys; 2],
    ) -> Result<(), xmppkit_server::AccountError> {
        self.inner.create(user, keys)
    }
    fn set_keys(
        &self,
        user: &str,
        keys: [xmppkit_session::scram::ScramKeys; 2],
    ) -> Result<(), xmppkit_server::AccountError> {
        self.inner.set_keys(user, keys)
    }
    fn delete(&self, user: &str) -> Result<(), xmppkit_server::AccountError> {
        self.inner.delete(user)
    }
    fn users(&self) -> Vec<String> {
        self.inner.users()
    }
    fn exists(&self, user: &str) -> bool {
        self.exists
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner.exists(user)
    }
}

#[test]
fn presence_for_subscribers_who_are_offline_costs_no_account_lookup() {
    use std::sync::atomic::Ordering;
    use std::sync::Arc;
    use xmppkit_jid::BareJid;
    use xmppkit_server::roster::Roster;
    use xmppkit_server::subscription::State;
    let accounts = Arc::new(CountingAccounts {
        inner: Default::default(),
        exists: Default::default(),
    });
    let counted = accounts.clone();
    let mut w = World::with_stores(
        |_| {},
        |stores| {
            stores.accounts = accounts;
            // Alice and her contacts see each other; the contacts are offline.
            let mut roster = Roster::default();
            for contact in ["bob", "carol"] {
                let item = roster.entry(&BareJid::new(&format!("{contact}@{DOMAIN}")).unwrap());
                item.state = State {
                    to: true,
                    from: true,
                    ..State::default()
                };
                item.listed = true;
            }
            let alice = BareJid::new(&format!("alice@{DOMAIN}")).unwrap();
            stores.rosters.save(&alice, &roster).unwrap();
        },
    );
    let alice = w.bound("alice", "a");
    let before = counted.exists.load(Ordering::Relaxed);
    // §4.2: a broadcast copy and a probe for each contact (RFC 6121 §8.5.2.2: ignored, as
    // there is no available resource to take them).
    w.presence(alice, 0);
    w.send(alice, "<presence><show>away</show></presence>");
    assert_eq!(counted.exists.load(Ordering::Relaxed), before);
    // A subscription request still finds out whether the account is there (§3.1.3).
    w.send(
        alice,
        "<presence to='nobody@example.com' type='subscribe'/>",
    );
    assert_eq!(counted.exists.load(Ordering::Relaxed), before + 1);
}
