//! The syntax of SCRAM messages (RFC 5802 §5, §7): `k=v` attributes separated by commas, the
//! `saslname` escaping of user names, and the GS2 header that opens the client-first-message.

use super::ScramError;

/// `saslname` escaping of RFC 5802 §5.1.
pub(crate) fn escape_name(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

pub(crate) fn unescape_name(name: &str) -> Result<String, ScramError> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        match rest.get(i..i + 3) {
            Some("=2C") => out.push(','),
            Some("=3D") => out.push('='),
            _ => return Err(ScramError::Malformed("bad saslname escape")),
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The attributes of a SCRAM message.
pub(crate) fn attributes(message: &str) -> Vec<(char, &str)> {
    message
        .split(',')
        .filter_map(|part| {
            let mut chars = part.chars();
            let key = chars.next()?;
            part.get(1..)?.strip_prefix('=').map(|v| (key, v))
        })
        .collect()
}

pub(crate) fn attribute<'a>(attrs: &[(char, &'a str)], key: char) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

pub(crate) fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

/// A client-first-message split at its GS2 header (RFC 5802 §7): the channel-binding flag
/// (`n`, `y` or `p=type`), the header as written (flag, authzid and both commas: what the
/// client-final-message's `c=` starts with) and the bare message after it.
pub(crate) struct Gs2<'a> {
    pub flag: &'a str,
    pub header: &'a str,
    pub bare: &'a str,
}

pub(crate) fn split_gs2(text: &str) -> Result<Gs2<'_>, ScramError> {
    let (flag, rest) = text
        .split_once(',')
        .ok_or(ScramError::Malformed("no GS2 header"))?;
    if !matches!(flag, "n" | "y") && !flag.starts_with("p=") {
        return Err(ScramError::Malformed("bad GS2 header"));
    }
    let (authzid, bare) = rest
        .split_once(',')
        .ok_or(ScramError::Malformed("no GS2 header"))?;
    if !authzid.is_empty() && !authzid.starts_with("a=") {
        return Err(ScramError::Malformed("bad authzid"));
    }
    let header = &text[..text.len() - bare.len()];
    Ok(Gs2 { flag, header, bare })
}
