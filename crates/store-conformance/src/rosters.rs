//! Rosters (RFC 6121 §2, XEP-0237): every field of every item, the version and the remembered
//! removals come back as saved, per user.

use crate::bare;
use xmppkit_server::roster::{Item, Roster};
use xmppkit_server::subscription::State;
use xmppkit_server::RosterStore;

fn sample() -> Roster {
    let mut roster = Roster::default();
    let states = [
        State::default(),
        State {
            to: true,
            from: true,
            ..State::default()
        },
        State {
            pending_out: true,
            pending_in: true,
            approved: true,
            ..State::default()
        },
    ];
    for (n, state) in states.into_iter().enumerate() {
        roster.items.insert(
            bare(&format!("contact{n}@example.net")),
            Item {
                state,
                name: (n != 0).then(|| format!("Contact «{n}» & co")),
                groups: (0..n).map(|g| format!("group {g}")).collect(),
                listed: n != 2,
                version: 10 + n as u64,
            },
        );
    }
    roster.removed.insert(bare("gone@example.net"), 7);
    roster.version = 12;
    roster
}

/// Runs the roster rules on an empty `store`.
pub fn rosters(store: &mut dyn RosterStore) {
    let juliet = bare("juliet@example.com");
    let romeo = bare("romeo@example.com");
    assert_eq!(
        store.load(&juliet).expect("load"),
        Roster::default(),
        "no roster yet: an empty one"
    );
    let roster = sample();
    store.save(&juliet, &roster).expect("save");
    assert_eq!(store.load(&juliet).expect("load"), roster, "as saved");
    assert_eq!(
        store.load(&romeo).expect("load"),
        Roster::default(),
        "another user's roster is apart"
    );

    // A change: one item removed (remembered), one changed, one added.
    let mut changed = roster.clone();
    changed.remove(&bare("contact0@example.net"));
    let item = changed.entry(&bare("contact1@example.net"));
    item.name = None;
    item.groups.clear();
    item.state.to = false;
    changed.touch(&bare("contact1@example.net"));
    changed.entry(&bare("new@example.net")).listed = true;
    changed.touch(&bare("new@example.net"));
    store.save(&juliet, &changed).expect("save");
    assert_eq!(
        store.load(&juliet).expect("load"),
        changed,
        "the new state, not a merge"
    );

    store.save(&romeo, &roster).expect("save");
    store.delete(&juliet).expect("delete");
    assert_eq!(store.load(&juliet).expect("load"), Roster::default());
    assert_eq!(
        store.load(&romeo).expect("load"),
        roster,
        "delete is per user"
    );
}
