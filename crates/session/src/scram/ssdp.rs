//! XEP-0474 SASL SCRAM Downgrade Protection: the hash of the mechanisms and channel-binding
//! types a server advertised, which the server puts in its server-first-message (attribute `h`)
//! and the client compares with what it saw. Both messages are covered by the proof, so a man in
//! the middle who removed mechanisms or binding types is caught.

use super::ScramHash;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

/// The downgrade-protection hash: the advertised mechanisms sorted (octet order) and joined by
/// U+001E, then, when channel-binding types were advertised, U+001F and those sorted and joined
/// the same way; hashed with the SCRAM hash in use, base64.
///
/// ```
/// use xmppkit_session::scram::{ssdp_hash, ScramHash};
/// // XEP-0474 §5.3.
/// let h = ssdp_hash(ScramHash::Sha1, &["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"],
///     Some(&["tls-server-end-point", "tls-exporter"]));
/// assert_eq!(h, "G6k/rBLDqgOhRRaCuuatSDFkJ08=");
/// ```
pub fn ssdp_hash<M: AsRef<str>, C: AsRef<str>>(
    hash: ScramHash,
    mechanisms: &[M],
    channel_bindings: Option<&[C]>,
) -> String {
    let mut mechanisms: Vec<&str> = mechanisms.iter().map(AsRef::as_ref).collect();
    mechanisms.sort_unstable();
    let mut text = mechanisms.join("\u{1e}");
    if let Some(types) = channel_bindings {
        let mut types: Vec<&str> = types.iter().map(AsRef::as_ref).collect();
        types.sort_unstable();
        text.push('\u{1f}');
        text.push_str(&types.join("\u{1e}"));
    }
    B64.encode(hash.hash(text.as_bytes()))
}
