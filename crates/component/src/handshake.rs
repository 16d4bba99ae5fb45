//! The XEP-0114 §2 handshake value: the lower-case hex SHA-1 of the stream id followed by the
//! shared secret, and its check on the accepting side.

use minidom::Element;
use sha1::{Digest, Sha1};

/// The `jabber:component:accept` namespace (XEP-0114).
pub const NS_ACCEPT: &str = xmppkit_codec::ns::COMPONENT_ACCEPT;

/// SHA1(concat(stream id, secret)) as lower-case hex (XEP-0114 §2).
///
/// ```
/// let value = xmppkit_component::handshake_digest("3BF96D32", "sesame");
/// assert_eq!(value.len(), 40);
/// assert!(value.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
/// ```
pub fn handshake_digest(stream_id: &str, secret: &str) -> String {
    let mut hash = Sha1::new();
    hash.update(stream_id.as_bytes());
    hash.update(secret.as_bytes());
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `offered` is the digest for `stream_id` and `secret`: hex case is ignored, and the
/// comparison takes the same time wherever the first difference is.
pub fn handshake_matches(offered: &str, stream_id: &str, secret: &str) -> bool {
    let expected = handshake_digest(stream_id, secret);
    let offered = offered.trim().to_ascii_lowercase();
    offered.len() == expected.len()
        && offered
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// `<handshake>value</handshake>`, or the empty one that acknowledges it.
pub(crate) fn handshake(value: Option<&str>) -> Element {
    let builder = Element::builder("handshake", NS_ACCEPT);
    match value {
        Some(value) => builder.append(value).build(),
        None => builder.build(),
    }
}
