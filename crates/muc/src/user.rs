//! `<x xmlns='http://jabber.org/protocol/muc#user'>`: what the room tells occupants (items and
//! status codes, §7.2), mediated invitations and declines (§7.8.2), and room destruction
//! (§10.9).

use crate::item::{Destroy, Item};
use crate::ns;
use minidom::Element;
use xmppkit_jid::Jid;
use xmppkit_stanza::{set_attr, ParseError, Payload, Tag};

const X: Tag = Tag::new("x", ns::USER);
const STATUS: Tag = Tag::new("status", ns::USER);
const INVITE: Tag = Tag::new("invite", ns::USER);
const DECLINE: Tag = Tag::new("decline", ns::USER);

/// The `muc#user` element.
///
/// ```
/// use xmppkit_muc::{Affiliation, MucUser, Role};
/// let el: minidom::Element = "<x xmlns='http://jabber.org/protocol/muc#user'>\
///     <item affiliation='member' role='participant' jid='hag66@shakespeare.lit/pda'/>\
///     <status code='100'/><status code='110'/></x>".parse().unwrap();
/// let x = MucUser::try_from(el).unwrap();
/// assert_eq!(x.items[0].affiliation, Some(Affiliation::Member));
/// assert_eq!(x.items[0].role, Some(Role::Participant));
/// assert!(x.has_status(110));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MucUser {
    /// Items (one in presences).
    pub items: Vec<Item>,
    /// Status codes (§15.6).
    pub status: Vec<u16>,
    /// Invitations.
    pub invites: Vec<Invite>,
    /// Declined invitations.
    pub declines: Vec<Decline>,
    /// The room was destroyed.
    pub destroy: Option<Destroy>,
    /// The room password (in an invitation).
    pub password: Option<String>,
}

/// `<invite/>`: to the room with `to`, from the room with `from`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Invite {
    /// The inviter (set by the room).
    pub from: Option<Jid>,
    /// The invitee (set by the inviter).
    pub to: Option<Jid>,
    /// Why.
    pub reason: Option<String>,
    /// The thread of the one-to-one chat this room continues (§7.9).
    pub continue_thread: Option<String>,
}

/// `<decline/>`: to the room with `to` (the inviter), from the room with `from` (the invitee).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decline {
    /// The invitee (set by the room).
    pub from: Option<Jid>,
    /// The inviter (set by the invitee).
    pub to: Option<Jid>,
    /// Why.
    pub reason: Option<String>,
}

impl MucUser {
    /// Whether the status `code` is present.
    pub fn has_status(&self, code: u16) -> bool {
        self.status.contains(&code)
    }
}

impl Payload for MucUser {
    const NAME: &'static str = "x";
    const NS: &'static str = ns::USER;
}

fn reason_of(el: &Element) -> Option<String> {
    el.get_child("reason", ns::USER).map(Element::text)
}

/// The addresses and reason an invitation and a declination share.
fn invitation(el: &Element, tag: Tag) -> Result<Decline, ParseError> {
    Ok(Decline {
        from: tag.jid_attr(el, "from")?,
        to: tag.jid_attr(el, "to")?,
        reason: reason_of(el),
    })
}

impl TryFrom<Element> for MucUser {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        X.check(&el)?;
        let mut x = MucUser::default();
        for child in el.children() {
            if !child.has_ns(ns::USER) {
                continue;
            }
            match child.name() {
                "item" => x.items.push(Item::parse(child, ns::USER)?),
                "status" => {
                    let code = STATUS.required(child, "code")?;
                    let code = code
                        .parse::<u16>()
                        .ok()
                        .filter(|c| (100..1000).contains(c))
                        .ok_or_else(|| STATUS.bad("code", code, "not a three-digit code"))?;
                    x.status.push(code);
                }
                "invite" => {
                    let Decline { from, to, reason } = invitation(child, INVITE)?;
                    let continue_thread = child
                        .get_child("continue", ns::USER)
                        .map(|c| c.attr("thread").unwrap_or("").to_owned());
                    x.invites.push(Invite {
                        from,
                        to,
                        reason,
                        continue_thread,
                    });
                }
                "decline" => {
                    x.declines.push(invitation(child, DECLINE)?);
                }
                "destroy" => x.destroy = Some(Destroy::parse(child, ns::USER)?),
                "password" => x.password = Some(child.text()),
                _ => {}
            }
        }
        Ok(x)
    }
}

fn invitation_element(
    name: &str,
    from: Option<Jid>,
    to: Option<Jid>,
    reason: Option<String>,
) -> Element {
    let mut el = Element::builder(name, ns::USER).build();
    if let Some(f) = from {
        set_attr(&mut el, "from", f.to_string());
    }
    if let Some(t) = to {
        set_attr(&mut el, "to", t.to_string());
    }
    if let Some(r) = reason {
        let mut reason = Element::builder("reason", ns::USER).build();
        reason.append_text_node(r);
        el.append_child(reason);
    }
    el
}

impl From<Invite> for Element {
    fn from(i: Invite) -> Element {
        let mut el = invitation_element("invite", i.from, i.to, i.reason);
        if let Some(thread) = i.continue_thread {
            let mut c = Element::builder("continue", ns::USER).build();
            if !thread.is_empty() {
                set_attr(&mut c, "thread", thread);
            }
            el.append_child(c);
        }
        el
    }
}

impl From<Decline> for Element {
    fn from(d: Decline) -> Element {
        invitation_element("decline", d.from, d.to, d.reason)
    }
}

impl From<MucUser> for Element {
    fn from(x: MucUser) -> Element {
        let mut el = X.element();
        for invite in x.invites {
            el.append_child(invite.into());
        }
        for decline in x.declines {
            el.append_child(decline.into());
        }
        if let Some(d) = x.destroy {
            el.append_child(d.to_element(ns::USER));
        }
        for item in x.items {
            el.append_child(item.to_element(ns::USER));
        }
        if let Some(p) = x.password {
            let mut password = Element::builder("password", ns::USER).build();
            password.append_text_node(p);
            el.append_child(password);
        }
        for code in x.status {
            let mut status = STATUS.element();
            set_attr(&mut status, "code", code.to_string());
            el.append_child(status);
        }
        el
    }
}
