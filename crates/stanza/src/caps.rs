//! XEP-0115 Entity Capabilities: the `<c/>` an entity puts in its presence, and the
//! verification string (§5.1, with the XEP-0128 forms of §5.4) and `ver` (SHA-1, base64) of its
//! disco#info answer. A server learns from it which PEP notifications a client wants
//! (`NODE+notify`, XEP-0163 §4.3) without asking every presence.
//!
//! ```
//! use xmppkit_stanza::caps;
//! use xmppkit_stanza::disco::{DiscoInfo, Identity};
//! // XEP-0115 §5.2, the simple example.
//! let mut info = DiscoInfo::default();
//! info.identities.push(Identity { name: Some("Exodus 0.9.1".into()), ..Identity::new("client", "pc") });
//! info.features = ["http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info",
//!     "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc"]
//!     .map(String::from).to_vec();
//! assert_eq!(caps::ver(&info), "QgayPKawpkPSDYmwT/WM94uAlu0=");
//! ```

use crate::data_forms::DataForm;
use crate::disco::DiscoInfo;
use crate::util::set_attr;
use crate::ParseError;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use minidom::Element;
use sha1::{Digest, Sha1};

/// `http://jabber.org/protocol/caps`.
pub const NS: &str = "http://jabber.org/protocol/caps";

/// The `<c/>` of a presence: who made the software (`node`) and what its disco#info hashes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caps {
    /// The software's URI; `node#ver` is the disco#info node to ask.
    pub node: String,
    /// [`ver`] of the entity's disco#info.
    pub ver: String,
    /// The hash function's IANA name (`sha-1`).
    pub hash: String,
}

impl Caps {
    /// The `<c/>` for `info` under `node`, hashed with SHA-1.
    pub fn of(node: impl Into<String>, info: &DiscoInfo) -> Caps {
        Caps {
            node: node.into(),
            ver: ver(info),
            hash: "sha-1".into(),
        }
    }

    /// The disco#info node that answers for these capabilities (§6.2).
    pub fn disco_node(&self) -> String {
        format!("{}#{}", self.node, self.ver)
    }
}

impl TryFrom<Element> for Caps {
    type Error = ParseError;

    fn try_from(el: Element) -> Result<Self, ParseError> {
        if !el.is("c", NS) {
            return Err(ParseError::WrongElement {
                expected: "c",
                expected_ns: NS,
                found: el.name().to_owned(),
                found_ns: el.ns(),
            });
        }
        let attr = |attribute: &'static str| {
            el.attr(attribute)
                .map(str::to_owned)
                .ok_or(ParseError::MissingAttribute {
                    element: "c",
                    ns: NS,
                    attribute,
                })
        };
        Ok(Caps {
            node: attr("node")?,
            ver: attr("ver")?,
            hash: attr("hash")?,
        })
    }
}

impl From<Caps> for Element {
    fn from(c: Caps) -> Element {
        let mut el = Element::builder("c", NS).build();
        set_attr(&mut el, "hash", c.hash);
        set_attr(&mut el, "node", c.node);
        set_attr(&mut el, "ver", c.ver);
        el
    }
}

/// The verification string of §5.1 (identities, features, then XEP-0128 forms, each sorted).
pub fn verification_string(info: &DiscoInfo) -> String {
    let mut s = String::new();
    let mut identities: Vec<String> = info
        .identities
        .iter()
        .map(|i| {
            format!(
                "{}/{}/{}/{}<",
                i.category,
                i.type_,
                i.lang.as_deref().unwrap_or_default(),
                i.name.as_deref().unwrap_or_default()
            )
        })
        .collect();
    identities.sort();
    identities.iter().for_each(|i| s.push_str(i));
    let mut features: Vec<&str> = info.features.iter().map(String::as_str).collect();
    features.sort_unstable();
    for feature in features {
        s.push_str(feature);
        s.push('<');
    }
    let mut forms: Vec<&DataForm> = info.extensions.iter().collect();
    forms.sort_by_key(|f| f.form_type().unwrap_or_default().to_owned());
    for form in forms {
        s.push_str(form.form_type().unwrap_or_default());
        s.push('<');
        let mut fields: Vec<_> = form
            .fields
            .iter()
            .filter(|f| f.var.as_deref().is_some_and(|v| v != "FORM_TYPE"))
            .collect();
        fields.sort_by_key(|f| f.var.clone());
        for field in fields {
            s.push_str(field.var.as_deref().unwrap_or_default());
            s.push('<');
            let mut values: Vec<&str> = field.values.iter().map(String::as_str).collect();
            values.sort_unstable();
            for value in values {
                s.push_str(value);
                s.push('<');
            }
        }
    }
    s
}

/// The `ver` of §5.1: base64 of the SHA-1 of the verification string.
pub fn ver(info: &DiscoInfo) -> String {
    B64.encode(Sha1::digest(verification_string(info).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data_forms::Field;
    use crate::disco::Identity;

    /// XEP-0115 §5.3, the complex example: two identities with languages, and a software
    /// information form.
    #[test]
    fn the_complex_example() {
        let mut info = DiscoInfo::default();
        for (lang, name) in [("en", "Psi 0.11"), ("el", "Ψ 0.11")] {
            info.identities.push(Identity {
                lang: Some(lang.into()),
                name: Some(name.into()),
                ..Identity::new("client", "pc")
            });
        }
        info.features = [
            "http://jabber.org/protocol/caps",
            "http://jabber.org/protocol/disco#info",
            "http://jabber.org/protocol/disco#items",
            "http://jabber.org/protocol/muc",
        ]
        .map(String::from)
        .to_vec();
        info.extensions.push(DataForm::new(
            crate::data_forms::FormType::Result,
            vec![
                Field::form_type("urn:xmpp:dataforms:softwareinfo"),
                Field::new("ip_version", ["ipv4", "ipv6"]),
                Field::new("os", ["Mac"]),
                Field::new("os_version", ["10.5.1"]),
                Field::new("software", ["Psi"]),
                Field::new("software_version", ["0.11"]),
            ],
        ));
        assert_eq!(
            verification_string(&info),
            "client/pc/el/Ψ 0.11<client/pc/en/Psi 0.11<http://jabber.org/protocol/caps<\
             http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<\
             http://jabber.org/protocol/muc<urn:xmpp:dataforms:softwareinfo<\
             ip_version<ipv4<ipv6<os<Mac<os_version<10.5.1<software<Psi<software_version<0.11<"
        );
        assert_eq!(ver(&info), "q07IKJEyjvHSyhy//CH0CxmKi8w=");
    }

    #[test]
    fn the_element_round_trips() {
        let c: Element = "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' \
            node='http://code.google.com/p/exodus' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>"
            .parse()
            .unwrap();
        let caps = Caps::try_from(c).unwrap();
        assert_eq!(
            caps.disco_node(),
            "http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0="
        );
        assert_eq!(Caps::try_from(Element::from(caps.clone())).unwrap(), caps);
    }
}
