//! Preparation and enforcement of each part of an address, RFC 7622 §3.2–§3.4: the localpart by
//! the PRECIS UsernameCaseMapped profile (RFC 8265 §3.3) without the characters of §3.3.1, the
//! domainpart by IDNA2008 through the UTS #46 mapping, the resourcepart by the OpaqueString profile
//! (RFC 8265 §4.2). Each result is stable: preparing it again gives it back (RFC 8264 §7).
//!
//! The profiles come from the `precis-profiles` crate and the domain rules from `idna`; this
//! module adds the XMPP pieces (the forbidden localpart characters, the length limits, IP
//! literals) and an ASCII path that needs neither, since almost every address is ASCII.

use crate::error::{Error, Part};
use precis_core::profile::PrecisFastInvocation;
use precis_profiles::{OpaqueString, UsernameCaseMapped};
use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The longest a part may be once prepared, in bytes (RFC 7622 §3.1).
pub const MAX_PART: usize = 1023;

/// Characters RFC 7622 §3.3.1 forbids in a localpart although UsernameCaseMapped allows them.
const FORBIDDEN_IN_LOCALPART: &[u8] = b"\"&'/:<>@";

/// Prepares a localpart (RFC 7622 §3.3): `Juliet` → `juliet`, `fußball` stays `fußball`.
///
/// ```
/// use xmppkit_jid::precis::localpart;
/// assert_eq!(localpart("Juliet").unwrap(), "juliet");
/// assert_eq!(localpart("fußball").unwrap(), "fußball");
/// assert!(localpart("♚").is_err());
/// ```
pub fn localpart(s: &str) -> Result<Cow<'_, str>, Error> {
    let part = Part::Localpart;
    let prepared = match ascii_localpart(s)? {
        Some(prepared) => prepared,
        None => {
            let prepared = stable(part, s, |s| {
                UsernameCaseMapped::enforce(s).map_err(|e| refused(part, e))
            })?;
            if let Some((position, c)) = prepared
                .chars()
                .enumerate()
                .find(|&(_, c)| c.is_ascii() && FORBIDDEN_IN_LOCALPART.contains(&(c as u8)))
            {
                return Err(Error::CodePoint {
                    part,
                    code_point: c as u32,
                    position,
                });
            }
            prepared
        }
    };
    length(part, prepared)
}

/// Prepares a domainpart (RFC 7622 §3.2): an IPv4 address or a bracketed IPv6 address as it is,
/// otherwise a domain name mapped by UTS #46 (lower case, NFC, full width to ASCII), its A-labels
/// turned into U-labels, without the final dot.
///
/// ```
/// use xmppkit_jid::precis::domainpart;
/// assert_eq!(domainpart("Example.COM.").unwrap(), "example.com");
/// assert_eq!(domainpart("xn--mnchen-3ya.de").unwrap(), "münchen.de");
/// assert!(domainpart("exa mple.com").is_err());
/// ```
pub fn domainpart(s: &str) -> Result<Cow<'_, str>, Error> {
    let part = Part::Domainpart;
    let numeric = s.as_bytes().last().is_some_and(u8::is_ascii_digit);
    if (numeric && s.parse::<Ipv4Addr>().is_ok())
        || (s.starts_with('[') && s.ends_with(']') && s[1..s.len() - 1].parse::<Ipv6Addr>().is_ok())
    {
        return Ok(Cow::Borrowed(s));
    }
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.is_empty() {
        return Err(Error::Empty(part));
    }
    if is_plain_host_name(s) {
        return Ok(Cow::Borrowed(s));
    }
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        // UTS #46 maps ASCII upper case to lower case and nothing else about it.
        let lower = s.to_ascii_lowercase();
        if is_plain_host_name(&lower) {
            return Ok(Cow::Owned(lower));
        }
    }
    let prepared = stable(part, s, domain_once)?;
    length(part, prepared)
}

/// Prepares a resourcepart (RFC 7622 §3.4): kept as written (case and spaces too), normalized
/// to NFC, other spaces mapped to U+0020; control characters refused.
///
/// ```
/// use xmppkit_jid::precis::resourcepart;
/// assert_eq!(resourcepart("Balcony ♚").unwrap(), "Balcony ♚");
/// assert!(resourcepart("a\u{7}b").is_err());
/// ```
pub fn resourcepart(s: &str) -> Result<Cow<'_, str>, Error> {
    let part = Part::Resourcepart;
    if s.is_empty() {
        return Err(Error::Empty(part));
    }
    let prepared = if s.is_ascii() {
        if let Some(position) = s.bytes().position(|b| !(0x20..0x7f).contains(&b)) {
            return Err(Error::CodePoint {
                part,
                code_point: u32::from(s.as_bytes()[position]),
                position,
            });
        }
        Cow::Borrowed(s)
    } else {
        stable(part, s, |s| {
            OpaqueString::enforce(s).map_err(|e| refused(part, e))
        })?
    };
    length(part, prepared)
}

/// The ASCII localpart: printable characters but space and those of RFC 7622 §3.3.1, upper case
/// mapped to lower case, in one pass. `None` when `s` is not ASCII (the profile decides then).
fn ascii_localpart(s: &str) -> Result<Option<Cow<'_, str>>, Error> {
    if !s.is_ascii() {
        return Ok(None);
    }
    if s.is_empty() {
        return Err(Error::Empty(Part::Localpart));
    }
    let mut upper = false;
    for (position, b) in s.bytes().enumerate() {
        if !(0x21..0x7f).contains(&b) || FORBIDDEN_IN_LOCALPART.contains(&b) {
            return Err(Error::CodePoint {
                part: Part::Localpart,
                code_point: u32::from(b),
                position,
            });
        }
        upper |= b.is_ascii_uppercase();
    }
    Ok(Some(if upper {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }))
}

/// A name that UTS #46 leaves as it is and accepts, decided without it: lower-case letters,
/// digits and hyphens in labels of 1 to 63 bytes, no label starting or ending with a hyphen or
/// with hyphens in its third and fourth places (which covers A-labels), at most 253 bytes.
/// Anything else goes through `idna`.
fn is_plain_host_name(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            (1..=63).contains(&b.len())
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
                && !(b.len() >= 4 && b[2] == b'-' && b[3] == b'-')
                && b.iter()
                    .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        })
}

/// One round of the domain rules: UTS #46 with the DNS length check, then the Unicode form.
fn domain_once(s: &str) -> Result<Cow<'_, str>, Error> {
    let uts46 = idna::uts46::Uts46::new();
    let deny = idna::uts46::AsciiDenyList::URL;
    let hyphens = idna::uts46::Hyphens::Check;
    let ascii = uts46
        .to_ascii(s.as_bytes(), deny, hyphens, idna::uts46::DnsLength::Verify)
        .map_err(|_| Error::Domain)?;
    // Already lower-case ASCII without A-labels: nothing to map.
    if matches!(ascii, Cow::Borrowed(_)) && !has_a_label(s) {
        return Ok(Cow::Borrowed(s));
    }
    let (unicode, result) = uts46.to_unicode(s.as_bytes(), deny, hyphens);
    result.map_err(|_| Error::Domain)?;
    Ok(match unicode {
        Cow::Borrowed(_) => Cow::Borrowed(s),
        Cow::Owned(o) if o == s => Cow::Borrowed(s),
        Cow::Owned(o) => Cow::Owned(o),
    })
}

fn has_a_label(s: &str) -> bool {
    s.split('.')
        .any(|label| label.len() >= 4 && label.as_bytes()[..4].eq_ignore_ascii_case(b"xn--"))
}

/// Applies `round` until the text no longer changes (RFC 8264 §7: at most three times, then the
/// string is refused).
fn stable<'a>(
    part: Part,
    s: &'a str,
    round: impl Fn(&str) -> Result<Cow<'_, str>, Error>,
) -> Result<Cow<'a, str>, Error> {
    let mut current = match round(s)? {
        Cow::Borrowed(_) => return Ok(Cow::Borrowed(s)),
        Cow::Owned(o) => o,
    };
    for _ in 0..2 {
        match round(&current)? {
            Cow::Borrowed(_) => return Ok(Cow::Owned(current)),
            Cow::Owned(o) if o == current => return Ok(Cow::Owned(current)),
            Cow::Owned(o) => current = o,
        }
    }
    Err(Error::Unstable(part))
}

fn length(part: Part, prepared: Cow<'_, str>) -> Result<Cow<'_, str>, Error> {
    match prepared.len() {
        0 => Err(Error::Empty(part)),
        n if n > MAX_PART => Err(Error::TooLong(part)),
        _ => Ok(prepared),
    }
}

fn refused(part: Part, e: precis_core::Error) -> Error {
    match e {
        precis_core::Error::BadCodepoint(info) => Error::CodePoint {
            part,
            code_point: info.cp,
            position: info.position,
        },
        _ => Error::Refused(part),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The ASCII shortcut accepts only what `idna` accepts and leaves as it is.
        #[test]
        fn plain_host_names_are_what_idna_leaves_alone(s in "[a-z0-9.-]{1,12}|[a-zA-Z0-9._-]{1,70}") {
            if is_plain_host_name(&s) {
                let by_idna = stable(Part::Domainpart, &s, domain_once);
                proptest::prop_assert!(matches!(by_idna, Ok(Cow::Borrowed(_))), "{s:?}: {by_idna:?}");
            }
        }
    }

    #[test]
    fn the_shortcut_leaves_the_edge_cases_to_idna() {
        for s in [
            "xn--mnchen-3ya.de",
            "ab--c.example",
            "-a.example",
            "a-.example",
            "a..b",
            "Example.com",
        ] {
            assert!(!is_plain_host_name(s), "{s}");
        }
        assert!(is_plain_host_name("chat-1.example.org"));
        assert!(!is_plain_host_name(&"a".repeat(64)));
        assert!(is_plain_host_name(&"a".repeat(63)));
    }
}
