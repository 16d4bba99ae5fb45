//! Stores that fail: the engine keeps serving, reports each failure, tells a sender whose message
//! could not be kept (`internal-server-error`), and never writes a roster it could not load over
//! the stored one.

mod common;
use common::*;
use minidom::Element;
use std::sync::{Arc, Mutex};
use xmppkit_jid::BareJid;
use xmppkit_server::roster::Roster;
use xmppkit_server::{OfflineStore, RosterStore, StoreError};

fn down(store: &'static str) -> StoreError {
    StoreError::Backend {
        store,
        reason: "connection refused".into(),
    }
}

struct DownOffline;

impl OfflineStore for DownOffline {
    fn count(&self, _: &BareJid) -> Result<usize, StoreError> {
        Ok(0)
    }
    fn push(&mut self, _: &BareJid, _: Element) -> Result<(), StoreError> {
        Err(down("offline"))
    }
    fn list(&self, _: &BareJid) -> Result<Vec<(u64, Element)>, StoreError> {
        Err(down("offline"))
    }
    fn remove_through(&mut self, _: &BareJid, _: u64) -> Result<(), StoreError> {
        Err(down("offline"))
    }
    fn delete(&mut self, _: &BareJid) -> Result<(), StoreError> {
        Err(down("offline"))
    }
}

#[test]
fn a_message_the_offline_store_cannot_keep_is_answered_with_internal_server_error() {
    let mut w = World::with_stores(|_| {}, |s| s.offline = Box::new(DownOffline));
    let alice = w.login("alice", "a", 0);
    w.send(
        alice,
        "<message to='bob@example.com' id='m1' type='chat'><body>hi</body></message>",
    );
    let answers = w.take(alice);
    let error = answers
        .iter()
        .find(|s| s.attr("type") == Some("error") && s.attr("id") == Some("m1"))
        .expect("the sender is told");
    let text = String::from(error);
    assert!(text.contains("internal-server-error"), "{text}");
    assert_eq!(w.store_failures, [down("offline")]);
    // The server still serves: bob logs in and alice's next message reaches him.
    let bob = w.login("bob", "b", 0);
    w.send(
        alice,
        "<message to='bob@example.com' type='chat'><body>now</body></message>",
    );
    assert_eq!(w.bodies(bob), ["now"]);
}

/// Rosters whose loads fail while `down` is set; saves are recorded.
struct FlakyRosters {
    down: Arc<Mutex<bool>>,
    saved: Arc<Mutex<Vec<BareJid>>>,
}

impl RosterStore for FlakyRosters {
    fn load(&mut self, _: &BareJid) -> Result<Roster, StoreError> {
        match *self.down.lock().unwrap() {
            true => Err(down("rosters")),
            false => Ok(Roster::default()),
        }
    }
    fn save(&mut self, user: &BareJid, _: &Roster) -> Result<(), StoreError> {
        self.saved.lock().unwrap().push(user.clone());
        Ok(())
    }
    fn delete(&mut self, _: &BareJid) -> Result<(), StoreError> {
        Ok(())
    }
}

#[test]
fn a_roster_that_failed_to_load_is_never_written_over_the_stored_one() {
    let down_flag = Arc::new(Mutex::new(true));
    let saved = Arc::new(Mutex::new(Vec::new()));
    let rosters = FlakyRosters {
        down: down_flag.clone(),
        saved: saved.clone(),
    };
    let mut w = World::with_stores(|_| {}, |s| s.rosters = Box::new(rosters));
    let alice = w.login("alice", "a", 0);
    assert!(w.store_failures.contains(&down("rosters")));
    *down_flag.lock().unwrap() = false;
    w.send(
        alice,
        "<iq type='set' id='add'><query xmlns='jabber:iq:roster'><item jid='bob@example.com'/></query></iq>",
    );
    // The store is back, but alice's working copy started empty: saving it would erase hers.
    let alice_jid = BareJid::new("alice@example.com").unwrap();
    assert!(
        !saved.lock().unwrap().contains(&alice_jid),
        "alice's unloaded roster was saved: {:?}",
        saved.lock().unwrap()
    );
}
