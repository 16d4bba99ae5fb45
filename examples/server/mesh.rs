//! How the shards of the example server reach each other: one channel into each shard, so
//! what one shard sends another (a new connection, a connection that authenticated as one of
//! its users, a forwarded stanza) arrives in order; and, per pair of shards, how far the
//! receiver has handled the sender's stanzas and made their writes durable, so that a
//! connection whose acknowledgement depends on a stanza it forwarded waits for that.
//! The channels are bounded ([`INBOX`]): what does not fit is refused, never waited for (two
//! shards waiting on each other's full channels would stop both).

use crate::connection::Moving;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use xmppkit::jid::BareJid;
use xmppkit::server::Shards;
use xmppkit::stanza::Outgoing;

/// How many messages wait in a shard's channel at most. A burst of 100 users sending 200
/// messages each to users of another shard (the load run) stays well below it.
pub const INBOX: usize = 65_536;

/// What a shard is sent.
pub enum ToShard {
    /// A connection the listener accepted.
    Accept(std::net::TcpStream, std::net::SocketAddr),
    /// A connection that authenticated as a user this shard serves.
    Moved(Box<Moving>),
    /// The `seq`th stanza shard `from` forwarded here.
    Forward {
        /// The sending shard.
        from: usize,
        /// Its number, from 1, counted per pair of shards.
        seq: u64,
        /// The stanza.
        stanza: Outgoing,
    },
    /// Ctrl-C: say goodbye and stop.
    Shutdown,
}

/// `handled[from][to]`: the last stanza from `from` that `to` handled durably.
pub type Progress = Arc<Vec<Vec<watch::Sender<u64>>>>;

/// A new progress table for `n` shards.
pub fn progress(n: usize) -> Progress {
    Arc::new(
        (0..n)
            .map(|_| (0..n).map(|_| watch::channel(0).0).collect())
            .collect(),
    )
}

/// One shard's view of the others.
pub struct Mesh {
    /// Where everything is served, and which shard this is.
    pub shards: Shards,
    /// Every shard's channel.
    pub inboxes: Vec<mpsc::Sender<ToShard>>,
    /// How far every shard got with every other's stanzas.
    pub handled: Progress,
    /// Stanzas this shard forwarded to each shard so far.
    sent: Vec<u64>,
}

impl Mesh {
    /// Shard `shards.this` of a mesh.
    pub fn new(shards: Shards, inboxes: Vec<mpsc::Sender<ToShard>>, handled: Progress) -> Mesh {
        let sent = vec![0; inboxes.len()];
        Mesh {
            shards,
            inboxes,
            handled,
            sent,
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

    /// Sends `message` to shard `to`; gives it back (`Some`) when that shard's channel is full
    /// or the shard has stopped.
    pub fn send(&self, to: usize, message: ToShard) -> Option<ToShard> {
        let inbox = self.inboxes.get(to)?;
        match inbox.try_send(message) {
            Ok(()) => None,
            Err(mpsc::error::TrySendError::Full(m) | mpsc::error::TrySendError::Closed(m)) => {
                Some(m)
            }
        }
    }

    /// Forwards `stanza` to shard `to`, numbered; gives it back (`Some`) when it could not be
    /// sent.
    pub fn forward(&mut self, to: usize, stanza: Outgoing) -> Option<Outgoing> {
        let from = self.this();
        let Some(seq) = self.sent.get(to).map(|sent| sent + 1) else {
            return Some(stanza);
        };
        match self.send(to, ToShard::Forward { from, seq, stanza }) {
            None => {
                self.sent[to] = seq;
                None
            }
            Some(ToShard::Forward { stanza, .. }) => {
                tracing::warn!("shard {to} is overloaded or has stopped: a stanza is refused");
                Some(stanza)
            }
            Some(_) => unreachable!("send gives back what it was given"),
        }
    }

    /// What this shard's forwarded stanzas so far still wait for: a receiver per shard that
    /// has not handled them all yet, with the number to reach.
    pub fn behind(&self) -> Vec<(watch::Receiver<u64>, u64)> {
        let this = self.this();
        self.sent
            .iter()
            .enumerate()
            .filter(|(to, sent)| **sent > *self.handled[this][*to].borrow())
            .map(|(to, sent)| (self.handled[this][to].subscribe(), *sent))
            .collect()
    }
}
