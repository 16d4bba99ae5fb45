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

/// The words of `text`, lowercased, in order.
///
/// ```
/// assert_eq!(xmppkit_mam::fulltext::words("To be, or NOT to-be!"), ["to", "be", "or", "not", "to", "be"]);
/// ```
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
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
    let Some(text) = searched_text(message) else {
        return query.is_empty();
    };
    let have = words(&text);
    query.iter().all(|w| have.contains(w))
}
