//! Offline messages (XEP-0160): kept in order with increasing sequence numbers, removed only
//! through a given number, per user, and returned exactly as stored.

use crate::{bare, el};
use xmppkit_server::OfflineStore;

/// Runs the offline-storage rules on an empty `store`.
pub fn offline(store: &mut dyn OfflineStore) {
    let juliet = bare("juliet@example.com");
    let romeo = bare("romeo@example.com");
    assert_eq!(store.count(&juliet).expect("count"), 0);
    assert!(store.list(&juliet).expect("list").is_empty());

    let messages: Vec<_> = (0..3)
        .map(|n| {
            el(&format!(
                "<message xmlns='jabber:client' from='romeo@example.com/orchard' \
                 to='juliet@example.com' type='chat' id='m{n}'><body>part {n} &amp; &lt;more&gt;</body>\
                 <delay xmlns='urn:xmpp:delay' from='example.com' stamp='2026-12-03T10:00:0{n}Z'>Offline Storage</delay>\
                 </message>"
            ))
        })
        .collect();
    for m in &messages {
        store.push(&juliet, m.clone()).expect("push");
    }
    store
        .push(&romeo, messages[0].clone())
        .expect("push to another user");
    assert_eq!(store.count(&juliet).expect("count"), 3);

    let listed = store.list(&juliet).expect("list");
    let got: Vec<_> = listed.iter().map(|(_, m)| m.clone()).collect();
    assert_eq!(got, messages, "oldest first, exactly as pushed");
    assert!(
        listed.windows(2).all(|w| w[0].0 < w[1].0),
        "sequence numbers increase: {:?}",
        listed.iter().map(|(s, _)| s).collect::<Vec<_>>()
    );

    store
        .remove_through(&juliet, listed[1].0)
        .expect("remove through");
    let rest = store.list(&juliet).expect("list");
    assert_eq!(rest, listed[2..], "only what follows is kept");
    assert_eq!(store.count(&juliet).expect("count"), 1);
    assert_eq!(
        store.count(&romeo).expect("count"),
        1,
        "other users untouched"
    );

    store.push(&juliet, messages[0].clone()).expect("push");
    let after = store.list(&juliet).expect("list");
    assert!(after[1].0 > listed[2].0, "a later push gets a later number");

    store.delete(&juliet).expect("delete");
    assert_eq!(store.count(&juliet).expect("count"), 0);
    assert_eq!(store.count(&romeo).expect("count"), 1);
}
