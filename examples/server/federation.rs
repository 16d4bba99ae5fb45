//! The example server's links to other servers: a task per link, DNS (hickory-resolver) and
//! static addresses. The streams are `xmppkit-s2s`'s (`Initiating`, `Receiving`); where stanzas
//! go, what waits and what bounces is the engine's (`Output::Dial`, `Output::Multiplex`,
//! `Output::Transmit`, `Server::link_up`, `Server::link_closed`); the socket is
//! `link_socket.rs`'s.

use crate::link_socket::{finish, flush, Socket};
use crate::{now, random_bytes, Hub, ToLink};
use hickory_resolver::TokioResolver;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
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
        let resolver = match &settings.federation.nameserver {
            Some(server) => resolver_at(server),
            None => TokioResolver::builder_tokio().map(|b| b.build()).ok(),
        };
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

/// A resolver that asks only `server` (`IP:PORT`).
fn resolver_at(server: &str) -> Option<TokioResolver> {
    use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig};
    use hickory_resolver::name_server::TokioConnectionProvider;
    let address: std::net::SocketAddr = match server.parse() {
        Ok(address) => address,
        Err(e) => {
            tracing::error!("[federation] nameserver {server}: {e}");
            return None;
        }
    };
    let servers = NameServerConfigGroup::from_ips_clear(&[address.ip()], address.port(), true);
    let config = ResolverConfig::from_parts(None, vec![], servers);
    let provider = TokioConnectionProvider::default();
    Some(TokioResolver::builder_with_config(config, provider).build())
}

/// 128 random bits as hex: stream ids, a dialback secret.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    random_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A stanza a remote server sent (checked by its stream) goes to the engine.
fn deliver(hub: &Rc<RefCell<Hub>>, stanza: minidom::Element) -> Result<(), String> {
    let mut h = hub.borrow_mut();
    h.server.handle_remote_stanza(stanza, now());
    h.dispatch();
    h.commit()
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
        for address in addresses(net, &candidate.host, candidate.port).await {
            match TcpStream::connect(address).await {
                Ok(tcp) if candidate.direct_tls => {
                    return Socket::Plain(tcp).client_tls(net, domain).await
                }
                Ok(tcp) => return Ok(Socket::Plain(tcp)),
                Err(e) => last = format!("{} ({address}): {e}", candidate.host),
            }
        }
    }
    Err(last)
}

/// A host's addresses (A and AAAA) from the resolver, else from the system's (`/etc/hosts`).
async fn addresses(net: &Net, host: &str, port: u16) -> Vec<std::net::SocketAddr> {
    if let Some(resolver) = &net.resolver {
        if let Ok(found) = resolver.lookup_ip(format!("{host}.")).await {
            let found: Vec<_> = found.iter().map(|ip| (ip, port).into()).collect();
            if !found.is_empty() {
                return found;
            }
        }
    }
    match tokio::net::lookup_host((host, port)).await {
        Ok(found) => found.collect(),
        Err(_) => Vec::new(),
    }
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
        let mut links = vec![link];
        let result = outgoing(&me, &net, &from, &domain, &mut rx, &mut up, &mut links).await;
        if let Err(e) = &result {
            tracing::info!("link {from} -> {domain}: {e}");
        }
        let failure = (!up).then_some(LinkFailure::NotFound);
        me.borrow_mut().end_links(&links, rx, failure);
    });
}

/// Runs a dialed link; `links[0]` is its own, the others are our other sending domains
/// multiplexed on it (XEP-0220 §3), added as the engine asks.
async fn outgoing(
    hub: &Rc<RefCell<Hub>>,
    net: &Net,
    from: &str,
    domain: &str,
    rx: &mut mpsc::UnboundedReceiver<ToLink>,
    up: &mut bool,
    links: &mut Vec<LinkId>,
) -> Result<(), String> {
    let link = links[0];
    let mut senders: Vec<(LinkId, String)> = Vec::new();
    let timeout = Duration::from_secs(net.settings.connect_timeout);
    let mut socket = tokio::time::timeout(timeout, connect(net, domain))
        .await
        .map_err(|_| format!("{domain}: no answer in time"))??;
    let mut config = net.config(vec![from.to_owned()]);
    config.direct_tls = matches!(socket, Socket::Tls(_));
    let mut stream = Initiating::new(config, domain);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        flush(&mut socket, || stream.poll_transmit()).await?;
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
                InitiatingEvent::SenderAdded { domain: sender } => {
                    if let Some((id, _)) = senders.iter().find(|(_, d)| *d == sender) {
                        tracing::info!("link {sender} -> {domain} multiplexed on {from}'s");
                        let mut h = hub.borrow_mut();
                        h.server.link_up(*id, now());
                        h.dispatch();
                    }
                }
                InitiatingEvent::SenderRefused {
                    domain: sender,
                    why,
                } => {
                    if let Some(at) = senders.iter().position(|(_, d)| *d == sender) {
                        let (id, _) = senders.remove(at);
                        links.retain(|l| *l != id);
                        tracing::info!("link {sender} -> {domain} refused: {why}");
                        let mut h = hub.borrow_mut();
                        h.links.remove(&id);
                        h.server.link_closed(id, Some(LinkFailure::NotFound), now());
                        h.dispatch();
                    }
                }
                InitiatingEvent::Stanza(stanza) => deliver(hub, stanza)?,
                InitiatingEvent::Closed(reason) => {
                    return finish(&mut socket, || stream.poll_transmit(), reason).await;
                }
            }
        }
        flush(&mut socket, || stream.poll_transmit()).await?;
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
                Some(ToLink::AddSender(id, sender)) => {
                    stream.add_sender(&sender);
                    senders.push((id, sender));
                    links.push(id);
                }
                Some(ToLink::Close(id)) if id != link => {
                    // A multiplexed domain's link idle: the stream goes on for the others.
                    senders.retain(|(l, _)| *l != id);
                    links.retain(|l| *l != id);
                    let mut h = hub.borrow_mut();
                    h.links.remove(&id);
                    h.server.link_closed(id, None, now());
                }
                Some(ToLink::Close(_)) | None => stream.close(),
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
        flush(&mut socket, || stream.poll_transmit()).await?;
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
                ReceivingEvent::Stanza(stanza) => deliver(hub, stanza)?,
                ReceivingEvent::Closed(reason) => {
                    return finish(&mut socket, || stream.poll_transmit(), reason).await;
                }
            }
        }
        flush(&mut socket, || stream.poll_transmit()).await?;
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
                ToLink::Close(id) => {
                    // The way back idle: this server stops using it; the stream is the peer's.
                    reverse.retain(|l| *l != id);
                    let mut h = hub.borrow_mut();
                    h.links.remove(&id);
                    h.server.link_closed(id, None, now());
                }
                ToLink::AddSender(..) => {}
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
            flush(&mut socket, || question.poll_transmit()).await?;
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
                        let _ = finish(&mut socket, || question.poll_transmit(), None).await;
                        return Ok(valid);
                    }
                    InitiatingEvent::Closed(reason) => {
                        return Err(reason.map_or("closed".into(), |e| e.to_string()))
                    }
                    _ => {}
                }
            }
            flush(&mut socket, || question.poll_transmit()).await?;
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
