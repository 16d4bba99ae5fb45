//! `lint`: checks XMPP XML the way a server reads it.
//!
//! `cargo run --example lint -- [--roundtrip] FILE...` (or `-` for standard input). A file is a whole
//! stream (it starts with `<stream:stream>`) or a sequence of bare stanzas and elements, read in
//! `jabber:client`. Each top-level element gets one line: `ok <name> {<namespace>} <kind>`, or
//! `error <condition>: <what> at byte N`. With `--roundtrip`, each element is also written out with
//! the encoder, read back, and compared. Exit status 0 only when everything was ok.

use bytes::BytesMut;
use minidom::Element;
use std::io::Read;
use std::process::ExitCode;
use xmppkit::codec::{ns, write_element, Decoder, Event};
use xmppkit::stanza::{DefinedCondition, Iq, IqPayload, Message, Presence, Stanza};

fn main() -> ExitCode {
    let mut roundtrip = false;
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--roundtrip" => roundtrip = true,
            "-h" | "--help" => {
                println!("usage: lint [--roundtrip] FILE... (- for standard input)");
                return ExitCode::SUCCESS;
            }
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        eprintln!("usage: lint [--roundtrip] FILE... (- for standard input)");
        return ExitCode::from(2);
    }
    let mut all_ok = true;
    for file in &files {
        let bytes = match read(file) {
            Ok(b) => b,
            Err(e) => {
                println!("{file}: error io: {e}");
                all_ok = false;
                continue;
            }
        };
        all_ok &= lint(file, &bytes, roundtrip);
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn read(file: &str) -> std::io::Result<Vec<u8>> {
    if file == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(file)
    }
}

/// Whether the first element of the input is a stream header.
fn is_stream(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(i) = rest.iter().position(|b| *b == b'<') {
        rest = &rest[i + 1..];
        if rest.first() != Some(&b'?') {
            let name: Vec<u8> = rest
                .iter()
                .take_while(|b| !b" \t\r\n/>".contains(b))
                .copied()
                .collect();
            return name == b"stream" || name.ends_with(b":stream");
        }
    }
    false
}

fn lint(file: &str, bytes: &[u8], roundtrip: bool) -> bool {
    let stream = is_stream(bytes);
    let mut decoder = if stream {
        Decoder::new()
    } else {
        Decoder::fragments(ns::CLIENT)
    };
    decoder.feed(bytes);
    let mut content_ns = ns::CLIENT.to_owned();
    let mut ok = true;
    loop {
        let before = decoder.offset() as usize;
        let start = before
            + bytes[before..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        match decoder.next_event() {
            Ok(None) => break,
            Ok(Some(Event::Whitespace)) => {}
            Ok(Some(Event::StreamClose)) => println!("{file}: ok stream close"),
            Ok(Some(Event::StreamOpen(header))) => {
                content_ns = header.ns.clone();
                println!(
                    "{file}: ok stream {{{}}} stream-header {}",
                    ns::STREAMS,
                    header.ns
                );
            }
            Ok(Some(Event::Stanza(element))) => {
                let line = describe(&element).and_then(|kind| {
                    if roundtrip {
                        check_roundtrip(&element, &content_ns).map(|()| kind)
                    } else {
                        Ok(kind)
                    }
                });
                match line {
                    Ok(kind) => {
                        println!("{file}: ok {} {{{}}} {kind}", element.name(), element.ns())
                    }
                    Err(message) => {
                        println!("{file}: error {message} at byte {start}");
                        ok = false;
                    }
                }
            }
            Err(e) => {
                println!(
                    "{file}: error {}: {} at byte {}",
                    e.condition(),
                    e.kind,
                    e.offset
                );
                return false;
            }
        }
    }
    if let Err(e) = decoder.finish() {
        println!(
            "{file}: error {}: {} at byte {}",
            e.condition(),
            e.kind,
            e.offset
        );
        ok = false;
    }
    ok
}

/// The typed kind of an element, or the stanza error a server would answer it with.
fn describe(element: &Element) -> Result<String, String> {
    let bad = |e: xmppkit::stanza::ParseError| format!("{}: {e}", DefinedCondition::BadRequest);
    if !Stanza::is_stanza(element) {
        return Ok(format!("{}/{}", short_ns(&element.ns()), element.name()));
    }
    Ok(match Stanza::try_from(element.clone()).map_err(bad)? {
        Stanza::Message(Message { type_, .. }) => format!("message/{}", type_.name()),
        Stanza::Presence(Presence { type_, .. }) => {
            format!("presence/{}", type_.name().unwrap_or("available"))
        }
        Stanza::Iq(Iq { payload, .. }) => {
            let what = payload
                .element()
                .map(|e| short_ns(&e.ns()))
                .unwrap_or_default();
            let kind = match &payload {
                IqPayload::Error(err, _) => format!("{} {}", payload.type_name(), err.condition),
                _ => payload.type_name().to_owned(),
            };
            format!("iq/{kind} {what}").trim_end().to_owned()
        }
    })
}

/// A short name for well-known namespaces, the namespace itself otherwise.
fn short_ns(ns: &str) -> String {
    let known = [
        (ns::STREAMS, "stream"),
        (ns::TLS, "tls"),
        (ns::SASL, "sasl"),
        (ns::BIND, "bind"),
        ("urn:xmpp:sm:3", "sm"),
        ("urn:xmpp:ping", "ping"),
        ("jabber:iq:roster", "roster"),
        ("urn:ietf:params:xml:ns:xmpp-session", "session"),
    ];
    if let Some((_, short)) = known.iter().find(|(n, _)| *n == ns) {
        return short.to_string();
    }
    if let Some(fragment) = ns.strip_prefix("http://jabber.org/protocol/") {
        return fragment.to_owned();
    }
    ns.to_owned()
}

/// Encodes the element and decodes it back; they must be equal.
fn check_roundtrip(element: &Element, content_ns: &str) -> Result<(), String> {
    let mut out = BytesMut::new();
    write_element(element, content_ns, &mut out);
    let mut decoder = Decoder::fragments(content_ns);
    // Inside a stream the `stream:` prefix is bound by the header; declare it for the fragment.
    let wrapped = [
        format!("<x xmlns='{content_ns}' xmlns:stream='{}'>", ns::STREAMS).as_bytes(),
        &out[..],
        b"</x>",
    ]
    .concat();
    decoder.feed(&wrapped);
    match decoder.next_event() {
        Ok(Some(Event::Stanza(wrapper))) => match wrapper.children().next() {
            Some(again) if again == element => Ok(()),
            _ => Err(format!(
                "roundtrip: the element changed: {}",
                String::from_utf8_lossy(&out)
            )),
        },
        other => Err(format!(
            "roundtrip: could not read back {}: {other:?}",
            String::from_utf8_lossy(&out)
        )),
    }
}
