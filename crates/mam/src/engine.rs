//! The server side of XEP-0313: what is archived, the stanza-id every copy carries (XEP-0359),
//! and the answers to queries, form discovery, metadata and preferences, with who may query
//! which archive and the error of each bad request (§4–§6).

use crate::archive::{Archive, ArchiveError, Archived, Entry, Page};
use crate::payload::{query_form, Filter, Fin, FormError, Metadata, Prefs, Query, ResultItem, NS};
use minidom::Element;
use xmppkit_codec::{RawStanza, Routing};
use xmppkit_jid::{BareJid, Jid};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::hints::Hint;
use xmppkit_stanza::rsm::Set;
use xmppkit_stanza::sid::{stamp, StanzaId};
use xmppkit_stanza::{
    has_body, ns, set_attr, DefinedCondition, Iq, IqPayload, StanzaError, StanzaView,
};

/// Whose archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    /// A user's: their 1:1 messages; only they may query it.
    User,
    /// A room's: its groupchat messages; its members and occupants may query it.
    Room,
}

/// Limits of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MamConfig {
    /// Page size when the query gives no `<max/>`.
    pub default_page: usize,
    /// The largest `<max/>` accepted (larger: `not-acceptable`).
    pub max_page: usize,
}

impl Default for MamConfig {
    fn default() -> Self {
        MamConfig {
            default_page: 50,
            max_page: 250,
        }
    }
}

/// Whether a message goes into an archive of `kind`: it has a body, a chat marker or a `store`
/// hint; it is not an error and has no `no-store` / `no-permanent-store` hint (XEP-0334); users
/// archive their 1:1 messages, rooms their groupchat messages.
///
/// ```
/// use xmppkit_mam::{should_archive, ArchiveKind};
/// let chat: minidom::Element = "<message xmlns='jabber:client' type='chat'><body>hi</body></message>".parse().unwrap();
/// let typing: minidom::Element = "<message xmlns='jabber:client' type='chat'>\
///     <composing xmlns='http://jabber.org/protocol/chatstates'/></message>".parse().unwrap();
/// assert!(should_archive(&chat, ArchiveKind::User));
/// assert!(!should_archive(&typing, ArchiveKind::User));
/// assert!(!should_archive(&chat, ArchiveKind::Room));
/// ```
pub fn should_archive<S: StanzaView + ?Sized>(message: &S, kind: ArchiveKind) -> bool {
    if message.stanza_name() != "message" {
        return false;
    }
    let type_ = message.stanza_type();
    let type_ = type_.as_deref().unwrap_or("normal");
    let groupchat = type_ == "groupchat";
    if type_ == "error" || groupchat != (kind == ArchiveKind::Room) {
        return false;
    }
    if Hint::NoStore.is_in(message) || Hint::NoPermanentStore.is_in(message) {
        return false;
    }
    Hint::Store.is_in(message) || has_body(message) || message.has_child_in(ns::CHAT_MARKERS)
}

/// The archive service over an [`Archive`].
#[derive(Debug, Default)]
pub struct Mam<A> {
    archive: A,
    config: MamConfig,
}

impl<A: Archive> Mam<A> {
    /// A service over `archive`.
    pub fn new(archive: A, config: MamConfig) -> Self {
        Mam { archive, config }
    }

    /// The archive.
    pub fn archive(&self) -> &A {
        &self.archive
    }

    /// Archives `message` for `owner` when it qualifies ([`should_archive`], then the owner's
    /// preferences for `with`), under `id` (unique in that archive) at `now`. Returns the
    /// stanza-id to [`stamp`] on every copy that is delivered, or `None` when not archived.
    #[allow(clippy::too_many_arguments)]
    pub fn store(
        &mut self,
        owner: &BareJid,
        kind: ArchiveKind,
        with: &Jid,
        in_roster: bool,
        message: &Element,
        id: String,
        now: DateTime,
    ) -> Result<Option<StanzaId>, ArchiveError> {
        if !self.qualifies(owner, kind, with, in_roster, message)? {
            return Ok(None);
        }
        let sid = StanzaId {
            id,
            by: owner.clone().into(),
        };
        let author = match kind {
            ArchiveKind::User if has_body(message) => {
                Some(user_author(owner, message.attr("from")))
            }
            _ => None,
        };
        self.append_stamped(owner, with, author, message, &sid, now)?;
        Ok(Some(sid))
    }

    /// Archives a groupchat `message` in `room`'s archive as [`store`](Self::store) does, with
    /// the occupant's real bare JID as the author of an instant message (one with a body: what
    /// unread counts count for the others and leave out for that member).
    pub fn store_room(
        &mut self,
        room: &BareJid,
        occupant: &Jid,
        author: &BareJid,
        message: &Element,
        id: String,
        now: DateTime,
    ) -> Result<Option<StanzaId>, ArchiveError> {
        if !self.qualifies(room, ArchiveKind::Room, occupant, false, message)? {
            return Ok(None);
        }
        let sid = StanzaId {
            id,
            by: room.clone().into(),
        };
        let author = has_body(message).then(|| author.clone());
        self.append_stamped(room, occupant, author, message, &sid, now)?;
        Ok(Some(sid))
    }

    fn append_stamped(
        &mut self,
        owner: &BareJid,
        with: &Jid,
        author: Option<BareJid>,
        message: &Element,
        sid: &StanzaId,
        now: DateTime,
    ) -> Result<(), ArchiveError> {
        let mut stored = message.clone();
        stamp(&mut stored, sid);
        let entry = Entry::from(Archived {
            id: sid.id.clone(),
            stamp: now,
            with: with.clone(),
            message: stored,
        });
        self.archive.append_entry(owner, entry.by(author))
    }

    /// [`store`](Self::store) for a message routed as bytes: archived as them, with the
    /// stanza-id spliced in as its last child, and no tree built. Returns the message as archived
    /// (with its stanza-id), which is what is delivered, or `None` when not archived. A message
    /// that already carries a stanza-id (a forged one, which must go, XEP-0359 §3.2) takes the
    /// tree path.
    #[allow(clippy::too_many_arguments)]
    pub fn store_raw(
        &mut self,
        owner: &BareJid,
        kind: ArchiveKind,
        with: &Jid,
        in_roster: bool,
        message: &RawStanza,
        id: String,
        now: DateTime,
    ) -> Result<Option<RawStanza>, ArchiveError> {
        if message.has_child_named("stanza-id", ns::SID) {
            let mut tree = message
                .element()
                .map_err(|e| ArchiveError::Storage(e.to_string()))?
                .clone();
            return Ok(
                match self.store(owner, kind, with, in_roster, &tree, id, now)? {
                    Some(sid) => {
                        stamp(&mut tree, &sid);
                        let stamped = RawStanza::from_element(&tree, message.ns())
                            .map_err(|e| ArchiveError::Storage(e.to_string()))?;
                        Some(stamped)
                    }
                    None => None,
                },
            );
        }
        if !self.qualifies(owner, kind, with, in_roster, message)? {
            return Ok(None);
        }
        let sid = StanzaId {
            id: id.clone(),
            by: owner.clone().into(),
        };
        let author = match kind {
            ArchiveKind::User if message.has_child("body", ns::CLIENT) => {
                Some(user_author(owner, message.attr(Routing::From).as_deref()))
            }
            _ => None,
        };
        let stamped = message.with_child(&sid.into());
        let entry = Entry::from_raw(id, now, with.clone(), &stamped).by(author);
        self.archive.append_entry(owner, entry)?;
        Ok(Some(stamped))
    }

    /// Whether `message` goes into `owner`'s archive: [`should_archive`], then the owner's
    /// preferences for `with` (users' archives).
    fn qualifies<S: StanzaView + ?Sized>(
        &self,
        owner: &BareJid,
        kind: ArchiveKind,
        with: &Jid,
        in_roster: bool,
        message: &S,
    ) -> Result<bool, ArchiveError> {
        if !should_archive(message, kind) {
            return Ok(false);
        }
        Ok(kind != ArchiveKind::User || self.archive.prefs(owner)?.archives(with, in_roster))
    }

    /// A MAM IQ addressed to an archive of `kind` (its `to`, or the sender's own account when
    /// absent). `may_read_room` says who may query a room's archive (members, occupants).
    /// Returns `None` when the IQ is not for MAM; otherwise the stanzas to send back in order:
    /// the `<result/>` messages, then the IQ result with `<fin/>` (or a single IQ error).
    pub fn handle_iq(
        &mut self,
        iq: &Iq,
        kind: ArchiveKind,
        may_read_room: impl Fn(&BareJid) -> bool,
    ) -> Option<Vec<Element>> {
        let (request, set) = match &iq.payload {
            IqPayload::Get(e) if e.has_ns(NS) => (e, false),
            IqPayload::Set(e) if e.has_ns(NS) => (e, true),
            _ => return None,
        };
        let fail = |condition| Some(vec![iq.error(StanzaError::new(condition)).into()]);
        let Some(requester) = iq.from.as_ref().map(Jid::to_bare) else {
            return fail(DefinedCondition::BadRequest);
        };
        let owner = iq.to.as_ref().map_or(requester.clone(), Jid::to_bare);
        let allowed = match kind {
            ArchiveKind::User => owner == requester,
            ArchiveKind::Room => may_read_room(&requester),
        };
        if !allowed {
            return fail(DefinedCondition::Forbidden);
        }
        let storage_failed = |e: ArchiveError| match e {
            ArchiveError::ItemNotFound(_) => fail(DefinedCondition::ItemNotFound),
            ArchiveError::Storage(_) => fail(DefinedCondition::InternalServerError),
        };
        let result = |payload: Element| Some(vec![iq.result(Some(payload)).into()]);
        match (request.name(), set) {
            ("query", false) => {
                let mut query = Element::builder("query", NS).build();
                query.append_child(query_form().into());
                result(query)
            }
            ("query", true) => self.query(iq, request, &owner),
            ("metadata", false) => match self.archive.bounds(&owner) {
                Ok(bounds) => {
                    let [start, end] = bounds.map_or([None, None], |[s, e]| [Some(s), Some(e)]);
                    result(Metadata { start, end }.into())
                }
                Err(e) => storage_failed(e),
            },
            ("prefs", false) => match self.archive.prefs(&owner) {
                Ok(prefs) => result(prefs.into()),
                Err(e) => storage_failed(e),
            },
            ("prefs", true) => {
                let Ok(prefs) = Prefs::try_from(request.clone()) else {
                    return fail(DefinedCondition::BadRequest);
                };
                if kind == ArchiveKind::Room && requester != owner {
                    // Room preferences belong to the room's configuration, not to members.
                    return fail(DefinedCondition::Forbidden);
                }
                match self.archive.set_prefs(&owner, prefs.clone()) {
                    Ok(()) => result(prefs.into()),
                    Err(e) => storage_failed(e),
                }
            }
            _ => fail(DefinedCondition::FeatureNotImplemented),
        }
    }

    /// §4: run the query, then one `<message><result/></message>` per item and the `<fin/>`.
    fn query(&self, iq: &Iq, request: &Element, owner: &BareJid) -> Option<Vec<Element>> {
        let fail = |condition, text: String| {
            let error = StanzaError::new(condition).with_text("en", text);
            Some(vec![iq.error(error).into()])
        };
        let query = match Query::try_from(request.clone()) {
            Ok(q) => q,
            Err(e) => return fail(DefinedCondition::BadRequest, e.to_string()),
        };
        let filter = match query.form.as_ref().map(Filter::from_form).transpose() {
            Ok(f) => f.unwrap_or_default(),
            Err(e @ FormError::UnknownField(_)) => {
                return fail(DefinedCondition::FeatureNotImplemented, e.to_string())
            }
            Err(e) => return fail(DefinedCondition::BadRequest, e.to_string()),
        };
        let rsm = query.set.clone().unwrap_or_default();
        let max = rsm.max.map_or(self.config.default_page, |m| m as usize);
        if max > self.config.max_page {
            return fail(
                DefinedCondition::NotAcceptable,
                format!("pages hold at most {} messages", self.config.max_page),
            );
        }
        if rsm.after.is_some() && rsm.before.is_some() {
            return fail(
                DefinedCondition::BadRequest,
                "<after/> and <before/> together: use after-id and before-id".into(),
            );
        }
        let page = Page {
            max,
            after: rsm.after,
            before: rsm.before,
            index: rsm.index.map(|i| i as usize),
        };
        let found = match self.archive.query(owner, &filter, &page) {
            Ok(found) => found,
            Err(ArchiveError::ItemNotFound(id)) => {
                return fail(DefinedCondition::ItemNotFound, format!("no message `{id}`"))
            }
            Err(e) => return fail(DefinedCondition::InternalServerError, e.to_string()),
        };
        let mut out = Vec::with_capacity(found.items.len() + 1);
        let set = Set {
            first: found
                .items
                .first()
                .map(|i| (i.id.clone(), Some(found.first_index as u32))),
            last: found.items.last().map(|i| i.id.clone()),
            count: Some(found.count as u32),
            ..Set::default()
        };
        let mut items = found.items;
        if query.flip_page {
            items.reverse();
        }
        for (n, item) in items.into_iter().enumerate() {
            let mut message = Element::builder("message", ns::CLIENT).build();
            if let Some(to) = &iq.from {
                set_attr(&mut message, "to", to.to_string());
            }
            set_attr(&mut message, "from", owner.to_string());
            set_attr(&mut message, "id", format!("{}-{n}", iq.id));
            let result = ResultItem::of(query.queryid.clone(), item);
            message.append_child(result.into());
            out.push(message);
        }
        let fin = Fin {
            complete: found.complete,
            stable: true,
            set,
        };
        out.push(iq.result(Some(fin.into())).into());
        Some(out)
    }
}

/// Who wrote a message in `owner`'s own archive: the bare JID of its `from`, or the owner when
/// it has none (a client's own stanza before the server stamped it).
fn user_author(owner: &BareJid, from: Option<&str>) -> BareJid {
    from.and_then(|f| f.parse::<Jid>().ok())
        .map_or_else(|| owner.clone(), |f| f.to_bare())
}
