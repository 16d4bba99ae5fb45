//! XML 1.0 character rules (XML 1.0 §2.2, RFC 6120 §11.1): which characters may appear at all, and
//! UTF-8 validation with the error the stream must answer.

use crate::error::{DecodeError, DecodeErrorKind};

/// Whether `c` is a `Char` of XML 1.0 §2.2.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `name` is an XML Namespaces `NCName`: ASCII names are checked here, others by rxml.
pub(crate) fn is_ncname(name: impl AsRef<[u8]>) -> bool {
    let bytes = name.as_ref();
    if bytes.is_ascii() {
        let start = |b: u8| b.is_ascii_alphabetic() || b == b'_';
        let rest = |b: &u8| b.is_ascii_alphanumeric() || matches!(*b, b'_' | b'-' | b'.');
        return bytes.first().is_some_and(|b| start(*b)) && bytes[1..].iter().all(rest);
    }
    std::str::from_utf8(bytes).is_ok_and(|name| minidom::rxml::NcName::try_from(name).is_ok())
}

/// Validates UTF-8 and the XML character rules over one complete unit of the stream.
/// `offset` is the stream offset of `bytes[0]`, for the error.
pub(crate) fn validate(bytes: &[u8], offset: u64) -> Result<&str, DecodeError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        DecodeError::new(
            DecodeErrorKind::UnsupportedEncoding(format!("invalid UTF-8 sequence: {e}")),
            offset + e.valid_up_to() as u64,
        )
    })?;
    // Only bytes below 0x20 and the lead byte of U+FFFE/U+FFFF (EF BF BE/BF) can be illegal.
    let suspicious = |b: &u8| (*b < 0x20 && !matches!(*b, b'\t' | b'\n' | b'\r')) || *b == 0xEF;
    let mut from = clean_prefix(bytes);
    while let Some(i) = bytes[from..].iter().position(suspicious) {
        let at = from + i;
        let b = bytes[at];
        if b < 0x20 {
            return Err(illegal(b as u32, offset + at as u64));
        }
        if bytes[at + 1] == 0xBF && matches!(bytes[at + 2], 0xBE | 0xBF) {
            return Err(illegal(
                0xFFFE + (bytes[at + 2] - 0xBE) as u32,
                offset + at as u64,
            ));
        }
        from = at + 1;
    }
    Ok(text)
}

/// How many leading bytes, in whole 8-byte words, hold no byte below 0x20 and no 0xEF: a word at
/// a time (SWAR), so that the byte-wise check only runs from the first word that needs it.
fn clean_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut done = 0;
    for word in bytes.chunks_exact(8) {
        let x = u64::from_le_bytes([
            word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
        ]);
        // A byte below 0x20 (x - 0x20 borrows into its high bit while the byte's own is clear),
        // or a byte equal to 0xEF (x ^ 0xEF has a zero byte).
        let below = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let e = x ^ (ONES * 0xEF);
        let ef = e.wrapping_sub(ONES) & !e & HIGH;
        if below | ef != 0 {
            break;
        }
        done += 8;
    }
    done
}

pub(crate) fn illegal(c: u32, offset: u64) -> DecodeError {
    DecodeError::new(DecodeErrorKind::IllegalCharacter(c), offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_and_illegal() {
        assert!(validate("héllo\t\r\n €𝄞".as_bytes(), 0).is_ok());
        assert_eq!(validate(b"ab\x01", 10).unwrap_err().offset, 12);
        assert_eq!(
            validate("a\u{FFFF}".as_bytes(), 0).unwrap_err().kind,
            DecodeErrorKind::IllegalCharacter(0xFFFF)
        );
        assert_eq!(
            validate("a\u{FFFE}".as_bytes(), 0).unwrap_err().kind,
            DecodeErrorKind::IllegalCharacter(0xFFFE)
        );
        assert!(validate("\u{FFFD}\u{EFFF}".as_bytes(), 0).is_ok());
        let err = validate(b"ab\xC3(", 100).unwrap_err();
        assert_eq!(err.offset, 102);
        assert!(matches!(err.kind, DecodeErrorKind::UnsupportedEncoding(_)));
        assert!(!is_xml_char('\u{0}'));
        assert!(!is_xml_char('\u{B}'));
        assert!(is_xml_char('\u{10FFFF}'));
        // A fault in every position of a long input, found past the word-at-a-time prefix.
        let clean = "abcdefgh\t\n\r€é😀ijklmnopqrstuvwxyz0123456789".repeat(3);
        assert!(validate(clean.as_bytes(), 0).is_ok());
        for at in 0..clean.len() {
            if !clean.is_char_boundary(at) {
                continue;
            }
            for bad in ["\u{1}", "\u{1f}", "\u{FFFE}", "\u{FFFF}"] {
                let text = format!("{}{bad}{}", &clean[..at], &clean[at..]);
                assert_eq!(
                    validate(text.as_bytes(), 0).unwrap_err().offset,
                    at as u64,
                    "{bad:?} at {at}"
                );
            }
        }
        for good in ["a", "_x", "a-b.c_9", "né", "ß"] {
            assert!(is_ncname(good), "{good}");
        }
        for bad in ["", "9a", "-a", ".a", "a:b", "a b", "a/"] {
            assert!(!is_ncname(bad), "{bad}");
        }
    }
}
