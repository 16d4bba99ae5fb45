//! JID parsing and XEP-0106 escaping on arbitrary strings: no panic; escaping is inverted by
//! unescaping; a parsed JID's text prepares to itself (RFC 8264 §7), with the same parts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmppkit_jid::{escape, Jid};

fuzz_target!(|s: &str| {
    if let Ok(jid) = Jid::new(s) {
        let again = Jid::new(jid.as_str()).expect("a prepared JID parses again");
        assert_eq!(again.as_str(), jid.as_str());
        assert_eq!(again.node(), jid.node());
        assert_eq!(again.resource(), jid.resource());
        assert_eq!(Jid::from_parts(jid.node(), jid.domain(), jid.resource()), jid);
        let _ = xmppkit_jid::route::domain_jid(&jid);
    }
    if let Ok(escaped) = escape::escape_node(s) {
        assert_eq!(escape::unescape_node(&escaped), s);
    }
});
