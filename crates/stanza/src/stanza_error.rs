//! Stanza errors (RFC 6120 §8.3): the error types, the 22 defined conditions with their usual
//! types, texts and application-specific conditions, and the error reply to a faulty stanza.

use crate::util::{lang, set_attr, set_lang, Tag};
use crate::{ns, ParseError};
use minidom::Element;
use std::fmt;
use std::str::FromStr;
use xmppkit_jid::Jid;

const ERROR: Tag = Tag::new("error", ns::CLIENT);

/// The `type` of a stanza error (RFC 6120 §8.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorType {
    /// Retry after providing credentials.
    Auth,
    /// Do not retry (the error cannot be remedied).
    Cancel,
    /// Proceed (the condition was only a warning).
    Continue,
    /// Retry after changing the data sent.
    Modify,
    /// Retry after waiting (the error is temporary).
    Wait,
}

impl ErrorType {
    fn name(self) -> &'static str {
        match self {
            ErrorType::Auth => "auth",
            ErrorType::Cancel => "cancel",
            ErrorType::Continue => "continue",
            ErrorType::Modify => "modify",
            ErrorType::Wait => "wait",
        }
    }
}

impl FromStr for ErrorType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "auth" => ErrorType::Auth,
            "cancel" => ErrorType::Cancel,
            "continue" => ErrorType::Continue,
            "modify" => ErrorType::Modify,
            "wait" => ErrorType::Wait,
            _ => return Err("not an error type of RFC 6120 §8.3.2".into()),
        })
    }
}

macro_rules! conditions {
    ($($variant:ident $(($field:ty))? = $name:literal, $ty:ident;)*) => {
        /// A defined stanza error condition (RFC 6120 §8.3.3). `Gone` and `Redirect` carry the
        /// optional new address given as the element's text.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[allow(missing_docs)] // each variant is the RFC 6120 §8.3.3.x condition of the same name
        pub enum DefinedCondition {
            $($variant $(($field))?,)*
        }

        impl DefinedCondition {
            /// The element name, e.g. `item-not-found`.
            pub fn name(&self) -> &'static str {
                match self { $(Self::$variant { .. } => $name,)* }
            }

            /// The error type RFC 6120 §8.3.3 gives this condition in its example.
            pub fn default_type(&self) -> ErrorType {
                match self { $(Self::$variant { .. } => ErrorType::$ty,)* }
            }

            /// Parses a condition element name, with the text for `gone` and `redirect`.
            pub fn from_name(name: &str, text: Option<String>) -> Option<Self> {
                Some(match name {
                    $($name => conditions!(@build $variant text $($field)?),)*
                    _ => return None,
                })
            }

            fn text(&self) -> Option<&str> {
                match self {
                    Self::Gone(t) | Self::Redirect(t) => t.as_deref(),
                    _ => None,
                }
            }
        }
    };
    (@build $variant:ident $text:ident $field:ty) => { Self::$variant($text) };
    (@build $variant:ident $text:ident) => { Self::$variant };
}

conditions! {
    BadRequest = "bad-request", Modify;
    Conflict = "conflict", Cancel;
    FeatureNotImplemented = "feature-not-implemented", Cancel;
    Forbidden = "forbidden", Auth;
    Gone(Option<String>) = "gone", Cancel;
    InternalServerError = "internal-server-error", Cancel;
    ItemNotFound = "item-not-found", Cancel;
    JidMalformed = "jid-malformed", Modify;
    NotAcceptable = "not-acceptable", Modify;
    NotAllowed = "not-allowed", Cancel;
    NotAuthorized = "not-authorized", Auth;
    PolicyViolation = "policy-violation", Modify;
    RecipientUnavailable = "recipient-unavailable", Wait;
    Redirect(Option<String>) = "redirect", Modify;
    RegistrationRequired = "registration-required", Auth;
    RemoteServerNotFound = "remote-server-not-found", Cancel;
    RemoteServerTimeout = "remote-server-timeout", Wait;
    ResourceConstraint = "resource-constraint", Wait;
    ServiceUnavailable = "service-unavailable", Cancel;
    SubscriptionRequired = "subscription-required", Auth;
    UndefinedCondition = "undefined-condition", Cancel;
    UnexpectedRequest = "unexpected-request", Wait;
}

impl fmt::Display for DefinedCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A stanza error (RFC 6120 §8.3.2): `<error type='...' by='...'>condition, text, app-specific</error>`.
///
/// ```
/// use xmppkit_stanza::{DefinedCondition, ErrorType, StanzaError};
/// let err = StanzaError::new(DefinedCondition::ServiceUnavailable).with_text("en", "offline");
/// assert_eq!(err.type_, ErrorType::Cancel);
/// let element: minidom::Element = err.clone().into();
/// assert_eq!(StanzaError::try_from(element).unwrap(), err);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StanzaError {
    /// The error type.
    pub type_: ErrorType,
    /// The entity that generated the error (`by`), when known.
    pub by: Option<Jid>,
    /// The defined condition.
    pub condition: DefinedCondition,
    /// Human-readable descriptions, by `xml:lang` (`None` for no language given).
    pub texts: Vec<(Option<String>, String)>,
    /// An application-specific condition element, kept as is.
    pub app_specific: Option<Element>,
}

impl StanzaError {
    /// The condition with its usual type, no text.
    pub fn new(condition: DefinedCondition) -> Self {
        StanzaError {
            type_: condition.default_type(),
            by: None,
            condition,
            texts: Vec::new(),
            app_specific: None,
        }
    }

    /// Adds a human-readable text in language `lang`.
    pub fn with_text(mut self, lang: &str, text: impl Into<String>) -> Self {
        self.texts.push((Some(lang.to_owned()), text.into()));
        self
    }

    /// Parses `<error/>` in any stanza namespace (`jabber:client`, `jabber:server`, ...).
    fn parse(el: &Element) -> Result<Self, ParseError> {
        let tag = Tag::new("error", ns::CLIENT);
        let type_ = tag
            .parse_attr::<ErrorType>(el, "type")?
            .ok_or_else(|| tag.bad("type", "", "missing"))?;
        let by = tag.jid_attr(el, "by")?;
        let mut condition = None;
        let mut texts = Vec::new();
        let mut app_specific = None;
        for child in el.children() {
            if child.has_ns(ns::XMPP_STANZAS) {
                if child.name() == "text" {
                    texts.push((lang(child), child.text()));
                    continue;
                }
                let text = Some(child.text()).filter(|t| !t.is_empty());
                match DefinedCondition::from_name(child.name(), text) {
                    Some(c) if condition.is_none() => condition = Some(c),
                    Some(_) => return Err(tag.bad_content("more than one defined condition")),
                    None => {
                        return Err(
                            tag.bad_content(format!("unknown condition <{}/>", child.name()))
                        )
                    }
                }
            } else if app_specific.is_none() {
                app_specific = Some(child.clone());
            }
        }
        let condition = condition.ok_or_else(|| tag.missing_child("defined condition"))?;
        Ok(StanzaError {
            type_,
            by,
            condition,
            texts,
            app_specific,
        })
    }

    /// The `<error/>` element in the stanza namespace `stanza_ns`.
    pub fn to_element(&self, stanza_ns: &str) -> Element {
        let mut el = Element::builder("error", stanza_ns).build();
        set_attr(&mut el, "type", self.type_.name());
        if let Some(by) = &self.by {
            set_attr(&mut el, "by", by.to_string());
        }
        let mut cond = Element::builder(self.condition.name(), ns::XMPP_STANZAS).build();
        if let Some(text) = self.condition.text() {
            cond.append_text_node(text);
        }
        el.append_child(cond);
        for (lang, text) in &self.texts {
            let mut t = Element::builder("text", ns::XMPP_STANZAS)
                .append(text.as_str())
                .build();
            set_lang(&mut t, lang.as_deref());
            el.append_child(t);
        }
        if let Some(app) = &self.app_specific {
            el.append_child(app.clone());
        }
        el
    }
}

impl TryFrom<Element> for StanzaError {
    type Error = ParseError;
    /// Accepts `<error/>` in any of the stanza namespaces (`jabber:client`, `jabber:server`,
    /// `jabber:component:accept`), as it stands inside a stanza of that namespace.
    fn try_from(el: Element) -> Result<Self, ParseError> {
        let stanza_ns = [ns::CLIENT, ns::SERVER, ns::COMPONENT_ACCEPT];
        if el.name() != "error" || !stanza_ns.into_iter().any(|n| el.has_ns(n)) {
            ERROR.check(&el)?;
        }
        Self::parse(&el)
    }
}

impl From<StanzaError> for Element {
    fn from(err: StanzaError) -> Element {
        err.to_element(ns::CLIENT)
    }
}

/// Builds the error reply to `stanza` (RFC 6120 §8.3.1): same name, namespace and id, `from` and
/// `to` swapped, `type='error'`, the original children kept (as servers customarily do) and the
/// `<error/>` appended. Never use it to answer a stanza of type `error` (§8.3.1 forbids it): this
/// returns `None` then.
///
/// ```
/// use xmppkit_stanza::{error_reply, DefinedCondition, StanzaError};
/// let iq: minidom::Element = "<iq xmlns='jabber:client' type='get' id='1' from='a@b/c' to='b'>\
///     <query xmlns='urn:x'/></iq>".parse().unwrap();
/// let reply = error_reply(&iq, &StanzaError::new(DefinedCondition::FeatureNotImplemented)).unwrap();
/// assert_eq!(reply.attr("type"), Some("error"));
/// assert_eq!(reply.attr("to"), Some("a@b/c"));
/// assert_eq!(reply.attr("from"), Some("b"));
/// ```
pub fn error_reply(stanza: &Element, error: &StanzaError) -> Option<Element> {
    if stanza.attr("type") == Some("error") {
        return None;
    }
    let ns = stanza.ns();
    let mut reply = Element::builder(stanza.name(), ns.as_str()).build();
    for ((attr_ns, name), value) in stanza.attrs() {
        let addressing = attr_ns.is_none() && matches!(name.as_str(), "from" | "to" | "type");
        if !addressing {
            reply.set_attr(attr_ns.clone(), name.clone(), value.clone());
        }
    }
    // Swap addresses.
    let from = stanza.attr("from").map(str::to_owned);
    let to = stanza.attr("to").map(str::to_owned);
    if let Some(to) = to {
        set_attr(&mut reply, "from", to);
    }
    if let Some(from) = from {
        set_attr(&mut reply, "to", from);
    }
    set_attr(&mut reply, "type", "error");
    for child in stanza.children() {
        reply.append_child(child.clone());
    }
    reply.append_child(error.to_element(&ns));
    Some(reply)
}
