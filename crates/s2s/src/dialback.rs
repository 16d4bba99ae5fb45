//! Server Dialback's pieces (XEP-0220): the key an originating server proves its domain with,
//! generated as XEP-0185 recommends, and the `db:result` / `db:verify` elements.

use hmac::{Hmac, Mac};
use minidom::Element;
use sha2::{Digest, Sha256};
use xmppkit_stanza::set_attr;

/// The dialback namespace, bound to the `db` prefix in stream headers.
pub const NS_DIALBACK: &str = "jabber:server:dialback";
/// The stream feature that announces dialback (XEP-0220 §2.1).
pub const NS_DIALBACK_FEATURE: &str = "urn:xmpp:features:dialback";

/// The secret a server's dialback keys are made with (XEP-0185 §3): set in the configuration or
/// random at start; every process of a domain's network needs the same one.
#[derive(Clone)]
pub struct DialbackSecret(String);

impl std::fmt::Debug for DialbackSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DialbackSecret(..)")
    }
}

impl DialbackSecret {
    /// A secret from configuration (or from random bytes made by the application).
    pub fn new(secret: impl Into<String>) -> Self {
        DialbackSecret(secret.into())
    }

    /// HMAC-SHA256(hex(SHA256(secret)), "receiving originating stream-id") as lower-case hex
    /// (XEP-0185 §3).
    ///
    /// ```
    /// use xmppkit_s2s::DialbackSecret;
    /// let secret = DialbackSecret::new("s3cr3tf0rd14lb4ck");
    /// assert_eq!(secret.key("xmpp.example.com", "example.org", "D60000229F"),
    ///     "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643");
    /// ```
    pub fn key(&self, receiving: &str, originating: &str, stream_id: &str) -> String {
        let hashed = hex(&Sha256::digest(self.0.as_bytes()));
        let mut mac = Hmac::<Sha256>::new_from_slice(hashed.as_bytes()).expect("any key length");
        mac.update(format!("{receiving} {originating} {stream_id}").as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// Whether `key` is the one this secret makes for the same inputs (compared in constant time).
    pub fn verifies(&self, key: &str, receiving: &str, originating: &str, stream_id: &str) -> bool {
        let expected = self.key(receiving, originating, stream_id);
        let key = key.trim();
        key.len() == expected.len()
            && key
                .bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A `db:result` or `db:verify` element.
pub(crate) fn element(
    name: &str,
    from: &str,
    to: &str,
    id: Option<&str>,
    type_: Option<&str>,
    key: Option<&str>,
) -> Element {
    let mut el = Element::bare(name, NS_DIALBACK);
    set_attr(&mut el, "from", from);
    set_attr(&mut el, "to", to);
    if let Some(id) = id {
        set_attr(&mut el, "id", id);
    }
    if let Some(type_) = type_ {
        set_attr(&mut el, "type", type_);
    }
    if let Some(key) = key {
        el.append_text(key);
    }
    el
}

/// A `db:result type='error'` with a stanza error condition (XEP-0220 §2.5); the `error`
/// child is in the stream's content namespace, as the XEP's examples write it unprefixed.
pub(crate) fn error_result(from: &str, to: &str, condition: &str, type_: &str) -> Element {
    let mut error = Element::bare("error", xmppkit_codec::ns::SERVER);
    set_attr(&mut error, "type", type_);
    error.append_child(Element::bare(condition, xmppkit_codec::ns::XMPP_STANZAS));
    let mut result = element("result", from, to, None, Some("error"), None);
    result.append_child(error);
    result
}
