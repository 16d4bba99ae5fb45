//! `<stream:error/>` (RFC 6120 §4.9): the condition (shared with the codec, which detects most of
//! them), an optional text, the new host of `see-other-host`, and application-specific conditions.

use crate::util::{lang, set_lang, Tag};
use crate::{ns, ParseError};
use minidom::Element;
pub use xmppkit_codec::StreamErrorCondition;

const STREAM_ERROR: Tag = Tag::new("error", ns::STREAMS);

/// A stream error.
///
/// ```
/// use xmppkit_stanza::{StreamError, StreamErrorCondition};
/// let err = StreamError::see_other_host("[2001:db8::a]:5222");
/// let el: minidom::Element = err.clone().into();
/// assert_eq!(xmppkit_codec::to_string(&el),
///     "<error xmlns='http://etherx.jabber.org/streams'><see-other-host \
///      xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:db8::a]:5222</see-other-host></error>");
/// assert_eq!(StreamError::try_from(el).unwrap(), err);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamError {
    /// The condition.
    pub condition: StreamErrorCondition,
    /// The text content of the condition element: the host (and port) for `see-other-host`.
    pub condition_text: Option<String>,
    /// A human-readable description, with its language.
    pub text: Option<(Option<String>, String)>,
    /// An application-specific condition element.
    pub app_specific: Option<Element>,
}

impl StreamError {
    /// A stream error with only a condition.
    pub fn new(condition: StreamErrorCondition) -> Self {
        StreamError {
            condition,
            condition_text: None,
            text: None,
            app_specific: None,
        }
    }

    /// `see-other-host` redirecting to `host` (RFC 6120 §4.9.3.19).
    pub fn see_other_host(host: impl Into<String>) -> Self {
        StreamError {
            condition_text: Some(host.into()),
            ..Self::new(StreamErrorCondition::SeeOtherHost)
        }
    }

    /// Adds a description.
    pub fn with_text(mut self, lang: Option<&str>, text: impl Into<String>) -> Self {
        self.text = Some((lang.map(str::to_owned), text.into()));
        self
    }
}

impl From<&xmppkit_codec::DecodeError> for StreamError {
    /// The stream error that answers a decoding error, with its description as text.
    fn from(e: &xmppkit_codec::DecodeError) -> Self {
        StreamError::new(e.condition()).with_text(Some("en"), e.to_string())
    }
}

impl TryFrom<Element> for StreamError {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        STREAM_ERROR.check(&el)?;
        let mut condition = None;
        let mut text = None;
        let mut app_specific = None;
        for child in el.children() {
            if child.has_ns(ns::XMPP_STREAMS) {
                if child.name() == "text" {
                    text = Some((lang(child), child.text()));
                } else {
                    let c = child
                        .name()
                        .parse::<StreamErrorCondition>()
                        .map_err(|e| STREAM_ERROR.bad_content(e.to_string()))?;
                    let t = Some(child.text()).filter(|t| !t.is_empty());
                    condition = Some((c, t));
                }
            } else {
                app_specific = Some(child.clone());
            }
        }
        let (condition, condition_text) =
            condition.ok_or_else(|| STREAM_ERROR.missing_child("condition"))?;
        Ok(StreamError {
            condition,
            condition_text,
            text,
            app_specific,
        })
    }
}

impl From<StreamError> for Element {
    fn from(e: StreamError) -> Element {
        let mut el = STREAM_ERROR.element();
        let mut condition = Element::builder(e.condition.name(), ns::XMPP_STREAMS).build();
        if let Some(t) = e.condition_text {
            condition.append_text_node(t);
        }
        el.append_child(condition);
        if let Some((lang, text)) = e.text {
            let mut t = Element::builder("text", ns::XMPP_STREAMS)
                .append(text)
                .build();
            set_lang(&mut t, lang.as_deref());
            el.append_child(t);
        }
        if let Some(app) = e.app_specific {
            el.append_child(app);
        }
        el
    }
}
