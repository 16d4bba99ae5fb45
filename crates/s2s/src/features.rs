//! The stream features of a server-to-server stream (RFC 6120 §4.3.2): STARTTLS, SASL with
//! EXTERNAL (§6.4, XEP-0178) and dialback (XEP-0220 §2.1), written by the receiving side and
//! read by the initiating side.

use crate::dialback::NS_DIALBACK_FEATURE;
use minidom::Element;
use xmppkit_codec::ns;

/// What a receiving server offered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Offered {
    pub starttls: bool,
    pub mechanisms: Vec<String>,
    pub dialback: bool,
    pub bidi: bool,
}

impl Offered {
    pub fn read(features: &Element) -> Offered {
        let mechanisms = features
            .get_child("mechanisms", ns::SASL)
            .map(|m| m.children().map(Element::text).collect())
            .unwrap_or_default();
        Offered {
            starttls: features.has_child("starttls", ns::TLS),
            mechanisms,
            dialback: features.has_child("dialback", NS_DIALBACK_FEATURE),
            bidi: features.has_child("bidi", NS_BIDI_FEATURE),
        }
    }

    pub fn write(&self, tls_required: bool) -> Element {
        let mut features = Element::builder("features", ns::STREAMS).build();
        if self.starttls {
            let mut starttls = Element::builder("starttls", ns::TLS).build();
            if tls_required {
                starttls.append_child(Element::builder("required", ns::TLS).build());
            }
            features.append_child(starttls);
        }
        if !self.mechanisms.is_empty() {
            let mechanisms = Element::builder("mechanisms", ns::SASL)
                .append_all(
                    self.mechanisms
                        .iter()
                        .map(|m| Element::builder("mechanism", ns::SASL).append(m.as_str())),
                )
                .build();
            features.append_child(mechanisms);
        }
        if self.dialback {
            let errors = Element::builder("errors", NS_DIALBACK_FEATURE).build();
            features.append_child(
                Element::builder("dialback", NS_DIALBACK_FEATURE)
                    .append(errors)
                    .build(),
            );
        }
        if self.bidi {
            features.append_child(Element::builder("bidi", NS_BIDI_FEATURE).build());
        }
        features
    }
}

/// XEP-0288: the stream feature a receiving server offers bidirectionality with.
pub const NS_BIDI_FEATURE: &str = "urn:xmpp:features:bidi";
/// XEP-0288: the element an initiating server turns it on with.
pub const NS_BIDI: &str = "urn:xmpp:bidi";

/// `<auth mechanism='EXTERNAL'>` with the authorization identity (XEP-0178 §3: base64 of the
/// domain).
pub(crate) fn external_auth(domain: &str) -> Element {
    use base64::Engine;
    let value = base64::engine::general_purpose::STANDARD.encode(domain);
    let mut auth = Element::bare("auth", ns::SASL);
    xmppkit_stanza::set_attr(&mut auth, "mechanism", "EXTERNAL");
    auth.append_text(value);
    auth
}

/// The domain an EXTERNAL `<auth/>` names: its base64 authorization identity, or `None` for an
/// empty one (`=`), meaning the stream header's `from`.
pub(crate) fn external_authzid(auth: &Element) -> Result<Option<String>, ()> {
    use base64::Engine;
    let text = auth.text();
    let text = text.trim();
    if text.is_empty() || text == "=" {
        return Ok(None);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| ())?;
    String::from_utf8(bytes).map(Some).map_err(|_| ())
}

/// An element in the TLS or SASL namespace with no attributes: `<proceed/>`, `<success/>`,
/// `<failure><not-authorized/></failure>`.
pub(crate) fn bare(name: &str, namespace: &str) -> Element {
    Element::builder(name, namespace).build()
}
