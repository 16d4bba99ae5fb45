//! XEP-0106 JID escaping: maps the ten characters that a node part may not hold (space, `"`, `&`,
//! `'`, `/`, `:`, `<`, `>`, `@`, `\`) to `\hh` sequences and back.
//!
//! The business rules of XEP-0106 §5 are followed to the letter, as Prosody does: a backslash is
//! escaped (to `\5c`) only when it starts one of the ten escape sequences, and only those ten
//! sequences are unescaped; partial or unknown sequences (`\2plus`, `foo\bar`, `foob\41r`) are left
//! alone both ways. (The example table of §6.1 escapes every backslash in rows 9–11; that contradicts
//! §5.1 rule 7 and §5.3, and we follow the rules.)

use thiserror::Error;

/// The characters XEP-0106 escapes, with their two-digit lowercase hex code.
const ESCAPES: [(char, &str); 10] = [
    (' ', "20"),
    ('"', "22"),
    ('&', "26"),
    ('\'', "27"),
    ('/', "2f"),
    (':', "3a"),
    ('<', "3c"),
    ('>', "3e"),
    ('@', "40"),
    ('\\', "5c"),
];

/// Why a string cannot be escaped into a node part.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EscapeError {
    /// The input was empty: a node part has at least one character (RFC 7622 §3.3).
    #[error("an empty string cannot be a JID node part")]
    Empty,
    /// The input started or ended with a space: `\20` must not be the first or last sequence of an
    /// escaped node (XEP-0106 §5.1 rule 6).
    #[error("a JID node part cannot start or end with a space (XEP-0106 §5.1)")]
    LeadingOrTrailingSpace,
}

fn code_of(c: char) -> Option<&'static str> {
    ESCAPES
        .iter()
        .find(|(ch, _)| *ch == c)
        .map(|(_, code)| *code)
}

fn char_of(code: &[u8]) -> Option<char> {
    ESCAPES
        .iter()
        .find(|(_, hex)| hex.as_bytes() == code)
        .map(|(ch, _)| *ch)
}

/// Is there one of the ten escape sequences right after the backslash at byte `i` of `s`?
fn sequence_at(s: &str, i: usize) -> Option<char> {
    s.as_bytes().get(i + 1..i + 3).and_then(char_of)
}

/// Escapes a node part as typed by a user (XEP-0106 §4.2), e.g. `at&t guy` → `at\26t\20guy`.
///
/// ```
/// use xmppkit_jid::escape::escape_node;
/// assert_eq!(escape_node(r"c:\5commas").unwrap(), r"c\3a\5c5commas");
/// ```
pub fn escape_node(raw: &str) -> Result<String, EscapeError> {
    if raw.is_empty() {
        return Err(EscapeError::Empty);
    }
    if raw.starts_with(' ') || raw.ends_with(' ') {
        return Err(EscapeError::LeadingOrTrailingSpace);
    }
    let mut out = String::with_capacity(raw.len() + 8);
    for (i, c) in raw.char_indices() {
        let escape = match c {
            '\\' => sequence_at(raw, i).is_some(),
            _ => code_of(c).is_some(),
        };
        if escape {
            out.push('\\');
            out.push_str(code_of(c).unwrap_or_default());
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// Unescapes a node part for display (XEP-0106 §4.3), e.g. `d\27artagnan` → `d'artagnan`.
/// Sequences that are not one of the ten are kept as they are.
///
/// ```
/// use xmppkit_jid::escape::unescape_node;
/// assert_eq!(unescape_node(r"treville\40musketeers.lit"), "treville@musketeers.lit");
/// assert_eq!(unescape_node(r"foob\41r"), r"foob\41r");
/// ```
pub fn unescape_node(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(pos) = rest.find('\\') {
        out.push_str(&rest[..pos]);
        match sequence_at(rest, pos) {
            Some(c) => {
                out.push(c);
                rest = &rest[pos + 3..];
            }
            None => {
                out.push('\\');
                rest = &rest[pos + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// XEP-0106 §6.1 rows 1–8 and 12 (rows 9–11 contradict §5.1 rule 7, see the module docs), plus
    /// the e-mail example of §6.2.
    const VECTORS: &[(&str, &str)] = &[
        ("space cadet", r"space\20cadet"),
        (r#"call me "ishmael""#, r"call\20me\20\22ishmael\22"),
        ("at&t guy", r"at\26t\20guy"),
        ("d'artagnan", r"d\27artagnan"),
        ("/.fanboy", r"\2f.fanboy"),
        ("::foo::", r"\3a\3afoo\3a\3a"),
        ("<foo>", r"\3cfoo\3e"),
        ("user@host", r"user\40host"),
        (r"c:\5commas", r"c\3a\5c5commas"),
        (
            "here's_a_wild_&_/cr%zy/_address",
            r"here\27s_a_wild_\26_\2fcr%zy\2f_address",
        ),
    ];

    #[test]
    fn spec_vectors_escape_and_unescape() {
        for (raw, escaped) in VECTORS {
            assert_eq!(escape_node(raw).as_deref(), Ok(*escaped), "escaping {raw}");
            assert_eq!(unescape_node(escaped), *raw, "unescaping {escaped}");
            // The escaped form is a valid node part.
            let jid = format!("{escaped}@example.com");
            assert!(
                crate::BareJid::new(&jid).is_ok(),
                "{jid} should be a valid JID"
            );
        }
    }

    #[test]
    fn exceptions_are_left_alone() {
        // XEP-0106 §5.3.
        for s in [r"\2plus\2is\4", r"foo\bar", r"foob\41r"] {
            assert_eq!(escape_node(s).unwrap(), s);
            assert_eq!(unescape_node(s), s);
        }
    }

    #[test]
    fn wireless_village_example() {
        // §5.2: a source address holding escape-like sequences keeps them visible.
        assert_eq!(
            escape_node(r"\3and\2is\5cool").unwrap(),
            r"\5c3and\2is\5c5cool"
        );
    }

    #[test]
    fn spaces_at_the_ends_are_refused() {
        assert_eq!(escape_node(" x"), Err(EscapeError::LeadingOrTrailingSpace));
        assert_eq!(escape_node("x "), Err(EscapeError::LeadingOrTrailingSpace));
        assert_eq!(escape_node(""), Err(EscapeError::Empty));
    }

    proptest! {
        #[test]
        fn unescape_inverts_escape(raw in "[a-z '\"&/:<>@\\\\0-9]{1,24}") {
            prop_assume!(!raw.starts_with(' ') && !raw.ends_with(' '));
            let escaped = escape_node(&raw).unwrap();
            prop_assert_eq!(unescape_node(&escaped), raw);
            for c in [' ', '"', '&', '\'', '/', ':', '<', '>', '@'] {
                prop_assert!(!escaped.contains(c));
            }
        }
    }
}
