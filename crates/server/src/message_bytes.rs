//! The byte path of RFC 6121 §8.5 (issue #17): a user's chat or normal message to an account
//! of this shard with a bound resource goes through the same steps as in `routing.rs` —
//! XEP-0191 blocking, both parties' archives (XEP-0313, the stanza-id of XEP-0359), `sent` and
//! `received` carbons (XEP-0280), delivery to the full JID or the best resources — reading the
//! stanza's index and writing by splicing, without building its tree. Everything else (other
//! domains, shards and components, offline storage, bounces, every other stanza) takes the tree
//! path, which stays the reference: `Config::route_bytes` turns this path off, and the tests
//! run the same histories both ways and require the same deliveries and archives.

use crate::server::Server;
use xmppkit_carbons::{copies_raw, Direction};
use xmppkit_codec::{RawStanza, Routing};
use xmppkit_jid::{FullJid, Jid};
use xmppkit_mam::{should_archive, ArchiveKind};
use xmppkit_sm::Queued;

impl Server {
    /// A stanza from a local user's session (`from` stamped by the session): on the byte path
    /// when it may take it, else as a tree.
    pub(crate) fn route_stanza(&mut self, from: &FullJid, stanza: RawStanza) {
        if let Some(to) = self.byte_path(from, &stanza) {
            return self.message_bytes(from, to, stanza);
        }
        if let Ok(tree) = stanza.into_element() {
            self.route(from, tree);
        }
    }

    /// Where `stanza` goes when it may stay bytes: a chat or normal message to an account of
    /// this shard with a bound resource, that neither party blocked. `None` sends it the tree
    /// way, which answers every other case (and errors) by the RFCs.
    fn byte_path(&mut self, from: &FullJid, stanza: &RawStanza) -> Option<Jid> {
        if !self.config.route_bytes || stanza.name() != "message" {
            return None;
        }
        if !matches!(
            stanza.attr(Routing::Type).as_deref(),
            None | Some("chat" | "normal")
        ) {
            return None;
        }
        let to: Jid = stanza.attr(Routing::To)?.parse().ok()?;
        to.node()?;
        if to.domain().as_str() != self.config.domain.as_str() || self.elsewhere(&to).is_some() {
            return None;
        }
        let (user, recipient) = (from.to_bare(), to.to_bare());
        if self.resources.of(&recipient).next().is_none()
            || self.blocks(&user, &to)
            || self.blocks(&recipient, &Jid::from(from.clone()))
        {
            return None;
        }
        Some(to)
    }

    /// The steps of `route` → `outgoing_message` → `deliver_local` → `incoming_message` →
    /// `deliver_message` for a message on the byte path.
    fn message_bytes(&mut self, from: &FullJid, to: Jid, message: RawStanza) {
        let user = from.to_bare();
        let recipient = to.to_bare();
        // The sender's archive and the sender's other resources.
        let in_roster = self.in_roster(&user, &recipient);
        let id = self.new_id();
        if self.config.archive {
            let now = self.now.utc;
            let _ = self
                .mam
                .store_raw(&user, ArchiveKind::User, &to, in_roster, &message, id, now);
        }
        let enabled = self.carbons_enabled(&user);
        let sent = copies_raw(
            &message,
            Direction::Sent,
            &user,
            &enabled,
            std::slice::from_ref(from),
        );
        for (jid, copy) in sent {
            let _ = self.send_queued_to(&jid, Queued::client(copy));
        }
        // The recipient's archive, whose stanza-id the delivered message carries.
        let mut message = message;
        if self.config.archive && should_archive(&message, ArchiveKind::User) {
            let sender = Jid::from(from.clone());
            let in_roster = self.in_roster(&recipient, &user);
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
