//! The presence subscription state machine of RFC 6121 §3 as pure functions: one function per
//! table of Appendix A, for the user's server processing what its user sends (outbound) and for
//! the contact's server processing what arrives (inbound), with §3.4 pre-approval. Both ends
//! can be on this server or, later, one on another: each side changes only its own roster.

/// The subscription state of one roster item (RFC 6121 Appendix A.1), plus pre-approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct State {
    /// The user receives the contact's presence ("To").
    pub to: bool,
    /// The contact receives the user's presence ("From").
    pub from: bool,
    /// The user asked for the contact's presence ("Pending Out", `ask='subscribe'`).
    pub pending_out: bool,
    /// The contact asked for the user's presence ("Pending In").
    pub pending_in: bool,
    /// The user approved a subscription from the contact before it was asked (§3.4).
    pub approved: bool,
}

/// The four subscription stanza types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Asks for the recipient's presence.
    Subscribe,
    /// Approves the recipient's request (or pre-approves it).
    Subscribed,
    /// Stops receiving the recipient's presence.
    Unsubscribe,
    /// Denies or cancels the recipient's subscription.
    Unsubscribed,
}

impl Kind {
    /// The kind of a presence `type`, if it is a subscription type.
    pub fn from_type(type_: &str) -> Option<Kind> {
        Some(match type_ {
            "subscribe" => Kind::Subscribe,
            "subscribed" => Kind::Subscribed,
            "unsubscribe" => Kind::Unsubscribe,
            "unsubscribed" => Kind::Unsubscribed,
            _ => return None,
        })
    }

    /// The presence `type`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Subscribe => "subscribe",
            Kind::Subscribed => "subscribed",
            Kind::Unsubscribe => "unsubscribe",
            Kind::Unsubscribed => "unsubscribed",
        }
    }
}

/// What the user's server does with a subscription stanza its user sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outbound {
    /// The new state of the user's item (equal to the old one when nothing changed).
    pub state: State,
    /// Whether the stanza goes on to the contact.
    pub route: bool,
}

/// What the contact's server does with a subscription stanza that arrived for its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inbound {
    /// The new state of the contact's item for the sender.
    pub state: State,
    /// Whether the stanza is delivered to the contact's resources.
    pub deliver: bool,
    /// Whether the server answers `subscribed` itself (§3.1.3: already approved or pre-approved).
    pub auto_reply: bool,
}

/// Tables A.2.1, A.3.1, A.4.1 and A.5.1: the user sends `kind` to the contact. With
/// `pre_approval`, a `subscribed` with no request pending becomes a pre-approval (§3.4.1).
pub fn outbound(kind: Kind, old: State, pre_approval: bool) -> Outbound {
    let mut s = old;
    let route = match kind {
        // A.2.1: "Pending Out" is set unless the user already sees the contact; always routed.
        Kind::Subscribe => {
            if !s.to {
                s.pending_out = true;
            }
            true
        }
        // A.3.1: only an answer to a pending request changes the state and is routed.
        Kind::Subscribed => {
            if s.pending_in {
                s.pending_in = false;
                s.from = true;
                true
            } else {
                if pre_approval && !s.from {
                    s.approved = true;
                }
                false
            }
        }
        // A.4.1: "To" and "Pending Out" end; always routed.
        Kind::Unsubscribe => {
            s.to = false;
            s.pending_out = false;
            true
        }
        // A.5.1: "From" and "Pending In" end (and a pre-approval); routed when one of them was.
        Kind::Unsubscribed => {
            let route = s.from || s.pending_in;
            s.from = false;
            s.pending_in = false;
            s.approved = false;
            route
        }
    };
    Outbound { state: s, route }
}

/// Tables A.2.2, A.3.2, A.4.2 and A.5.2: `kind` arrives from the sender for the contact, whose
/// item for the sender is `old`.
pub fn inbound(kind: Kind, old: State) -> Inbound {
    let mut s = old;
    let mut auto_reply = false;
    let deliver = match kind {
        // A.2.2: already subscribed or pre-approved: answered by the server; already pending:
        // not delivered again.
        Kind::Subscribe => {
            if s.from {
                auto_reply = true;
                false
            } else if s.approved {
                s.approved = false;
                s.from = true;
                auto_reply = true;
                false
            } else if s.pending_in {
                false
            } else {
                s.pending_in = true;
                true
            }
        }
        // A.3.2: only an answer to our request counts.
        Kind::Subscribed => {
            if s.pending_out && !s.to {
                s.pending_out = false;
                s.to = true;
                true
            } else {
                false
            }
        }
        // A.4.2: the sender stops receiving our presence.
        Kind::Unsubscribe => {
            let deliver = s.from || s.pending_in;
            s.from = false;
            s.pending_in = false;
            deliver
        }
        // A.5.2: our subscription (or our request) to the sender ends.
        Kind::Unsubscribed => {
            let deliver = s.to || s.pending_out;
            s.to = false;
            s.pending_out = false;
            deliver
        }
    };
    Inbound {
        state: s,
        deliver,
        auto_reply,
    }
}

impl State {
    /// The `subscription` attribute of the roster item (RFC 6121 §2.1.2.5).
    pub fn subscription(&self) -> &'static str {
        match (self.to, self.from) {
            (true, true) => "both",
            (true, false) => "to",
            (false, true) => "from",
            (false, false) => "none",
        }
    }
}
