//! `World`: a `Server` and real client/server session pairs driven against each other in
//! memory, with a simulated clock. A client can stop reading (its deliveries pile up as they
//! would in a socket's queue) to play the slow consumer.
#![allow(dead_code)]

pub mod cluster;
pub mod federation;

use minidom::Element;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use xmppkit_jid::BareJid;
use xmppkit_server::*;
use xmppkit_session::*;
use xmppkit_stanza::datetime::DateTime;

pub const DOMAIN: &str = "example.com";

/// Parses a stanza written in `jabber:client` without the namespace.
pub fn el(xml: &str) -> Element {
    let (name_end, _) = xml[1..]
        .char_indices()
        .find(|(_, c)| *c == ' ' || *c == '>' || *c == '/')
        .expect("a tag");
    let at = name_end + 1;
    let xml = format!("{} xmlns='jabber:client'{}", &xml[..at], &xml[at..]);
    xml.parse().expect("valid XML")
}

pub struct Client {
    pub session: ClientSession,
    pub server_side: ServerSession,
    pub conn: ConnId,
    /// Stanzas received (IQ answers included), not yet looked at.
    pub received: Vec<Element>,
    /// Every client event.
    pub events: Vec<ClientEvent>,
    /// The client stopped reading: deliveries wait here, unwritten.
    pub paused: bool,
    pub backlog: Vec<(xmppkit_sm::Queued, usize)>,
    /// The connection ended.
    pub gone: bool,
}

pub struct World {
    pub server: Server,
    pub now: Now,
    pub clients: Vec<Client>,
    /// What the stores reported.
    pub store_failures: Vec<StoreError>,
    /// Stanzas for other shards, in order ([`cluster::Cluster`] carries them).
    pub forwarded: Vec<(u32, xmppkit_stanza::Outgoing)>,
    /// What the engine asked of its server-to-server links and external components, in order
    /// ([`federation::Federation`] carries them).
    pub link_outputs: Vec<Output>,
    counter: u64,
}

impl World {
    pub fn new(configure: impl FnOnce(&mut Config)) -> World {
        Self::with_stores(configure, |_| {})
    }

    /// A world whose in-memory stores are first changed by `stores`.
    pub fn with_stores(
        configure: impl FnOnce(&mut Config),
        change_stores: impl FnOnce(&mut Stores),
    ) -> World {
        let mut config = Config::new(BareJid::new(DOMAIN).unwrap());
        config.scram_iterations = 64;
        configure(&mut config);
        let now = Now {
            instant: Instant::now(),
            utc: DateTime::from_unix(1_700_000_000, 0).unwrap(),
        };
        let mut stores = Stores::memory(Arc::new(MemoryAccounts::default()));
        change_stores(&mut stores);
        let mut counter = 0u8;
        let random: RandomBytes = Box::new(move |bytes| {
            for b in bytes {
                counter = counter.wrapping_add(1);
                *b = counter;
            }
        });
        let mut server = Server::new(config, stores, random, now);
        for user in ["alice", "bob", "carol"] {
            // Shards share their accounts: the first creates them.
            match server.create_account(user, "pass") {
                Ok(_) | Err(AccountError::Exists(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
        World {
            server,
            now,
            clients: Vec::new(),
            store_failures: Vec::new(),
            forwarded: Vec::new(),
            link_outputs: Vec::new(),
            counter: 0,
        }
    }

    /// The server's settings for a session on `conn`, without TLS.
    pub fn session_config(&mut self, conn: ConnId) -> ServerConfig {
        let mut config = self.server.session_config(conn);
        config.tls = ServerTls::Unavailable;
        config
    }

    pub fn advance(&mut self, by: Duration) {
        self.now.instant += by;
        self.now.utc =
            DateTime::from_unix(self.now.utc.0.timestamp() + by.as_secs() as i64, 0).unwrap();
        self.server.handle_timeout(self.now);
        self.run();
    }

    /// A connection that has not logged in yet (from `peer`).
    pub fn open(
        &mut self,
        user: &str,
        password: &str,
        resource: Option<&str>,
        peer: Option<IpAddr>,
    ) -> usize {
        self.open_with(user, password, resource, peer, |_| {})
    }

    /// [`open`](Self::open), the client's settings changed by `configure` first.
    pub fn open_with(
        &mut self,
        user: &str,
        password: &str,
        resource: Option<&str>,
        peer: Option<IpAddr>,
        configure: impl FnOnce(&mut ClientConfig),
    ) -> usize {
        self.counter += 1;
        let n = self.counter;
        let mut config = ClientConfig::new(
            BareJid::new(&format!("{user}@{}", self.server.config().domain)).unwrap(),
            password,
        );
        config.tls = TlsPolicy::Off;
        config.resource = resource.map(str::to_owned);
        configure(&mut config);
        let session = ClientSession::new(config, format!("cnonce{n}"), self.now.instant);
        let mut m = 0u64;
        let conn = self.server.connect(peer);
        let server_side = ServerSession::new(
            self.session_config(conn),
            self.server.credentials(),
            Box::new(move || {
                m += 1;
                format!("s{n}x{m}")
            }),
            self.now.instant,
        );
        self.clients.push(Client {
            session,
            server_side,
            conn,
            received: Vec::new(),
            events: Vec::new(),
            paused: false,
            backlog: Vec::new(),
            gone: false,
        });
        self.clients.len() - 1
    }

    /// Logs `user` in with `resource` and sends available presence with `priority`.
    pub fn login(&mut self, user: &str, resource: &str, priority: i8) -> usize {
        let i = self.bound(user, resource);
        self.presence(i, priority);
        // Its own presence comes back (RFC 6121 §4.2.2); stored messages are kept for the test.
        self.clients[i].received.retain(|s| {
            !(s.name() == "presence"
                && s.attr("from")
                    .is_some_and(|f| f.ends_with(&format!("/{resource}"))))
        });
        i
    }

    /// Logs in and binds, no presence.
    pub fn bound(&mut self, user: &str, resource: &str) -> usize {
        let i = self.open(user, "pass", Some(resource), None);
        self.run();
        assert!(
            self.clients[i].session.is_online(),
            "{user}/{resource} is online"
        );
        self.clients[i].received.clear();
        i
    }

    pub fn presence(&mut self, i: usize, priority: i8) {
        self.send(
            i,
            &format!("<presence><priority>{priority}</priority></presence>"),
        );
    }

    /// Alice, Bob and Carol log in and enter `room` (XEP-0045 §7.2), Alice first, accepting
    /// it as an instant room (§10.1.2); what they received on the way is dropped.
    pub fn three_in_room(&mut self, room: &str) -> [usize; 3] {
        let mut who = [0; 3];
        for (k, user) in ["alice", "bob", "carol"].into_iter().enumerate() {
            let i = self.login(user, "r", 0);
            self.send(
                i,
                &format!("<presence to='{room}/{user}'><x xmlns='http://jabber.org/protocol/muc'/></presence>"),
            );
            if k == 0 {
                self.send(
                    i,
                    &format!("<iq to='{room}' type='set' id='c'><query xmlns='http://jabber.org/protocol/muc#owner'>\
                        <x xmlns='jabber:x:data' type='submit'/></query></iq>"),
                );
            }
            who[k] = i;
        }
        for i in who {
            self.take(i);
        }
        who
    }

    pub fn send(&mut self, i: usize, xml: &str) {
        self.send_el(i, el(xml));
    }

    pub fn send_el(&mut self, i: usize, stanza: Element) {
        self.clients[i].session.send(stanza).expect("online");
        self.run();
    }

    /// What client `i` received since last asked.
    pub fn take(&mut self, i: usize) -> Vec<Element> {
        std::mem::take(&mut self.clients[i].received)
    }

    /// The bodies of the messages client `i` received since last asked.
    pub fn bodies(&mut self, i: usize) -> Vec<String> {
        self.take(i)
            .iter()
            .filter(|s| s.name() == "message")
            .filter_map(|m| m.get_child("body", "jabber:client").map(Element::text))
            .collect()
    }

    /// The link of client `i` dies (no closing tags).
    pub fn cut(&mut self, i: usize) {
        let c = &mut self.clients[i];
        c.gone = true;
        let backlog: Vec<Element> = c.backlog.drain(..).map(|(e, _)| e.into_element()).collect();
        self.server.handle_returned(c.conn, backlog);
        self.server
            .handle_disconnect(c.conn, &mut c.server_side, self.now);
        self.run();
    }

    /// Client `i` moves to a new connection and asks to resume its stream there, while the
    /// server still holds the old connection open.
    pub fn reconnect(&mut self, i: usize) -> usize {
        let token = self.clients[i]
            .session
            .connection_lost(self.now.instant)
            .expect("a resumable stream");
        self.clients[i].gone = true;
        let jid = token.jid.to_bare();
        let j = self.open(jid.node().unwrap().as_str(), "pass", None, None);
        let config = {
            let mut c = ClientConfig::new(jid, "pass");
            c.tls = TlsPolicy::Off;
            c
        };
        self.clients[j].session =
            ClientSession::new(config, "cnonce-again", self.now.instant).resuming(token);
        self.run();
        j
    }

    /// Client `i` reads again.
    pub fn resume_reading(&mut self, i: usize) {
        self.clients[i].paused = false;
        let backlog = std::mem::take(&mut self.clients[i].backlog);
        for (stanza, size) in backlog {
            self.clients[i].server_side.send_queued(stanza);
            self.server.handle_written(self.clients[i].conn, size);
        }
        self.run();
    }

    /// Shuttles bytes, events and outputs until everything is quiet.
    pub fn run(&mut self) {
        for _ in 0..10_000 {
            let mut moved = false;
            let now = self.now;
            for c in self.clients.iter_mut() {
                if c.gone {
                    // Nobody on the other end: only the server side's last events matter.
                    while let Some(event) = c.server_side.poll_event() {
                        self.server
                            .handle_event(c.conn, &mut c.server_side, event, now);
                        moved = true;
                    }
                    continue;
                }
                while let Some(b) = c.session.poll_transmit() {
                    c.server_side.handle_input(&b, now.instant);
                    moved = true;
                }
                if !c.paused {
                    while let Some(b) = c.server_side.poll_transmit() {
                        c.session.handle_input(&b, now.instant);
                        moved = true;
                    }
                }
                while let Some(event) = c.server_side.poll_event() {
                    self.server
                        .handle_event(c.conn, &mut c.server_side, event, now);
                    moved = true;
                }
                while let Some(event) = c.session.poll_event() {
                    match &event {
                        ClientEvent::Stanza(s) => c.received.push(s.clone()),
                        ClientEvent::IqResponse(iq) => c.received.push(iq.clone().into()),
                        _ => {}
                    }
                    c.events.push(event);
                    moved = true;
                }
            }
            while let Some(output) = self.server.poll_output() {
                moved = true;
                match output {
                    Output::Deliver { conn, stanza, size } => {
                        let c = self.clients.iter_mut().find(|c| c.conn == conn).unwrap();
                        if c.paused {
                            c.backlog.push((stanza, size));
                        } else {
                            c.server_side.send_queued(stanza);
                            self.server.handle_written(conn, size);
                        }
                    }
                    Output::Close { conn, error } => {
                        let c = self.clients.iter_mut().find(|c| c.conn == conn).unwrap();
                        match error {
                            Some(e) => c.server_side.close_with_error(e),
                            None => c.server_side.close(now.instant),
                        }
                        let backlog: Vec<Element> =
                            c.backlog.drain(..).map(|(e, _)| e.into_element()).collect();
                        self.server.handle_returned(conn, backlog);
                    }
                    Output::StoreFailed(e) => self.store_failures.push(e),
                    Output::Forward { shard, stanza } => self.forwarded.push((shard, stanza)),
                    link @ (Output::Dial { .. }
                    | Output::Multiplex { .. }
                    | Output::Transmit { .. }
                    | Output::CloseLink { .. }) => self.link_outputs.push(link),
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the world did not settle");
    }
}

/// The roster items (jid, subscription with "+ask" when asked) of the `jabber:iq:roster` IQs of
/// `type_` (`set`: pushes, `result`: answers) among `stanzas`.
pub fn roster_items(stanzas: &[Element], type_: &str) -> Vec<(String, String)> {
    stanzas
        .iter()
        .filter(|s| s.name() == "iq" && s.attr("type") == Some(type_))
        .filter_map(|iq| iq.get_child("query", "jabber:iq:roster"))
        .flat_map(|q| q.children())
        .map(|item| {
            let mut sub = item.attr("subscription").unwrap_or("").to_owned();
            if item.attr("ask").is_some() {
                sub.push_str("+ask");
            }
            (item.attr("jid").unwrap().to_owned(), sub)
        })
        .collect()
}
