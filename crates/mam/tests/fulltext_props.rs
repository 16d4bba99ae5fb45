//! Full-text search (XEP-0431) in the memory archive, which keeps messages serialized: every word
//! of an archived body finds its message, whatever the body holds (markup characters that XML
//! escapes, capitals, letters whose lowercase is context-dependent such as final sigma).

use minidom::Element;
use proptest::prelude::*;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_mam::*;
use xmppkit_stanza::datetime::DateTime;

fn message(body: &str) -> Element {
    Element::builder("message", "jabber:client")
        .attr(minidom::rxml::NcName::try_from("type").unwrap(), "chat")
        .append(
            Element::builder("body", "jabber:client")
                .append(body.to_owned())
                .build(),
        )
        .build()
}

proptest! {
    #[test]
    fn every_word_of_a_body_finds_it(
        bodies in proptest::collection::vec("[a-zA-Z0-9ΣσςİÄä&<>'\" .,-]{0,24}", 1..8),
        pick in any::<proptest::sample::Index>(),
    ) {
        let owner: BareJid = "juliet@capulet.lit".parse().unwrap();
        let with: Jid = "romeo@montague.lit/orchard".parse().unwrap();
        let mut archive = MemoryArchive::default();
        for (i, body) in bodies.iter().enumerate() {
            let item = Archived {
                id: format!("m{i}"),
                stamp: DateTime::from_unix(1_600_000_000 + i as i64, 0).unwrap(),
                with: with.clone(),
                message: message(body),
            };
            archive.append(&owner, item).unwrap();
        }
        let words: Vec<(usize, String)> = bodies
            .iter()
            .enumerate()
            .flat_map(|(i, b)| fulltext::words(b).into_iter().map(move |w| (i, w)))
            .collect();
        prop_assume!(!words.is_empty());
        let (i, word) = pick.get(&words);
        // Any case matches (ASCII here: uppercasing some letters, such as İ, changes the words).
        let word = if word.is_ascii() { word.to_uppercase() } else { word.clone() };
        let filter = Filter { fulltext: Some(word.clone()), ..Filter::default() };
        let page = Page { max: 100, ..Page::default() };
        let result = archive.query(&owner, &filter, &page).unwrap();
        // The message it came from is found, and each found message has the word.
        let source = format!("m{i}");
        prop_assert!(result.items.iter().any(|item| item.id == source));
        let query = fulltext::words(&word);
        for item in &result.items {
            prop_assert!(fulltext::matches(&query, &item.message));
            prop_assert_eq!(&item.message, &message(&bodies[item.id[1..].parse::<usize>().unwrap()]));
        }
        // And no message with the word is missed.
        let expected = bodies.iter().filter(|b| fulltext::matches(&query, &message(b))).count();
        prop_assert_eq!(result.count, expected);
    }
}
