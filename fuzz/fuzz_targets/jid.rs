//! JID parsing and XEP-0106 escaping on arbitrary strings: no panic; escaping is inverted by
//! unescaping; a parsed JID's text parses again, and from the second preparation on it is stable
//! (the first is not always idempotent in the `jid` crate: see crates/jid/tests/rfc7622.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmppkit_jid::{escape, Jid};

fuzz_target!(|s: &str| {
    if let Ok(jid) = Jid::new(s) {
        let again = Jid::new(jid.as_str()).expect("a prepared JID parses again");
        assert_eq!(Jid::new(again.as_str()).unwrap(), again);
        let _ = xmppkit_jid::route::domain_jid(&jid);
    }
    if let Ok(escaped) = escape::escape_node(s) {
        assert_eq!(escape::unescape_node(&escaped), s);
    }
});
