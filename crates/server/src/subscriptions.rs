//! RFC 6121 §3 applied: a user's subscription stanza changes the user's roster (the outbound
//! tables) and is routed to the contact, whose server changes the contact's roster in turn when
//! it arrives (the inbound tables; on this server, another shard or another server alike); each
//! visible change is pushed, requests reach the contact's resources or wait for them, and the
//! presence that a new or ended subscription implies is sent by the side whose presence it is.

use crate::routing::subscription_stanza;
use crate::server::Server;
use crate::subscription::{inbound, outbound, Kind, State};
use xmppkit_jid::{BareJid, FullJid};

impl Server {
    /// The user `from` sent a subscription stanza of `kind` to `contact`.
    pub(crate) fn outbound_subscription(&mut self, from: &FullJid, kind: Kind, contact: BareJid) {
        let user = from.to_bare();
        if contact == user {
            return;
        }
        let old = self.state(&user, &contact);
        let out = outbound(kind, old, self.config.pre_approval);
        self.set_state(&user, &contact, out.state);
        if kind == Kind::Unsubscribed && old.from {
            // §3.2.2: the contact no longer sees the user.
            self.unavailable_to(&user, &contact);
        }
        if !out.route {
            return;
        }
        let stanza = subscription_stanza(kind, &user, &contact);
        self.route_to(contact.clone().into(), stanza);
        if kind == Kind::Subscribed {
            // §3.1.5: the new subscriber receives the user's current presence.
            self.presence_to(&user, contact.into());
        }
    }

    /// A subscription stanza of `kind` from `sender` arrived for the local account `user`
    /// (delivery checked already that the account exists and does not block the sender).
    pub(crate) fn inbound_subscription(&mut self, sender: &BareJid, kind: Kind, user: &BareJid) {
        let old = self.state(user, sender);
        let result = inbound(kind, old);
        self.set_state(user, sender, result.state);
        if result.deliver {
            let stanza = subscription_stanza(kind, sender, user);
            for jid in self.resources.available(user) {
                let _ = self.send_to(&jid, stanza.clone());
            }
        }
        if result.auto_reply {
            // §3.1.3: already approved (or pre-approved, §3.4): the server answers for the user,
            // and the subscriber receives the user's presence.
            let answer = subscription_stanza(Kind::Subscribed, user, sender);
            self.route_to(sender.clone().into(), answer);
            self.presence_to(user, sender.clone().into());
        }
        if kind == Kind::Unsubscribe && old.from {
            // §3.3.3: the sender no longer sees the user.
            self.unavailable_to(user, sender);
        }
    }

    fn state(&mut self, user: &BareJid, contact: &BareJid) -> State {
        self.load_roster(user)
            .items
            .get(contact)
            .map(|i| i.state)
            .unwrap_or_default()
    }

    /// Sets `user`'s subscription state for `contact`: saved, versioned and pushed when the item
    /// shows on the roster; an item that only held a request that ended disappears.
    pub(crate) fn set_state(&mut self, user: &BareJid, contact: &BareJid, state: State) {
        let roster = self.load_roster(user);
        let item = roster.entry(contact);
        if item.state == state {
            return;
        }
        item.state = state;
        item.listed |= state.to || state.from || state.pending_out || state.approved;
        let listed = item.listed;
        if !listed && state == State::default() {
            roster.items.remove(contact);
        }
        if listed {
            roster.touch(contact);
        }
        self.save_roster(user);
        if listed {
            self.push(user, contact);
        }
    }
}
