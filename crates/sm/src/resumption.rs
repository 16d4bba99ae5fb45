//! What outlives a connection (XEP-0198 §5): the client's [`Resumption`] token, the server's
//! [`DetachedSession`], and the server's table of detached sessions that expire after `max`
//! seconds and hand back the stanzas the client never acknowledged.

use crate::stream::SmStream;
use minidom::Element;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Instant;
use xmppkit_jid::FullJid;

/// Client side: what is needed to resume a stream on a new connection.
#[derive(Debug, Clone, PartialEq)]
pub struct Resumption {
    /// The `id` of `<enabled/>`, sent back as `previd`.
    pub id: String,
    /// Where the server asked us to reconnect to resume (`location`), if anywhere.
    pub location: Option<String>,
    /// The full JID of the stream, restored when resumed.
    pub jid: FullJid,
    /// Until when the server promised to keep the session (from `max`), when it said.
    pub expires: Option<Instant>,
    /// The counters and the unacknowledged stanzas.
    pub stream: SmStream,
}

/// Server side: a resumable session whose connection is gone.
#[derive(Debug, Clone, PartialEq)]
pub struct DetachedSession {
    /// The resumption id.
    pub id: String,
    /// The session's full JID.
    pub jid: FullJid,
    /// When it stops being resumable.
    pub expires: Instant,
    /// The counters and the stanzas the client has not acknowledged.
    pub stream: SmStream,
}

/// A detached session that expired: its unacknowledged stanzas, to bounce or store offline.
#[derive(Debug, Clone, PartialEq)]
pub struct Expired {
    /// The session's full JID.
    pub jid: FullJid,
    /// The stanzas sent to it and never acknowledged, oldest first.
    pub unacked: Vec<Element>,
}

/// How many expired ids the table remembers with their last `h`, for `<failed h='…'/>`.
const REMEMBERED_EXPIRED: usize = 4096;

/// The server's detached sessions by resumption id, with their deadlines. It also remembers the
/// handled count of the last few thousand expired sessions, so a late `<resume/>` is answered
/// `<failed h='…'/>` and the client learns which of its stanzas did arrive (XEP-0198 §5).
///
/// ```
/// use std::time::{Duration, Instant};
/// use xmppkit_sm::{DetachedSession, DetachedSessions, SmConfig, SmStream};
///
/// let now = Instant::now();
/// let mut table = DetachedSessions::default();
/// let mut stream = SmStream::new(SmConfig::default());
/// stream.sent(minidom::Element::builder("message", "jabber:client").build(), now);
/// table.insert(DetachedSession {
///     id: "a1".into(),
///     jid: "juliet@example.com/balcony".parse().unwrap(),
///     expires: now + Duration::from_secs(300),
///     stream,
/// });
/// assert_eq!(table.poll_timeout(), Some(now + Duration::from_secs(300)));
/// let expired = table.handle_timeout(now + Duration::from_secs(300));
/// assert_eq!(expired[0].unacked.len(), 1); // handed back, not dropped
/// assert!(table.take("a1").is_none());
/// assert_eq!(table.expired_h("a1"), Some(0)); // for <failed h='0'/>
/// ```
#[derive(Debug, Default)]
pub struct DetachedSessions {
    by_id: HashMap<String, DetachedSession>,
    deadlines: BTreeSet<(Instant, String)>,
    expired_h: HashMap<String, u32>,
    expired_order: VecDeque<String>,
}

impl DetachedSessions {
    /// Keeps `session` until it expires or is taken. A session with the same id is replaced and
    /// returned.
    pub fn insert(&mut self, session: DetachedSession) -> Option<DetachedSession> {
        self.deadlines.insert((session.expires, session.id.clone()));
        let old = self.by_id.insert(session.id.clone(), session);
        if let Some(old) = &old {
            self.deadlines.remove(&(old.expires, old.id.clone()));
        }
        old
    }

    /// Takes the session `id` out to resume it (`None`: unknown or expired: `item-not-found`).
    pub fn take(&mut self, id: &str) -> Option<DetachedSession> {
        let session = self.by_id.remove(id)?;
        self.deadlines
            .remove(&(session.expires, session.id.clone()));
        Some(session)
    }

    /// The detached session `id`, e.g. to queue a stanza for it with
    /// [`SmStream::queue`](crate::SmStream::queue) while its client is away.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut DetachedSession> {
        self.by_id.get_mut(id)
    }

    /// The handled count of a session that expired recently (`None`: unknown or long gone).
    pub fn expired_h(&self, id: &str) -> Option<u32> {
        self.expired_h.get(id).copied()
    }

    /// How many are kept.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The next expiry.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    /// Removes the sessions expired at `now` and returns their unacknowledged stanzas.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Expired> {
        let mut expired = Vec::new();
        while let Some((at, id)) = self.deadlines.first().cloned() {
            if at > now {
                break;
            }
            self.deadlines.pop_first();
            if let Some(mut session) = self.by_id.remove(&id) {
                if self.expired_order.len() == REMEMBERED_EXPIRED {
                    if let Some(oldest) = self.expired_order.pop_front() {
                        self.expired_h.remove(&oldest);
                    }
                }
                if self
                    .expired_h
                    .insert(id.clone(), session.stream.h())
                    .is_none()
                {
                    self.expired_order.push_back(id);
                }
                expired.push(Expired {
                    jid: session.jid,
                    unacked: session.stream.take_unacked(),
                });
            }
        }
        expired
    }
}
