//! One client connection: the socket (plain, then TLS after STARTTLS), a `ServerSession`, and
//! the channel through which the hub sends it stanzas. Bytes in go to the session, the
//! session's bytes go out, its events go to the hub.

use crate::hub::{Hub, ToConnection};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use xmppkit::session::{CredentialStore, ServerConfig, ServerEvent, ServerSession};

enum Socket {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    Upgrading,
}

impl Socket {
    async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Socket::Plain(s) => s.write_all(bytes).await,
            Socket::Tls(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
            Socket::Upgrading => Ok(()),
        }
    }

    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Socket::Plain(s) => s.read(buf).await,
            Socket::Tls(s) => s.read(buf).await,
            Socket::Upgrading => Ok(0),
        }
    }
}

/// What one connection may send.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest stanza, in bytes (`policy-violation` beyond).
    pub max_stanza: usize,
    /// The bytes per second read from the connection (a shaper: reading pauses beyond it).
    pub bytes_per_second: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_stanza: 64 * 1024,
            bytes_per_second: 1024 * 1024,
        }
    }
}

fn random() -> xmppkit::session::Random {
    Box::new(|| {
        let mut bytes = [0u8; 12];
        getrandom::fill(&mut bytes).expect("the OS has randomness");
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    })
}

/// Runs one connection to its end.
pub async fn run(
    tcp: TcpStream,
    domain: &str,
    limits: Limits,
    hub: Rc<RefCell<Hub>>,
    credentials: Arc<dyn CredentialStore>,
    acceptor: tokio_rustls::TlsAcceptor,
) -> Result<(), String> {
    let mut config = ServerConfig::new(domain.parse().map_err(|e| format!("domain: {e}"))?);
    config.limits.max_stanza_bytes = limits.max_stanza;
    // The shaper: a budget of bytes refilled continuously; reading waits when it is spent.
    let rate = limits.bytes_per_second.max(1) as f64;
    let mut budget = rate;
    let mut refilled = Instant::now();
    let mut session = ServerSession::new(config, credentials, random(), Instant::now());
    let mut socket = Socket::Plain(tcp);
    let (tx, mut rx) = mpsc::unbounded_channel::<ToConnection>();
    let mut jid = None;
    let mut buf = vec![0u8; 16 * 1024];
    let result = loop {
        let mut write_failed = false;
        while let Some(bytes) = session.poll_transmit() {
            if socket.write(&bytes).await.is_err() {
                write_failed = true;
                break;
            }
        }
        if write_failed {
            break Ok(());
        }
        let mut acted = false;
        let mut ended = None;
        while let Some(event) = session.poll_event() {
            acted = true;
            match event {
                ServerEvent::StartTls => {
                    let Socket::Plain(tcp) = std::mem::replace(&mut socket, Socket::Upgrading)
                    else {
                        return Err("STARTTLS twice".into());
                    };
                    let tls = acceptor
                        .accept(tcp)
                        .await
                        .map_err(|e| format!("TLS: {e}"))?;
                    socket = Socket::Tls(Box::new(tls));
                    session.tls_established(Instant::now());
                }
                ServerEvent::BindRequest { resource } => {
                    let resource = resource.unwrap_or_else(|| (random())());
                    session.bind(&resource);
                }
                ServerEvent::Online { jid: full } => {
                    tracing::info!("{full} online");
                    hub.borrow_mut().online(full.clone(), tx.clone());
                    jid = Some(full);
                }
                ServerEvent::Stanza(stanza) => {
                    if let Some(from) = &jid {
                        hub.borrow_mut().route(from, stanza);
                    }
                }
                ServerEvent::ResumeRequest { previd, .. } => {
                    let detached = hub.borrow_mut().take_detached(&previd);
                    match detached {
                        Some(d) => {
                            if let Err(d) = session.resume(d, Instant::now()) {
                                hub.borrow_mut().put_back(*d);
                                session.refuse_resume(None);
                            }
                        }
                        None => session.refuse_resume(hub.borrow().expired_h(&previd)),
                    }
                }
                ServerEvent::Resumed { jid: full, resent } => {
                    tracing::info!("{full} resumed, resent {resent}");
                    hub.borrow_mut().resumed(full.clone(), tx.clone());
                    jid = Some(full);
                }
                ServerEvent::Unacknowledged(stanzas) => hub.borrow_mut().undelivered(stanzas),
                ServerEvent::Closed => ended = Some(Ok(())),
                ServerEvent::Failed(e) => ended = Some(Err(e.to_string())),
                ServerEvent::Authenticated { .. }
                | ServerEvent::SmEnabled { .. }
                | ServerEvent::Register(_)
                | ServerEvent::Nonza(_) => {}
            }
        }
        if let Some(end) = ended {
            while let Some(bytes) = session.poll_transmit() {
                let _ = socket.write(&bytes).await;
            }
            break end;
        }
        if acted {
            continue;
        }
        let sleep = session
            .poll_timeout()
            .map_or(Duration::from_secs(3600), |t| {
                t.saturating_duration_since(Instant::now())
            });
        tokio::select! {
            read = socket.read(&mut buf) => match read {
                Ok(0) | Err(_) => {
                    // The link died without a closing tag: a resumable session waits.
                    if let Some(detached) = session.detach(Instant::now()) {
                        tracing::info!("{} detached", detached.jid);
                        hub.borrow_mut().detach(detached);
                        jid = None;
                    }
                    break Ok(());
                }
                Ok(n) => {
                    session.handle_input(&buf[..n], Instant::now());
                    let now = Instant::now();
                    budget = (budget + now.duration_since(refilled).as_secs_f64() * rate).min(rate);
                    refilled = now;
                    budget -= n as f64;
                    if budget < 0.0 {
                        tokio::time::sleep(Duration::from_secs_f64(-budget / rate)).await;
                    }
                }
            },
            message = rx.recv() => match message {
                Some(ToConnection::Stanza(stanza)) => session.send(stanza),
                Some(ToConnection::Close) | None => session.close(Instant::now()),
            },
            _ = tokio::time::sleep(sleep) => session.handle_timeout(Instant::now()),
        }
    };
    if let Some(full) = jid {
        tracing::info!("{full} offline");
        hub.borrow_mut().offline(&full);
    }
    result
}
