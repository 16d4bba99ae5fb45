//! The attributes all three stanza kinds share (RFC 6120 §8.1): `from`, `to`, `id`, `xml:lang`, and
//! the stanza namespaces they may be in.

use crate::util::{lang, set_attr, set_lang, Tag};
use crate::{ns, ParseError, StanzaError};
use minidom::Element;
use xmppkit_jid::Jid;

/// The common attributes of a stanza.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Addressing {
    pub from: Option<Jid>,
    pub to: Option<Jid>,
    pub id: Option<String>,
    pub lang: Option<String>,
}

/// Checks that `el` is the stanza `name` in one of the stanza namespaces and reads its addressing.
pub(crate) fn read(el: &Element, name: &'static str) -> Result<(Tag, Addressing), ParseError> {
    let tag = [ns::CLIENT, ns::SERVER, ns::COMPONENT_ACCEPT]
        .into_iter()
        .map(|ns| Tag::new(name, ns))
        .find(|t| el.is(t.name, t.ns))
        .ok_or_else(|| ParseError::WrongElement {
            expected: name,
            expected_ns: ns::CLIENT,
            found: el.name().to_owned(),
            found_ns: el.ns(),
        })?;
    let addressing = Addressing {
        from: tag.jid_attr(el, "from")?,
        to: tag.jid_attr(el, "to")?,
        id: el.attr("id").map(str::to_owned),
        lang: lang(el),
    };
    Ok((tag, addressing))
}

/// Writes the common attributes onto a new stanza element.
pub(crate) fn write(
    name: &str,
    stanza_ns: &str,
    from: Option<&Jid>,
    to: Option<&Jid>,
    id: Option<&str>,
    lang: Option<&str>,
) -> Element {
    let mut el = Element::builder(name, stanza_ns).build();
    if let Some(from) = from {
        set_attr(&mut el, "from", from.to_string());
    }
    if let Some(to) = to {
        set_attr(&mut el, "to", to.to_string());
    }
    if let Some(id) = id {
        set_attr(&mut el, "id", id);
    }
    set_lang(&mut el, lang);
    el
}

/// Appends the payloads and the error, which close every stanza kind.
pub(crate) fn write_payloads(
    el: &mut Element,
    stanza_ns: &str,
    payloads: &[Element],
    error: Option<&StanzaError>,
) {
    for p in payloads {
        el.append_child(p.clone());
    }
    if let Some(error) = error {
        el.append_child(error.to_element(stanza_ns));
    }
}

/// Reads a human-readable text child (`body`, `subject`, `status`) with its language.
pub(crate) fn localized(el: &Element) -> (Option<String>, String) {
    (lang(el), el.text())
}

/// Writes a human-readable text child.
pub(crate) fn write_localized(
    parent: &mut Element,
    name: &str,
    ns: &str,
    (lang, text): &(Option<String>, String),
) {
    let mut child = Element::builder(name, ns).append(text.as_str()).build();
    set_lang(&mut child, lang.as_deref());
    parent.append_child(child);
}

/// The text without a language, or else the first one.
pub(crate) fn default_text(texts: &[(Option<String>, String)]) -> Option<&str> {
    texts
        .iter()
        .find(|(lang, _)| lang.is_none())
        .or_else(|| texts.first())
        .map(|(_, t)| t.as_str())
}
