//! Full-text search in archives (XEP-0431): the `{urn:xmpp:fulltext:0}fulltext` query field,
//! and what it matches. XEP-0431 leaves the matching to the server; here a message matches when
//! every word of the query is a word of its `<body>`, compared case-insensitively, where a word
//! is a run of letters and digits. Every store matches the same way (SQLite's FTS5 `unicode61`
//! tokenizer splits words alike).

use minidom::Element;

/// The namespace (a disco feature) of full-text search in MAM.
pub const NS_FULLTEXT: &str = "urn:xmpp:fulltext:0";
/// The query form field.
pub const FIELD: &str = "{urn:xmpp:fulltext:0}fulltext";

/// The words of `text`, lowercased, in order. The text is lowercased before it is split, so
/// the words of a word are itself (a capital whose lowercase adds a combining mark, such as
/// U+0130 `İ`, splits there on both sides of a comparison).
///
/// ```
/// assert_eq!(xmppkit_mam::fulltext::words("To be, or NOT to-be!"), ["to", "be", "or", "not", "to", "be"]);
/// ```
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The text searched in `message`: its body.
pub fn searched_text(message: &Element) -> Option<String> {
    message
        .get_child("body", "jabber:client")
        .map(Element::text)
}

/// Whether `message` has every one of `words` (as given by [`words`]).
pub fn matches(query: &[String], message: &Element) -> bool {
    match searched_text(message) {
        Some(text) => matches_text(query, &text),
        None => query.is_empty(),
    }
}

/// Whether `text` (a message's [`searched_text`]) has every one of `words` (as given by
/// [`words`]).
///
/// ```
/// use xmppkit_mam::fulltext::{matches_text, words};
/// assert!(matches_text(&words("ROMEO art"), "Wherefore art thou Romeo?"));
/// assert!(!matches_text(&words("Rom"), "Wherefore art thou Romeo?"));
/// ```
pub fn matches_text(query: &[String], text: &str) -> bool {
    let have = words(text);
    query.iter().all(|w| have.contains(w))
}
