//! The example server's links to other servers and to external components: sockets, TLS and
//! DNS only. The streams are `xmppkit-s2s`'s (`Initiating`, `Receiving`) and
//! `xmppkit-component`'s (`ComponentAccept`); where stanzas go, what waits and what bounces is
//! the engine's (`Output::Dial`, `Output::Transmit`, `Server::link_up`, `Server::link_closed`).

use crate::{now, random_bytes, Hub, ToLink};
use hickory_resolver::TokioResolver;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use xmppkit::codec::StreamErrorCondition;
use xmppkit::component::{AcceptEvent, ComponentAccept};
use xmppkit::s2s::*;
use xmppkit::server::{LinkFailure, LinkId};

/// What every link task needs: the settings, our dialback secret, TLS, the resolver and the
/// components' secrets.
pub struct Net {
    /// `[federation]`.
    pub settings: crate::config::Federation,
    /// Our dialback secret.
    pub secret: DialbackSecret,
    /// TLS for links.
    pub tls: crate::tls::S2sTls,
    /// The system's DNS, when it could be read.
    pub resolver: Option<TokioResolver>,
    /// Each external component's secret, by domain.
    pub components: Arc<HashMap<String, String>>,
}

impl Net {
    /// Everything from the settings; the secret is random unless configured.
    pub fn new(settings: &crate::config::Settings, tls: crate::tls::S2sTls) -> Net {
        let secret = settings
            .federation
            .secret
            .clone()
            .unwrap_or_else(random_hex);
        let resolver = TokioResolver::builder_tokio().map(|b| b.build()).ok();
        let components = settings.components.secrets.clone().into_iter().collect();
        Net {
            settings: settings.federation.clone(),
            secret: DialbackSecret::new(secret),
            tls,
            resolver,
            components: Arc::new(components),
        }
    }

    fn config(&self, domains: Vec<String>) -> S2sConfig {
        S2sConfig {
            domains,
            tls: match self.settings.tls.as_str() {
                "optional" => S2sTls::Optional,
                _ => S2sTls::Required,
            },
            direct_tls: false,
            secret: self.secret.clone(),
            bidi: self.settings.bidi,
        }
    }
}

fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    random_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A link's socket: plain until STARTTLS (or TLS from the start).
enum Socket {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::TlsStream<TcpStream>>),
}

impl Socket {
    async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Socket::Plain(s) => s.write_all(bytes).await,
            Socket::Tls(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
        }
    }

    /// Ends the connection: TLS's close_notify, then the TCP FIN.
    async fn shutdown(&mut self) {
        let _ = match self {
            Socket::Plain(s) => s.shutdown().await,
            Socket::Tls(s) => s.shutdown().await,
        };
    }

    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Socket::Plain(s) => s.read(buf).await,
            Socket::Tls(s) => s.read(buf).await,
        }
    }

    async fn client_tls(self, net: &Net, domain: &str) -> Result<Socket, String> {
        let Socket::Plain(tcp) = self else {
            return Err("TLS twice".into());
        };
        let name = rustls_name(domain)?;
        let tls = net.tls.connector.connect(name, tcp).await;
        Ok(Socket::Tls(Box::new(
            tls.map_err(|e| e.to_string())?.into(),
        )))
    }

    async fn server_tls(self, net: &Net) -> Result<Socket, String> {
        let Socket::Plain(tcp) = self else {
            return Err("TLS twice".into());
        };
        let tls = net.tls.acceptor.accept(tcp).await;
        Ok(Socket::Tls(Box::new(
            tls.map_err(|e| e.to_string())?.into(),
        )))
    }

    /// The peer's certificate, as far as our trust roots vouch for it.
    fn peer_certificate(&self, net: &Net) -> crate::tls::PeerCert {
        match self {
            Socket::Tls(tls) => match tls.as_ref() {
                tokio_rustls::TlsStream::Server(s) => {
                    crate::tls::PeerCert::new(s.get_ref().1.peer_certificates(), net.tls.verifies)
                }
                _ => crate::tls::PeerCert::new(None, false),
            },
            _ => crate::tls::PeerCert::new(None, false),
        }
    }
}

fn rustls_name(
    domain: &str,
) -> Result<tokio_rustls::rustls::pki_types::ServerName<'static>, String> {
    tokio_rustls::rustls::pki_types::ServerName::try_from(domain.to_owned())
        .map_err(|e| format!("{domain}: {e}"))
}

/// Connects to `domain`'s server: the configured address, else its SRV records (direct TLS
/// ones first on a tie), else the domain on 5269.
async fn connect(net: &Net, domain: &str) -> Result<Socket, String> {
    if let Some(address) = net.settings.hosts.get(domain) {
        // `tls:ADDR`: direct TLS (XEP-0368), else STARTTLS.
        let (direct, address) = match address.strip_prefix("tls:") {
            Some(address) => (true, address),
            None => (false, address.as_str()),
        };
        let tcp = TcpStream::connect(address).await;
        let socket = Socket::Plain(tcp.map_err(|e| format!("{address}: {e}"))?);
        return match direct {
            true => socket.client_tls(net, domain).await,
            false => Ok(socket),
        };
    }
    let lookup = |service: &'static str| async move {
        let Some(resolver) = &net.resolver else {
            return Vec::new();
        };
        match resolver.srv_lookup(format!("{service}.{domain}.")).await {
            Ok(found) => found
                .iter()
                .map(|srv| SrvRecord {
                    priority: srv.priority(),
                    weight: srv.weight(),
                    port: srv.port(),
                    target: srv.target().to_utf8(),
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    };
    let xmpps = lookup("_xmpps-server._tcp").await;
    let xmpp = lookup("_xmpp-server._tcp").await;
    let mut random = || {
        let mut b = [0u8; 4];
        random_bytes(&mut b);
        u32::from_le_bytes(b)
    };
    let mut last = format!("{domain}: no address");
    for candidate in candidates(domain, &xmpps, &xmpp, &mut random) {
        match TcpStream::connect((candidate.host.as_str(), candidate.port)).await {
            Ok(tcp) if candidate.direct_tls => {
                return Socket::Plain(tcp).client_tls(net, domain).await
            }
            Ok(tcp) => return Ok(Socket::Plain(tcp)),
            Err(e) => last = format!("{}:{}: {e}", candidate.host, candidate.port),
        }
    }
    Err(last)
}

/// [`xmppkit::server::Output::Dial`]: a task runs the link; until it is up the engine keeps
/// what is for it.
pub fn dial(hub: &mut Hub, link: LinkId, from: String, domain: String) {
    let (Some(net), Some(me)) = (hub.net.clone(), hub.me.upgrade()) else {
        return hub
            .server
            .link_closed(link, Some(LinkFailure::NotFound), now());
    };
    let (tx, rx) = mpsc::unbounded_channel();
    hub.links.insert(link, tx);
    tokio::task::spawn_local(async move {
        let mut rx = rx;
        let mut up = false;
        let result = outgoing(&me, &net, link, &from, &domain, &mut rx, &mut up).await;
        if let Err(e) = &result {
            tracing::info!("link {from} -> {domain}: {e}");
        }
        let failure = (!up).then_some(LinkFailure::NotFound);
        me.borrow_mut().end_links(&[link], rx, failure);
    });
}

async fn outgoing(
    hub: &Rc<RefCell<Hub>>,
    net: &Net,
    link: LinkId,
    from: &str,
    domain: &str,
    rx: &mut mpsc::UnboundedReceiver<ToLink>,
    up: &mut bool,
) -> Result<(), String> {
    let timeout = Duration::from_secs(net.settings.connect_timeout);
    let mut socket = tokio::time::timeout(timeout, connect(net, domain))
        .await
        .map_err(|_| format!("{domain}: no answer in time"))??;
    let mut config = net.config(vec![from.to_owned()]);
    config.direct_tls = matches!(socket, Socket::Tls(_));
    let mut stream = Initiating::new(config, domain);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while let Some(bytes) = stream.poll_transmit() {
            socket.write(&bytes).await.map_err(|e| e.to_string())?;
        }
        while let Some(event) = stream.poll_event() {
            match event {
                InitiatingEvent::StartTls => {
                    socket = socket.client_tls(net, domain).await?;
                    stream.tls_established();
                }
                InitiatingEvent::Authenticated => {
                    *up = true;
                    tracing::info!("link {from} -> {domain} authenticated");
                    let mut h = hub.borrow_mut();
                    h.server.link_up(link, now());
                    h.dispatch();
                }
                InitiatingEvent::Verified { .. } => {}
                InitiatingEvent::Stanza(stanza) => {
                    let mut h = hub.borrow_mut();
                    h.server.handle_remote_stanza(stanza, now());
                    h.dispatch();
                    h.commit()?;
                }
                InitiatingEvent::Closed(reason) => {
                    while let Some(bytes) = stream.poll_transmit() {
                        let _ = socket.write(&bytes).await;
                    }
                    socket.shutdown().await;
                    return reason.map_or(Ok(()), |e| Err(e.to_string()));
                }
            }
        }
        while let Some(bytes) = stream.poll_transmit() {
            socket.write(&bytes).await.map_err(|e| e.to_string())?;
        }
        tokio::select! {
            read = socket.read(&mut buf) => match read.map_err(|e| e.to_string())? {
                0 => return Err("the peer closed the connection".into()),
                n => stream.handle_input(&buf[..n]),
            },
            message = rx.recv() => match message {
                Some(ToLink::Stanza(stanza)) => {
                    if let Err(stanza) = stream.send(stanza) {
                        hub.borrow_mut().server.link_returned(vec![stanza], now());
                    }
                }
                Some(ToLink::Close) | None => stream.close(),
            },
        }
    }
}

/// A remote server's stream to us, to its end; `direct`: TLS from the first byte (XEP-0368).
pub async fn incoming(
    hub: Rc<RefCell<Hub>>,
    net: Arc<Net>,
    tcp: TcpStream,
    peer: std::net::SocketAddr,
    direct: bool,
) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut reverse = Vec::new();
    if let Err(e) = serve_incoming(&hub, &net, tcp, direct, tx, &mut rx, &mut reverse).await {
        tracing::info!("s2s from {peer}: {e}");
    }
    hub.borrow_mut().end_links(&reverse, rx, None);
}

async fn serve_incoming(
    hub: &Rc<RefCell<Hub>>,
    net: &Arc<Net>,
    tcp: TcpStream,
    direct: bool,
    tx: mpsc::UnboundedSender<ToLink>,
    rx: &mut mpsc::UnboundedReceiver<ToLink>,
    reverse: &mut Vec<LinkId>,
) -> Result<(), String> {
    let domains = hub.borrow().server.served_domains();
    let mut config = net.config(domains);
    config.direct_tls = direct;
    let mut socket = Socket::Plain(tcp);
    if direct {
        socket = socket.server_tls(net).await?;
    }
    let mut stream =
        Receiving::new(config, random_hex()).with_certificate(socket.peer_certificate(net));
    let (answers, mut answered) = mpsc::unbounded_channel::<(String, String, bool)>();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while let Some(bytes) = stream.poll_transmit() {
            socket.write(&bytes).await.map_err(|e| e.to_string())?;
        }
        while let Some(event) = stream.poll_event() {
            match event {
                ReceivingEvent::StartTls => {
                    socket = socket.server_tls(net).await?;
                    stream.tls_established(socket.peer_certificate(net));
                }
                ReceivingEvent::Authenticated { domain } => {
                    let how = if direct { " (direct TLS)" } else { "" };
                    tracing::info!("s2s from {domain} authenticated{how}")
                }
                ReceivingEvent::VerifyDialback {
                    originating,
                    receiving,
                    stream_id,
                    key,
                } => {
                    let (net, answers) = (net.clone(), answers.clone());
                    tokio::task::spawn_local(async move {
                        let valid = verify(&net, &receiving, &originating, &stream_id, &key).await;
                        let _ = answers.send((originating, receiving, valid));
                    });
                }
                ReceivingEvent::Reverse { local, remote } => {
                    // XEP-0288: this stream carries our stanzas for the pair back.
                    let mut h = hub.borrow_mut();
                    if let Some(link) = h.server.link_offered(&local, &remote, now()) {
                        tracing::info!("link {local} -> {remote} on {remote}'s stream (bidi)");
                        h.links.insert(link, tx.clone());
                        reverse.push(link);
                        h.dispatch();
                    }
                }
                ReceivingEvent::Stanza(stanza) => {
                    let mut h = hub.borrow_mut();
                    h.server.handle_remote_stanza(stanza, now());
                    h.dispatch();
                    h.commit()?;
                }
                ReceivingEvent::Closed(reason) => {
                    while let Some(bytes) = stream.poll_transmit() {
                        let _ = socket.write(&bytes).await;
                    }
                    socket.shutdown().await;
                    return reason.map_or(Ok(()), |e| Err(e.to_string()));
                }
            }
        }
        while let Some(bytes) = stream.poll_transmit() {
            socket.write(&bytes).await.map_err(|e| e.to_string())?;
        }
        tokio::select! {
            read = socket.read(&mut buf) => match read.map_err(|e| e.to_string())? {
                0 => return Ok(()),
                n => stream.handle_input(&buf[..n]),
            },
            Some((originating, receiving, valid)) = answered.recv() => {
                stream.dialback_result(&originating, &receiving, valid);
            }
            Some(message) = rx.recv() => match message {
                ToLink::Stanza(stanza) => {
                    if let Err(stanza) = stream.send(stanza) {
                        hub.borrow_mut().server.link_returned(vec![stanza], now());
                    }
                }
                ToLink::Close => stream.close(),
            },
        }
    }
}

/// XEP-0220 §2.3: asks `originating`'s server whether `key` is its own, on a stream of its
/// own (STARTTLS when offered); no answer in 15 s is "invalid".
async fn verify(net: &Net, receiving: &str, originating: &str, stream_id: &str, key: &str) -> bool {
    let ask = async {
        let mut socket = connect(net, originating).await?;
        let mut config = net.config(vec![receiving.to_owned()]);
        config.tls = S2sTls::Optional;
        config.direct_tls = matches!(socket, Socket::Tls(_));
        let mut question = Initiating::verifier(config, originating);
        question.verify(originating, stream_id, key);
        let mut buf = vec![0u8; 4096];
        loop {
            while let Some(bytes) = question.poll_transmit() {
                socket.write(&bytes).await.map_err(|e| e.to_string())?;
            }
            while let Some(event) = question.poll_event() {
                match event {
                    InitiatingEvent::StartTls => {
                        socket = socket.client_tls(net, originating).await?;
                        question.tls_established();
                    }
                    InitiatingEvent::Verified {
                        valid,
                        stream_id: id,
                        ..
                    } if id == stream_id => {
                        question.close();
                        while let Some(bytes) = question.poll_transmit() {
                            let _ = socket.write(&bytes).await;
                        }
                        return Ok(valid);
                    }
                    InitiatingEvent::Closed(reason) => {
                        return Err(reason.map_or("closed".into(), |e| e.to_string()))
                    }
                    _ => {}
                }
            }
            while let Some(bytes) = question.poll_transmit() {
                socket.write(&bytes).await.map_err(|e| e.to_string())?;
            }
            match socket.read(&mut buf).await.map_err(|e| e.to_string())? {
                0 => return Err("closed".into()),
                n => question.handle_input(&buf[..n]),
            }
        }
    };
    match tokio::time::timeout(Duration::from_secs(15), ask).await {
        Ok(Ok(valid)) => valid,
        Ok(Err(e)) => {
            tracing::info!("dialback verification with {originating}: {e}");
            false
        }
        Err(_) => false,
    }
}

/// An external component's connection (XEP-0114), to its end.
pub async fn component(
    hub: Rc<RefCell<Hub>>,
    net: Arc<Net>,
    tcp: TcpStream,
    peer: std::net::SocketAddr,
) {
    let mut link = None;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let result = serve_component(&hub, &net, tcp, &mut link, tx, &mut rx).await;
    if let Err(e) = result {
        tracing::info!("component from {peer}: {e}");
    }
    if let Some(link) = link {
        hub.borrow_mut().end_links(&[link], rx, None);
    }
}

async fn serve_component(
    hub: &Rc<RefCell<Hub>>,
    net: &Net,
    mut tcp: TcpStream,
    link: &mut Option<LinkId>,
    tx: mpsc::UnboundedSender<ToLink>,
    rx: &mut mpsc::UnboundedReceiver<ToLink>,
) -> Result<(), String> {
    let mut accept = ComponentAccept::new(net.components.clone(), random_hex());
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while let Some(event) = accept.poll_event() {
            match event {
                AcceptEvent::Authenticated { domain } => {
                    let mut h = hub.borrow_mut();
                    match h.server.attach_component(domain.as_str()) {
                        Ok(id) => {
                            tracing::info!("component {domain} connected");
                            h.links.insert(id, tx.clone());
                            *link = Some(id);
                        }
                        Err(e) => {
                            tracing::info!("{e}");
                            accept.close_with(StreamErrorCondition::Conflict);
                        }
                    }
                }
                AcceptEvent::Stanza(stanza) => {
                    if let Some(id) = *link {
                        let mut h = hub.borrow_mut();
                        h.server.handle_link_stanza(id, stanza, now());
                        h.dispatch();
                        h.commit()?;
                    }
                }
                AcceptEvent::Closed(reason) => {
                    while let Some(bytes) = accept.poll_transmit() {
                        let _ = tcp.write_all(&bytes).await;
                    }
                    return reason.map_or(Ok(()), |e| Err(e.to_string()));
                }
            }
        }
        while let Some(bytes) = accept.poll_transmit() {
            tcp.write_all(&bytes).await.map_err(|e| e.to_string())?;
        }
        tokio::select! {
            read = tcp.read(&mut buf) => match read.map_err(|e| e.to_string())? {
                0 => return Ok(()),
                n => accept.handle_input(&buf[..n]),
            },
            Some(message) = rx.recv() => match message {
                ToLink::Stanza(stanza) => accept.send(stanza),
                ToLink::Close => accept.close(),
            },
        }
    }
}
