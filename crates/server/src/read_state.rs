//! Read state in the server (issue #19): the `urn:xmpp:unread` IQs at the server's domain
//! (ack up to a message or all, the counts list, the peers' view of a room, the tag in MAM
//! results), XEP-0333 `displayed`/`acknowledged` markers the user sends, and the moves that
//! come from XEP-0490 publications (`mds.rs`). Every front-end acks through the one engine
//! (`xmppkit_read_markers::ReadState`), and an ack that moved is published to the user's own
//! devices as their XEP-0490 position: never into the conversation or the room.

use crate::server::{Output, Server};
use xmppkit_jid::{BareJid, FullJid, Jid};
use xmppkit_read_markers::mds::Displayed;
use xmppkit_read_markers::unread::{
    counts_element, first_unread_element, AckUpto, FirstUnread, UnreadAck, UnreadCount, UnreadQuery,
};
use xmppkit_read_markers::{Acked, Conversation, ReadStateError, Upto};
use xmppkit_stanza::{DefinedCondition, Iq, IqPayload, StanzaError};

impl Server {
    /// Whether `jid` is a room whose archive this server keeps ([`Config::room_domains`]).
    ///
    /// [`Config::room_domains`]: crate::Config::room_domains
    pub(crate) fn is_room(&self, jid: &BareJid) -> bool {
        jid.node().is_some()
            && self
                .config
                .room_domains
                .iter()
                .any(|d| d == jid.domain().as_str())
    }

    /// The conversation with `jid`: a room when its domain is one of the rooms', else a chat.
    pub(crate) fn conversation(&self, jid: BareJid) -> Conversation {
        if self.is_room(&jid) {
            Conversation::Room(jid)
        } else {
            Conversation::Chat(jid)
        }
    }

    /// The archive that holds `conversation` for `user` (the stanza-id's `by`).
    fn archive_of(user: &BareJid, conversation: &Conversation) -> BareJid {
        conversation.archive(user).0.clone()
    }

    /// Every front-end's ack: the engine's, and an entry marked unread by hand (MongooseIM's
    /// inbox) is unmarked when the position moves.
    pub(crate) fn ack_as(
        &mut self,
        user: &BareJid,
        conversation: &Conversation,
        upto: Upto<'_>,
    ) -> Result<Acked, ReadStateError> {
        let acked =
            self.read_state
                .ack(self.mam.archive(), user, conversation, upto, self.now.utc)?;
        if matches!(acked, Acked::Moved(_)) {
            if let Some(mut props) = self.entry_props.get(user, conversation.jid())? {
                if props.marked_unread {
                    props.marked_unread = false;
                    self.entry_props.set(user, conversation.jid(), &props)?;
                }
            }
        }
        Ok(acked)
    }

    /// An `urn:xmpp:unread` request from a local user to the server.
    pub(crate) fn unread_iq(&mut self, from: &FullJid, iq: Iq) {
        let user = from.to_bare();
        let answer = match &iq.payload {
            IqPayload::Set(el) => match UnreadAck::try_from(el.clone()) {
                Ok(ack) => self.unread_ack(from, ack).map(|()| None),
                Err(_) => Err(DefinedCondition::BadRequest),
            },
            IqPayload::Get(el) => match UnreadQuery::try_from(el.clone()) {
                Ok(UnreadQuery { jid: None }) => self.unread_counts(&user).map(Some),
                Ok(UnreadQuery { jid: Some(jid) }) => self.peers_view(&user, jid).map(Some),
                Err(_) => Err(DefinedCondition::BadRequest),
            },
            _ => return,
        };
        match answer {
            Ok(payload) => self.reply(iq.result(payload)),
            Err(condition) => self.reply(iq.error(StanzaError::new(condition))),
        }
    }

    fn unread_ack(&mut self, from: &FullJid, ack: UnreadAck) -> Result<(), DefinedCondition> {
        let user = from.to_bare();
        let conversation = self.conversation(ack.jid);
        let upto = match &ack.upto {
            AckUpto::Message(id) => Upto::Message(id),
            AckUpto::All => Upto::All,
        };
        let acked = self.ack_as(&user, &conversation, upto);
        match acked.map_err(|e| self.read_state_error(e))? {
            Acked::Moved(position) => {
                let by: Jid = Self::archive_of(&user, &conversation).into();
                let displayed = Displayed {
                    id: position.id,
                    by: Some(by),
                };
                self.publish_displayed(from, conversation.jid().as_str(), displayed);
                Ok(())
            }
            Acked::Kept(_) | Acked::Empty => Ok(()),
        }
    }

    /// The peers' view of a room `user` reads: each reader's first unread message. A 1:1
    /// chat's peer reads in their own archive, whose ids the user does not know: not served.
    fn peers_view(
        &mut self,
        user: &BareJid,
        jid: BareJid,
    ) -> Result<minidom::Element, DefinedCondition> {
        if !self.is_room(&jid) {
            return Err(DefinedCondition::FeatureNotImplemented);
        }
        let room = Conversation::Room(jid.clone());
        let reads = self.read_state.position(user, &room);
        if reads.map_err(|e| self.read_state_error(e))?.is_none() {
            // Only a reader of the room (one who wrote or acked there) sees the others.
            return Err(DefinedCondition::Forbidden);
        }
        let firsts = self
            .read_state
            .first_unread_by_reader(self.mam.archive(), &jid)
            .map_err(|e| self.read_state_error(e))?;
        Ok(first_unread_element(
            &jid,
            firsts
                .into_iter()
                .map(|(jid, id)| FirstUnread { jid, id })
                .collect(),
        ))
    }

    fn unread_counts(&mut self, user: &BareJid) -> Result<minidom::Element, DefinedCondition> {
        let is_room = |jid: &BareJid| self.is_room(jid);
        let counts = self
            .read_state
            .counts(self.mam.archive(), user, &is_room)
            .map_err(|e| self.read_state_error(e))?;
        Ok(counts_element(
            counts
                .into_iter()
                .map(|(conversation, amount)| UnreadCount {
                    jid: conversation.jid().clone(),
                    amount,
                })
                .collect(),
        ))
    }

    /// XEP-0333 §4 (and XEP-0430's rule): a `displayed` or `acknowledged` marker that `from`
    /// sends to `to` moves the user's read position to the marked message. In a room (`type`
    /// groupchat) its id is the room's stanza-id; in a chat it is the message's own `id` (or
    /// origin-id), looked up among the chat's latest messages in the user's archive, or an
    /// archive id itself. A marker for a message it cannot find changes nothing.
    pub(crate) fn chat_marker(
        &mut self,
        from: &FullJid,
        to: &str,
        groupchat: bool,
        marker: &minidom::Element,
    ) {
        /// How far back a 1:1 marker's message is looked for.
        const RECENT: usize = 50;
        let reads = marker.is("displayed", xmppkit_markers::NS)
            || marker.is("acknowledged", xmppkit_markers::NS);
        let (Some(id), true) = (marker.attr("id"), reads) else {
            return;
        };
        let Ok(to) = to.parse::<Jid>() else { return };
        let user = from.to_bare();
        let conversation = self.conversation(to.to_bare());
        let archive_id = match &conversation {
            Conversation::Room(_) if groupchat => Some(id.to_owned()),
            Conversation::Room(_) => None,
            Conversation::Chat(partner) => {
                let filter = xmppkit_mam::Filter {
                    with: Some(partner.clone().into()),
                    ..Default::default()
                };
                let page = xmppkit_mam::Page {
                    max: RECENT,
                    before: Some(String::new()),
                    ..Default::default()
                };
                let recent = self.mam.archive().query(&user, &filter, &page);
                recent.ok().and_then(|page| {
                    page.items.into_iter().rev().find_map(|item| {
                        let origin = item
                            .message
                            .get_child("origin-id", xmppkit_stanza::ns::SID)
                            .and_then(|o| o.attr("id"));
                        let marked = item.id == id
                            || item.message.attr("id") == Some(id)
                            || origin == Some(id);
                        marked.then_some(item.id)
                    })
                })
            }
        };
        let Some(archive_id) = archive_id else { return };
        let acked = self.ack_as(&user, &conversation, Upto::Message(&archive_id));
        match acked {
            Ok(Acked::Moved(position)) => {
                let by: Jid = Self::archive_of(&user, &conversation).into();
                let displayed = Displayed {
                    id: position.id,
                    by: Some(by),
                };
                self.publish_displayed(from, conversation.jid().as_str(), displayed);
            }
            Ok(_) | Err(ReadStateError::UnknownMessage { .. }) => {}
            Err(e) => {
                self.read_state_error(e);
            }
        }
    }

    /// A MAM result from `user`'s own archive gets the `urn:xmpp:unread` tag in its
    /// forwarded message: `state='true'` when it is an instant message from the partner that
    /// the unread count counts (after the position and the user's own last message in that
    /// chat). `positions` caches each chat's first unread position for one answer.
    pub(crate) fn tag_unread(
        &mut self,
        user: &BareJid,
        stanza: &mut minidom::Element,
        positions: &mut std::collections::HashMap<BareJid, Option<u64>>,
    ) {
        let Some(result) = stanza.get_child_mut("result", xmppkit_mam::NS) else {
            return;
        };
        let Some(id) = result.attr("id").map(str::to_owned) else {
            return;
        };
        let Some(message) = result
            .get_child_mut("forwarded", xmppkit_stanza::ns::FORWARD)
            .and_then(|f| f.get_child_mut("message", xmppkit_stanza::ns::CLIENT))
        else {
            return;
        };
        let bare = |attr: Option<&str>| {
            attr.and_then(|j| j.parse::<Jid>().ok())
                .map(|j| j.to_bare())
        };
        let from = bare(message.attr("from"));
        let instant = xmppkit_stanza::has_body(message);
        let unread = match from {
            Some(from) if from != *user && instant => {
                // The chat's first unread message (after the position and the user's own last
                // one), once per chat and answer: this one is unread when it is that or later.
                let first = match positions.get(&from) {
                    Some(first) => *first,
                    None => {
                        let chat = Conversation::Chat(from.clone());
                        let after = self
                            .read_state
                            .position(user, &chat)
                            .ok()
                            .flatten()
                            .map(|p| p.position);
                        let first = self
                            .mam
                            .archive()
                            .first_unread(user, Some(&from), after, user)
                            .ok()
                            .flatten()
                            .map(|(position, _)| position);
                        positions.insert(from, first);
                        first
                    }
                };
                let at = self.mam.archive().position(user, &id).ok().flatten();
                matches!((at, first), (Some(at), Some(first)) if at >= first)
            }
            // One's own message, a marker, or one without a sender.
            _ => false,
        };
        message.append_child(xmppkit_read_markers::unread::UnreadState(unread).into());
    }

    /// `user` published a displayed position for `chat` (XEP-0490): the read state moves to
    /// it when it is a message of the archive that holds the chat; anything else (a private
    /// message's occupant JID, a remote room, an id from another archive) leaves it.
    pub(crate) fn displayed_published(
        &mut self,
        user: &BareJid,
        chat: &str,
        displayed: &Displayed,
    ) {
        let Ok(jid) = chat.parse::<BareJid>() else {
            return;
        };
        let conversation = self.conversation(jid);
        let archive = Self::archive_of(user, &conversation);
        if displayed
            .by
            .as_ref()
            .is_some_and(|by| by.to_bare() != archive)
        {
            return;
        }
        let acked = self.ack_as(user, &conversation, Upto::Message(&displayed.id));
        if let Err(e) = acked {
            if !matches!(e, ReadStateError::UnknownMessage { .. }) {
                self.read_state_error(e);
            }
        }
    }

    /// The error condition for a failed read-state operation; a store's failure is reported.
    pub(crate) fn read_state_error(&mut self, e: ReadStateError) -> DefinedCondition {
        match e {
            ReadStateError::UnknownMessage { .. } => DefinedCondition::ItemNotFound,
            ReadStateError::Archive(e) => {
                self.outputs
                    .push_back(Output::StoreFailed(crate::StoreError::Backend {
                        store: "archive",
                        reason: e.to_string(),
                    }));
                DefinedCondition::InternalServerError
            }
            ReadStateError::Store(e) => {
                self.outputs
                    .push_back(Output::StoreFailed(crate::StoreError::Backend {
                        store: "read positions",
                        reason: e.to_string(),
                    }));
                DefinedCondition::InternalServerError
            }
        }
    }
}
