//! XML 1.0 character rules (XML 1.0 §2.2, RFC 6120 §11.1): which characters may appear at all, and
//! UTF-8 validation with the error the stream must answer.

use crate::error::{DecodeError, DecodeErrorKind};

/// Whether `c` is a `Char` of XML 1.0 §2.2.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
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
    let mut from = 0;
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
    }
}
