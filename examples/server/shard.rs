//! One shard of the example server: a thread with a current-thread runtime, its `Server`
//! engine in a [`Hub`], and the tasks of the connections it serves. Its channel brings it new
//! connections (from the listener), connections that authenticated as its users (from other
//! shards) and stanzas forwarded to it; a batch of forwarded stanzas is made durable before the
//! senders learn it was handled (`mesh::Progress`).

use crate::connection::{self, Ended};
use crate::federation;
use crate::mesh::{Mesh, ToShard};
use crate::{now, store, Hub};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use xmppkit::server::Server;

/// At most this many messages are taken from the channel before the batch is made durable.
const BATCH: usize = 256;

/// The shard for a new connection from `ip`: one per address, so that failed logins from it
/// are counted in one place (the hash only spreads addresses; any split would do).
pub fn of_address(ip: IpAddr, shards: usize) -> usize {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    ip.hash(&mut hasher);
    (hasher.finish() % shards.max(1) as u64) as usize
}

/// What a shard's thread starts with.
pub struct Shard {
    /// Its engine.
    pub server: Server,
    /// The database, shared by the shards.
    pub db: Option<store::Db>,
    /// The other shards.
    pub mesh: Mesh,
    /// The settings.
    pub settings: crate::config::Settings,
    /// TLS.
    pub acceptor: crate::tls::Tls,
    /// Open connections, over every shard.
    pub open: Arc<AtomicUsize>,
    /// Federation's sockets, TLS and DNS.
    pub net: Arc<crate::federation::Net>,
}

impl Shard {
    /// Runs the shard until Ctrl-C (the listener's `Shutdown`).
    pub fn run(self, inbox: mpsc::UnboundedReceiver<ToShard>) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => return tracing::error!("shard {}: {e}", self.mesh.this()),
        };
        tokio::task::LocalSet::new().block_on(&runtime, self.serve(inbox));
    }

    async fn serve(self, mut inbox: mpsc::UnboundedReceiver<ToShard>) {
        let Shard {
            server,
            db,
            mesh,
            settings,
            acceptor,
            open,
            net,
        } = self;
        let this = mesh.this();
        let handled = mesh.links.handled.clone();
        let flushing = mesh.flushing.clone();
        let hub = Rc::new_cyclic(|me| {
            RefCell::new(Hub {
                server,
                db,
                mesh,
                conns: HashMap::new(),
                links: HashMap::new(),
                net: Some(net.clone()),
                me: me.clone(),
            })
        });
        // Detached sessions expire and registration windows pass on their own schedule.
        let ticking = hub.clone();
        tokio::task::spawn_local(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let mut hub = ticking.borrow_mut();
                hub.server.handle_timeout(now());
                hub.dispatch();
                if let Err(e) = hub.commit() {
                    tracing::error!("{e}");
                }
            }
        });
        // What the engine forwarded leaves once the tasks that were ready have run: one
        // message per shard for a whole turn.
        let flusher = hub.clone();
        tokio::task::spawn_local(async move {
            loop {
                flushing.notified().await;
                tokio::task::yield_now().await;
                flusher.borrow_mut().mesh.flush();
            }
        });
        let spawn = |link: connection::Link, start: Start| {
            let (settings, acceptor, open) = (settings.clone(), acceptor.clone(), open.clone());
            let hub = hub.clone();
            tokio::task::spawn_local(async move {
                let (peer, ended) = match start {
                    Start::New(tcp, peer) => (
                        peer,
                        connection::run(tcp, peer, &settings, link, acceptor).await,
                    ),
                    Start::Moved(moving) => {
                        let peer = moving.peer;
                        (
                            peer,
                            connection::run_moved(*moving, &settings, link, acceptor).await,
                        )
                    }
                };
                match ended {
                    Ended::Done(result) => {
                        if let Err(e) = result {
                            tracing::info!("{peer}: {e}");
                        }
                        open.fetch_sub(1, Ordering::Relaxed);
                    }
                    Ended::Moved(moving) => {
                        let home = moving.home;
                        if !hub.borrow().mesh.send(home, ToShard::Moved(moving)) {
                            open.fetch_sub(1, Ordering::Relaxed);
                        }
                    }
                }
            });
        };
        let mut since = hub.borrow().db.as_ref().map_or(0, store::Db::mark);
        while let Some(first) = inbox.recv().await {
            let mut done: Vec<(usize, u64)> = Vec::new();
            let mut next = Some(first);
            let mut taken = 0;
            while let Some(message) = next.take() {
                match message {
                    ToShard::Accept(tcp, peer) => {
                        let tcp = match tokio::net::TcpStream::from_std(tcp) {
                            Ok(tcp) => tcp,
                            Err(e) => {
                                tracing::info!("{peer}: {e}");
                                open.fetch_sub(1, Ordering::Relaxed);
                                continue;
                            }
                        };
                        spawn(Hub::attach(&hub, peer), Start::New(tcp, peer));
                    }
                    ToShard::AcceptServer(tcp, peer, direct) => {
                        if let Ok(tcp) = tokio::net::TcpStream::from_std(tcp) {
                            let (hub, net) = (hub.clone(), net.clone());
                            let task = federation::incoming(hub, net, tcp, peer, direct);
                            tokio::task::spawn_local(task);
                        }
                    }
                    ToShard::AcceptComponent(tcp, peer) => {
                        if let Ok(tcp) = tokio::net::TcpStream::from_std(tcp) {
                            let task = crate::component::serve(hub.clone(), net.clone(), tcp, peer);
                            tokio::task::spawn_local(task);
                        }
                    }
                    ToShard::Moved(moving) => {
                        let link = Hub::attach(&hub, moving.peer);
                        spawn(link, Start::Moved(moving));
                    }
                    ToShard::Forward {
                        from,
                        last,
                        stanzas,
                    } => {
                        let mut h = hub.borrow_mut();
                        h.mesh.taken(stanzas.len());
                        let now = now();
                        for stanza in stanzas {
                            h.server.handle_forwarded(stanza, now);
                        }
                        h.dispatch();
                        done.retain(|(f, _)| *f != from);
                        done.push((from, last));
                    }
                    ToShard::Shutdown => return shutdown(&hub).await,
                }
                taken += 1;
                if taken < BATCH {
                    next = inbox.try_recv().ok();
                }
            }
            if done.is_empty() {
                continue;
            }
            // The senders' connections acknowledge what depends on these once they are durable
            // here (a stanza stored offline, archived).
            if let Err(e) = connection::durable_here(&hub, &mut since).await {
                tracing::error!("shard {this}: {e}");
            }
            for (from, seq) in done {
                handled[from][this].send_replace(seq);
            }
        }
    }
}

/// How a connection's task starts.
enum Start {
    New(tokio::net::TcpStream, std::net::SocketAddr),
    Moved(Box<connection::Moving>),
}

/// Ctrl-C: components say goodbye (MUC rooms send 332), every stream is closed with
/// `system-shutdown`, what was written is flushed, and the connections get a moment to write
/// their closing tags.
async fn shutdown(hub: &Rc<RefCell<Hub>>) {
    {
        let mut h = hub.borrow_mut();
        h.server.shutdown();
        h.dispatch();
        if let Some(Err(e)) = h.db.as_ref().map(store::Db::flush) {
            tracing::error!("{e}");
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
}
