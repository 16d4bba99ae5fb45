//! Rosters served from an application's own tables (the storage issue's "rosters from an
//! application's database"): a `RosterStore` over `users` and `friendships`, with no second
//! copy of the relationships. Accepting a friendship in the application reaches both users'
//! clients as roster pushes and presence (`Server::handle_roster_changed`); a client removing
//! a contact is written back as the friendship's end; what a user changed is what the user
//! reads back, however the application's database is reached.

mod common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use xmppkit_jid::BareJid;
use xmppkit_server::roster::{Item, Roster};
use xmppkit_server::subscription::State;
use xmppkit_server::{RosterStore, StoreError};

/// The application's tables: display names, and friendships between two users, requested by
/// one and accepted or not. (An embedder's are in PostgreSQL; the shape is the point.)
#[derive(Debug, Default)]
struct AppDb {
    names: BTreeMap<String, String>,
    /// (requester, other) → accepted.
    friendships: BTreeMap<(String, String), bool>,
    /// The one thing XMPP needs that the application did not have: roster versions.
    versions: BTreeMap<String, u64>,
}

impl AppDb {
    fn between(&self, a: &str, b: &str) -> Option<((String, String), bool)> {
        [(a, b), (b, a)].into_iter().find_map(|(x, y)| {
            let key = (x.to_owned(), y.to_owned());
            self.friendships.get(&key).map(|accepted| (key, *accepted))
        })
    }

    /// The roster item `user` has for `other`, as the application's tables say.
    fn item(&self, user: &str, other: &str) -> Option<Item> {
        let ((requester, _), accepted) = self.between(user, other)?;
        let state = State {
            to: accepted,
            from: accepted,
            pending_out: !accepted && requester == user,
            pending_in: !accepted && requester != user,
            approved: false,
        };
        Some(Item {
            state,
            name: self.names.get(other).cloned(),
            groups: vec!["Friends".into()],
            listed: accepted || requester == user,
            version: 0,
        })
    }
}

fn local(jid: &BareJid) -> String {
    jid.node().map(|n| n.to_string()).unwrap_or_default()
}

#[derive(Debug, Clone, Default)]
struct AppRosters(Arc<Mutex<AppDb>>);

impl RosterStore for AppRosters {
    fn load(&mut self, user: &BareJid) -> Result<Roster, StoreError> {
        let db = self.0.lock().unwrap();
        let me = local(user);
        let mut roster = Roster {
            version: db.versions.get(&me).copied().unwrap_or(0),
            ..Roster::default()
        };
        let others: BTreeSet<String> = db
            .friendships
            .keys()
            .filter_map(|(a, b)| match (a == &me, b == &me) {
                (true, _) => Some(b.clone()),
                (_, true) => Some(a.clone()),
                _ => None,
            })
            .collect();
        for other in others {
            if let Some(item) = db.item(&me, &other) {
                let contact = BareJid::new(&format!("{other}@{DOMAIN}")).unwrap();
                roster.items.insert(contact, item);
            }
        }
        Ok(roster)
    }

    /// Writes back what the user's roster says about friendships: a contact gone or with no
    /// subscription left ends the friendship, a subscription both ways accepts it, a new
    /// request is a new friendship request. Names and groups stay the application's.
    fn save(&mut self, user: &BareJid, roster: &Roster) -> Result<(), StoreError> {
        let mut db = self.0.lock().unwrap();
        let me = local(user);
        db.versions.insert(me.clone(), roster.version);
        let known: Vec<(String, String)> = db
            .friendships
            .keys()
            .filter(|(a, b)| a == &me || b == &me)
            .cloned()
            .collect();
        for (a, b) in known {
            let other = if a == me { &b } else { &a };
            let contact = BareJid::new(&format!("{other}@{DOMAIN}")).unwrap();
            let state = roster.items.get(&contact).map(|i| i.state);
            match state {
                None => {
                    db.friendships.remove(&(a, b));
                }
                Some(s) if !(s.to || s.from || s.pending_out || s.pending_in) => {
                    db.friendships.remove(&(a, b));
                }
                Some(s) if s.to && s.from => {
                    db.friendships.insert((a, b), true);
                }
                Some(_) => {}
            }
        }
        for (contact, item) in &roster.items {
            let other = local(contact);
            if item.state.pending_out && db.between(&me, &other).is_none() {
                db.friendships.insert((me.clone(), other), false);
            }
        }
        Ok(())
    }

    fn delete(&mut self, user: &BareJid) -> Result<(), StoreError> {
        let mut db = self.0.lock().unwrap();
        let me = local(user);
        db.friendships.retain(|(a, b), _| a != &me && b != &me);
        Ok(())
    }
}

fn jid(user: &str) -> BareJid {
    BareJid::new(&format!("{user}@{DOMAIN}")).unwrap()
}

fn pushes(w: &mut World, i: usize) -> (Vec<(String, String)>, Vec<String>) {
    let got = w.take(i);
    let items = roster_items(&got, "set");
    let presences = got
        .iter()
        .filter(|s| s.name() == "presence")
        .map(|p| {
            format!(
                "{} {}",
                p.attr("from").unwrap(),
                p.attr("type").unwrap_or("available")
            )
        })
        .collect();
    (items, presences)
}

fn request_roster(w: &mut World, i: usize) -> Vec<(String, String)> {
    w.send(
        i,
        "<iq type='get' id='r'><query xmlns='jabber:iq:roster'/></iq>",
    );
    roster_items(&w.take(i), "result")
}

#[test]
fn an_accepted_friendship_is_pushed_and_shares_presence_and_a_removal_ends_it() {
    let app = AppRosters::default();
    {
        let mut db = app.0.lock().unwrap();
        db.names.insert("alice".into(), "Alice Liddell".into());
        db.names.insert("bob".into(), "Bob".into());
        // Alice asked Bob in the application; he has not answered.
        db.friendships.insert(("alice".into(), "bob".into()), false);
    }
    let stores = app.clone();
    let mut w = World::with_stores(|_| {}, move |s| s.rosters = Box::new(stores));
    let alice = w.login("alice", "phone", 0);
    let bob = w.login("bob", "desk", 0);
    assert_eq!(
        request_roster(&mut w, alice),
        [("bob@example.com".to_owned(), "none+ask".to_owned())],
        "the application's pending request, as the roster says it"
    );
    assert!(
        request_roster(&mut w, bob).is_empty(),
        "a request is not on the roster"
    );

    // Bob accepts in the application; it tells the server, once per side.
    app.0
        .lock()
        .unwrap()
        .friendships
        .insert(("alice".into(), "bob".into()), true);
    let (a, b) = {
        let db = app.0.lock().unwrap();
        (db.item("alice", "bob"), db.item("bob", "alice"))
    };
    w.server
        .handle_roster_changed(&jid("alice"), &jid("bob"), a.clone());
    w.server
        .handle_roster_changed(&jid("bob"), &jid("alice"), b);
    w.run();
    let (items, presences) = pushes(&mut w, alice);
    assert_eq!(items, [("bob@example.com".to_owned(), "both".to_owned())]);
    assert_eq!(presences, ["bob@example.com/desk available"], "once");
    let (items, presences) = pushes(&mut w, bob);
    assert_eq!(items, [("alice@example.com".to_owned(), "both".to_owned())]);
    assert_eq!(presences, ["alice@example.com/phone available"], "once");
    // Presence now flows both ways.
    w.send(bob, "<presence><show>away</show></presence>");
    assert_eq!(pushes(&mut w, alice).1, ["bob@example.com/desk available"]);
    // The same change again is no change: nothing is pushed.
    w.server
        .handle_roster_changed(&jid("alice"), &jid("bob"), a);
    w.run();
    assert_eq!(pushes(&mut w, alice), (vec![], vec![]));

    // Bob removes Alice in his client: the friendship ends in the application's tables, both
    // rosters say so, and Alice no longer sees Bob.
    w.send(
        bob,
        "<iq type='set' id='rm'><query xmlns='jabber:iq:roster'>\
         <item jid='alice@example.com' subscription='remove'/></query></iq>",
    );
    assert!(app.0.lock().unwrap().friendships.is_empty(), "written back");
    assert!(
        request_roster(&mut w, bob).is_empty(),
        "read back as written"
    );
    let (items, presences) = pushes(&mut w, alice);
    // RFC 6121 §3.2 and §3.3 in turn: Alice's item loses `from`, then `to`.
    assert_eq!(
        items.last(),
        Some(&("bob@example.com".to_owned(), "none".to_owned())),
        "{items:?}"
    );
    assert!(presences.contains(&"bob@example.com/desk unavailable".to_owned()));
}

#[test]
fn a_change_for_a_user_without_a_session_waits_for_the_next_bind() {
    let app = AppRosters::default();
    app.0
        .lock()
        .unwrap()
        .friendships
        .insert(("alice".into(), "carol".into()), true);
    let stores = app.clone();
    let mut w = World::with_stores(|_| {}, move |s| s.rosters = Box::new(stores));
    let item = app.0.lock().unwrap().item("carol", "alice");
    w.server
        .handle_roster_changed(&jid("carol"), &jid("alice"), item);
    w.run();
    let carol = w.login("carol", "c", 0);
    assert_eq!(
        request_roster(&mut w, carol),
        [("alice@example.com".to_owned(), "both".to_owned())]
    );
}
