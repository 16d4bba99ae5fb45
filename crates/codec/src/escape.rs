//! Escaping of character data and attribute values for output (XML 1.0 §2.4, §3.3.3): the minimum
//! that makes the bytes parse back to the same text, including the characters that attribute-value
//! and end-of-line normalization would otherwise change.

use bytes::{BufMut, BytesMut};

/// Which bytes must be escaped: bit 0 in text, bit 1 in attribute values.
const NEEDS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'&' as usize] = 3;
    t[b'<' as usize] = 3;
    t[b'>' as usize] = 3;
    t[b'\r' as usize] = 3;
    t[b'\'' as usize] = 2;
    t[b'"' as usize] = 2;
    t[b'\t' as usize] = 2;
    t[b'\n' as usize] = 2;
    // Control characters cannot be written in XML 1.0 at all (not even as references): they are
    // replaced by U+FFFD rather than produce a stream the peer must reject.
    let mut c = 0;
    while c < 0x20 {
        if c != b'\t' as usize && c != b'\n' as usize && c != b'\r' as usize {
            t[c] = 3;
        }
        c += 1;
    }
    // The first byte of U+FFFE and U+FFFF (EF BF BE, EF BF BF), which XML 1.0 excludes too.
    t[0xEF] = NONCHARACTER;
    t
};

/// Marks a byte that may start a character XML 1.0 excludes (`Char`, §2.2), whatever the context.
const NONCHARACTER: u8 = 4;

fn replacement(b: u8) -> &'static [u8] {
    match b {
        b'&' => b"&amp;",
        b'<' => b"&lt;",
        b'>' => b"&gt;",
        b'\'' => b"&apos;",
        b'"' => b"&quot;",
        b'\t' => b"&#x9;",
        b'\n' => b"&#xA;",
        b'\r' => b"&#xD;",
        _ => "\u{FFFD}".as_bytes(),
    }
}

fn write_escaped(out: &mut BytesMut, s: &str, mask: u8) {
    let bytes = s.as_bytes();
    let look_for = mask | NONCHARACTER;
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let needs = NEEDS[b as usize] & look_for;
        if needs == 0 {
            continue;
        }
        // The bytes after a noncharacter's first (BF, BE) need nothing, so the loop passes them.
        let (end, with) = if needs & mask != 0 {
            (i + 1, replacement(b))
        } else if bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) {
            (i + 3, "\u{FFFD}".as_bytes())
        } else {
            continue;
        };
        out.put_slice(&bytes[run..i]);
        out.put_slice(with);
        run = end;
    }
    out.put_slice(&bytes[run..]);
}

/// Writes character data (`&`, `<`, `>` and CR escaped, so that end-of-line normalization keeps CR).
pub(crate) fn text(out: &mut BytesMut, s: &str) {
    write_escaped(out, s, 1);
}

/// Writes an attribute value, to stand between single quotes (also quotes, TAB, LF and CR, which
/// attribute-value normalization would otherwise turn into spaces).
pub(crate) fn attr(out: &mut BytesMut, s: &str) {
    write_escaped(out, s, 2);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// XML 1.0 §2.2: U+FFFE and U+FFFF are not characters a document may hold, not
    /// even as references; found by fuzzing (a peer's bad end tag echoed in a stream error).
    #[test]
    fn the_two_noncharacters_become_replacement_characters() {
        let mut out = BytesMut::new();
        text(&mut out, "a\u{FFFF}b\u{FFFE}c\u{FFFD}\u{EFBF}\u{FFBD}");
        assert_eq!(
            &out[..],
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}\u{EFBF}\u{FFBD}".as_bytes()
        );
        out.clear();
        attr(&mut out, "\u{FFFF}'");
        assert_eq!(&out[..], "\u{FFFD}&apos;".as_bytes());
    }

    #[test]
    fn escapes() {
        let mut out = BytesMut::new();
        text(&mut out, "a<b>&c\r\n'\"é");
        assert_eq!(&out[..], "a&lt;b&gt;&amp;c&#xD;\n'\"é".as_bytes());
        out.clear();
        attr(&mut out, "it's \"x\"\t<&>\n");
        assert_eq!(&out[..], b"it&apos;s &quot;x&quot;&#x9;&lt;&amp;&gt;&#xA;");
        out.clear();
        text(&mut out, "a\u{0}b\u{1b}c");
        assert_eq!(&out[..], "a\u{FFFD}b\u{FFFD}c".as_bytes());
    }
}
