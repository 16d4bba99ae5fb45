//! `Cluster`: one domain served by several `Server` shards in memory, each a `World` with its
//! own stores and the accounts shared, the stanzas they forward to each other carried between
//! them in order until everything is quiet. Clients log in on the shard that serves their user.

use super::{World, DOMAIN};
use minidom::Element;
use std::sync::Arc;
use xmppkit_jid::BareJid;
use xmppkit_server::{AccountStore, Config, MemoryAccounts, Shards};

/// A client: its shard and its index there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub shard: usize,
    pub i: usize,
}

pub struct Cluster {
    pub shards: Vec<World>,
    /// How many stanzas went from one shard to another.
    pub carried: usize,
    /// A shard whose queue is full: what is forwarded to it is handed back to its sender's
    /// shard with `handle_not_forwarded`.
    pub full: Option<usize>,
}

impl Cluster {
    /// `count` shards; `configure` runs on each one's configuration after its place is set.
    pub fn new(count: u32, configure: impl Fn(&mut Config)) -> Cluster {
        let accounts: Arc<dyn AccountStore> = Arc::new(MemoryAccounts::default());
        let shards = (0..count)
            .map(|this| {
                let accounts = accounts.clone();
                World::with_stores(
                    |c| {
                        c.shards = Shards::new(count, this);
                        configure(c);
                    },
                    move |stores| stores.accounts = accounts,
                )
            })
            .collect();
        Cluster {
            shards,
            carried: 0,
            full: None,
        }
    }

    /// The shard that serves `user`.
    pub fn shard_of(&self, user: &str) -> usize {
        let jid = BareJid::new(&format!("{user}@{DOMAIN}")).unwrap();
        self.shards[0].server.config().shards.of(&jid) as usize
    }

    /// Logs in and binds on `user`'s shard, no presence.
    pub fn bound(&mut self, user: &str, resource: &str) -> At {
        let shard = self.shard_of(user);
        let i = self.shards[shard].bound(user, resource);
        self.settle();
        At { shard, i }
    }

    /// Logs in, binds and sends available presence with `priority`; its own presence coming
    /// back is dropped, as `World::login` does.
    pub fn login(&mut self, user: &str, resource: &str, priority: i8) -> At {
        let at = self.bound(user, resource);
        self.send(
            at,
            &format!("<presence><priority>{priority}</priority></presence>"),
        );
        let own = format!("/{resource}");
        self.shards[at.shard].clients[at.i].received.retain(|s| {
            !(s.name() == "presence" && s.attr("from").is_some_and(|f| f.ends_with(&own)))
        });
        at
    }

    pub fn send(&mut self, at: At, xml: &str) {
        self.shards[at.shard].send(at.i, xml);
        self.settle();
    }

    pub fn take(&mut self, at: At) -> Vec<Element> {
        self.shards[at.shard].take(at.i)
    }

    pub fn bodies(&mut self, at: At) -> Vec<String> {
        self.shards[at.shard].bodies(at.i)
    }

    /// The link of a client dies.
    pub fn cut(&mut self, at: At) {
        self.shards[at.shard].cut(at.i);
        self.settle();
    }

    /// Time passes on every shard.
    pub fn advance(&mut self, by: std::time::Duration) {
        for w in &mut self.shards {
            w.advance(by);
        }
        self.settle();
    }

    /// Carries forwarded stanzas to their shards, in order, until none is left.
    pub fn settle(&mut self) {
        for _ in 0..10_000 {
            let mut moved = false;
            for from in 0..self.shards.len() {
                let forwarded = std::mem::take(&mut self.shards[from].forwarded);
                for (to, stanza) in forwarded {
                    assert_ne!(to as usize, from, "a shard forwarded to itself");
                    moved = true;
                    if self.full == Some(to as usize) {
                        let w = &mut self.shards[from];
                        let now = w.now;
                        w.server.handle_not_forwarded(stanza, now);
                        w.run();
                        continue;
                    }
                    self.carried += 1;
                    let w = &mut self.shards[to as usize];
                    let now = w.now;
                    w.server.handle_forwarded(stanza, now);
                    w.run();
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the cluster did not settle");
    }
}
