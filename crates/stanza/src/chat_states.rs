//! XEP-0085 Chat State Notifications: the five states a chat partner is in. They are stateless
//! signals: a server neither archives them (XEP-0313) nor keeps them for a user who is away
//! (the offline rule in `xmppkit-server`).

use crate::{ns, ParseError};
use minidom::Element;

/// A chat state (§2.1).
///
/// ```
/// use xmppkit_stanza::chat_states::ChatState;
/// let el: minidom::Element = ChatState::Composing.into();
/// assert_eq!(xmppkit_codec::to_string(&el), "<composing xmlns='http://jabber.org/protocol/chatstates'/>");
/// assert_eq!(ChatState::try_from(el).unwrap(), ChatState::Composing);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatState {
    /// Taking part in the chat.
    Active,
    /// Typing a message.
    Composing,
    /// Was typing, stopped for a short while.
    Paused,
    /// Not taking part for a while.
    Inactive,
    /// Has ended the chat.
    Gone,
}

impl ChatState {
    /// Every state.
    pub const ALL: [ChatState; 5] = [
        ChatState::Active,
        ChatState::Composing,
        ChatState::Paused,
        ChatState::Inactive,
        ChatState::Gone,
    ];

    /// The element name.
    pub fn name(self) -> &'static str {
        match self {
            ChatState::Active => "active",
            ChatState::Composing => "composing",
            ChatState::Paused => "paused",
            ChatState::Inactive => "inactive",
            ChatState::Gone => "gone",
        }
    }

    /// The state a message carries, if any.
    pub fn of(message: &Element) -> Option<ChatState> {
        message
            .children()
            .find_map(|c| ChatState::try_from(c.clone()).ok())
    }
}

impl TryFrom<Element> for ChatState {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        if el.has_ns(ns::CHAT_STATES) {
            if let Some(s) = ChatState::ALL.into_iter().find(|s| s.name() == el.name()) {
                return Ok(s);
            }
        }
        Err(ParseError::WrongElement {
            expected: "a chat state",
            expected_ns: ns::CHAT_STATES,
            found: el.name().to_owned(),
            found_ns: el.ns(),
        })
    }
}

impl From<ChatState> for Element {
    fn from(s: ChatState) -> Element {
        Element::builder(s.name(), ns::CHAT_STATES).build()
    }
}
