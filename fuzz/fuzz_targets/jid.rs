//! JID parsing and XEP-0106 escaping on arbitrary strings: no panic; escaping is inverted by
//! unescaping, and a parsed JID re-parses to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmppkit_jid::{escape, Jid};

fuzz_target!(|s: &str| {
    if let Ok(jid) = Jid::new(s) {
        assert_eq!(Jid::new(jid.as_str()).unwrap(), jid);
        let _ = xmppkit_jid::route::domain_jid(&jid);
    }
    if let Ok(escaped) = escape::escape_node(s) {
        assert_eq!(escape::unescape_node(&escaped), s);
    }
});
