//! `<message/>` stanzas (RFC 6121 §5): types, bodies, subjects, thread, and payloads kept as
//! elements and decoded on demand.

use crate::addressing::{self, default_text, localized, write_localized};
use crate::payload::{self, Payload};
use crate::util::{set_attr, take_children};
use crate::view::StanzaView;
use crate::{ns, ParseError, StanzaError};
use minidom::Element;
use std::str::FromStr;
use xmppkit_jid::Jid;

/// The `type` of a message (RFC 6121 §5.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MessageType {
    /// One-to-one chat.
    Chat,
    /// An error reply.
    Error,
    /// Multi-user chat.
    Groupchat,
    /// An alert or notification that expects no reply.
    Headline,
    /// A standalone message (the default).
    #[default]
    Normal,
}

impl MessageType {
    /// The attribute value.
    pub fn name(self) -> &'static str {
        match self {
            MessageType::Chat => "chat",
            MessageType::Error => "error",
            MessageType::Groupchat => "groupchat",
            MessageType::Headline => "headline",
            MessageType::Normal => "normal",
        }
    }
}

impl FromStr for MessageType {
    type Err = std::convert::Infallible;
    /// RFC 6121 §5.2.2: a type the recipient does not understand is taken as `normal`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "chat" => MessageType::Chat,
            "error" => MessageType::Error,
            "groupchat" => MessageType::Groupchat,
            "headline" => MessageType::Headline,
            _ => MessageType::Normal,
        })
    }
}

/// A conversation thread (RFC 6121 §5.2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// The thread id.
    pub id: String,
    /// The parent thread, if any.
    pub parent: Option<String>,
}

/// A message stanza.
///
/// ```
/// use xmppkit_stanza::{Message, MessageType};
/// let element: minidom::Element = "<message xmlns='jabber:client' to='romeo@example.net' \
///     type='chat' id='ju2ba41c'><body>Art thou not Romeo?</body>\
///     <active xmlns='http://jabber.org/protocol/chatstates'/></message>".parse().unwrap();
/// let message = Message::try_from(element.clone()).unwrap();
/// assert_eq!(message.type_, MessageType::Chat);
/// assert_eq!(message.body(), Some("Art thou not Romeo?"));
/// assert_eq!(message.payloads.len(), 1); // the chat state, kept as an element
/// assert_eq!(minidom::Element::from(message), element);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    /// Sender.
    pub from: Option<Jid>,
    /// Recipient.
    pub to: Option<Jid>,
    /// Stanza id.
    pub id: Option<String>,
    /// Type.
    pub type_: MessageType,
    /// Default language of the stanza (`xml:lang`).
    pub lang: Option<String>,
    /// Bodies, by language.
    pub bodies: Vec<(Option<String>, String)>,
    /// Subjects, by language.
    pub subjects: Vec<(Option<String>, String)>,
    /// Thread.
    pub thread: Option<Thread>,
    /// The error, for type `error`.
    pub error: Option<StanzaError>,
    /// Every other child element, undecoded.
    pub payloads: Vec<Element>,
}

impl Message {
    /// A new message of the given type, without body.
    pub fn new(type_: MessageType) -> Self {
        Message {
            type_,
            ..Default::default()
        }
    }

    /// A chat message to `to` with a body.
    pub fn chat(to: Jid, body: impl Into<String>) -> Self {
        Message {
            to: Some(to),
            type_: MessageType::Chat,
            bodies: vec![(None, body.into())],
            ..Default::default()
        }
    }

    /// The body without language, or else the first one.
    pub fn body(&self) -> Option<&str> {
        default_text(&self.bodies)
    }

    /// The subject without language, or else the first one.
    pub fn subject(&self) -> Option<&str> {
        default_text(&self.subjects)
    }

    /// The first payload of type `P`, parsed.
    pub fn payload<P: Payload>(&self) -> Option<Result<P, ParseError>> {
        payload::find(&self.payloads)
    }

    /// The element, in stanza namespace `stanza_ns` (`jabber:client`, `jabber:server`, ...).
    pub fn to_element_in(&self, stanza_ns: &str) -> Element {
        let mut el = addressing::write(
            "message",
            stanza_ns,
            self.from.as_ref(),
            self.to.as_ref(),
            self.id.as_deref(),
            self.lang.as_deref(),
        );
        if self.type_ != MessageType::Normal {
            set_attr(&mut el, "type", self.type_.name());
        }
        for subject in &self.subjects {
            write_localized(&mut el, "subject", stanza_ns, subject);
        }
        for body in &self.bodies {
            write_localized(&mut el, "body", stanza_ns, body);
        }
        if let Some(thread) = &self.thread {
            let mut t = Element::builder("thread", stanza_ns)
                .append(thread.id.as_str())
                .build();
            if let Some(parent) = &thread.parent {
                set_attr(&mut t, "parent", parent.as_str());
            }
            el.append_child(t);
        }
        addressing::write_payloads(&mut el, stanza_ns, &self.payloads, self.error.as_ref());
        el
    }
}

impl TryFrom<Element> for Message {
    type Error = ParseError;
    fn try_from(mut el: Element) -> Result<Self, ParseError> {
        let (tag, a) = addressing::read(&el, "message")?;
        let type_ = el
            .attr("type")
            .map_or(MessageType::Normal, |t| t.parse().unwrap_or_default());
        let mut m = Message {
            from: a.from,
            to: a.to,
            id: a.id,
            type_,
            lang: a.lang,
            ..Default::default()
        };
        for child in take_children(&mut el) {
            if !child.has_ns(tag.ns) {
                m.payloads.push(child);
                continue;
            }
            match child.name() {
                "body" => m.bodies.push(localized(&child)),
                "subject" => m.subjects.push(localized(&child)),
                "thread" if m.thread.is_none() => {
                    m.thread = Some(Thread {
                        id: child.text(),
                        parent: child.attr("parent").map(str::to_owned),
                    })
                }
                "error" if type_ == MessageType::Error && m.error.is_none() => {
                    m.error = Some(StanzaError::try_from(child)?)
                }
                _ => m.payloads.push(child),
            }
        }
        if type_ == MessageType::Error && m.error.is_none() {
            return Err(tag.missing_child("error"));
        }
        Ok(m)
    }
}

impl From<Message> for Element {
    fn from(m: Message) -> Element {
        m.to_element_in(ns::CLIENT)
    }
}

/// Whether a message element has a `<body/>` (in its own namespace): what most XEPs mean by "a
/// message with content" (carbons, archives, unread counters), without typing the whole stanza.
///
/// ```
/// let m: minidom::Element = "<message xmlns='jabber:client'><body>hi</body></message>".parse().unwrap();
/// assert!(xmppkit_stanza::has_body(&m));
/// ```
pub fn has_body<S: StanzaView + ?Sized>(message: &S) -> bool {
    message.has_child_named("body", &message.stanza_ns())
}
