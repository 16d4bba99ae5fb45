//! Blocklists (XEP-0191): saved sets come back equal, per user; an empty set clears the list.

use crate::bare;
use std::collections::BTreeSet;
use xmppkit_jid::Jid;
use xmppkit_server::BlockingStore;

/// Runs the blocklist rules on an empty `store`.
pub fn blocking(store: &mut dyn BlockingStore) {
    let juliet = bare("juliet@example.com");
    let romeo = bare("romeo@example.com");
    assert!(store.load(&juliet).expect("load").is_empty());
    let list: BTreeSet<Jid> = [
        "tybalt@example.com",
        "example.org",
        "paris@example.net/ball",
    ]
    .into_iter()
    .map(|j| j.parse().expect("a JID"))
    .collect();
    store.save(&juliet, &list).expect("save");
    assert_eq!(store.load(&juliet).expect("load"), list);
    assert!(store.load(&romeo).expect("load").is_empty(), "per user");

    let smaller: BTreeSet<Jid> = list.iter().skip(1).cloned().collect();
    store.save(&juliet, &smaller).expect("save");
    assert_eq!(
        store.load(&juliet).expect("load"),
        smaller,
        "replaced, not merged"
    );
    store.save(&juliet, &BTreeSet::new()).expect("save");
    assert!(store.load(&juliet).expect("load").is_empty());
}
