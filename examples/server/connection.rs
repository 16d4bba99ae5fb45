//! One client connection: the socket (plain, then TLS after STARTTLS), its `ServerSession`, and
//! the channel through which the hub sends it stanzas. Bytes in go to the session, the
//! session's events to the engine, the session's bytes out; what was written is reported, so
//! the engine can bound what waits for a slow reader. A connection that authenticates as a user
//! another shard serves moves there ([`Moving`]) before the engine hears of its user.

use crate::reader::{Read, Reader};
use crate::tcp::Tcp;
use crate::{now, Hub, ToConnection};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, Notify};
use tokio_rustls::server::TlsStream;
use xmppkit::server::ConnId;
use xmppkit::session::{CredentialError, ServerEvent, ServerSession};

/// The connection's socket: plain until STARTTLS.
pub enum Socket {
    /// Before STARTTLS.
    Plain(Tcp),
    /// After it.
    Tls(Box<TlsStream<Tcp>>),
}

impl Socket {
    /// The TCP socket under it.
    pub fn tcp(&self) -> std::io::Result<&tokio::net::TcpStream> {
        match self {
            Socket::Plain(s) => s.get(),
            Socket::Tls(s) => s.get_ref().0.get(),
        }
    }

    /// Joins the current thread's runtime (after a move to another shard).
    fn rehome(&mut self) -> std::io::Result<()> {
        match self {
            Socket::Plain(s) => s.rehome(),
            Socket::Tls(s) => s.get_mut().0.rehome(),
        }
    }

    async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Socket::Plain(s) => s.write_all(bytes).await,
            Socket::Tls(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
        }
    }
}

/// The connection's place in the hub.
pub struct Link {
    /// The engine's id for it.
    pub conn: ConnId,
    /// The hub.
    pub hub: Rc<RefCell<Hub>>,
    /// What the hub sends it.
    pub rx: mpsc::UnboundedReceiver<ToConnection>,
    /// Notified when the engine closes the connection, even while a write is stuck.
    pub closing: Rc<Notify>,
}

/// A connection on its way to its user's shard, just authenticated.
pub struct Moving {
    /// The shard it goes to.
    pub home: usize,
    /// The socket.
    pub socket: Socket,
    /// The session, with what it has not handed out yet.
    pub session: ServerSession,
    /// The peer's address.
    pub peer: std::net::SocketAddr,
    /// The session's `Authenticated` event, for the engine there.
    pub event: ServerEvent,
}

/// How a connection's task ended.
pub enum Ended {
    /// For good, with why.
    Done(Result<(), String>),
    /// It goes to another shard.
    Moved(Box<Moving>),
}

/// The user an event makes known, whose shard must carry on: the account that authenticated,
/// or the one a FAST login asks tokens of (kept by the user's shard).
fn whose(event: &ServerEvent, domain: &str) -> Option<xmppkit::jid::BareJid> {
    match event {
        ServerEvent::Authenticated { user, .. } => Some(user.clone()),
        ServerEvent::FastTokensNeeded { username, .. } => {
            format!("{username}@{domain}").parse().ok()
        }
        _ => None,
    }
}

/// Waits until this shard's writes since `since` are durable, then moves `since` past them.
/// The hub is not borrowed while waiting: the other connections go on.
pub async fn durable_here(hub: &Rc<RefCell<Hub>>, since: &mut u64) -> Result<(), String> {
    let pending = hub.borrow().durable(*since);
    match pending {
        crate::store::Pending::Ready(done) => done,
        crate::store::Pending::Wait(writes, through) => {
            let done = writes.await;
            *since = through;
            done
        }
    }
}

/// [`durable_here`], and then the stanzas this shard forwarded so far handled by the shards
/// they went to, with their writes durable there.
async fn durable(hub: &Rc<RefCell<Hub>>, since: &mut u64) -> Result<(), String> {
    durable_here(hub, since).await?;
    let behind = hub.borrow().mesh.behind();
    for (mut handled, seq) in behind {
        if handled.wait_for(|n| *n >= seq).await.is_err() {
            return Err("a shard stopped".into());
        }
    }
    Ok(())
}

/// Runs one new connection to its end, or until it moves to another shard. Not itself async
/// (nor is [`run_moved`]): the task holds [`drive`]'s state and nothing beside it, which is
/// most of what an idle connection costs (issue #17).
pub fn run<'a>(
    tcp: tokio::net::TcpStream,
    peer: std::net::SocketAddr,
    settings: &'a crate::config::Settings,
    link: Link,
    acceptor: crate::tls::Tls,
) -> impl std::future::Future<Output = Ended> + 'a {
    let session = {
        let mut hub = link.hub.borrow_mut();
        let mut config = hub.server.session_config(link.conn);
        config.limits.max_stanza_bytes = settings.limits.max_stanza;
        config.channel_binding = settings.login.channel_binding;
        config.downgrade_protection = settings.login.downgrade_protection;
        config.sasl2 = settings.login.sasl2;
        config.bind2 = settings.login.bind2;
        // A database over the network is read off the engine's thread (see below).
        config.deferred_credentials = hub.db.as_ref().is_some_and(crate::store::Db::is_remote);
        let random = Box::new(|| {
            let mut bytes = [0u8; 12];
            crate::random_bytes(&mut bytes);
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        });
        ServerSession::new(config, hub.server.credentials(), random, Instant::now())
    };
    let socket = Socket::Plain(Tcp::new(tcp));
    drive(Ok(socket), session, peer, None, settings, link, acceptor)
}

/// Runs a connection that moved here from another shard, from its `Authenticated` event on.
pub fn run_moved(
    moving: Moving,
    settings: &crate::config::Settings,
    link: Link,
    acceptor: crate::tls::Tls,
) -> impl std::future::Future<Output = Ended> + '_ {
    let Moving {
        mut socket,
        session,
        peer,
        event,
        ..
    } = moving;
    let socket = match socket.rehome() {
        Ok(()) => Ok(socket),
        Err(e) => Err(format!("moving to shard: {e}")),
    };
    drive(socket, session, peer, Some(event), settings, link, acceptor)
}

/// The connection's loop; `first` is an event of its session to handle before any other. A
/// socket that could not be taken over (`Err`) ends it at once.
async fn drive(
    socket: Result<Socket, String>,
    mut session: ServerSession,
    peer: std::net::SocketAddr,
    mut first: Option<ServerEvent>,
    settings: &crate::config::Settings,
    mut link: Link,
    acceptor: crate::tls::Tls,
) -> Ended {
    let socket = match socket {
        Ok(socket) => socket,
        Err(e) => return Ended::Done(Err(e)),
    };
    let rate = settings.limits.bytes_per_second.max(1) as f64;
    // The shaper: a budget of bytes refilled continuously; reading waits when it is spent.
    let (mut budget, mut refilled) = (rate, Instant::now());
    let mut socket = Some(socket);
    let mut reader = Reader::default();
    let mut unreported = 0usize;
    // The session's acknowledgements already written (see the durability wait below).
    let mut acknowledged = 0u64;
    // The writes this connection's output waits for are those after `since`.
    let mut since = link
        .hub
        .borrow()
        .db
        .as_ref()
        .map_or(0, crate::store::Db::mark);
    let result = 'run: loop {
        // The engine first: what the last input caused (stored, archived, routed) is committed
        // before the session's answers to it (its XEP-0198 `<a h/>` among them) are written.
        while let Some(event) = first.take().or_else(|| session.poll_event()) {
            if let Some(user) = whose(&event, &settings.domain) {
                let home = link.hub.borrow().mesh.home(&user);
                let this = link.hub.borrow().mesh.this();
                if let Some(socket) = socket.take_if(|_| home != this) {
                    // Served by another shard: the engine here forgets it, that one takes it.
                    let mut hub = link.hub.borrow_mut();
                    hub.server.release(link.conn);
                    hub.conns.remove(&link.conn);
                    return Ended::Moved(Box::new(Moving {
                        home,
                        socket,
                        session,
                        peer,
                        event,
                    }));
                }
            }
            if let ServerEvent::Online { jid } | ServerEvent::Resumed { jid, .. } = &event {
                tracing::info!("{jid} online");
            }
            let ended = matches!(event, ServerEvent::Closed | ServerEvent::Failed(_));
            let failure = if let ServerEvent::Failed(e) = &event {
                Some(e.to_string())
            } else {
                None
            };
            let handed_back = {
                let mut hub = link.hub.borrow_mut();
                if ended {
                    // What this connection never got goes back before its session's end.
                    hub.server.handle_returned(link.conn, backlog(&mut link.rx));
                }
                let back = hub
                    .server
                    .handle_event(link.conn, &mut session, event, now());
                hub.dispatch();
                back
            };
            if let Some(ServerEvent::CredentialsNeeded { username, hash }) = handed_back {
                // The login's account lookup runs on a blocking thread: while it waits, the
                // other connections go on.
                let credentials = link.hub.borrow().server.credentials();
                let keys =
                    tokio::task::spawn_blocking(move || credentials.scram_keys(&username, hash))
                        .await
                        .unwrap_or_else(|e| Err(CredentialError::Unavailable(e.to_string())));
                session.credentials_loaded(keys, Instant::now());
            } else if let Some(ServerEvent::StartTls) = handed_back {
                // `<proceed/>` goes out in the clear, then the handshake (RFC 6120 §5.4.3.3).
                if let Err(e) = durable(&link.hub, &mut since).await {
                    break 'run Err(e);
                }
                while let Some(bytes) = session.poll_transmit() {
                    if let Some(s) = socket.as_mut() {
                        let _ = s.write(&bytes).await;
                    }
                }
                let Some(Socket::Plain(tcp)) = socket.take() else {
                    break 'run Err("STARTTLS twice".into());
                };
                // Boxed: the handshake's state (a whole TLS connection) would otherwise keep a
                // slot of its size in this task for the connection's life (issue #17).
                let tls = match Box::pin(acceptor.acceptor.accept(tcp)).await {
                    Ok(tls) => tls,
                    Err(e) => break 'run Err(format!("TLS: {e}")),
                };
                let bindings = crate::tls::bindings(tls.get_ref().1, &acceptor);
                socket = Some(Socket::Tls(Box::new(tls)));
                // The client's first records may have come with its handshake.
                reader = Reader::default();
                session.tls_established_with(bindings, Instant::now());
            }
            if ended {
                if let Err(e) = durable(&link.hub, &mut since).await {
                    break 'run Err(e);
                }
                while let Some(bytes) = session.poll_transmit() {
                    if let Some(s) = socket.as_mut() {
                        let _ = s.write(&bytes).await;
                    }
                }
                break 'run failure.map_or(Ok(()), Err);
            }
        }
        // Durable before anything that depends on it leaves; a failed write ends the stream
        // before its acknowledgements do (the client resends what was not acknowledged). What
        // this shard wrote is waited for always (deliveries depend on it); what other shards
        // did with the stanzas forwarded from here only when the output acknowledges stanzas
        // (XEP-0198): otherwise this connection would wait a turn of the other shard's thread
        // for every write, and the shards would take turns instead of running side by side.
        let acknowledging = session.acknowledgements() != acknowledged;
        acknowledged = session.acknowledgements();
        let ready = match acknowledging {
            true => durable(&link.hub, &mut since).await,
            false => durable_here(&link.hub, &mut since).await,
        };
        if let Err(e) = ready {
            break 'run Err(e);
        }
        while let Some(bytes) = session.poll_transmit() {
            let Some(s) = socket.as_mut() else { break };
            tokio::select! {
                biased;
                written = s.write(&bytes) => if written.is_err() { socket = None },
                // The engine gave up on this reader while the write waited.
                _ = link.closing.notified() => socket = None,
            }
        }
        if unreported > 0 {
            let mut hub = link.hub.borrow_mut();
            hub.server
                .handle_written(link.conn, std::mem::take(&mut unreported));
            hub.dispatch();
            // What was delivered leaves the offline store: no transaction stays open while
            // this task waits (it would hide other processes' writes and block theirs).
            if let Err(e) = hub.commit() {
                break 'run Err(e);
            }
        }
        if socket.is_none() {
            break Ok(());
        }
        let sleep = session
            .poll_timeout()
            .map_or(Duration::from_secs(3600), |t| {
                t.saturating_duration_since(Instant::now())
            });
        let Some(s) = socket.as_mut() else {
            break Ok(());
        };
        tokio::select! {
            ready = reader.ready(s) => match ready {
                Err(_) => break Ok(()),
                Ok(()) => {
                    let n = match reader.read(s, |bytes| session.handle_input(bytes, Instant::now())).await {
                        Ok(Read::Bytes(n)) => n,
                        Ok(Read::Nothing) => {
                            // Idle until the socket is readable: keep no buffers meanwhile.
                            session.release_buffers();
                            continue;
                        }
                        Ok(Read::Eof) | Err(_) => break Ok(()),
                    };
                    let at = Instant::now();
                    budget = (budget + at.duration_since(refilled).as_secs_f64() * rate).min(rate) - n as f64;
                    refilled = at;
                    if budget < 0.0 {
                        Box::pin(tokio::time::sleep(Duration::from_secs_f64(-budget / rate))).await;
                    }
                }
            },
            message = link.rx.recv() => match message {
                Some(ToConnection::Stanza(stanza, size)) => {
                    session.send_queued(stanza);
                    unreported += size;
                }
                Some(ToConnection::Close(Some(error))) => session.close_with_error(error),
                Some(ToConnection::Close(None)) | None => session.close(Instant::now()),
            },
            _ = tokio::time::sleep(sleep) => session.handle_timeout(Instant::now()),
        }
    };
    // The link is gone: what was still queued goes back to the engine, then a resumable
    // session waits detached.
    let mut hub = link.hub.borrow_mut();
    link.rx.close();
    hub.server.handle_returned(link.conn, backlog(&mut link.rx));
    hub.server.handle_disconnect(link.conn, &mut session, now());
    hub.conns.remove(&link.conn);
    hub.dispatch();
    if let Err(e) = hub.commit() {
        tracing::error!("{e}");
    }
    Ended::Done(result)
}

/// The stanzas waiting in the connection's channel.
fn backlog(rx: &mut mpsc::UnboundedReceiver<ToConnection>) -> Vec<minidom::Element> {
    std::iter::from_fn(|| rx.try_recv().ok())
        .filter_map(|m| match m {
            ToConnection::Stanza(stanza, _) => Some(stanza.into_element()),
            ToConnection::Close(_) => None,
        })
        .collect()
}
