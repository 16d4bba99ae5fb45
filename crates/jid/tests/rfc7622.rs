//! RFC 7622 §3 examples, written out as a table: the valid JIDs of §3.5 and the invalid ones of
//! §3.6 (less the one erratum 4560 withdrew), with the errors they get, the domain mapping, and a
//! property test for idempotence.

use xmppkit_jid::{BareJid, Error, FullJid, Jid, Part};

/// (input, node, domain, resource) — RFC 7622 §3.5 "Examples of Valid JIDs".
const VALID: &[(&str, Option<&str>, &str, Option<&str>)] = &[
    ("juliet@example.com", Some("juliet"), "example.com", None),
    (
        "juliet@example.com/foo",
        Some("juliet"),
        "example.com",
        Some("foo"),
    ),
    (
        "juliet@example.com/foo bar",
        Some("juliet"),
        "example.com",
        Some("foo bar"),
    ),
    (
        "juliet@example.com/foo@bar",
        Some("juliet"),
        "example.com",
        Some("foo@bar"),
    ),
    (
        "foo\\20bar@example.com",
        Some("foo\\20bar"),
        "example.com",
        None,
    ),
    (
        "fussball@example.com",
        Some("fussball"),
        "example.com",
        None,
    ),
    ("fußball@example.com", Some("fußball"), "example.com", None),
    ("π@example.com", Some("π"), "example.com", None),
    ("Σ@example.com/foo", Some("σ"), "example.com", Some("foo")),
    ("σ@example.com/foo", Some("σ"), "example.com", Some("foo")),
    ("ς@example.com/foo", Some("ς"), "example.com", Some("foo")),
    ("king@example.com/♚", Some("king"), "example.com", Some("♚")),
    ("example.com", None, "example.com", None),
    ("example.com/foobar", None, "example.com", Some("foobar")),
    (
        "a.example.com/b@example.net",
        None,
        "a.example.com",
        Some("b@example.net"),
    ),
];

/// RFC 7622 §3.6 "Examples of Invalid JIDs", with the reason the RFC gives.
const INVALID: &[(&str, &str)] = &[
    (
        "\"juliet\"@example.com",
        "quotation marks are disallowed in localparts",
    ),
    ("foo bar@example.com", "space is disallowed in localparts"),
    (
        "henry\u{2163}@example.com",
        "compatibility characters are disallowed in localparts",
    ),
    (
        "\u{265A}@example.com",
        "symbols are disallowed in localparts",
    ),
    ("@example.com/", "empty localpart and resourcepart"),
    ("juliet@", "the domainpart is empty"),
    ("/foobar", "the domainpart is empty"),
];

/// RFC 7622 §3.6 lists `juliet@example.com/ foo` as invalid for its leading space; erratum 4560
/// withdrew that example: the OpaqueString profile allows spaces, leading ones too.
#[test]
fn a_leading_space_in_a_resourcepart_is_kept_per_erratum_4560() {
    let jid = Jid::new("juliet@example.com/ foo").unwrap();
    assert_eq!(jid.resource().unwrap().as_str(), " foo");
}

/// The `jid` crate's stringprep mapped U+1D34 to "H" and then to "h", so one address had two
/// values. Here the first preparation is the last: U+1D34 as a domainpart maps to "h" (UTS #46),
/// and in a localpart it is refused (a compatibility character).
#[test]
fn preparation_is_idempotent_where_stringprep_was_not() {
    let once = Jid::new("\u{1D34}").unwrap();
    assert_eq!(once.as_str(), "h");
    assert_eq!(Jid::new(once.as_str()).unwrap(), once);
    assert!(matches!(
        Jid::new("\u{1D34}@example.com"),
        Err(Error::CodePoint {
            part: Part::Localpart,
            code_point: 0x1D34,
            ..
        })
    ));
}

/// Each refusal names the part and, where there is one, the code point.
#[test]
fn refusals_say_what_and_where() {
    let cases: &[(&str, Error)] = &[
        (
            "henry\u{2163}@example.com",
            Error::CodePoint {
                part: Part::Localpart,
                code_point: 0x2163,
                position: 5,
            },
        ),
        (
            "\u{265A}@example.com",
            Error::CodePoint {
                part: Part::Localpart,
                code_point: 0x265A,
                position: 0,
            },
        ),
        (
            "foo bar@example.com",
            Error::CodePoint {
                part: Part::Localpart,
                code_point: 0x20,
                position: 3,
            },
        ),
        (
            "\"juliet\"@example.com",
            Error::CodePoint {
                part: Part::Localpart,
                code_point: 0x22,
                position: 0,
            },
        ),
        ("@example.com/", Error::Empty(Part::Localpart)),
        ("juliet@", Error::Empty(Part::Domainpart)),
        ("/foobar", Error::Empty(Part::Domainpart)),
        ("juliet@example.com/", Error::Empty(Part::Resourcepart)),
        (
            "juliet@example.com/a\u{7}",
            Error::CodePoint {
                part: Part::Resourcepart,
                code_point: 7,
                position: 1,
            },
        ),
        ("a@b@example.com", Error::TooManyAts),
        ("juliet@exa mple.com", Error::Domain),
    ];
    for (input, expected) in cases {
        assert_eq!(Jid::new(input).as_ref(), Err(expected), "{input}");
    }
}

#[test]
fn domains_are_mapped_to_their_unicode_form() {
    for (input, prepared) in [
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("xn--mnchen-3ya.de", "münchen.de"),
        ("MÜNCHEN.de", "münchen.de"),
        ("\u{FF45}xample.com", "example.com"),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "[::1]"),
    ] {
        assert_eq!(Jid::new(input).unwrap().as_str(), prepared, "{input}");
    }
}

#[test]
fn bare_and_full_keep_their_shape() {
    let full = FullJid::new("Juliet@Example.com/Balcony").unwrap();
    assert_eq!(full.as_str(), "juliet@example.com/Balcony");
    assert_eq!(full.resource(), "Balcony");
    assert_eq!(full.to_bare(), BareJid::new("juliet@example.com").unwrap());
    assert_eq!(full.clone().into_bare().as_str(), "juliet@example.com");
    assert_eq!(full.to_bare().with_resource_str("Balcony").unwrap(), full);
    assert_eq!(BareJid::new("example.com/x"), Err(Error::ResourceInBareJid));
    assert_eq!(
        FullJid::new("juliet@example.com"),
        Err(Error::ResourceMissingInFullJid)
    );
    let jid: Jid = full.clone().into();
    assert_eq!(jid, full);
    assert_eq!(jid.try_into_full().unwrap(), full);
}

proptest::proptest! {
    /// RFC 8264 §7: an address, once prepared, prepares to itself, and its parts are where the
    /// accessors say.
    #[test]
    fn a_prepared_address_prepares_to_itself(input in "\\PC{0,12}(@\\PC{1,12})?(/\\PC{0,12})?") {
        if let Ok(jid) = Jid::new(&input) {
            let again = Jid::new(jid.as_str()).expect("a prepared address parses again");
            proptest::prop_assert_eq!(again.as_str(), jid.as_str());
            proptest::prop_assert_eq!(again.node(), jid.node());
            proptest::prop_assert_eq!(again.domain(), jid.domain());
            proptest::prop_assert_eq!(again.resource(), jid.resource());
            let rebuilt = Jid::from_parts(jid.node(), jid.domain(), jid.resource());
            proptest::prop_assert_eq!(rebuilt, jid);
        }
    }
}

#[test]
fn valid_examples_parse_into_their_parts() {
    for (input, node, domain, resource) in VALID {
        let jid = Jid::new(input).unwrap_or_else(|e| panic!("{input} should be valid: {e}"));
        assert_eq!(jid.node().map(|n| n.as_str()), *node, "node of {input}");
        assert_eq!(jid.domain().as_str(), *domain, "domain of {input}");
        assert_eq!(
            jid.resource().map(|r| r.as_str()),
            *resource,
            "resource of {input}"
        );
        assert_eq!(jid.is_full(), resource.is_some());
        if resource.is_some() {
            assert!(FullJid::new(input).is_ok());
            assert!(BareJid::new(input).is_err(), "{input} is not bare");
        } else {
            assert!(BareJid::new(input).is_ok());
            assert!(FullJid::new(input).is_err(), "{input} is not full");
        }
    }
}

#[test]
fn invalid_examples_are_refused() {
    for (input, why) in INVALID {
        assert!(Jid::new(input).is_err(), "{input} should be refused: {why}");
    }
}

#[test]
fn length_limits_are_enforced() {
    // RFC 7622 §3.2–3.4: each part is at most 1023 octets.
    let long = "a".repeat(1024);
    assert!(Jid::new(&format!("{long}@example.com")).is_err());
    assert!(Jid::new(&format!("a@example.com/{long}")).is_err());
    assert!(Jid::new(&format!("{}@example.com", "a".repeat(1023))).is_ok());
}
