//! `<iq/>` stanzas (RFC 6120 §8.2.3): request/response with a mandatory id, exactly one payload in
//! a request, at most one in a result, and the error in an error.

use crate::addressing;
use crate::util::{set_attr, take_children};
use crate::{ns, ParseError, StanzaError};
use minidom::Element;
use xmppkit_jid::Jid;

/// The type and payload of an iq; the enum makes the RFC 6120 §8.2.3 rules hold by construction.
#[derive(Debug, Clone, PartialEq)]
pub enum IqPayload {
    /// `type='get'` with its one request element.
    Get(Element),
    /// `type='set'` with its one request element.
    Set(Element),
    /// `type='result'` with zero or one element.
    Result(Option<Element>),
    /// `type='error'` with the error (boxed: errors are rare and large) and, optionally, the request
    /// it answers.
    Error(Box<StanzaError>, Option<Element>),
}

impl IqPayload {
    /// The `type` attribute value.
    pub fn type_name(&self) -> &'static str {
        match self {
            IqPayload::Get(_) => "get",
            IqPayload::Set(_) => "set",
            IqPayload::Result(_) => "result",
            IqPayload::Error(..) => "error",
        }
    }

    /// Whether this is a request (get or set), which must be answered.
    pub fn is_request(&self) -> bool {
        matches!(self, IqPayload::Get(_) | IqPayload::Set(_))
    }

    /// The request or result element, if any.
    pub fn element(&self) -> Option<&Element> {
        match self {
            IqPayload::Get(e) | IqPayload::Set(e) => Some(e),
            IqPayload::Result(e) | IqPayload::Error(_, e) => e.as_ref(),
        }
    }
}

/// An iq stanza.
///
/// ```
/// use xmppkit_stanza::{Iq, IqPayload};
/// let iq = Iq::try_from("<iq xmlns='jabber:client' type='get' id='info1' to='plays.shakespeare.lit'>\
///     <query xmlns='http://jabber.org/protocol/disco#info'/></iq>"
///     .parse::<minidom::Element>().unwrap()).unwrap();
/// assert_eq!(iq.id, "info1");
/// assert!(matches!(&iq.payload, IqPayload::Get(q) if q.name() == "query"));
/// let reply = iq.result(None);
/// assert_eq!(reply.to.as_ref().map(|j| j.as_str()), None); // the request had no from
/// assert_eq!(reply.from.as_ref().unwrap().as_str(), "plays.shakespeare.lit");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Iq {
    /// Sender.
    pub from: Option<Jid>,
    /// Recipient.
    pub to: Option<Jid>,
    /// Stanza id (mandatory for iq).
    pub id: String,
    /// Default language (`xml:lang`).
    pub lang: Option<String>,
    /// Type and payload.
    pub payload: IqPayload,
}

impl Iq {
    /// A get request.
    pub fn get(id: impl Into<String>, to: Option<Jid>, query: Element) -> Self {
        Self::new(id, to, IqPayload::Get(query))
    }

    /// A set request.
    pub fn set(id: impl Into<String>, to: Option<Jid>, query: Element) -> Self {
        Self::new(id, to, IqPayload::Set(query))
    }

    fn new(id: impl Into<String>, to: Option<Jid>, payload: IqPayload) -> Self {
        Iq {
            from: None,
            to,
            id: id.into(),
            lang: None,
            payload,
        }
    }

    /// The result answering this request: same id, addresses swapped.
    pub fn result(&self, payload: Option<Element>) -> Iq {
        self.reply(IqPayload::Result(payload))
    }

    /// The error answering this request: same id, addresses swapped, the request included.
    pub fn error(&self, error: StanzaError) -> Iq {
        self.reply(IqPayload::Error(
            Box::new(error),
            self.payload.element().cloned(),
        ))
    }

    fn reply(&self, payload: IqPayload) -> Iq {
        Iq {
            from: self.to.clone(),
            to: self.from.clone(),
            id: self.id.clone(),
            lang: None,
            payload,
        }
    }

    /// The element, in stanza namespace `stanza_ns`.
    pub fn to_element_in(&self, stanza_ns: &str) -> Element {
        let mut el = addressing::write(
            "iq",
            stanza_ns,
            self.from.as_ref(),
            self.to.as_ref(),
            Some(&self.id),
            self.lang.as_deref(),
        );
        set_attr(&mut el, "type", self.payload.type_name());
        if let Some(child) = self.payload.element() {
            el.append_child(child.clone());
        }
        if let IqPayload::Error(error, _) = &self.payload {
            el.append_child(error.to_element(stanza_ns));
        }
        el
    }
}

impl TryFrom<Element> for Iq {
    type Error = ParseError;
    fn try_from(mut el: Element) -> Result<Self, ParseError> {
        let (tag, a) = addressing::read(&el, "iq")?;
        let id = a.id.ok_or(ParseError::MissingAttribute {
            element: "iq",
            ns: tag.ns,
            attribute: "id",
        })?;
        let type_ = tag.required(&el, "type")?.to_owned();
        let type_ = type_.as_str();
        let mut children = take_children(&mut el);
        let payload = match type_ {
            "get" | "set" => {
                let (Some(child), None) = (children.next(), children.next()) else {
                    return Err(
                        tag.bad_content(format!("an iq of type {type_} has exactly one child"))
                    );
                };
                match type_ {
                    "get" => IqPayload::Get(child),
                    _ => IqPayload::Set(child),
                }
            }
            "result" => {
                let (child, None) = (children.next(), children.next()) else {
                    return Err(tag.bad_content("an iq of type result has at most one child"));
                };
                IqPayload::Result(child)
            }
            "error" => {
                let mut error = None;
                let mut request = None;
                for child in children {
                    if child.is("error", tag.ns) && error.is_none() {
                        error = Some(Box::new(StanzaError::try_from(child)?));
                    } else if request.is_none() {
                        request = Some(child);
                    }
                }
                IqPayload::Error(error.ok_or_else(|| tag.missing_child("error"))?, request)
            }
            other => return Err(tag.bad("type", other, "not get, set, result or error")),
        };
        Ok(Iq {
            from: a.from,
            to: a.to,
            id,
            lang: a.lang,
            payload,
        })
    }
}

impl From<Iq> for Element {
    fn from(iq: Iq) -> Element {
        iq.to_element_in(ns::CLIENT)
    }
}
