//! The archive behind the engine: the `Archive` trait (append, query one page, metadata,
//! preferences) and `MemoryArchive`, indexed by time, by id and by conversation partner so that
//! a query costs O(log n + page size), not O(archive size) (XEP-0313 §4, XEP-0059 paging). The
//! memory archive keeps each message serialized, as the databases do, and parses a page on the
//! way out: a tree costs ~20× its wire size.

use crate::payload::{Filter, Prefs};
use minidom::Element;
use std::collections::HashMap;
use thiserror::Error;
use xmppkit_codec::RawStanza;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_stanza::datetime::DateTime;

/// One archived message.
#[derive(Debug, Clone, PartialEq)]
pub struct Archived {
    /// Its archive id (the stanza-id the server assigned).
    pub id: String,
    /// When it was archived.
    pub stamp: DateTime,
    /// The other party (full JID when known: the `with` filter matches it or its bare JID).
    pub with: Jid,
    /// The message as delivered.
    pub message: Element,
}

/// One message on its way into an archive, serialized once: the stanza as a document of its
/// own (its namespace declared) and the text full-text search reads. Every store keeps these;
/// a message routed as bytes ([`Entry::from_raw`]) reaches the store without a tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Its archive id (the stanza-id the server assigned).
    pub id: String,
    /// When it was archived.
    pub stamp: DateTime,
    /// The other party.
    pub with: Jid,
    /// The message as delivered, serialized on its own.
    pub stanza: String,
    /// Its [`searched_text`](crate::fulltext::searched_text).
    pub body: Option<String>,
    /// Who wrote it, for an instant message (one with a body), as a bare JID: in a user's
    /// archive the owner (sent) or the partner (received), in a room's archive the occupant's
    /// real JID. `None` for what is archived but is no instant message (a chat marker, a
    /// store-hinted message) and for room messages archived before authors were kept: unread
    /// counts count only messages with an author other than the reader
    /// ([`Archive::count_unread`]).
    pub author: Option<BareJid>,
}

impl From<Archived> for Entry {
    fn from(item: Archived) -> Entry {
        Entry {
            stanza: xmppkit_codec::to_string(&item.message),
            body: crate::fulltext::searched_text(&item.message),
            id: item.id,
            stamp: item.stamp,
            with: item.with,
            author: None,
        }
    }
}

impl Entry {
    /// The entry for a message kept as its bytes: written out on its own, its body read from
    /// the body's bytes alone; no tree of the message is built.
    pub fn from_raw(id: String, stamp: DateTime, with: Jid, message: &RawStanza) -> Entry {
        Entry {
            stanza: message.to_standalone(),
            body: message
                .child_element("body", xmppkit_stanza::ns::CLIENT)
                .map(|body| body.text()),
            id,
            stamp,
            with,
            author: None,
        }
    }

    /// The same entry, written by `author`.
    pub fn by(self, author: Option<BareJid>) -> Entry {
        Entry { author, ..self }
    }
}

/// Which page of the selected messages (XEP-0059).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    /// At most this many.
    pub max: usize,
    /// After this id (RSM `<after/>`).
    pub after: Option<String>,
    /// Before this id (RSM `<before/>`); `Some("")` is the last page.
    pub before: Option<String>,
    /// Skip this many (RSM `<index/>`), when neither `after` nor `before` is given.
    pub index: Option<usize>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageResult {
    /// The messages, oldest first.
    pub items: Vec<Archived>,
    /// Position of the first item among all selected messages.
    pub first_index: usize,
    /// How many messages the filter selects in all.
    pub count: usize,
    /// The page reaches the end of the selection in the paging direction (§4.3 `complete`).
    pub complete: bool,
}

/// An archive operation that failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArchiveError {
    /// An id in `after-id`, `before-id`, `ids`, `<after/>` or `<before/>` is not in the archive:
    /// `item-not-found` (§4.1.2, §4.3.1).
    #[error("no message with id `{0}` in the archive")]
    ItemNotFound(String),
    /// The storage failed: `internal-server-error`.
    #[error("archive storage failed: {0}")]
    Storage(String),
}

/// One conversation of a counts list ([`Archive::count_unread_each`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadAsk {
    /// The archive: the user's own for a 1:1 chat, the room's for a room.
    pub owner: BareJid,
    /// The partner in that archive (a 1:1 chat), or `None` (all of a room's archive).
    pub with: Option<BareJid>,
    /// The reader's position: count what comes after it (everything when `None`).
    pub after: Option<u64>,
}

/// Storage of archives, one per owner (a user's bare JID or a room's). Every archive answers
/// every [`Filter`] field, full text (XEP-0431) included, the way [`MemoryArchive`] does: the
/// store conformance suite holds each implementation to it.
pub trait Archive {
    /// Appends a serialized message to `owner`'s archive (stamps are expected in order; an
    /// earlier one is stored as the previous stamp, keeping the archive sorted). A duplicate id
    /// is refused.
    fn append_entry(&mut self, owner: &BareJid, entry: Entry) -> Result<(), ArchiveError>;
    /// Appends a message given as a tree: serialized, then [`append_entry`](Self::append_entry).
    fn append(&mut self, owner: &BareJid, item: Archived) -> Result<(), ArchiveError> {
        self.append_entry(owner, Entry::from(item))
    }
    /// The page of `owner`'s messages selected by `filter`.
    fn query(
        &self,
        owner: &BareJid,
        filter: &Filter,
        page: &Page,
    ) -> Result<PageResult, ArchiveError>;
    /// The oldest and newest messages, as (id, stamp).
    fn bounds(&self, owner: &BareJid) -> Result<Option<[(String, DateTime); 2]>, ArchiveError>;
    /// Where message `id` stands in `owner`'s archive: a number that grows with archive order
    /// (what a read position keeps), or `None` when the archive has no such message.
    fn position(&self, owner: &BareJid, id: &str) -> Result<Option<u64>, ArchiveError>;
    /// How many of `owner`'s instant messages (those with the bare partner `with`, when given)
    /// come after position `after` (all of them when `None`) and after `reader`'s own last
    /// message there (a message followed by one's own is read: XEP-0430), and were written by
    /// someone else: the reader's unread count, from archive order and authors alone. A message
    /// without an author (no instant message) is never unread.
    fn count_unread(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
        after: Option<u64>,
        reader: &BareJid,
    ) -> Result<u64, ArchiveError>;
    /// [`count_unread`](Self::count_unread) for many conversations at once (a reader's counts
    /// list), in the order asked. Stores that pay a round trip per statement answer it with one.
    fn count_unread_each(
        &self,
        reader: &BareJid,
        asks: &[UnreadAsk],
    ) -> Result<Vec<u64>, ArchiveError> {
        asks.iter()
            .map(|ask| self.count_unread(&ask.owner, ask.with.as_ref(), ask.after, reader))
            .collect()
    }
    /// The first message [`count_unread`](Self::count_unread) counts: the oldest one `reader`
    /// has not read, as its position and id.
    fn first_unread(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
        after: Option<u64>,
        reader: &BareJid,
    ) -> Result<Option<(u64, String)>, ArchiveError>;
    /// The newest message of `owner`'s archive (with the bare partner `with`, when given), as
    /// its position and id.
    fn latest(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
    ) -> Result<Option<(u64, String)>, ArchiveError>;
    /// The bare partners `owner`'s archive holds messages with, each once: a user's 1:1
    /// conversations.
    fn partners(&self, owner: &BareJid) -> Result<Vec<BareJid>, ArchiveError>;
    /// `owner`'s preferences (the default ones when never set).
    fn prefs(&self, owner: &BareJid) -> Result<Prefs, ArchiveError>;
    /// Sets `owner`'s preferences.
    fn set_prefs(&mut self, owner: &BareJid, prefs: Prefs) -> Result<(), ArchiveError>;
}

/// A boxed archive is an archive, so a server can hold any store behind one type.
impl<A: Archive + ?Sized> Archive for Box<A> {
    fn append_entry(&mut self, owner: &BareJid, entry: Entry) -> Result<(), ArchiveError> {
        (**self).append_entry(owner, entry)
    }
    fn query(
        &self,
        owner: &BareJid,
        filter: &Filter,
        page: &Page,
    ) -> Result<PageResult, ArchiveError> {
        (**self).query(owner, filter, page)
    }
    fn bounds(&self, owner: &BareJid) -> Result<Option<[(String, DateTime); 2]>, ArchiveError> {
        (**self).bounds(owner)
    }
    fn position(&self, owner: &BareJid, id: &str) -> Result<Option<u64>, ArchiveError> {
        (**self).position(owner, id)
    }
    fn count_unread(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
        after: Option<u64>,
        reader: &BareJid,
    ) -> Result<u64, ArchiveError> {
        (**self).count_unread(owner, with, after, reader)
    }
    fn count_unread_each(
        &self,
        reader: &BareJid,
        asks: &[UnreadAsk],
    ) -> Result<Vec<u64>, ArchiveError> {
        (**self).count_unread_each(reader, asks)
    }
    fn first_unread(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
        after: Option<u64>,
        reader: &BareJid,
    ) -> Result<Option<(u64, String)>, ArchiveError> {
        (**self).first_unread(owner, with, after, reader)
    }
    fn latest(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
    ) -> Result<Option<(u64, String)>, ArchiveError> {
        (**self).latest(owner, with)
    }
    fn partners(&self, owner: &BareJid) -> Result<Vec<BareJid>, ArchiveError> {
        (**self).partners(owner)
    }
    fn prefs(&self, owner: &BareJid) -> Result<Prefs, ArchiveError> {
        (**self).prefs(owner)
    }
    fn set_prefs(&mut self, owner: &BareJid, prefs: Prefs) -> Result<(), ArchiveError> {
        (**self).set_prefs(owner, prefs)
    }
}

/// An archive shared by several owners of it (the server's users and a room service in one
/// process): each call takes the lock for its own duration.
impl<A: Archive + ?Sized> Archive for std::sync::Arc<std::sync::Mutex<A>> {
    fn append_entry(&mut self, owner: &BareJid, entry: Entry) -> Result<(), ArchiveError> {
        locked(self)?.append_entry(owner, entry)
    }
    fn query(
        &self,
        owner: &BareJid,
        filter: &Filter,
        page: &Page,
    ) -> Result<PageResult, ArchiveError> {
        locked(self)?.query(owner, filter, page)
    }
    fn bounds(&self, owner: &BareJid) -> Result<Option<[(String, DateTime); 2]>, ArchiveError> {
        locked(self)?.bounds(owner)
    }
    fn position(&self, owner: &BareJid, id: &str) -> Result<Option<u64>, ArchiveError> {
        locked(self)?.position(owner, id)
    }
    fn count_unread(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
        after: Option<u64>,
        reader: &BareJid,
    ) -> Result<u64, ArchiveError> {
        locked(self)?.count_unread(owner, with, after, reader)
    }
    fn count_unread_each(
        &self,
        reader: &BareJid,
        asks: &[UnreadAsk],
    ) -> Result<Vec<u64>, ArchiveError> {
        locked(self)?.count_unread_each(reader, asks)
    }
    fn first_unread(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
        after: Option<u64>,
        reader: &BareJid,
    ) -> Result<Option<(u64, String)>, ArchiveError> {
        locked(self)?.first_unread(owner, with, after, reader)
    }
    fn latest(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
    ) -> Result<Option<(u64, String)>, ArchiveError> {
        locked(self)?.latest(owner, with)
    }
    fn partners(&self, owner: &BareJid) -> Result<Vec<BareJid>, ArchiveError> {
        locked(self)?.partners(owner)
    }
    fn prefs(&self, owner: &BareJid) -> Result<Prefs, ArchiveError> {
        locked(self)?.prefs(owner)
    }
    fn set_prefs(&mut self, owner: &BareJid, prefs: Prefs) -> Result<(), ArchiveError> {
        locked(self)?.set_prefs(owner, prefs)
    }
}

fn locked<A: ?Sized>(
    shared: &std::sync::Mutex<A>,
) -> Result<std::sync::MutexGuard<'_, A>, ArchiveError> {
    shared
        .lock()
        .map_err(|_| ArchiveError::Storage("the shared archive's lock is poisoned".into()))
}

/// One message as the memory archive holds it: the serialized stanza, not its tree, and the
/// text that full-text search reads (its body).
#[derive(Debug, Clone)]
struct Stored {
    id: Box<str>,
    stamp: DateTime,
    with: Jid,
    stanza: Box<str>,
    body: Option<Box<str>>,
    author: Option<BareJid>,
}

impl Stored {
    fn new(entry: Entry) -> Self {
        Stored {
            stanza: entry.stanza.into_boxed_str(),
            body: entry.body.map(String::into_boxed_str),
            id: entry.id.into_boxed_str(),
            stamp: entry.stamp,
            with: entry.with,
            author: entry.author,
        }
    }

    /// The stanza as a tree again (it was serialized from one, so it parses).
    fn message(&self) -> Result<Element, ArchiveError> {
        self.stanza
            .parse::<Element>()
            .map_err(|e| ArchiveError::Storage(format!("message `{}`: {e}", self.id)))
    }

    fn archived(&self) -> Result<Archived, ArchiveError> {
        Ok(Archived {
            id: self.id.to_string(),
            stamp: self.stamp,
            with: self.with.clone(),
            message: self.message()?,
        })
    }
}

#[derive(Debug, Default)]
struct OneArchive {
    items: Vec<Stored>,
    by_id: HashMap<String, usize>,
    /// Positions by bare partner, ascending.
    by_with: HashMap<BareJid, Vec<usize>>,
}

/// An in-memory [`Archive`].
#[derive(Debug, Default)]
pub struct MemoryArchive {
    archives: HashMap<BareJid, OneArchive>,
    prefs: HashMap<BareJid, Prefs>,
}

impl MemoryArchive {
    /// The positions of `owner`'s messages (with `with`) that `reader` has not read, in order:
    /// after `after` and after the reader's own last message, not written by the reader.
    fn unread_positions<'a>(
        &'a self,
        owner: &BareJid,
        with: Option<&BareJid>,
        after: Option<u64>,
        reader: &'a BareJid,
    ) -> Box<dyn Iterator<Item = usize> + 'a> {
        let Some(archive) = self.archives.get(owner) else {
            return Box::new(std::iter::empty());
        };
        let from = after.map_or(0, |p| {
            usize::try_from(p).unwrap_or(usize::MAX).saturating_add(1)
        });
        let by_reader = move |p: &usize| archive.items[*p].author.as_ref() == Some(reader);
        let by_other = move |p: &usize| {
            archive.items[*p]
                .author
                .as_ref()
                .is_some_and(|a| a != reader)
        };
        // What follows the reader's own last message after `from` is what is unread: walk back
        // from the end only as far as that message, or `from`.
        match with {
            None => {
                let end = archive.items.len();
                let from = from.min(end);
                let start = (from..end).rev().find(by_reader).map_or(from, |p| p + 1);
                Box::new((start..end).filter(by_other))
            }
            Some(with) => {
                let list = archive
                    .by_with
                    .get(with)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let from = list.partition_point(|p| *p < from);
                let start = list[from..]
                    .iter()
                    .rposition(by_reader)
                    .map_or(from, |i| from + i + 1);
                Box::new(list[start..].iter().copied().filter(by_other))
            }
        }
    }
}

/// The selected positions: a range of the whole archive, or a sorted list of positions.
enum Selection<'a> {
    Range(usize, usize),
    List(std::borrow::Cow<'a, [usize]>),
}

impl Selection<'_> {
    fn len(&self) -> usize {
        match self {
            Selection::Range(lo, hi) => hi - lo,
            Selection::List(l) => l.len(),
        }
    }
    fn at(&self, i: usize) -> usize {
        match self {
            Selection::Range(lo, _) => lo + i,
            Selection::List(l) => l[i],
        }
    }
    /// How many selected positions are below `position`.
    fn rank(&self, position: usize) -> usize {
        match self {
            Selection::Range(lo, hi) => position.clamp(*lo, *hi) - lo,
            Selection::List(l) => l.partition_point(|p| *p < position),
        }
    }
}

impl OneArchive {
    fn position(&self, id: &str) -> Result<usize, ArchiveError> {
        self.by_id
            .get(id)
            .copied()
            .ok_or_else(|| ArchiveError::ItemNotFound(id.to_owned()))
    }

    fn select(&self, filter: &Filter) -> Result<Selection<'_>, ArchiveError> {
        let selection = self.select_by_fields(filter)?;
        let words = filter
            .fulltext
            .as_deref()
            .map(crate::fulltext::words)
            .unwrap_or_default();
        if words.is_empty() {
            return Ok(selection);
        }
        // Full text: a scan of the bodies of what the other fields selected (the reference,
        // not the fast path; the database stores have indexes).
        let found: Vec<usize> = (0..selection.len())
            .map(|i| selection.at(i))
            .filter(|p| {
                self.items[*p]
                    .body
                    .as_deref()
                    .is_some_and(|body| crate::fulltext::matches_text(&words, body))
            })
            .collect();
        Ok(Selection::List(found.into()))
    }

    fn select_by_fields(&self, filter: &Filter) -> Result<Selection<'_>, ArchiveError> {
        // Bounds on positions from time and ids, each O(log n).
        let mut lo = 0;
        let mut hi = self.items.len();
        if let Some(start) = filter.start {
            lo = lo.max(self.items.partition_point(|i| i.stamp.0 < start.0));
        }
        if let Some(end) = filter.end {
            hi = hi.min(self.items.partition_point(|i| i.stamp.0 <= end.0));
        }
        if let Some(after) = &filter.after_id {
            lo = lo.max(self.position(after)? + 1);
        }
        if let Some(before) = &filter.before_id {
            hi = hi.min(self.position(before)?);
        }
        let hi = hi.max(lo);
        let in_bounds = |p: &usize| (lo..hi).contains(p);
        let with_matches = |p: usize| {
            filter.with.as_ref().is_none_or(|w| match w.resource() {
                None => self.items[p].with.to_bare() == w.to_bare(),
                Some(_) => self.items[p].with == *w,
            })
        };
        if !filter.ids.is_empty() {
            let mut positions = filter
                .ids
                .iter()
                .map(|id| self.position(id))
                .collect::<Result<Vec<_>, _>>()?;
            positions.sort_unstable();
            positions.dedup();
            positions.retain(|p| in_bounds(p) && with_matches(*p));
            return Ok(Selection::List(positions.into()));
        }
        match &filter.with {
            None => Ok(Selection::Range(lo, hi)),
            Some(with) => {
                let list = self
                    .by_with
                    .get(&with.to_bare())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let from = list.partition_point(|p| *p < lo);
                let to = list.partition_point(|p| *p < hi);
                let slice = &list[from..to];
                if with.resource().is_some() {
                    // A full JID: only that resource (rare; costs the conversation's range).
                    let exact: Vec<usize> =
                        slice.iter().copied().filter(|p| with_matches(*p)).collect();
                    Ok(Selection::List(exact.into()))
                } else {
                    Ok(Selection::List(slice.into()))
                }
            }
        }
    }
}

impl Archive for MemoryArchive {
    fn append_entry(&mut self, owner: &BareJid, mut item: Entry) -> Result<(), ArchiveError> {
        let archive = self.archives.entry(owner.clone()).or_default();
        if archive.by_id.contains_key(item.id.as_str()) {
            return Err(ArchiveError::Storage(format!("duplicate id `{}`", item.id)));
        }
        if let Some(last) = archive.items.last() {
            if item.stamp.0 < last.stamp.0 {
                item.stamp = last.stamp;
            }
        }
        let position = archive.items.len();
        archive.by_id.insert(item.id.clone(), position);
        archive
            .by_with
            .entry(item.with.to_bare())
            .or_default()
            .push(position);
        archive.items.push(Stored::new(item));
        Ok(())
    }

    fn query(
        &self,
        owner: &BareJid,
        filter: &Filter,
        page: &Page,
    ) -> Result<PageResult, ArchiveError> {
        let empty = OneArchive::default();
        let archive = self.archives.get(owner).unwrap_or(&empty);
        let selection = archive.select(filter)?;
        let count = selection.len();
        let (start, end, complete) = match (&page.after, &page.before) {
            (_, Some(before)) => {
                let end = if before.is_empty() {
                    count
                } else {
                    selection.rank(archive.position(before)?)
                };
                let start = end.saturating_sub(page.max);
                (start, end, start == 0)
            }
            (Some(after), None) => {
                let start = selection.rank(archive.position(after)? + 1);
                let end = (start + page.max).min(count);
                (start, end, end == count)
            }
            (None, None) => {
                let start = page.index.unwrap_or(0).min(count);
                let end = (start + page.max).min(count);
                (start, end, end == count)
            }
        };
        let items = (start..end)
            .map(|i| archive.items[selection.at(i)].archived())
            .collect::<Result<_, _>>()?;
        Ok(PageResult {
            items,
            first_index: start,
            count,
            complete,
        })
    }

    fn bounds(&self, owner: &BareJid) -> Result<Option<[(String, DateTime); 2]>, ArchiveError> {
        Ok(self.archives.get(owner).and_then(|a| {
            let first = a.items.first()?;
            let last = a.items.last()?;
            Some([
                (first.id.to_string(), first.stamp),
                (last.id.to_string(), last.stamp),
            ])
        }))
    }

    fn position(&self, owner: &BareJid, id: &str) -> Result<Option<u64>, ArchiveError> {
        Ok(self
            .archives
            .get(owner)
            .and_then(|a| a.by_id.get(id))
            .map(|p| *p as u64))
    }

    fn count_unread(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
        after: Option<u64>,
        reader: &BareJid,
    ) -> Result<u64, ArchiveError> {
        Ok(self.unread_positions(owner, with, after, reader).count() as u64)
    }

    fn first_unread(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
        after: Option<u64>,
        reader: &BareJid,
    ) -> Result<Option<(u64, String)>, ArchiveError> {
        let first = self.unread_positions(owner, with, after, reader).next();
        Ok(first.and_then(|p| {
            let item = self.archives.get(owner)?.items.get(p)?;
            Some((p as u64, item.id.to_string()))
        }))
    }

    fn latest(
        &self,
        owner: &BareJid,
        with: Option<&BareJid>,
    ) -> Result<Option<(u64, String)>, ArchiveError> {
        let Some(archive) = self.archives.get(owner) else {
            return Ok(None);
        };
        let position = match with {
            None => archive.items.len().checked_sub(1),
            Some(with) => archive.by_with.get(with).and_then(|l| l.last().copied()),
        };
        Ok(position.map(|p| (p as u64, archive.items[p].id.to_string())))
    }

    fn partners(&self, owner: &BareJid) -> Result<Vec<BareJid>, ArchiveError> {
        let mut partners: Vec<BareJid> = self
            .archives
            .get(owner)
            .map(|a| a.by_with.keys().cloned().collect())
            .unwrap_or_default();
        partners.sort();
        Ok(partners)
    }

    fn prefs(&self, owner: &BareJid) -> Result<Prefs, ArchiveError> {
        Ok(self.prefs.get(owner).cloned().unwrap_or_default())
    }

    fn set_prefs(&mut self, owner: &BareJid, prefs: Prefs) -> Result<(), ArchiveError> {
        self.prefs.insert(owner.clone(), prefs);
        Ok(())
    }
}

/// The author of an instant message archived before archives recorded authors: the bare JID of
/// the stored stanza's `from` (`None` for a message without a body), except in a room's archive (the message comes from the room's own
/// JID, `owner` = `with`), where the real JID is not in the stanza; a stanza without `from` is
/// the owner's own. Stores call it once, when they add the author column.
///
/// ```
/// use xmppkit_mam::stored_author;
/// let juliet = "juliet@capulet.lit".parse().unwrap();
/// let romeo = "romeo@montague.lit".parse().unwrap();
/// let sent = "<message xmlns='jabber:client' from='juliet@capulet.lit/balcony'><body>hi</body></message>";
/// assert_eq!(stored_author(&juliet, &romeo, sent), Some(juliet.clone()));
/// let room = "coven@chat.shakespeare.lit".parse().unwrap();
/// let said = "<message xmlns='jabber:client' from='coven@chat.shakespeare.lit/thirdwitch'/>";
/// assert_eq!(stored_author(&room, &room, said), None);
/// ```
pub fn stored_author(owner: &BareJid, with: &BareJid, stanza: &str) -> Option<BareJid> {
    let message = stanza.parse::<Element>().ok()?;
    if !xmppkit_stanza::has_body(&message) {
        return None;
    }
    let Some(from) = message.attr("from") else {
        return Some(owner.clone());
    };
    let from = from.parse::<Jid>().ok()?.to_bare();
    (from != *owner || with != owner).then_some(from)
}
