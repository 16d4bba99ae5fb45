//! Escaping of character data and attribute values for output (XML 1.0 §2.4, §3.3.3): the minimum
//! that makes the bytes parse back to the same text, including the characters that attribute-value
//! and end-of-line normalization would otherwise change.

use bytes::{BufMut, BytesMut};

/// What each ASCII byte becomes in text (0 = itself).
fn text_escape(b: u8) -> Option<&'static [u8]> {
    Some(match b {
        b'&' => b"&amp;",
        b'<' => b"&lt;",
        b'>' => b"&gt;",
        b'\r' => b"&#xD;",
        _ => return None,
    })
}

/// What each ASCII byte becomes in a single-quoted attribute value.
fn attr_escape(b: u8) -> Option<&'static [u8]> {
    Some(match b {
        b'&' => b"&amp;",
        b'<' => b"&lt;",
        b'>' => b"&gt;",
        b'\'' => b"&apos;",
        b'"' => b"&quot;",
        b'\t' => b"&#x9;",
        b'\n' => b"&#xA;",
        b'\r' => b"&#xD;",
        _ => return None,
    })
}

fn write_escaped(out: &mut BytesMut, s: &str, table: fn(u8) -> Option<&'static [u8]>) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len());
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b > b'>' {
            continue;
        }
        if let Some(replacement) = table(b) {
            out.put_slice(&bytes[run..i]);
            out.put_slice(replacement);
            run = i + 1;
        }
    }
    out.put_slice(&bytes[run..]);
}

/// Writes character data.
pub(crate) fn text(out: &mut BytesMut, s: &str) {
    write_escaped(out, s, text_escape);
}

/// Writes an attribute value, to stand between single quotes.
pub(crate) fn attr(out: &mut BytesMut, s: &str) {
    write_escaped(out, s, attr_escape);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let mut out = BytesMut::new();
        text(&mut out, "a<b>&c\r\n'\"é");
        assert_eq!(&out[..], "a&lt;b&gt;&amp;c&#xD;\n'\"é".as_bytes());
        out.clear();
        attr(&mut out, "it's \"x\"\t<&>\n");
        assert_eq!(&out[..], b"it&apos;s &quot;x&quot;&#x9;&lt;&amp;&gt;&#xA;");
    }
}
