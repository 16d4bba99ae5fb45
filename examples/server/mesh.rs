//! How the shards of the example server reach each other: one channel into each shard, so
//! what one shard sends another (a new connection, a connection that authenticated as one of
//! its users, forwarded stanzas) arrives in order; and, per pair of shards, how far the
//! receiver has handled the sender's stanzas and made their writes durable, so that a
//! connection whose acknowledgement depends on a stanza it forwarded waits for that.
//! Forwarded stanzas are gathered over a turn of the shard's runtime and sent as one message
//! (one wake-up of the other thread, not one per stanza). At most [`INBOX`] of them wait for
//! a shard: what does not fit is refused when it is forwarded, never waited for (two shards
//! waiting on each other would stop both).

use crate::connection::Moving;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, watch, Notify};
use xmppkit::jid::BareJid;
use xmppkit::server::Shards;
use xmppkit::stanza::Outgoing;

/// How many forwarded stanzas wait for a shard at most. A burst of 100 users sending 200
/// messages each to users of another shard (the load run) stays well below it.
pub const INBOX: usize = 65_536;

/// What a shard is sent.
pub enum ToShard {
    /// A connection the listener accepted.
    Accept(std::net::TcpStream, std::net::SocketAddr),
    /// Another server's connection (server-to-server), for the first shard; with TLS from the
    /// first byte when `true` (XEP-0368).
    AcceptServer(std::net::TcpStream, std::net::SocketAddr, bool),
    /// An external component's connection (XEP-0114), for the first shard.
    AcceptComponent(std::net::TcpStream, std::net::SocketAddr),
    /// A connection that authenticated as a user this shard serves.
    Moved(Box<Moving>),
    /// Stanzas shard `from` forwarded here, in order; the last is its `last`th, counted per
    /// pair of shards from 1.
    Forward {
        /// The sending shard.
        from: usize,
        /// The number of the last stanza.
        last: u64,
        /// The stanzas.
        stanzas: Vec<Outgoing>,
    },
    /// Ctrl-C: say goodbye and stop.
    Shutdown,
}

/// `handled[from][to]`: the last stanza from `from` that `to` handled durably.
pub type Progress = Arc<Vec<Vec<watch::Sender<u64>>>>;

/// What the shards share: their channels, how many forwarded stanzas wait in each, and how
/// far each got with every other's stanzas.
#[derive(Clone)]
pub struct Links {
    /// Every shard's channel.
    pub inboxes: Vec<mpsc::UnboundedSender<ToShard>>,
    /// Forwarded stanzas sent to each shard and not taken yet.
    pub waiting: Arc<Vec<AtomicUsize>>,
    /// How far every shard got with every other's stanzas.
    pub handled: Progress,
}

impl Links {
    /// The links of `n` shards, and each one's receiving end.
    pub fn new(n: usize) -> (Links, Vec<mpsc::UnboundedReceiver<ToShard>>) {
        let (inboxes, receivers) = (0..n).map(|_| mpsc::unbounded_channel()).unzip();
        let handled = (0..n)
            .map(|_| (0..n).map(|_| watch::channel(0).0).collect())
            .collect();
        let links = Links {
            inboxes,
            waiting: Arc::new((0..n).map(|_| AtomicUsize::new(0)).collect()),
            handled: Arc::new(handled),
        };
        (links, receivers)
    }
}

/// One shard's view of the others.
pub struct Mesh {
    /// Where everything is served, and which shard this is.
    pub shards: Shards,
    /// The channels and the progress.
    pub links: Links,
    /// Stanzas this shard forwarded to each shard so far.
    sent: Vec<u64>,
    /// Forwarded this turn, not sent yet, per shard.
    pending: Vec<Vec<Outgoing>>,
    /// Wakes the task that sends what is pending ([`Mesh::flush`]).
    pub flushing: Arc<Notify>,
}

impl Mesh {
    /// Shard `shards.this` of a mesh.
    pub fn new(shards: Shards, links: Links) -> Mesh {
        let n = links.inboxes.len();
        Mesh {
            shards,
            links,
            sent: vec![0; n],
            pending: (0..n).map(|_| Vec::new()).collect(),
            flushing: Arc::new(Notify::new()),
        }
    }

    /// This shard.
    pub fn this(&self) -> usize {
        self.shards.this as usize
    }

    /// The shard that serves `user`.
    pub fn home(&self, user: &BareJid) -> usize {
        self.shards.of(user) as usize
    }

    /// Sends `message` to shard `to`; false when that shard has stopped.
    pub fn send(&self, to: usize, message: ToShard) -> bool {
        self.links
            .inboxes
            .get(to)
            .is_some_and(|i| i.send(message).is_ok())
    }

    /// Forwards `stanza` to shard `to`, numbered, sent at the end of this turn; gives it back
    /// (`Some`) when [`INBOX`] stanzas already wait for that shard.
    pub fn forward(&mut self, to: usize, stanza: Outgoing) -> Option<Outgoing> {
        let Some(waiting) = self.links.waiting.get(to) else {
            return Some(stanza);
        };
        if waiting.fetch_add(1, Ordering::AcqRel) >= INBOX {
            waiting.fetch_sub(1, Ordering::AcqRel);
            tracing::warn!("shard {to} is overloaded: a stanza for it is refused");
            return Some(stanza);
        }
        self.sent[to] += 1;
        self.pending[to].push(stanza);
        self.flushing.notify_one();
        None
    }

    /// Sends what was forwarded this turn, one message per shard.
    pub fn flush(&mut self) {
        let from = self.this();
        for to in 0..self.pending.len() {
            if self.pending[to].is_empty() {
                continue;
            }
            let stanzas = std::mem::take(&mut self.pending[to]);
            let last = self.sent[to];
            if !self.send(
                to,
                ToShard::Forward {
                    from,
                    last,
                    stanzas,
                },
            ) {
                tracing::error!("shard {to} has stopped: stanzas for it are dropped");
            }
        }
    }

    /// This shard took `count` stanzas forwarded to it from its channel.
    pub fn taken(&self, count: usize) {
        self.links.waiting[self.this()].fetch_sub(count, Ordering::AcqRel);
    }

    /// What this shard's forwarded stanzas so far still wait for: a receiver per shard that
    /// has not handled them all yet, with the number to reach.
    pub fn behind(&self) -> Vec<(watch::Receiver<u64>, u64)> {
        let this = self.this();
        self.sent
            .iter()
            .enumerate()
            .filter(|(to, sent)| **sent > *self.links.handled[this][*to].borrow())
            .map(|(to, sent)| (self.links.handled[this][to].subscribe(), *sent))
            .collect()
    }
}
