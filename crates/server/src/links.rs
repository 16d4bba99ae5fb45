//! The engine's links to other XMPP entities that are not users' sessions: outgoing
//! server-to-server streams by domain pair (RFC 6120 §4.2; one per local sending domain and
//! remote domain, as dialback authenticates pairs, XEP-0220 §2) and XEP-0114 external
//! components by domain. Plain data: which link serves what, and what waits for a link.

use minidom::Element;
use std::collections::{HashMap, VecDeque};
use std::time::Instant;

/// One link, named by the engine ([`crate::Output::Dial`], [`crate::Server::attach_component`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkId(pub u64);

/// Why an outgoing link failed, for the errors its waiting stanzas get (RFC 6120 §8.3.3.13-14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkFailure {
    /// No address, a refused connection, or authentication refused: `remote-server-not-found`.
    NotFound,
    /// No answer in time: `remote-server-timeout`.
    Timeout,
}

/// A (local sending domain, remote domain) pair.
pub(crate) type Pair = (String, String);

#[derive(Debug)]
pub(crate) enum Link {
    /// Being set up: stanzas wait, in order, until `deadline`.
    Dialing {
        pair: Pair,
        queue: VecDeque<Element>,
        deadline: Instant,
    },
    /// Authenticated: closed when idle past `idle_until`. `dialed`: on a stream this server
    /// opened (other sending domains of ours may be multiplexed on it), not on a remote
    /// server's bidirectional one.
    Up {
        pair: Pair,
        idle_until: Instant,
        dialed: bool,
    },
    /// An external component serving `domain`.
    Component { domain: String },
}

/// Every link, by id, by pair and by component domain.
#[derive(Debug, Default)]
pub(crate) struct Links {
    next: u64,
    pub links: HashMap<LinkId, Link>,
    pub by_pair: HashMap<Pair, LinkId>,
    pub components: HashMap<String, LinkId>,
}

impl Links {
    pub fn new_id(&mut self) -> LinkId {
        self.next += 1;
        LinkId(self.next)
    }

    /// The earliest deadline of a link being set up or idle.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.links
            .values()
            .filter_map(|l| match l {
                Link::Dialing { deadline, .. } => Some(*deadline),
                Link::Up { idle_until, .. } => Some(*idle_until),
                Link::Component { .. } => None,
            })
            .min()
    }

    /// Removes a link and its indexes.
    pub fn remove(&mut self, id: LinkId) -> Option<Link> {
        let link = self.links.remove(&id)?;
        match &link {
            Link::Dialing { pair, .. } | Link::Up { pair, .. } => {
                if self.by_pair.get(pair) == Some(&id) {
                    self.by_pair.remove(pair);
                }
            }
            Link::Component { domain } => {
                if self.components.get(domain) == Some(&id) {
                    self.components.remove(domain);
                }
            }
        }
        Some(link)
    }

    /// An authenticated link this server dialed to `domain`, to multiplex another sending
    /// domain on (XEP-0220 §3).
    pub fn carrier(&self, domain: &str) -> Option<LinkId> {
        self.links.iter().find_map(|(id, link)| match link {
            Link::Up {
                pair, dialed: true, ..
            } if pair.1 == domain => Some(*id),
            _ => None,
        })
    }

    /// Links past their deadline at `now`.
    pub fn expired(&self, now: Instant) -> Vec<LinkId> {
        self.links
            .iter()
            .filter(|(_, l)| match l {
                Link::Dialing { deadline, .. } => *deadline <= now,
                Link::Up { idle_until, .. } => *idle_until <= now,
                Link::Component { .. } => false,
            })
            .map(|(id, _)| *id)
            .collect()
    }
}
