//! The one read-state engine (issue #19): a user's position in each conversation is the
//! archive position of the last message displayed, and unread is counted from archive order
//! (messages after the position that the user did not write), never kept as a counter: it
//! cannot drift, a read "up to here" leaves the rest unread, and a room message costs no write
//! per member. Every front-end (`urn:xmpp:unread`, XEP-0490 MDS, ...) acks through it.

use crate::positions::{Position, PositionStore};
use crate::store::StoreError;
use thiserror::Error;
use xmppkit_jid::BareJid;
use xmppkit_mam::payload::Filter;
use xmppkit_mam::{Archive, ArchiveError, Archived, Page, UnreadAsk};
use xmppkit_stanza::datetime::DateTime;

/// A conversation a user reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Conversation {
    /// A 1:1 chat with this bare JID (local or remote), kept in the user's own archive.
    Chat(BareJid),
    /// A room, kept in the room's archive.
    Room(BareJid),
}

impl Conversation {
    /// The partner's or the room's bare JID (the key of the position).
    pub fn jid(&self) -> &BareJid {
        match self {
            Conversation::Chat(jid) | Conversation::Room(jid) => jid,
        }
    }

    /// The archive that holds it for `user` (the owner, which is also the `by` of its
    /// stanza-ids), and the partner to select in it.
    pub fn archive<'a>(&'a self, user: &'a BareJid) -> (&'a BareJid, Option<&'a BareJid>) {
        match self {
            Conversation::Chat(partner) => (user, Some(partner)),
            Conversation::Room(room) => (room, None),
        }
    }
}

/// What an ack reads up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upto<'a> {
    /// The message with this archive id, and everything before it.
    Message(&'a str),
    /// Everything in the conversation so far.
    All,
}

/// What an ack did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acked {
    /// The position moved to this message.
    Moved(Position),
    /// The position was already at this message or further, and stays (markers never move
    /// back); the stored position is given.
    Kept(Position),
    /// `all` in a conversation with no message: nothing to read.
    Empty,
}

/// A read-state operation that failed.
#[derive(Debug, Error)]
pub enum ReadStateError {
    /// The acked id is not a message of the conversation's archive: `item-not-found`.
    #[error("no message `{id}` in the archive of {archive}")]
    UnknownMessage {
        /// The id.
        id: String,
        /// The archive searched (the user's for a chat, the room's for a room).
        archive: BareJid,
    },
    /// The archive failed: `internal-server-error`.
    #[error("read state: {0}")]
    Archive(#[from] ArchiveError),
    /// The position store failed: `internal-server-error`.
    #[error("read state: {0}")]
    Store(#[from] StoreError),
}

/// The engine over a position store; each call gets the archive to read order from.
///
/// ```
/// use xmppkit_jid::BareJid;
/// use xmppkit_mam::{Archive, Archived, Entry, MemoryArchive};
/// use xmppkit_read_markers::{Conversation, MemoryPositions, ReadState, Upto};
/// let juliet: BareJid = "juliet@capulet.lit".parse().unwrap();
/// let romeo: BareJid = "romeo@montague.lit".parse().unwrap();
/// let mut archive = MemoryArchive::default();
/// for n in 0..3 {
///     let message = format!("<message xmlns='jabber:client'><body>{n}</body></message>");
///     let entry = Entry::from(Archived {
///         id: format!("s{n}"),
///         stamp: "2026-12-06T10:00:00Z".parse().unwrap(),
///         with: romeo.clone().into(),
///         message: message.parse().unwrap(),
///     });
///     archive.append_entry(&juliet, entry.by(Some(romeo.clone()))).unwrap();
/// }
/// let mut state = ReadState::new(MemoryPositions::default());
/// let chat = Conversation::Chat(romeo);
/// assert_eq!(state.unread(&archive, &juliet, &chat).unwrap(), 3);
/// let now = "2026-12-06T10:01:00Z".parse().unwrap();
/// state.ack(&archive, &juliet, &chat, Upto::Message("s1"), now).unwrap();
/// assert_eq!(state.unread(&archive, &juliet, &chat).unwrap(), 1, "read up to s1: s2 is left");
/// ```
#[derive(Debug, Default)]
pub struct ReadState<P> {
    positions: P,
}

impl<P: PositionStore> ReadState<P> {
    /// An engine over `positions`.
    pub fn new(positions: P) -> Self {
        ReadState { positions }
    }

    /// The position store.
    pub fn positions(&self) -> &P {
        &self.positions
    }

    /// `user` read `conversation` up to `upto` at `now`: the position moves there unless it is
    /// already there or further.
    pub fn ack(
        &mut self,
        archive: &dyn Archive,
        user: &BareJid,
        conversation: &Conversation,
        upto: Upto<'_>,
        now: DateTime,
    ) -> Result<Acked, ReadStateError> {
        let (owner, with) = conversation.archive(user);
        let target = match upto {
            Upto::Message(id) => {
                let position =
                    archive
                        .position(owner, id)?
                        .ok_or_else(|| ReadStateError::UnknownMessage {
                            id: id.to_owned(),
                            archive: owner.clone(),
                        })?;
                (position, id.to_owned())
            }
            Upto::All => match archive.latest(owner, with)? {
                Some(latest) => latest,
                None => return Ok(Acked::Empty),
            },
        };
        let to = Position {
            position: target.0,
            id: target.1,
            at: now,
        };
        if self.positions.advance(user, conversation.jid(), &to)? {
            return Ok(Acked::Moved(to));
        }
        let current = self.positions.get(user, conversation.jid())?.unwrap_or(to);
        Ok(Acked::Kept(current))
    }

    /// `user`'s position in `conversation`.
    pub fn position(
        &self,
        user: &BareJid,
        conversation: &Conversation,
    ) -> Result<Option<Position>, ReadStateError> {
        Ok(self.positions.get(user, conversation.jid())?)
    }

    /// How many messages of `conversation` `user` has not read: those after the position that
    /// others wrote (all of them when nothing was acked).
    pub fn unread(
        &self,
        archive: &dyn Archive,
        user: &BareJid,
        conversation: &Conversation,
    ) -> Result<u64, ReadStateError> {
        let (owner, with) = conversation.archive(user);
        let after = self.positions.get(user, conversation.jid())?;
        Ok(archive.count_unread(owner, with, after.map(|p| p.position), user)?)
    }

    /// A room seen by its readers (each user with a position there): those who have not read
    /// everything, each with the first message they have not read, by user. A reader's own
    /// messages are not theirs to read.
    pub fn first_unread_by_reader(
        &self,
        archive: &dyn Archive,
        room: &BareJid,
    ) -> Result<Vec<(BareJid, String)>, ReadStateError> {
        let mut firsts = Vec::new();
        for (reader, position) in self.positions.readers(room)? {
            if let Some((_, id)) =
                archive.first_unread(room, None, Some(position.position), &reader)?
            {
                firsts.push((reader, id));
            }
        }
        Ok(firsts)
    }

    /// The counts list: every conversation of `user`'s own archive and every one `user` has
    /// a position in, with its unread count, leaving out those with none; ordered by
    /// conversation. `is_room` says which JIDs are rooms (their archive is the room's).
    pub fn counts(
        &self,
        archive: &dyn Archive,
        user: &BareJid,
        is_room: &dyn Fn(&BareJid) -> bool,
    ) -> Result<Vec<(Conversation, u64)>, ReadStateError> {
        Ok(self
            .all_counts(archive, user, is_room)?
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect())
    }

    /// The inbox (XEP-0430): the conversations of [`counts`](Self::counts), those with nothing
    /// unread too, each with its last message; the most recent activity first.
    pub fn inbox(
        &self,
        archive: &dyn Archive,
        user: &BareJid,
        is_room: &dyn Fn(&BareJid) -> bool,
    ) -> Result<Vec<InboxLine>, ReadStateError> {
        let mut lines = Vec::new();
        for (conversation, unread) in self.all_counts(archive, user, is_room)? {
            let (owner, with) = conversation.archive(user);
            let Some((_, id)) = archive.latest(owner, with)? else {
                continue;
            };
            let filter = Filter {
                ids: vec![id],
                ..Filter::default()
            };
            let page = Page {
                max: 1,
                ..Page::default()
            };
            if let Some(last) = archive.query(owner, &filter, &page)?.items.pop() {
                lines.push(InboxLine {
                    conversation,
                    unread,
                    last,
                });
            }
        }
        lines.sort_by(|a, b| {
            (b.last.stamp.0, &a.conversation).cmp(&(a.last.stamp.0, &b.conversation))
        });
        Ok(lines)
    }

    /// Every conversation of `user` with its unread count, ordered by conversation.
    fn all_counts(
        &self,
        archive: &dyn Archive,
        user: &BareJid,
        is_room: &dyn Fn(&BareJid) -> bool,
    ) -> Result<Vec<(Conversation, u64)>, ReadStateError> {
        let positions: std::collections::HashMap<BareJid, u64> = self
            .positions
            .all(user)?
            .into_iter()
            .map(|(jid, p)| (jid, p.position))
            .collect();
        let kind = |jid: BareJid| {
            if is_room(&jid) {
                Conversation::Room(jid)
            } else {
                Conversation::Chat(jid)
            }
        };
        let mut conversations: Vec<Conversation> = archive
            .partners(user)?
            .into_iter()
            .chain(positions.keys().cloned())
            .map(kind)
            .collect();
        conversations.sort();
        conversations.dedup();
        let asks: Vec<UnreadAsk> = conversations
            .iter()
            .map(|c| {
                let (owner, with) = c.archive(user);
                UnreadAsk {
                    owner: owner.clone(),
                    with: with.cloned(),
                    after: positions.get(c.jid()).copied(),
                }
            })
            .collect();
        let counts = archive.count_unread_each(user, &asks)?;
        Ok(conversations.into_iter().zip(counts).collect())
    }
}

/// One conversation of a user's inbox (XEP-0430).
#[derive(Debug, Clone, PartialEq)]
pub struct InboxLine {
    /// The conversation.
    pub conversation: Conversation,
    /// Its unread messages.
    pub unread: u64,
    /// Its last message, as archived.
    pub last: Archived,
}
