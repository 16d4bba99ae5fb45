//! Accounts: creation, duplicates, key changes, deletion and listing, and the sessions' view of
//! them (SCRAM keys and PLAIN checks, RFC 5802 §3).

use xmppkit_server::{derive_keys, AccountError, AccountStore};
use xmppkit_session::scram::ScramHash;

/// Runs the account rules on an empty `store`.
pub fn accounts(store: &dyn AccountStore) {
    assert!(store.users().is_empty(), "a new store has no accounts");
    assert!(!store.exists("juliet"));
    assert_eq!(store.scram_keys("juliet", ScramHash::Sha256), Ok(None));

    let keys = derive_keys("r0m30", b"salt-of-juliet", 64);
    store.create("juliet", keys.clone()).expect("create");
    assert!(store.exists("juliet"));
    for (hash, stored) in [(ScramHash::Sha1, &keys[0]), (ScramHash::Sha256, &keys[1])] {
        let got = store
            .scram_keys("juliet", hash)
            .unwrap()
            .expect("keys of each hash");
        assert_eq!(&got, stored, "the {hash:?} keys come back as stored");
    }
    assert!(store.check_password("juliet", "r0m30").unwrap());
    assert!(!store.check_password("juliet", "tybalt").unwrap());
    assert_eq!(
        store.create("juliet", derive_keys("other", b"s", 64)),
        Err(AccountError::Exists("juliet".into())),
        "a second create of the same name fails"
    );
    assert!(
        store.check_password("juliet", "r0m30").unwrap(),
        "a refused create leaves the account alone"
    );

    store
        .set_keys("juliet", derive_keys("n3w", b"new-salt", 64))
        .expect("set keys");
    assert!(store.check_password("juliet", "n3w").unwrap());
    assert!(!store.check_password("juliet", "r0m30").unwrap());
    assert_eq!(
        store.set_keys("nobody", derive_keys("x", b"s", 64)),
        Err(AccountError::NotFound("nobody".into()))
    );

    store
        .create("romeo", derive_keys("x", b"s", 64))
        .expect("create");
    store
        .create("benvolio", derive_keys("x", b"s", 64))
        .expect("create");
    assert_eq!(store.users(), ["benvolio", "juliet", "romeo"], "sorted");

    store.delete("romeo").expect("delete");
    assert!(!store.exists("romeo"));
    assert_eq!(
        store.delete("romeo"),
        Err(AccountError::NotFound("romeo".into()))
    );
    assert_eq!(store.users(), ["benvolio", "juliet"]);
    store
        .create("romeo", derive_keys("again", b"s", 64))
        .expect("a deleted name can be created again");
    assert!(store.check_password("romeo", "again").unwrap());
}
