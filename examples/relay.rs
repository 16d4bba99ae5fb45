//! `relay`: the floor the load run is measured against (issue #17). It logs clients in as the
//! example server does (STARTTLS, SCRAM, bind; no stream management, so that nothing needs
//! answering afterwards) and from then on parses nothing: every byte `userN` sends is written,
//! decrypted and encrypted again, to its partner in the load run (`user0` to `user1`, `user1`
//! to `user0`, …). So it costs what TCP, TLS and tokio cost on the routing path and nothing
//! else; `tests/load/run.sh` runs `examples/load` through it (`SERVERS=relay`) beside the
//! example server.
//!
//! ```sh
//! cargo run --release --example relay -- --listen 127.0.0.1:5222 --users 100
//! ```

#[path = "support/client_io.rs"]
mod client_io;

use std::cell::RefCell;
use std::collections::HashMap;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::PrivateKeyDer;
use xmppkit::server::{derive_keys, AccountStore, MemoryAccounts};
use xmppkit::session::{ServerConfig, ServerEvent, ServerSession};

/// The relayed bytes waiting for one user's connection.
type Inbox = mpsc::UnboundedSender<Vec<u8>>;

/// Who is online: each user's inbox, by local part.
type Online = Rc<RefCell<HashMap<String, Inbox>>>;

/// `user0`'s partner is `user1` and the other way round, as `examples/load` pairs them.
fn partner(name: &str) -> Option<String> {
    let n: usize = name.strip_prefix("user")?.parse().ok()?;
    Some(format!("user{}", n ^ 1))
}

fn acceptor(domain: &str) -> Result<tokio_rustls::TlsAcceptor, String> {
    let certified =
        rcgen::generate_simple_self_signed(vec![domain.to_owned()]).map_err(|e| e.to_string())?;
    let key = PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(|e| e.to_string())?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Writes what the session has to send.
async fn transmit(
    session: &mut ServerSession,
    io: &mut (impl AsyncWrite + Unpin),
) -> Result<(), String> {
    while let Some(bytes) = session.poll_transmit() {
        io.write_all(&bytes).await.map_err(|e| e.to_string())?;
    }
    io.flush().await.map_err(|e| e.to_string())
}

/// Feeds the session from `io` until it has an event.
async fn next_event(
    session: &mut ServerSession,
    io: &mut (impl AsyncRead + AsyncWrite + Unpin),
) -> Result<ServerEvent, String> {
    let mut buf = [0u8; 4096];
    loop {
        transmit(session, io).await?;
        if let Some(event) = session.poll_event() {
            return Ok(event);
        }
        let n = io.read(&mut buf).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("closed during login".into());
        }
        session.handle_input(&buf[..n], Instant::now());
    }
}

/// One connection: the login through a `ServerSession`, then bytes both ways.
async fn serve(
    tcp: TcpStream,
    config: ServerConfig,
    accounts: Arc<MemoryAccounts>,
    acceptor: tokio_rustls::TlsAcceptor,
    online: Online,
) -> Result<(), String> {
    let random = Box::new(|| client_io::nonce().chars().take(16).collect());
    let mut session = ServerSession::new(config, accounts, random, Instant::now());
    let mut tcp = tcp;
    loop {
        match next_event(&mut session, &mut tcp).await? {
            ServerEvent::StartTls => break,
            ServerEvent::Closed | ServerEvent::Failed(_) => return Ok(()),
            _ => {}
        }
    }
    transmit(&mut session, &mut tcp).await?;
    let mut tls = acceptor.accept(tcp).await.map_err(|e| e.to_string())?;
    session.tls_established(Instant::now());
    let (name, rx) = loop {
        match next_event(&mut session, &mut tls).await? {
            ServerEvent::BindRequest { resource } => {
                session.bind(resource.as_deref().unwrap_or("relay"));
            }
            ServerEvent::Online { jid } => {
                let name = jid
                    .node()
                    .map(|n| n.as_str().to_owned())
                    .unwrap_or_default();
                let (tx, rx) = mpsc::unbounded_channel();
                online.borrow_mut().insert(name.clone(), tx);
                break (name, rx);
            }
            ServerEvent::Closed | ServerEvent::Failed(_) => return Ok(()),
            _ => {}
        }
    };
    transmit(&mut session, &mut tls).await?;
    relay(&name, &mut tls, rx, &online).await
}

/// Bytes from `io` to the partner's inbox (held back until the partner is online), bytes from
/// the inbox to `io`, until the client closes.
async fn relay(
    name: &str,
    io: &mut (impl AsyncRead + AsyncWrite + Unpin),
    mut inbox: mpsc::UnboundedReceiver<Vec<u8>>,
    online: &Online,
) -> Result<(), String> {
    let partner = partner(name);
    let mut held: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    // A later login of the same user (the idle run logs in one account many times) takes the
    // inbox over; this connection stays open.
    let mut replaced = false;
    loop {
        tokio::select! {
            read = io.read(&mut buf) => {
                let n = read.map_err(|e| e.to_string())?;
                if n == 0 {
                    return Ok(());
                }
                held.extend_from_slice(&buf[..n]);
                let to = partner.as_ref().and_then(|p| online.borrow().get(p).cloned());
                if let Some(to) = to {
                    let _ = to.send(std::mem::take(&mut held));
                }
            }
            bytes = inbox.recv(), if !replaced => {
                let Some(bytes) = bytes else {
                    replaced = true;
                    continue;
                };
                io.write_all(&bytes).await.map_err(|e| e.to_string())?;
                io.flush().await.map_err(|e| e.to_string())?;
            }
        }
    }
}

async fn run(listen: String, users: usize) -> Result<(), String> {
    let domain = "localhost";
    let accounts = Arc::new(MemoryAccounts::default());
    for name in (0..users)
        .map(|i| format!("user{i}"))
        .chain(["idle".into()])
    {
        let keys = derive_keys("pass", name.as_bytes(), 4096);
        accounts.create(&name, keys).map_err(|e| e.to_string())?;
    }
    let mut config = ServerConfig::new(domain.parse().map_err(|e| format!("{e}"))?);
    config.stream_management = None;
    let acceptor = acceptor(domain)?;
    let listener = TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("{listen}: {e}"))?;
    println!("relay for {domain} on {listen}, {users} users");
    let online: Online = Rc::default();
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => accepted.map_err(|e| e.to_string())?,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let (config, accounts) = (config.clone(), accounts.clone());
        let (acceptor, online) = (acceptor.clone(), online.clone());
        tokio::task::spawn_local(async move {
            if let Err(e) = serve(tcp, config, accounts, acceptor, online).await {
                eprintln!("relay: {e}");
            }
        });
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut listen, mut users) = ("127.0.0.1:5222".to_owned(), 100);
    while let Some(arg) = args.next() {
        let value = args.next();
        match (arg.as_str(), value) {
            ("--listen", Some(v)) => listen = v,
            ("--users", Some(v)) => match v.parse() {
                Ok(n) => users = n,
                Err(e) => {
                    eprintln!("relay: --users: {e}");
                    return ExitCode::FAILURE;
                }
            },
            _ => {
                eprintln!("usage: relay [--listen ADDR] [--users N]");
                return ExitCode::FAILURE;
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("relay: {e}");
            return ExitCode::FAILURE;
        }
    };
    let local = tokio::task::LocalSet::new();
    match local.block_on(&runtime, run(listen, users)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("relay: {e}");
            ExitCode::FAILURE
        }
    }
}
