//! The XEP-0198 elements (`urn:xmpp:sm:3`): the stream feature, `enable` / `enabled`, `r` / `a`,
//! `resume` / `resumed`, `failed`, and the `handled-count-too-high` condition (§4–§6).

use minidom::Element;
use xmppkit_stanza::{set_attr as set, DefinedCondition, ParseError};

/// `urn:xmpp:sm:3`.
pub const NS: &str = "urn:xmpp:sm:3";

/// One XEP-0198 top-level element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nonza {
    /// `<enable/>` (§3): the client asks for stream management, and for resumption.
    Enable {
        /// `resume`: the client wants the session to be resumable.
        resume: bool,
        /// `max`: the resumption time the client prefers, in seconds.
        max: Option<u32>,
    },
    /// `<enabled/>` (§3): stream management is on.
    Enabled {
        /// `id`: the stream id for resumption (present when resumable).
        id: Option<String>,
        /// `resume`: whether the session can be resumed.
        resume: bool,
        /// `max`: the server's maximum resumption time, in seconds.
        max: Option<u32>,
        /// `location`: where to reconnect to resume.
        location: Option<String>,
    },
    /// `<r/>` (§4): please acknowledge.
    Request,
    /// `<a h='…'/>` (§4): the sender has handled `h` stanzas.
    Ack {
        /// Count of handled stanzas, modulo 2^32.
        h: u32,
    },
    /// `<resume/>` (§5): resume the stream `previd`; the client has handled `h` stanzas.
    Resume {
        /// Handled count of the client.
        h: u32,
        /// The id from `enabled`.
        previd: String,
    },
    /// `<resumed/>` (§5): the server resumed `previd`; it has handled `h` stanzas.
    Resumed {
        /// Handled count of the server.
        h: u32,
        /// The id resumed.
        previd: String,
    },
    /// `<failed/>` (§3, §5): enabling or resuming failed.
    Failed {
        /// The server's handled count, when it knows it (a failed resumption).
        h: Option<u32>,
        /// The stanza error condition.
        condition: Option<DefinedCondition>,
    },
}

fn bool_attr(el: &Element, name: &'static str) -> Result<bool, ParseError> {
    match el.attr(name) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(other) => Err(bad(el, name, other, "not a boolean")),
    }
}

fn bad(el: &Element, attribute: &'static str, value: &str, reason: &str) -> ParseError {
    ParseError::BadAttribute {
        element: static_name(el.name()),
        ns: NS,
        attribute,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

fn static_name(name: &str) -> &'static str {
    ["enable", "enabled", "r", "a", "resume", "resumed", "failed"]
        .into_iter()
        .find(|n| *n == name)
        .unwrap_or("element")
}

fn u32_attr(el: &Element, name: &'static str) -> Result<Option<u32>, ParseError> {
    el.attr(name)
        .map(|v| {
            v.parse::<u32>()
                .map_err(|_| bad(el, name, v, "not an integer from 0 to 2^32-1"))
        })
        .transpose()
}

fn required<T>(el: &Element, name: &'static str, value: Option<T>) -> Result<T, ParseError> {
    value.ok_or(ParseError::MissingAttribute {
        element: static_name(el.name()),
        ns: NS,
        attribute: name,
    })
}

impl TryFrom<Element> for Nonza {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        if !el.has_ns(NS) {
            return Err(ParseError::WrongElement {
                expected: "a stream management element",
                expected_ns: NS,
                found: el.name().to_owned(),
                found_ns: el.ns(),
            });
        }
        Ok(match el.name() {
            "enable" => Nonza::Enable {
                resume: bool_attr(&el, "resume")?,
                max: u32_attr(&el, "max")?,
            },
            "enabled" => Nonza::Enabled {
                id: el.attr("id").map(str::to_owned),
                resume: bool_attr(&el, "resume")?,
                max: u32_attr(&el, "max")?,
                location: el.attr("location").map(str::to_owned),
            },
            "r" => Nonza::Request,
            "a" => Nonza::Ack {
                h: required(&el, "h", u32_attr(&el, "h")?)?,
            },
            "resume" | "resumed" => {
                let h = required(&el, "h", u32_attr(&el, "h")?)?;
                let previd = required(&el, "previd", el.attr("previd").map(str::to_owned))?;
                if el.name() == "resume" {
                    Nonza::Resume { h, previd }
                } else {
                    Nonza::Resumed { h, previd }
                }
            }
            "failed" => Nonza::Failed {
                h: u32_attr(&el, "h")?,
                condition: el
                    .children()
                    .find(|c| c.has_ns(xmppkit_stanza::ns::XMPP_STANZAS))
                    .and_then(|c| DefinedCondition::from_name(c.name(), None)),
            },
            other => {
                return Err(ParseError::WrongElement {
                    expected: "a stream management element",
                    expected_ns: NS,
                    found: other.to_owned(),
                    found_ns: NS.to_owned(),
                })
            }
        })
    }
}

impl From<Nonza> for Element {
    fn from(n: Nonza) -> Element {
        let name = match &n {
            Nonza::Enable { .. } => "enable",
            Nonza::Enabled { .. } => "enabled",
            Nonza::Request => "r",
            Nonza::Ack { .. } => "a",
            Nonza::Resume { .. } => "resume",
            Nonza::Resumed { .. } => "resumed",
            Nonza::Failed { .. } => "failed",
        };
        let mut el = Element::builder(name, NS).build();
        match n {
            Nonza::Enable { resume, max } => {
                if resume {
                    set(&mut el, "resume", "true");
                }
                if let Some(max) = max {
                    set(&mut el, "max", max.to_string());
                }
            }
            Nonza::Enabled {
                id,
                resume,
                max,
                location,
            } => {
                if let Some(id) = id {
                    set(&mut el, "id", id);
                }
                if resume {
                    set(&mut el, "resume", "true");
                }
                if let Some(max) = max {
                    set(&mut el, "max", max.to_string());
                }
                if let Some(location) = location {
                    set(&mut el, "location", location);
                }
            }
            Nonza::Request => {}
            Nonza::Ack { h } => set(&mut el, "h", h.to_string()),
            Nonza::Resume { h, previd } | Nonza::Resumed { h, previd } => {
                set(&mut el, "h", h.to_string());
                set(&mut el, "previd", previd);
            }
            Nonza::Failed { h, condition } => {
                if let Some(h) = h {
                    set(&mut el, "h", h.to_string());
                }
                if let Some(condition) = condition {
                    el.append_child(
                        Element::builder(condition.name(), xmppkit_stanza::ns::XMPP_STANZAS)
                            .build(),
                    );
                }
            }
        }
        el
    }
}

/// The stream feature `<sm xmlns='urn:xmpp:sm:3'/>` (§3).
pub fn feature() -> Element {
    Element::builder("sm", NS).build()
}

/// The stream error for an acknowledgement of more stanzas than were sent (§4): condition
/// `undefined-condition` with `<handled-count-too-high h='…' send-count='…'/>`.
pub fn handled_count_too_high(h: u32, send_count: u32) -> xmppkit_stanza::StreamError {
    let mut app = Element::builder("handled-count-too-high", NS).build();
    set(&mut app, "h", h.to_string());
    set(&mut app, "send-count", send_count.to_string());
    xmppkit_stanza::StreamError {
        app_specific: Some(app),
        ..xmppkit_stanza::StreamError::new(xmppkit_stanza::StreamErrorCondition::UndefinedCondition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        s.parse().unwrap()
    }

    /// XEP-0198 examples (§3–§5), parsed and written back to the same element.
    #[test]
    fn xep0198_examples() {
        let cases = [
            ("<enable xmlns='urn:xmpp:sm:3'/>", Nonza::Enable { resume: false, max: None }),
            ("<enabled xmlns='urn:xmpp:sm:3'/>", Nonza::Enabled { id: None, resume: false, max: None, location: None }),
            ("<enable xmlns='urn:xmpp:sm:3' resume='true'/>", Nonza::Enable { resume: true, max: None }),
            (
                "<enabled xmlns='urn:xmpp:sm:3' id='some-long-sm-id' resume='true'/>",
                Nonza::Enabled { id: Some("some-long-sm-id".into()), resume: true, max: None, location: None },
            ),
            ("<r xmlns='urn:xmpp:sm:3'/>", Nonza::Request),
            ("<a xmlns='urn:xmpp:sm:3' h='1'/>", Nonza::Ack { h: 1 }),
            ("<resume xmlns='urn:xmpp:sm:3' h='5' previd='some-long-sm-id'/>", Nonza::Resume { h: 5, previd: "some-long-sm-id".into() }),
            ("<resumed xmlns='urn:xmpp:sm:3' h='7' previd='some-long-sm-id'/>", Nonza::Resumed { h: 7, previd: "some-long-sm-id".into() }),
            (
                "<failed xmlns='urn:xmpp:sm:3' h='7'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>",
                Nonza::Failed { h: Some(7), condition: Some(DefinedCondition::ItemNotFound) },
            ),
            (
                "<failed xmlns='urn:xmpp:sm:3'><unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>",
                Nonza::Failed { h: None, condition: Some(DefinedCondition::UnexpectedRequest) },
            ),
        ];
        for (xml, expected) in cases {
            let element = el(xml);
            assert_eq!(Nonza::try_from(element.clone()).unwrap(), expected, "{xml}");
            assert_eq!(Element::from(expected), element, "{xml}");
        }
        // §3: the boolean may also be written 1, and max is the preferred time.
        assert_eq!(
            Nonza::try_from(el("<enable xmlns='urn:xmpp:sm:3' resume='1' max='600'/>")).unwrap(),
            Nonza::Enable {
                resume: true,
                max: Some(600)
            }
        );
        // h wraps at 2^32: the largest value parses.
        assert_eq!(
            Nonza::try_from(el("<a xmlns='urn:xmpp:sm:3' h='4294967295'/>")).unwrap(),
            Nonza::Ack { h: u32::MAX }
        );
    }

    #[test]
    fn malformed_elements() {
        for xml in [
            "<a xmlns='urn:xmpp:sm:3'/>",
            "<a xmlns='urn:xmpp:sm:3' h='-1'/>",
            "<a xmlns='urn:xmpp:sm:3' h='4294967296'/>",
            "<resume xmlns='urn:xmpp:sm:3' h='1'/>",
            "<enable xmlns='urn:xmpp:sm:3' resume='yes'/>",
            "<nope xmlns='urn:xmpp:sm:3'/>",
            "<a xmlns='urn:xmpp:sm:2' h='1'/>",
        ] {
            assert!(Nonza::try_from(el(xml)).is_err(), "{xml}");
        }
    }

    #[test]
    fn handled_count_too_high_error() {
        let e: Element = handled_count_too_high(5, 0).into();
        assert_eq!(
            xmppkit_stanza::StreamError::try_from(e.clone())
                .unwrap()
                .condition,
            xmppkit_stanza::StreamErrorCondition::UndefinedCondition
        );
        let app = e.get_child("handled-count-too-high", NS).unwrap();
        assert_eq!(
            (app.attr("h"), app.attr("send-count")),
            (Some("5"), Some("0"))
        );
    }
}
