//! `<presence/>` stanzas (RFC 6121 §4 and §3): availability, show, status, priority and the
//! subscription types, with payloads kept as elements.

use crate::addressing::{self, default_text, localized, write_localized};
use crate::payload::{self, Payload};
use crate::util::{set_attr, take_children, text_element};
use crate::{ns, ParseError, StanzaError};
use minidom::Element;
use std::str::FromStr;
use xmppkit_jid::Jid;

/// The `type` of a presence (RFC 6121 §4.7.1); `Available` is the absence of the attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[allow(missing_docs)] // each variant is the RFC 6121 type of the same name
pub enum PresenceType {
    #[default]
    Available,
    Error,
    Probe,
    Subscribe,
    Subscribed,
    Unavailable,
    Unsubscribe,
    Unsubscribed,
}

impl PresenceType {
    /// The attribute value; `None` for available.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            PresenceType::Available => return None,
            PresenceType::Error => "error",
            PresenceType::Probe => "probe",
            PresenceType::Subscribe => "subscribe",
            PresenceType::Subscribed => "subscribed",
            PresenceType::Unavailable => "unavailable",
            PresenceType::Unsubscribe => "unsubscribe",
            PresenceType::Unsubscribed => "unsubscribed",
        })
    }
}

impl FromStr for PresenceType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "error" => PresenceType::Error,
            "probe" => PresenceType::Probe,
            "subscribe" => PresenceType::Subscribe,
            "subscribed" => PresenceType::Subscribed,
            "unavailable" => PresenceType::Unavailable,
            "unsubscribe" => PresenceType::Unsubscribe,
            "unsubscribed" => PresenceType::Unsubscribed,
            _ => return Err("not a presence type of RFC 6121 §4.7.1".into()),
        })
    }
}

/// The `<show/>` of an available presence (RFC 6121 §4.7.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Show {
    /// Temporarily away.
    Away,
    /// Actively interested in chatting.
    Chat,
    /// Do not disturb.
    Dnd,
    /// Extended away.
    Xa,
}

impl Show {
    fn name(self) -> &'static str {
        match self {
            Show::Away => "away",
            Show::Chat => "chat",
            Show::Dnd => "dnd",
            Show::Xa => "xa",
        }
    }
}

/// A presence stanza.
///
/// ```
/// use xmppkit_stanza::{Presence, Show};
/// let p = Presence::try_from("<presence xmlns='jabber:client' xml:lang='en'><show>dnd</show>\
///     <status>Wooing Juliet</status><priority>1</priority></presence>"
///     .parse::<minidom::Element>().unwrap()).unwrap();
/// assert_eq!(p.show, Some(Show::Dnd));
/// assert_eq!(p.status(), Some("Wooing Juliet"));
/// assert_eq!(p.priority, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Presence {
    /// Sender.
    pub from: Option<Jid>,
    /// Recipient.
    pub to: Option<Jid>,
    /// Stanza id.
    pub id: Option<String>,
    /// Type.
    pub type_: PresenceType,
    /// Default language (`xml:lang`).
    pub lang: Option<String>,
    /// Availability sub-state.
    pub show: Option<Show>,
    /// Status texts, by language.
    pub statuses: Vec<(Option<String>, String)>,
    /// Priority, -128 to 127 (RFC 6121 §4.7.2.3); 0 when absent.
    pub priority: i8,
    /// The error, for type `error`.
    pub error: Option<StanzaError>,
    /// Every other child element, undecoded.
    pub payloads: Vec<Element>,
}

impl Presence {
    /// A presence of the given type.
    pub fn new(type_: PresenceType) -> Self {
        Presence {
            type_,
            ..Default::default()
        }
    }

    /// The status without language, or else the first one.
    pub fn status(&self) -> Option<&str> {
        default_text(&self.statuses)
    }

    /// The first payload of type `P`, parsed.
    pub fn payload<P: Payload>(&self) -> Option<Result<P, ParseError>> {
        payload::find(&self.payloads)
    }

    /// The element, in stanza namespace `stanza_ns`.
    pub fn to_element_in(&self, stanza_ns: &str) -> Element {
        let mut el = addressing::write(
            "presence",
            stanza_ns,
            self.from.as_ref(),
            self.to.as_ref(),
            self.id.as_deref(),
            self.lang.as_deref(),
        );
        if let Some(t) = self.type_.name() {
            set_attr(&mut el, "type", t);
        }
        if let Some(show) = self.show {
            el.append_child(text_element("show", stanza_ns, show.name()));
        }
        for status in &self.statuses {
            write_localized(&mut el, "status", stanza_ns, status);
        }
        if self.priority != 0 {
            el.append_child(
                Element::builder("priority", stanza_ns)
                    .append(self.priority.to_string())
                    .build(),
            );
        }
        addressing::write_payloads(&mut el, stanza_ns, &self.payloads, self.error.as_ref());
        el
    }
}

impl TryFrom<Element> for Presence {
    type Error = ParseError;
    fn try_from(mut el: Element) -> Result<Self, ParseError> {
        let (tag, a) = addressing::read(&el, "presence")?;
        let type_ = tag
            .parse_attr::<PresenceType>(&el, "type")?
            .unwrap_or_default();
        let mut p = Presence {
            from: a.from,
            to: a.to,
            id: a.id,
            type_,
            lang: a.lang,
            ..Default::default()
        };
        let mut priority = None;
        for child in take_children(&mut el) {
            if !child.has_ns(tag.ns) {
                p.payloads.push(child);
                continue;
            }
            match child.name() {
                "show" => {
                    if p.show.is_some() {
                        return Err(tag.bad_content("more than one <show/>"));
                    }
                    p.show = match child.text().trim() {
                        // An empty `<show/>` (go-sendxmpp sends one) says nothing: available,
                        // as with no `<show/>` at all (RFC 6121 §4.7.2.1).
                        "" => None,
                        "away" => Some(Show::Away),
                        "chat" => Some(Show::Chat),
                        "dnd" => Some(Show::Dnd),
                        "xa" => Some(Show::Xa),
                        other => {
                            return Err(tag.bad_content(format!(
                                "<show/> `{other}` is not away, chat, dnd or xa"
                            )))
                        }
                    };
                }
                "status" => p.statuses.push(localized(&child)),
                "priority" => {
                    if priority.is_some() {
                        return Err(tag.bad_content("more than one <priority/>"));
                    }
                    let text = child.text();
                    priority = Some(text.trim().parse::<i8>().map_err(|_| {
                        tag.bad_content(format!(
                            "<priority/> `{text}` is not an integer from -128 to 127"
                        ))
                    })?);
                }
                "error" if type_ == PresenceType::Error && p.error.is_none() => {
                    p.error = Some(StanzaError::try_from(child)?)
                }
                _ => p.payloads.push(child),
            }
        }
        p.priority = priority.unwrap_or(0);
        if type_ == PresenceType::Error && p.error.is_none() {
            return Err(tag.missing_child("error"));
        }
        Ok(p)
    }
}

impl From<Presence> for Element {
    fn from(p: Presence) -> Element {
        p.to_element_in(ns::CLIENT)
    }
}
