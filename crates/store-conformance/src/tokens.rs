//! XEP-0484 FAST tokens: both slots come back as saved, per user and per client; empty slots
//! forget the client; a user's deletion forgets all of that user's clients and no one else's.

use crate::bare;
use xmppkit_server::{StoredToken, TokenSlots, TokenStore};
use xmppkit_stanza::datetime::DateTime;

fn token(secret: &str, expiry: i64, count: u32) -> StoredToken {
    StoredToken {
        token: secret.into(),
        mechanism: "HT-SHA-256-NONE".into(),
        expiry: DateTime::from_unix(expiry, 0).expect("a time"),
        count,
    }
}

/// Runs the token rules on an empty `store`.
pub fn tokens(store: &mut dyn TokenStore) {
    let juliet = bare("juliet@example.com");
    let romeo = bare("romeo@example.com");
    assert!(store.get(&juliet, "phone").expect("get").is_empty());
    let both = TokenSlots {
        current: Some(token("c-secret", 1_800_000_000, 7)),
        new: Some(token("n-secret", 1_800_100_000, 0)),
    };
    store.put(&juliet, "phone", both.clone()).expect("put");
    assert_eq!(store.get(&juliet, "phone").expect("get"), both);
    assert!(
        store.get(&juliet, "laptop").expect("get").is_empty(),
        "per client"
    );
    assert!(
        store.get(&romeo, "phone").expect("get").is_empty(),
        "per user"
    );

    let only_new = TokenSlots {
        current: None,
        new: Some(token("n2", 1_800_200_000, 0)),
    };
    store.put(&juliet, "phone", only_new.clone()).expect("put");
    assert_eq!(
        store.get(&juliet, "phone").expect("get"),
        only_new,
        "replaced, not merged"
    );
    store
        .put(&juliet, "phone", TokenSlots::default())
        .expect("put");
    assert!(
        store.get(&juliet, "phone").expect("get").is_empty(),
        "forgotten"
    );

    store.put(&juliet, "phone", both.clone()).expect("put");
    store.put(&juliet, "laptop", both.clone()).expect("put");
    store.put(&romeo, "phone", both.clone()).expect("put");
    store.delete_user(&juliet).expect("delete");
    assert!(store.get(&juliet, "phone").expect("get").is_empty());
    assert!(store.get(&juliet, "laptop").expect("get").is_empty());
    assert_eq!(
        store.get(&romeo, "phone").expect("get"),
        both,
        "others kept"
    );
}
