//! An occupant: a real full JID in the room under a nick, with a role and its last presence.

use crate::Role;
use minidom::Element;
use xmppkit_jid::FullJid;

/// Someone in the room.
#[derive(Debug, Clone, PartialEq)]
pub struct Occupant {
    /// The room nickname.
    pub nick: String,
    /// The real full JID.
    pub jid: FullJid,
    /// The role.
    pub role: Role,
    /// The children of the occupant's last available presence (show, status, priority,
    /// capabilities…), without the MUC elements: reflected to the others.
    pub presence: Vec<Element>,
}

/// The children of a presence worth reflecting: everything but the MUC elements.
pub(crate) fn reflected_children(presence: &Element) -> Vec<Element> {
    presence
        .children()
        .filter(|c| !c.ns().starts_with(crate::ns::MUC) && c.name() != "error")
        .cloned()
        .collect()
}
