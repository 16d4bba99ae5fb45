//! Building and reading the elements of stream negotiation (RFC 6120 §4.3, §5, §6, §7) that both
//! roles use: STARTTLS, SASL auth/challenge/response/success/failure, bind, ping.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use minidom::Element;
use xmppkit_stanza::ns;

/// `urn:xmpp:ping` (XEP-0199).
pub(crate) const PING: &str = "urn:xmpp:ping";

/// An empty element.
pub(crate) fn element(name: &str, ns: &str) -> Element {
    Element::builder(name, ns).build()
}

/// Sets a plain attribute named by a constant.
pub(crate) fn with_attr(mut el: Element, name: &'static str, value: impl Into<String>) -> Element {
    xmppkit_stanza::set_attr(&mut el, name, value.into());
    el
}

/// SASL data as element text (RFC 6120 §6.4.2: empty data is `=`).
pub(crate) fn sasl_element(name: &str, data: &[u8]) -> Element {
    let text = if data.is_empty() {
        "=".to_owned()
    } else {
        B64.encode(data)
    };
    Element::builder(name, ns::SASL).append(text).build()
}

/// The data of a SASL element; `None` when it is not base64.
pub(crate) fn sasl_data(el: &Element) -> Option<Vec<u8>> {
    let text = el.text();
    let text = text.trim();
    if text.is_empty() || text == "=" {
        return Some(Vec::new());
    }
    B64.decode(text).ok()
}

/// `<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><condition/></failure>`.
pub(crate) fn sasl_failure(condition: &str) -> Element {
    Element::builder("failure", ns::SASL)
        .append(element(condition, ns::SASL))
        .build()
}

/// The mechanism names in `<mechanisms/>`.
pub(crate) fn mechanisms(features: &Element) -> Vec<String> {
    features
        .get_child("mechanisms", ns::SASL)
        .map(|m| {
            m.children()
                .filter(|c| c.is("mechanism", ns::SASL))
                .map(|c| c.text().trim().to_owned())
                .collect()
        })
        .unwrap_or_default()
}
