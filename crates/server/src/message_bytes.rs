//! The byte path of RFC 6121 §8.5 (issue #17): a user's chat or normal message to an account
//! of this shard with a bound resource goes through the same steps as in `routing.rs` —
//! XEP-0191 blocking, both parties' archives (XEP-0313, the stanza-id of XEP-0359), `sent` and
//! `received` carbons (XEP-0280), delivery to the full JID or the best resources — reading the
//! stanza's index and writing by splicing, without building its tree. Everything else (other
//! domains, shards and components, offline storage, bounces, every other stanza) takes the tree
//! path, which stays the reference: `Config::route_bytes` turns this path off, and the tests
//! run the same histories both ways and require the same deliveries and archives.

use crate::server::{Output, Server};
use xmppkit_carbons::{copies_raw, Direction};
use xmppkit_codec::{RawStanza, Routing};
use xmppkit_jid::{FullJid, Jid};
use xmppkit_mam::{should_archive, ArchiveKind};
use xmppkit_sm::Queued;
use xmppkit_stanza::Outgoing;

impl Server {
    /// A stanza from a local user's session (`from` stamped by the session): on the byte path
    /// when it may take it, else as a tree.
    pub(crate) fn route_stanza(&mut self, from: &FullJid, stanza: RawStanza) {
        if stanza.name() == "message" {
            self.observe_marker(from, &stanza);
        }
        if stanza.name() == "message"
            && stanza.has_child("displayed", xmppkit_read_markers::mds::NS)
        {
            // XEP-0490 server assist: taken out and published before anything sees it.
            if let Ok(mut tree) = stanza.into_element() {
                self.mds_assist(from, &mut tree);
                self.route(from, tree);
            }
            return;
        }
        let Some(to) = self.byte_path(from, &stanza) else {
            if let Ok(tree) = stanza.into_element() {
                self.route(from, tree);
            }
            return;
        };
        self.sent_bytes(from, &to, &stanza);
        match self.elsewhere(&to) {
            Some(shard) => {
                let stanza = Outgoing::Raw(stanza);
                self.outputs.push_back(Output::Forward { shard, stanza });
            }
            None => self.deliver_bytes(to, stanza),
        }
    }

    /// A chat marker (XEP-0333) in a user's message moves the user's read state; the message
    /// goes on unchanged. Only the marker is built as a tree.
    fn observe_marker(&mut self, from: &FullJid, stanza: &RawStanza) {
        let markers = xmppkit_markers::NS;
        let marker = ["displayed", "acknowledged"]
            .into_iter()
            .find_map(|name| stanza.child_element(name, markers));
        let (Some(marker), Some(to)) = (marker, stanza.attr(Routing::To)) else {
            return;
        };
        let groupchat = stanza.attr(Routing::Type).as_deref() == Some("groupchat");
        self.chat_marker(from, &to, groupchat, &marker);
    }

    /// Whether a user's `stanza` may stay bytes, and to whom: a chat or normal message to an
    /// account of this domain that the sender did not block. `None` sends it the tree way,
    /// which answers every other case (and errors) by the RFCs.
    fn byte_path(&mut self, from: &FullJid, stanza: &RawStanza) -> Option<Jid> {
        if !self.config.route_bytes || !plain_message(stanza) {
            return None;
        }
        let to: Jid = stanza.attr(Routing::To)?.parse().ok()?;
        to.node()?;
        if to.domain().as_str() != self.config.domain.as_str() || self.blocks(&from.to_bare(), &to)
        {
            return None;
        }
        Some(to)
    }

    /// A stanza kept as bytes from another shard (or this one): to its recipient as bytes when
    /// it is one of this domain's accounts, else as a tree.
    pub(crate) fn route_raw(&mut self, stanza: RawStanza) {
        let Some(to) = stanza.attr(Routing::To).and_then(|t| t.parse::<Jid>().ok()) else {
            return;
        };
        if let Some(shard) = self.elsewhere(&to) {
            let stanza = Outgoing::Raw(stanza);
            return self.outputs.push_back(Output::Forward { shard, stanza });
        }
        let ours = to.node().is_some() && to.domain().as_str() == self.config.domain.as_str();
        if ours && self.config.route_bytes && plain_message(&stanza) {
            return self.deliver_bytes(to, stanza);
        }
        if let Ok(tree) = stanza.into_element() {
            self.route_to(to, tree);
        }
    }

    /// The sender's side of `route` → `outgoing_message` for a message on the byte path: the
    /// sender's archive and `sent` carbons to its other resources.
    fn sent_bytes(&mut self, from: &FullJid, to: &Jid, message: &RawStanza) {
        let user = from.to_bare();
        let in_roster = self.in_roster(&user, &to.to_bare());
        let id = self.new_id();
        if self.config.archive {
            let now = self.now.utc;
            let _ = self
                .mam
                .store_raw(&user, ArchiveKind::User, to, in_roster, message, id, now);
        }
        let enabled = self.carbons_enabled(&user);
        let sent = copies_raw(
            message,
            Direction::Sent,
            &user,
            &enabled,
            std::slice::from_ref(from),
        );
        for (jid, copy) in sent {
            let _ = self.send_queued_to(&jid, Queued::client(copy));
        }
    }

    /// The recipient's side (`deliver_local` → `incoming_message` → `deliver_message`) for a
    /// message on the byte path, on the recipient's shard: as bytes when the account has a bound
    /// resource and has not blocked the sender; otherwise (offline storage, no such account, a
    /// bounce) as a tree.
    fn deliver_bytes(&mut self, to: Jid, message: RawStanza) {
        let recipient = to.to_bare();
        let sender = message
            .attr(Routing::From)
            .and_then(|f| f.parse::<Jid>().ok());
        let sender = match sender {
            Some(sender)
                if self.resources.of(&recipient).next().is_some()
                    && !self.blocks(&recipient, &sender) =>
            {
                sender
            }
            _ => {
                if let Ok(tree) = message.into_element() {
                    self.deliver_local(to, tree);
                }
                return;
            }
        };
        // The recipient's archive, whose stanza-id the delivered message carries.
        let mut message = message;
        if self.config.archive && should_archive(&message, ArchiveKind::User) {
            let in_roster = self.in_roster(&recipient, &sender.to_bare());
            let id = self.new_id();
            let now = self.now.utc;
            if let Ok(Some(stamped)) = self.mam.store_raw(
                &recipient,
                ArchiveKind::User,
                &sender,
                in_roster,
                &message,
                id,
                now,
            ) {
                message = stamped;
            }
        }
        // §8.5.3.1 / §8.5.2.1.1: the full JID when bound, else the best resources.
        let full = to
            .clone()
            .try_into_full()
            .ok()
            .filter(|f| self.resources.get(f).is_some());
        let targets = match full {
            Some(full) => vec![full],
            None => self.resources.best(&recipient),
        };
        if targets.is_empty() {
            // No resource to take it (negative priorities, closing): the tree path decides.
            if let Ok(tree) = message.into_element() {
                self.deliver_message(to, tree);
            }
            return;
        }
        let (mut failed, mut delivered) = (None, 0);
        let queued = Queued::raw(&message);
        for jid in &targets {
            match self.send_queued_to(jid, queued.clone()) {
                Ok(()) => delivered += 1,
                Err(back) => failed = Some(back),
            }
        }
        let enabled = self.carbons_enabled(&recipient);
        for (jid, copy) in copies_raw(
            &message,
            Direction::Received,
            &recipient,
            &enabled,
            &targets,
        ) {
            let _ = self.send_queued_to(&jid, Queued::client(copy));
        }
        if let Some(back) = failed.filter(|_| delivered == 0) {
            // The resource went away meanwhile: as to the bare JID, without it.
            self.handle_undelivered(vec![back.into_element()]);
        }
    }
}

/// A chat or normal message (RFC 6121 §5.2.2): the kinds the byte path takes.
fn plain_message(stanza: &RawStanza) -> bool {
    stanza.name() == "message"
        && matches!(
            stanza.attr(Routing::Type).as_deref(),
            None | Some("chat" | "normal")
        )
}
