//! The payloads of the login of one round trip: XEP-0388 Extensible SASL Profile (SASL2:
//! `<authentication>`, `<authenticate>`, `<user-agent>`, `<success>`, `<failure>`), XEP-0386
//! Bind 2 (`<bind>` inside `<authenticate>`, `<bound>` inside `<success>`) and XEP-0484 FAST
//! (`<fast>`, `<request-token>`, `<token>`), with XEP-0198's inline `<enable>`/`<resume>`.
//! Both roles build and read them here.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use minidom::Element;
use thiserror::Error;
use xmppkit_stanza::set_attr;

/// `urn:xmpp:sasl:2` (XEP-0388).
pub const NS: &str = "urn:xmpp:sasl:2";
/// `urn:xmpp:bind:0` (XEP-0386).
pub const NS_BIND2: &str = "urn:xmpp:bind:0";
/// `urn:xmpp:fast:0` (XEP-0484).
pub const NS_FAST: &str = "urn:xmpp:fast:0";
/// `urn:xmpp:carbons:2` (XEP-0280), enabled inline by Bind 2.
pub const NS_CARBONS: &str = "urn:xmpp:carbons:2";
/// `urn:xmpp:csi:0` (XEP-0352), set inline by Bind 2.
pub const NS_CSI: &str = "urn:xmpp:csi:0";
/// The SASL conditions' namespace (RFC 6120 §6.5), used inside SASL2 failures.
const NS_SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";

/// An `<authenticate/>` that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Sasl2Error {
    /// The required `mechanism` attribute is missing.
    #[error("<authenticate/> without a mechanism")]
    NoMechanism,
    /// `<initial-response/>` is not base64.
    #[error("<initial-response/> is not base64")]
    BadEncoding,
    /// A number (`h`, `count`) is not one.
    #[error("`{0}` is not a number")]
    BadNumber(&'static str),
}

/// XEP-0388 §2.3: who is logging in from where. The `id` (a UUID the client keeps) tells one
/// client installation from another: FAST tokens are issued to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserAgent {
    /// A stable identifier of this client installation.
    pub id: Option<String>,
    /// The software.
    pub software: Option<String>,
    /// The device.
    pub device: Option<String>,
}

impl UserAgent {
    fn read(el: &Element) -> UserAgent {
        let text = |name| el.get_child(name, NS).map(Element::text);
        UserAgent {
            id: el.attr("id").map(str::to_owned),
            software: text("software"),
            device: text("device"),
        }
    }

    /// `<user-agent/>`.
    pub fn element(&self) -> Element {
        let mut el = Element::builder("user-agent", NS).build();
        if let Some(id) = &self.id {
            set_attr(&mut el, "id", id.as_str());
        }
        for (name, value) in [("software", &self.software), ("device", &self.device)] {
            if let Some(value) = value {
                el.append_child(Element::builder(name, NS).append(value.as_str()).build());
            }
        }
        el
    }
}

/// XEP-0386 §2.2: the resource binding asked for inside `<authenticate/>`, with the session
/// features to enable at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bind2Request {
    /// `<tag/>`: the client's name, put in front of the generated resource.
    pub tag: Option<String>,
    /// `<enable xmlns='urn:xmpp:carbons:2'/>` (XEP-0280).
    pub carbons: bool,
    /// `<enable xmlns='urn:xmpp:sm:3'/>` (XEP-0198), its `resume` and `max` as asked.
    pub sm: Option<Element>,
    /// `<active/>` (`Some(true)`) or `<inactive/>` (`Some(false)`) of XEP-0352.
    pub csi: Option<bool>,
}

impl Bind2Request {
    fn read(el: &Element) -> Bind2Request {
        Bind2Request {
            tag: el
                .get_child("tag", NS_BIND2)
                .map(Element::text)
                .filter(|t| !t.trim().is_empty()),
            carbons: el.has_child("enable", NS_CARBONS),
            sm: el.get_child("enable", xmppkit_sm::NS).cloned(),
            csi: if el.has_child("active", NS_CSI) {
                Some(true)
            } else if el.has_child("inactive", NS_CSI) {
                Some(false)
            } else {
                None
            },
        }
    }

    /// `<bind xmlns='urn:xmpp:bind:0'/>`.
    pub fn element(&self) -> Element {
        let mut el = Element::builder("bind", NS_BIND2).build();
        if let Some(tag) = &self.tag {
            el.append_child(
                Element::builder("tag", NS_BIND2)
                    .append(tag.as_str())
                    .build(),
            );
        }
        if self.carbons {
            el.append_child(Element::builder("enable", NS_CARBONS).build());
        }
        if let Some(sm) = &self.sm {
            el.append_child(sm.clone());
        }
        if let Some(active) = self.csi {
            let name = if active { "active" } else { "inactive" };
            el.append_child(Element::builder(name, NS_CSI).build());
        }
        el
    }
}

/// XEP-0484 §3.4: the client authenticates with a token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FastUse {
    /// The replay counter (with TLS 0-RTT data).
    pub count: Option<u32>,
    /// Invalidate the token once this login succeeded (§3.6).
    pub invalidate: bool,
}

/// XEP-0388 §2.3: a SASL2 `<authenticate/>` with what it carries inline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Authenticate {
    /// The mechanism.
    pub mechanism: String,
    /// The initial response, decoded.
    pub initial_response: Option<Vec<u8>>,
    /// `<user-agent/>`.
    pub user_agent: Option<UserAgent>,
    /// Bind 2.
    pub bind: Option<Bind2Request>,
    /// XEP-0198 resumption inline: the previous stream's id and the client's `h`.
    pub resume: Option<(String, u32)>,
    /// XEP-0484: a token for this mechanism is wanted.
    pub request_token: Option<String>,
    /// XEP-0484: the mechanism is a FAST one, used with a token.
    pub fast: Option<FastUse>,
}

fn number(el: &Element, attr: &'static str) -> Result<Option<u32>, Sasl2Error> {
    el.attr(attr)
        .map(|v| v.parse().map_err(|_| Sasl2Error::BadNumber(attr)))
        .transpose()
}

fn truthy(value: Option<&str>) -> bool {
    matches!(value, Some("1" | "true"))
}

impl TryFrom<&Element> for Authenticate {
    type Error = Sasl2Error;

    /// Reads an `<authenticate/>`; the caller checked its name and namespace.
    fn try_from(el: &Element) -> Result<Self, Sasl2Error> {
        let mechanism = el
            .attr("mechanism")
            .filter(|m| !m.is_empty())
            .ok_or(Sasl2Error::NoMechanism)?
            .to_owned();
        let initial_response = el
            .get_child("initial-response", NS)
            .map(|r| {
                let text: String = r.text().split_whitespace().collect();
                B64.decode(text).map_err(|_| Sasl2Error::BadEncoding)
            })
            .transpose()?;
        let resume = match el.get_child("resume", xmppkit_sm::NS) {
            Some(r) => Some((
                r.attr("previd").unwrap_or_default().to_owned(),
                number(r, "h")?.unwrap_or(0),
            )),
            None => None,
        };
        let fast = match el.get_child("fast", NS_FAST) {
            Some(f) => Some(FastUse {
                count: number(f, "count")?,
                invalidate: truthy(f.attr("invalidate")),
            }),
            None => None,
        };
        Ok(Authenticate {
            mechanism,
            initial_response,
            user_agent: el.get_child("user-agent", NS).map(UserAgent::read),
            bind: el.get_child("bind", NS_BIND2).map(Bind2Request::read),
            resume,
            request_token: el
                .get_child("request-token", NS_FAST)
                .and_then(|t| t.attr("mechanism"))
                .map(str::to_owned),
            fast,
        })
    }
}

impl Authenticate {
    /// `<authenticate/>`.
    pub fn element(&self) -> Element {
        let mut el = Element::builder("authenticate", NS).build();
        set_attr(&mut el, "mechanism", self.mechanism.as_str());
        if let Some(data) = &self.initial_response {
            el.append_child(
                Element::builder("initial-response", NS)
                    .append(B64.encode(data))
                    .build(),
            );
        }
        if let Some(agent) = &self.user_agent {
            el.append_child(agent.element());
        }
        if let Some(bind) = &self.bind {
            el.append_child(bind.element());
        }
        if let Some((previd, h)) = &self.resume {
            let mut resume = Element::builder("resume", xmppkit_sm::NS).build();
            set_attr(&mut resume, "previd", previd.as_str());
            set_attr(&mut resume, "h", h.to_string());
            el.append_child(resume);
        }
        if let Some(mechanism) = &self.request_token {
            let mut request = Element::builder("request-token", NS_FAST).build();
            set_attr(&mut request, "mechanism", mechanism.as_str());
            el.append_child(request);
        }
        if let Some(fast) = &self.fast {
            let mut f = Element::builder("fast", NS_FAST).build();
            if let Some(count) = fast.count {
                set_attr(&mut f, "count", count.to_string());
            }
            if fast.invalidate {
                set_attr(&mut f, "invalidate", "true");
            }
            el.append_child(f);
        }
        el
    }
}

/// A FAST token as the server hands it out (XEP-0484 §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The secret.
    pub token: String,
    /// When it expires, XEP-0082 DateTime.
    pub expiry: String,
}

/// What the server advertises for SASL2 (XEP-0388 §2.1): the mechanisms, and what may come
/// inline: Bind 2 with the session features it enables, XEP-0198 resumption, FAST mechanisms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Offer {
    /// SASL mechanisms.
    pub mechanisms: Vec<String>,
    /// Bind 2 is offered, with these inline features (`urn:xmpp:sm:3`, carbons, CSI).
    pub bind: Option<Vec<String>>,
    /// XEP-0198 `<resume/>` may come inline.
    pub sm: bool,
    /// FAST mechanisms offered (none: no FAST).
    pub fast: Vec<String>,
}

impl Offer {
    /// `<authentication xmlns='urn:xmpp:sasl:2'/>`.
    pub fn element(&self) -> Element {
        let mut el = Element::builder("authentication", NS).build();
        for m in &self.mechanisms {
            el.append_child(Element::builder("mechanism", NS).append(m.as_str()).build());
        }
        let mut inline = Element::builder("inline", NS).build();
        if let Some(features) = &self.bind {
            let mut bind = Element::builder("bind", NS_BIND2).build();
            let mut bind_inline = Element::builder("inline", NS_BIND2).build();
            for var in features {
                let mut feature = Element::builder("feature", NS_BIND2).build();
                set_attr(&mut feature, "var", var.as_str());
                bind_inline.append_child(feature);
            }
            bind.append_child(bind_inline);
            inline.append_child(bind);
        }
        if self.sm {
            inline.append_child(Element::builder("sm", xmppkit_sm::NS).build());
        }
        if !self.fast.is_empty() {
            let mut fast = Element::builder("fast", NS_FAST).build();
            for m in &self.fast {
                fast.append_child(
                    Element::builder("mechanism", NS_FAST)
                        .append(m.as_str())
                        .build(),
                );
            }
            inline.append_child(fast);
        }
        if inline.children().next().is_some() {
            el.append_child(inline);
        }
        el
    }

    /// Reads the offer from a stream's features; `None` without SASL2.
    pub fn read(features: &Element) -> Option<Offer> {
        let el = features.get_child("authentication", NS)?;
        let texts = |parent: &Element, name: &str, ns: &str| -> Vec<String> {
            parent
                .children()
                .filter(|c| c.is(name, ns))
                .map(|c| c.text().trim().to_owned())
                .collect()
        };
        let inline = el.get_child("inline", NS);
        let bind = inline.and_then(|i| i.get_child("bind", NS_BIND2)).map(|b| {
            b.get_child("inline", NS_BIND2)
                .map(|i| {
                    i.children()
                        .filter(|c| c.is("feature", NS_BIND2))
                        .filter_map(|c| c.attr("var").map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        });
        Some(Offer {
            mechanisms: texts(el, "mechanism", NS),
            bind,
            sm: inline.is_some_and(|i| i.has_child("sm", xmppkit_sm::NS)),
            fast: inline
                .and_then(|i| i.get_child("fast", NS_FAST))
                .map(|f| texts(f, "mechanism", NS_FAST))
                .unwrap_or_default(),
        })
    }
}

/// `<success/>` (XEP-0388 §2.6.1): the mechanism's additional data, the authorization
/// identifier (the full JID once bound), and what was done inline (`<bound/>`, `<resumed/>`,
/// `<failed/>`, `<token/>`).
pub fn success(additional: Option<&[u8]>, authorization: &str, extras: Vec<Element>) -> Element {
    let mut el = Element::builder("success", NS).build();
    if let Some(data) = additional.filter(|d| !d.is_empty()) {
        el.append_child(
            Element::builder("additional-data", NS)
                .append(B64.encode(data))
                .build(),
        );
    }
    el.append_child(
        Element::builder("authorization-identifier", NS)
            .append(authorization)
            .build(),
    );
    for extra in extras {
        el.append_child(extra);
    }
    el
}

/// `<failure/>` with a SASL condition of RFC 6120 §6.5 and an optional text.
pub fn failure(condition: &str, text: Option<&str>) -> Element {
    let mut el = Element::builder("failure", NS).build();
    el.append_child(Element::builder(condition, NS_SASL).build());
    if let Some(text) = text {
        el.append_child(Element::builder("text", NS).append(text).build());
    }
    el
}

/// `<challenge/>` or `<response/>` with base64 data.
pub fn data_element(name: &str, data: &[u8]) -> Element {
    Element::builder(name, NS).append(B64.encode(data)).build()
}

/// The data of a `<challenge/>`, `<response/>` or `<additional-data/>`: `None` when not base64.
pub fn decode(el: &Element) -> Option<Vec<u8>> {
    let text: String = el.text().split_whitespace().collect();
    B64.decode(text).ok()
}

/// `<token xmlns='urn:xmpp:fast:0'/>`.
pub fn token_element(token: &IssuedToken) -> Element {
    let mut el = Element::builder("token", NS_FAST).build();
    set_attr(&mut el, "expiry", token.expiry.as_str());
    set_attr(&mut el, "token", token.token.as_str());
    el
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(xml: &str) -> Element {
        xml.parse().unwrap()
    }

    /// XEP-0388 §2.3, XEP-0386 §2.2 and XEP-0484 §3.2, written out.
    #[test]
    fn spec_examples_read() {
        let a = Authenticate::try_from(&el(
            "<authenticate xmlns='urn:xmpp:sasl:2' mechanism='SCRAM-SHA-1-PLUS'>\
             <initial-response>cD10bHMtZXhwb3J0ZXIsLG49dXNlcixyPTEyQzRDRDVDLUUzOEUtNEE5OC04RjZELTE1QzM4RjUxQ0NDNg==</initial-response>\
             <user-agent id='d4565fa7-4d72-4749-b3d3-740edbf87770'><software>AwesomeXMPP</software>\
             <device>Kiva's Phone</device></user-agent>\
             <bind xmlns='urn:xmpp:bind:0'><tag>AwesomeXMPP</tag><enable xmlns='urn:xmpp:carbons:2'/>\
             <enable xmlns='urn:xmpp:sm:3'/><inactive xmlns='urn:xmpp:csi:0'/></bind>\
             <request-token xmlns='urn:xmpp:fast:0' mechanism='HT-SHA-256-ENDP'/></authenticate>",
        ))
        .unwrap();
        assert_eq!(a.mechanism, "SCRAM-SHA-1-PLUS");
        assert_eq!(
            a.initial_response.as_deref(),
            Some(&b"p=tls-exporter,,n=user,r=12C4CD5C-E38E-4A98-8F6D-15C38F51CCC6"[..])
        );
        let agent = a.user_agent.clone().unwrap();
        assert_eq!(
            agent.id.as_deref(),
            Some("d4565fa7-4d72-4749-b3d3-740edbf87770")
        );
        assert_eq!(agent.device.as_deref(), Some("Kiva's Phone"));
        let bind = a.bind.clone().unwrap();
        assert_eq!(bind.tag.as_deref(), Some("AwesomeXMPP"));
        assert!(bind.carbons && bind.sm.is_some());
        assert_eq!(bind.csi, Some(false));
        assert_eq!(a.request_token.as_deref(), Some("HT-SHA-256-ENDP"));
        // Written and read again, the same.
        assert_eq!(Authenticate::try_from(&a.element()).unwrap(), a);
        let fast = Authenticate::try_from(&el(
            "<authenticate xmlns='urn:xmpp:sasl:2' mechanism='HT-SHA-256-ENDP'>\
             <initial-response>AA==</initial-response><fast xmlns='urn:xmpp:fast:0' count='123' invalidate='true'/></authenticate>",
        ))
        .unwrap();
        assert_eq!(
            fast.fast,
            Some(FastUse {
                count: Some(123),
                invalidate: true
            })
        );
    }

    #[test]
    fn bad_authenticate_elements() {
        let read = |xml: &str| Authenticate::try_from(&el(xml));
        assert_eq!(
            read("<authenticate xmlns='urn:xmpp:sasl:2'/>"),
            Err(Sasl2Error::NoMechanism)
        );
        assert_eq!(
            read("<authenticate xmlns='urn:xmpp:sasl:2' mechanism='X'><initial-response>!!</initial-response></authenticate>"),
            Err(Sasl2Error::BadEncoding)
        );
        assert_eq!(
            read("<authenticate xmlns='urn:xmpp:sasl:2' mechanism='X'><resume xmlns='urn:xmpp:sm:3' previd='a' h='x'/></authenticate>"),
            Err(Sasl2Error::BadNumber("h"))
        );
    }

    /// The XEP-0484 §3.1 feature and the XEP-0386 §2.1 one, read back.
    #[test]
    fn offers_round_trip() {
        let offer = Offer {
            mechanisms: vec!["SCRAM-SHA-1".into(), "SCRAM-SHA-1-PLUS".into()],
            bind: Some(vec![NS_CARBONS.into(), xmppkit_sm::NS.into()]),
            sm: true,
            fast: vec!["HT-SHA-256-NONE".into()],
        };
        let mut features = Element::builder("features", "http://etherx.jabber.org/streams").build();
        features.append_child(offer.element());
        assert_eq!(Offer::read(&features), Some(offer));
        let spec = el("<features xmlns='http://etherx.jabber.org/streams'>\
            <authentication xmlns='urn:xmpp:sasl:2'><mechanism>SCRAM-SHA-1</mechanism>\
            <inline><fast xmlns='urn:xmpp:fast:0' tls-0rtt='true'><mechanism>HT-SHA-256-ENDP</mechanism>\
            <mechanism>HT-SHA-256-NONE</mechanism></fast></inline></authentication></features>");
        let read = Offer::read(&spec).unwrap();
        assert_eq!(read.fast, ["HT-SHA-256-ENDP", "HT-SHA-256-NONE"]);
        assert_eq!(read.bind, None);
    }
}
