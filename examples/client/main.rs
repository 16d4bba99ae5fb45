//! `client`: a small XMPP client on top of the sans-IO [`ClientSession`], with tokio for the socket
//! and tokio-rustls for STARTTLS. It is the reference for embedding the session in real I/O.
//!
//! ```sh
//! cargo run --example client -- --jid alice@localhost --password pass \
//!     [--server 127.0.0.1:5222] [--insecure-tls] [--mechanism SCRAM-SHA-1] [--wait 3] \
//!     [--kill-after 2 [--break 3] [--break-to bob@localhost --break-text "hi again"]] \
//!     send bob@localhost "hi"        # or: listen, or: muc room@conference.localhost nick ["hi all"],
//!                                    # or: pubsub pubsub.localhost node (create | subscribe | publish TEXT)
//!                                    # or: mam bob@localhost   (and --carbons anywhere)
//!                                    # or: subscribe bob@localhost   (and --approve anywhere)
//!                                    # or: roster   (prints the roster)
//!                                    # or: flood bob@localhost TEXT COUNT
//!                                    # or: read-marker room@conference.localhost (ack ID | query)
//!                                    # or: mds (flag CHAT STANZA_ID | catch-up)
//!                                    # or: unread [ack JID (STANZA_ID | all)]
//! ```
//!
//! It logs in, enables stream management (XEP-0198) when the server offers it, sends initial
//! presence, sends the message (with `send`), prints every stanza it receives for `--wait` seconds,
//! and closes the stream cleanly. Exit status 0 when all went well.
//!
//! With `--kill-after S` it resets the TCP connection S seconds after going online, stays away
//! for `--break` seconds (queuing the `--break-to`/`--break-text` message meanwhile), reconnects
//! and resumes the stream: what the server held for it arrives, and what it queued goes out.
//!
//! With `muc ROOM NICK [TEXT]` it enters the room with [`RoomClient`] (accepting the instant
//! room when it created it, or with `--persistent` configuring it as a persistent room), sends TEXT to all occupants, prints who comes and goes, and leaves
//! before closing.
//!
//! With `--carbons` it enables Message Carbons (XEP-0280) and prints each carbon, checked
//! against forgery. With `mam WITH` it queries its own archive (XEP-0313) for the conversation
//! with WITH and prints each message.
//!
//! With `subscribe CONTACT` it asks to see CONTACT's presence (RFC 6121 §3); with `--approve`
//! it approves every request it receives. Roster pushes, subscription answers and presences
//! are printed.
//!
//! With `flood TO TEXT COUNT` it sends COUNT messages `TEXT N`, one every 2 ms, and prints
//! `acknowledged K` each time the server's XEP-0198 count of them grows: the durability test
//! kills the server in the middle and checks that the K acknowledged ones survived. With
//! `--reconnect`, a connection the server drops is resumed on a new one as soon as the server
//! is back; when resumption fails (a restarted server), what it never acknowledged is sent again.
//!
//! With `read-marker ROOM ack ID` it acks reading ROOM up to message ID, with `read-marker ROOM
//! query` it prints its marker there (`urn:xmpp:read-markers`). With `mds flag CHAT ID` it
//! publishes that CHAT was displayed up to the message archived as ID (XEP-0490), with `mds
//! catch-up` it prints every position; other devices' positions are printed as they come.
//! With `unread` it prints its unread count per conversation, with `unread ack JID ID` (or
//! `all`) it reads JID up to ID (`urn:xmpp:unread`).
//!
//! With `pubsub SERVICE NODE ACTION` it creates the node, subscribes to it, or publishes an Atom
//! entry titled TEXT (XEP-0060), and prints each answer and each notification received.

mod caps;
#[path = "../support/client_io.rs"]
mod client_io;
mod commands;
mod fast;
mod handlers;

use client_io::{nonce, tls_config, Conn};
use commands::{
    mds_request, print_mds, print_pubsub_event, print_read_marker, print_unread, pubsub_request,
    read_marker_request, unread_request, Flood,
};
use handlers::{on_room_events, on_roster_or_presence};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use xmppkit::codec::to_string;
use xmppkit::jid::BareJid;
use xmppkit::muc::{History, Muc, RoomClient};
use xmppkit::session::{ClientConfig, ClientEvent, ClientSession, TlsPolicy};
use xmppkit::stanza::{Iq, IqPayload, Message, Presence, PresenceType};

pub(crate) struct Args {
    jid: BareJid,
    password: String,
    server: Option<String>,
    insecure_tls: bool,
    mechanism: Option<String>,
    wait: Duration,
    kill_after: Option<Duration>,
    break_for: Duration,
    break_to: Option<String>,
    break_text: Option<String>,
    carbons: bool,
    approve: bool,
    persistent: bool,
    reconnect: bool,
    /// XEP-0484: keep the installation id and FAST token in this file.
    fast: Option<std::path::PathBuf>,
    /// Log in with RFC 6120 SASL even where the server offers XEP-0388 SASL2.
    no_sasl2: bool,
    command: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut jid, mut password, mut server, mut insecure_tls, mut mechanism, mut wait) =
        (None, None, None, false, None, 3);
    let (mut kill_after, mut break_for, mut break_to, mut break_text) = (None, 3, None, None);
    let mut command = Vec::new();
    let mut carbons = false;
    let mut approve = false;
    let mut persistent = false;
    let mut reconnect = false;
    let mut fast = None;
    let mut no_sasl2 = false;
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--jid" => jid = Some(value()?),
            "--password" => password = Some(value()?),
            "--server" => server = Some(value()?),
            "--insecure-tls" => insecure_tls = true,
            "--mechanism" => mechanism = Some(value()?),
            "--wait" => wait = value()?.parse().map_err(|e| format!("--wait: {e}"))?,
            "--kill-after" => {
                kill_after = Some(value()?.parse().map_err(|e| format!("--kill-after: {e}"))?)
            }
            "--break" => break_for = value()?.parse().map_err(|e| format!("--break: {e}"))?,
            "--break-to" => break_to = Some(value()?),
            "--break-text" => break_text = Some(value()?),
            "--carbons" => carbons = true,
            "--approve" => approve = true,
            "--persistent" => persistent = true,
            "--reconnect" => reconnect = true,
            "--fast" => fast = Some(value()?.into()),
            "--no-sasl2" => no_sasl2 = true,
            _ => command.push(arg),
        }
    }
    Ok(Args {
        jid: jid
            .ok_or("--jid is required")?
            .parse()
            .map_err(|e| format!("--jid: {e}"))?,
        password: password.ok_or("--password is required")?,
        server,
        insecure_tls,
        mechanism,
        wait: Duration::from_secs(wait),
        kill_after: kill_after.map(Duration::from_secs),
        break_for: Duration::from_secs(break_for),
        break_to,
        break_text,
        carbons,
        approve,
        persistent,
        reconnect,
        fast,
        no_sasl2,
        command,
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\nusage: client --jid JID --password PW [--server HOST:PORT] [--insecure-tls] [--mechanism M] [--no-sasl2] [--fast FILE] [--wait S] (send TO TEXT | listen)");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The installation id kept in a `--fast` file.
fn fast_agent(path: &std::path::Path) -> Option<String> {
    fast::load(path).ok()?.0.id
}

/// How a connection's loop ended.
enum Outcome {
    Closed,
    /// `--kill-after` fired: the caller resets the socket.
    Killed,
    /// The connection broke (with `--reconnect`): the caller resumes on a new one.
    Lost(String),
}

async fn run(args: Args) -> Result<(), String> {
    let domain = args.jid.domain().as_str().to_owned();
    let address = args
        .server
        .clone()
        .unwrap_or_else(|| format!("{domain}:5222"));
    let mut config = ClientConfig::new(args.jid.clone(), args.password.clone());
    config.tls = TlsPolicy::Required;
    if let Some(m) = &args.mechanism {
        let known = config.mechanisms.iter().copied().find(|k| k == m);
        config.mechanisms = vec![known.ok_or(format!("unknown mechanism {m}"))?];
    }
    config.sasl2 = !args.no_sasl2;
    config.carbons = args.carbons;
    if let Some(path) = &args.fast {
        let (agent, mut token) = fast::load(path)?;
        // XEP-0484 §3.3: the counter is stored before it is used, so it never repeats.
        if let Some(t) = &mut token {
            t.next_use();
            fast::save(path, agent.id.as_deref().unwrap_or_default(), Some(t))?;
        }
        config.user_agent = Some(agent);
        config.fast_token = token;
    }
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls_config(args.insecure_tls)));
    let mut session = ClientSession::new(config.clone(), nonce(), Instant::now());
    let mut conn = connect(&address).await?;
    let mut flood = None;
    let mut kill_after = args.kill_after;
    loop {
        let outcome = drive(
            &mut session,
            &mut conn,
            &args,
            &connector,
            kill_after,
            &mut flood,
        );
        let resumption = match outcome.await? {
            Outcome::Closed => return Ok(()),
            Outcome::Killed => {
                // Reset the socket, keep the resumption token, queue a message, come back later.
                conn.kill();
                let resumption = session.connection_lost(Instant::now());
                print_events(&mut session);
                println!("connection killed");
                let mut resumption = resumption.ok_or("the stream is not resumable")?;
                if let (Some(to), Some(text)) = (&args.break_to, &args.break_text) {
                    let to = to.parse().map_err(|e| format!("--break-to: {e}"))?;
                    resumption
                        .stream
                        .queue(Message::chat(to, text.clone()).into());
                    println!(
                        "queued for {}",
                        args.break_to.as_deref().unwrap_or_default()
                    );
                }
                tokio::time::sleep(args.break_for).await;
                resumption
            }
            Outcome::Lost(why) => {
                // --reconnect: the server went away; try to resume until it is back.
                println!("connection lost: {why}");
                session
                    .connection_lost(Instant::now())
                    .ok_or("the stream is not resumable")?
            }
        };
        kill_after = None;
        session = ClientSession::new(config.clone(), nonce(), Instant::now()).resuming(resumption);
        conn = reconnect(&address, args.reconnect).await?;
    }
}

/// Connects again; with `--reconnect`, retries for up to 30 s while the server restarts.
async fn reconnect(address: &str, retry: bool) -> Result<Conn, String> {
    let give_up = Instant::now() + Duration::from_secs(30);
    loop {
        match connect(address).await {
            Err(_) if retry && Instant::now() < give_up => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            other => return other,
        }
    }
}

async fn connect(address: &str) -> Result<Conn, String> {
    let tcp = TcpStream::connect(address)
        .await
        .map_err(|e| format!("connect {address}: {e}"))?;
    // Small writes in a row (a stanza, then an acknowledgement) without waiting 40 ms on Nagle.
    let _ = tcp.set_nodelay(true);
    Ok(Conn::Plain(tcp))
}

/// Events that need no action, after the connection is gone.
fn print_events(session: &mut ClientSession) {
    while let Some(event) = session.poll_event() {
        if let ClientEvent::Unacknowledged(stanzas) = event {
            println!("unacknowledged: {}", stanzas.len());
        }
    }
}

/// Prints how many `flood` messages the server has acknowledged, when it grew. Once stream
/// management has ended (the stream closed), `lost` is how many of them it reported never
/// acknowledged.
fn report_acks(
    session: &ClientSession,
    flood: Option<&Flood>,
    acknowledged: &mut usize,
    lost: Option<usize>,
) {
    let Some(f) = flood else { return };
    let unacked = match lost {
        _ if session.sm_enabled() => session.unacknowledged().filter(|s| is_flood(s)).count(),
        Some(lost) => lost,
        None => return,
    };
    if f.sent - unacked > *acknowledged {
        *acknowledged = f.sent - unacked;
        println!("acknowledged {acknowledged}");
    }
}

fn is_flood(stanza: &minidom::Element) -> bool {
    stanza.attr("id").is_some_and(|id| id.starts_with("flood-"))
}

/// A read or write on the socket failed: with `--reconnect` the stream is resumed on a new
/// connection (a server killed mid-write shows up as a broken pipe as often as a reset read),
/// else the run ends with the error.
fn broken(args: &Args, why: String) -> Result<Outcome, String> {
    if args.reconnect {
        Ok(Outcome::Lost(why))
    } else {
        Err(why)
    }
}

/// One connection's run loop: write, handle events, wait for bytes or timers.
async fn drive(
    session: &mut ClientSession,
    conn: &mut Conn,
    args: &Args,
    connector: &tokio_rustls::TlsConnector,
    kill_after: Option<Duration>,
    flood: &mut Option<Flood>,
) -> Result<Outcome, String> {
    let domain = args.jid.domain().as_str().to_owned();
    let connected = Instant::now();
    let mut buf = vec![0u8; 16 * 1024];
    let mut stop_at: Option<Instant> = None;
    let mut kill_at: Option<Instant> = None;
    let mut closing = false;
    let mut room: Option<RoomClient> = None;
    let mut archive: Option<xmppkit::mam::Collector> = None;
    let mut leaving = false;
    let mut acknowledged = 0;
    let mut lost = 0;
    let mut resend = Vec::new();
    loop {
        // 1. Write what the session wants to send.
        let mut wrote = false;
        while let Some(bytes) = session.poll_transmit() {
            if let Err(e) = conn.io().write_all(&bytes).await {
                return broken(args, format!("write: {e}"));
            }
            wrote = true;
        }
        if wrote {
            // TLS buffers records until flushed.
            if let Err(e) = conn.io().flush().await {
                return broken(args, format!("write: {e}"));
            }
        }
        // 2. Act on events; acting may make the session want to send again, so go back to 1.
        let mut had_events = false;
        while let Some(event) = session.poll_event() {
            had_events = true;
            match event {
                ClientEvent::StartTls => {
                    let Conn::Plain(tcp) = std::mem::replace(conn, Conn::Upgrading) else {
                        return Err("STARTTLS twice".into());
                    };
                    let name = rustls::pki_types::ServerName::try_from(domain.clone())
                        .map_err(|e| format!("server name: {e}"))?;
                    let tls = connector
                        .connect(name, tcp)
                        .await
                        .map_err(|e| format!("TLS handshake: {e}"))?;
                    println!("tls established");
                    let bindings = client_io::bindings(tls.get_ref().1);
                    *conn = Conn::Tls(Box::new(tls));
                    session.tls_established_with(bindings, Instant::now());
                }
                ClientEvent::Authenticated { mechanism } => {
                    println!("authenticated with {mechanism}")
                }
                ClientEvent::FastToken(token) => {
                    println!(
                        "received a FAST token for {}, valid until {}",
                        token.mechanism, token.expiry
                    );
                    if let Some(path) = &args.fast {
                        if let Some(agent) = fast_agent(path) {
                            fast::save(path, &agent, Some(&token))?;
                        }
                    }
                }
                ClientEvent::FastTokenRejected { condition } => {
                    println!("the FAST token was refused ({condition}); using the password");
                    if let Some(path) = &args.fast {
                        if let Some(agent) = fast_agent(path) {
                            fast::save(path, &agent, None)?;
                        }
                    }
                }
                // This client knows no XEP-0388 task (ClientConfig::sasl2_tasks is empty), so a
                // server that requires one ends the login with SessionError::NoCommonTask.
                ClientEvent::Sasl2Continue { tasks, .. } => println!("tasks required: {tasks:?}"),
                ClientEvent::Sasl2TaskChallenge { task, .. } => println!("task {task}: challenge"),
                ClientEvent::Online { jid } => {
                    println!("online as {jid}");
                    // From the TCP connection to online: TLS, the login, the bind.
                    let took = connected.elapsed().as_secs_f64() * 1000.0;
                    println!("login took {took:.2} ms");
                    // XEP-0115: what this client wants notified (XEP-0490 displayed state).
                    let mut presence = Presence::new(PresenceType::Available);
                    presence.payloads.push(caps::element());
                    session.send(presence.into()).map_err(|e| e.to_string())?;
                    if !resend.is_empty() {
                        println!("sending {} again", resend.len());
                    }
                    for stanza in resend.drain(..) {
                        session.send(stanza).map_err(|e| e.to_string())?;
                    }
                    if let [cmd, jid, nick, ..] = args.command.as_slice() {
                        if cmd == "muc" {
                            let jid = jid.parse().map_err(|e| format!("room: {e}"))?;
                            let request = Muc {
                                password: None,
                                history: Some(History {
                                    maxstanzas: Some(0),
                                    ..History::default()
                                }),
                            };
                            let (client, presence) = RoomClient::join(jid, nick, request);
                            session.send(presence).map_err(|e| e.to_string())?;
                            room = Some(client);
                        }
                    }
                    if args.carbons {
                        let iq = xmppkit::carbons::toggle_iq(
                            "carbons",
                            xmppkit::carbons::Toggle::Enable,
                        );
                        session
                            .send_iq(iq, Instant::now())
                            .map_err(|e| e.to_string())?;
                    }
                    let subscribing = args.command.first().is_some_and(|c| c == "subscribe");
                    let listing = args.command.first().is_some_and(|c| c == "roster");
                    if args.approve || subscribing || listing {
                        // RFC 6121 §2.1.6: roster pushes go to resources that asked for it.
                        let query = minidom::Element::builder("query", "jabber:iq:roster").build();
                        let get = Iq::get("roster", None, query);
                        session
                            .send_iq(get, Instant::now())
                            .map_err(|e| e.to_string())?;
                    }
                    if let [cmd, contact, ..] = args.command.as_slice() {
                        if cmd == "subscribe" {
                            let mut p = Presence::new(PresenceType::Subscribe);
                            p.to = Some(contact.parse().map_err(|e| format!("contact: {e}"))?);
                            session.send(p.into()).map_err(|e| e.to_string())?;
                        }
                    }
                    if let [cmd, with, ..] = args.command.as_slice() {
                        if cmd == "mam" {
                            let filter = xmppkit::mam::Filter {
                                with: Some(with.parse().map_err(|e| format!("with: {e}"))?),
                                ..Default::default()
                            };
                            let iq = xmppkit::mam::query_iq("mam", None, "q1", &filter, None);
                            session
                                .send_iq(iq, Instant::now())
                                .map_err(|e| e.to_string())?;
                            archive =
                                Some(xmppkit::mam::Collector::new(args.jid.clone(), None, "q1"));
                        }
                    }
                    if let [cmd, service, node, action, rest @ ..] = args.command.as_slice() {
                        if cmd == "pubsub" {
                            let iq = pubsub_request(service, node, action, rest, &args.jid)?;
                            session
                                .send_iq(iq, Instant::now())
                                .map_err(|e| e.to_string())?;
                        }
                    }
                    if let [cmd, to, text, ..] = args.command.as_slice() {
                        if cmd == "send" {
                            let to = to.parse().map_err(|e| format!("recipient: {e}"))?;
                            session
                                .send(Message::chat(to, text.clone()).into())
                                .map_err(|e| e.to_string())?;
                            println!("sent to {}", args.command[1]);
                        }
                    }
                    if let [cmd, action, rest @ ..] = args.command.as_slice() {
                        if cmd == "mds" {
                            let iq = mds_request(&args.jid, action, rest)?;
                            session
                                .send_iq(iq, Instant::now())
                                .map_err(|e| e.to_string())?;
                        }
                    }
                    if let [cmd, rest @ ..] = args.command.as_slice() {
                        if cmd == "unread" {
                            let iq = unread_request(&args.jid, rest)?;
                            session
                                .send_iq(iq, Instant::now())
                                .map_err(|e| e.to_string())?;
                        }
                    }
                    if let [cmd, room, action, rest @ ..] = args.command.as_slice() {
                        if cmd == "read-marker" {
                            let iq = read_marker_request(room, action, rest)?;
                            session
                                .send_iq(iq, Instant::now())
                                .map_err(|e| e.to_string())?;
                        }
                    }
                    match kill_after {
                        Some(after) => kill_at = Some(Instant::now() + after),
                        None => stop_at = Some(Instant::now() + args.wait),
                    }
                    if let [cmd, to, text, count] = args.command.as_slice() {
                        if cmd == "flood" && flood.is_none() {
                            *flood = Some(Flood {
                                to: to.parse().map_err(|e| format!("recipient: {e}"))?,
                                text: text.clone(),
                                count: count.parse().map_err(|e| format!("count: {e}"))?,
                                sent: 0,
                                next_at: Instant::now(),
                            });
                        }
                    }
                    if flood.as_ref().is_some_and(|f| f.sent < f.count) {
                        stop_at = None;
                    }
                }
                ClientEvent::SmEnabled { resumable } => {
                    println!("stream management enabled (resumable: {resumable})")
                }
                ClientEvent::Resumed { jid, resent } => {
                    println!("resumed as {jid}, resent {resent}");
                    stop_at = Some(Instant::now() + args.wait);
                }
                ClientEvent::ResumeFailed { condition } => {
                    println!("resume failed: {condition:?}")
                }
                ClientEvent::Unacknowledged(stanzas) => {
                    println!("unacknowledged: {}", stanzas.len());
                    if !args.reconnect {
                        lost += stanzas.iter().filter(|s| is_flood(s)).count();
                    } else {
                        // XEP-0198 §5: after a failed resumption, what the server never
                        // acknowledged is sent again once the new stream is bound.
                        resend = stanzas;
                    }
                }
                ClientEvent::Stanza(stanza) => {
                    if let Some(collector) = archive.as_mut() {
                        if collector.accept(&stanza) == Ok(true) {
                            continue;
                        }
                    }
                    if let Some(Ok(carbon)) = xmppkit::carbons::unwrap(&stanza, &args.jid) {
                        let original = &carbon.forwarded.stanza;
                        let body = original
                            .get_child("body", "jabber:client")
                            .map(|b| b.text());
                        let (label, peer) = match carbon.direction {
                            xmppkit::carbons::Direction::Sent => ("sent to", original.attr("to")),
                            xmppkit::carbons::Direction::Received => {
                                ("received from", original.attr("from"))
                            }
                        };
                        println!(
                            "carbon {label} {}: {}",
                            peer.unwrap_or_default(),
                            body.unwrap_or_default()
                        );
                        continue;
                    }
                    if let Some(answer) = caps::answer(&stanza) {
                        session.send(answer.into()).map_err(|e| e.to_string())?;
                        continue;
                    }
                    if on_roster_or_presence(session, &stanza, args)? {
                        continue;
                    }
                    if print_mds(&stanza) {
                        continue;
                    }
                    if let Some(event) = xmppkit::pubsub::client::event(&stanza) {
                        print_pubsub_event(event);
                        continue;
                    }
                    let events = room.as_mut().map(|r| r.handle(&stanza)).unwrap_or_default();
                    if let Some(r) = &room {
                        on_room_events(session, r, events, args)?;
                    }
                    if let Ok(message) = Message::try_from(stanza.clone()) {
                        if let Some(body) = message.body() {
                            let from = message
                                .from
                                .as_ref()
                                .map(|f| f.to_string())
                                .unwrap_or_default();
                            println!("message from {from}: {body}");
                            continue;
                        }
                    }
                    println!("received {}", to_string(&stanza));
                }
                ClientEvent::IqResponse(iq) => {
                    println!("iq response {}", iq.id);
                    if iq.id == "carbons" {
                        println!(
                            "carbons enabled: {}",
                            matches!(iq.payload, IqPayload::Result(_))
                        );
                    }
                    if let (true, IqPayload::Result(Some(query))) = (iq.id == "roster", &iq.payload)
                    {
                        for item in query.children() {
                            println!(
                                "roster item: {} subscription={}",
                                item.attr("jid").unwrap_or_default(),
                                item.attr("subscription").unwrap_or("none")
                            );
                        }
                    }
                    if iq.id == "mam" {
                        if let Some(collector) = archive.take() {
                            let (items, fin) = collector.finish(&iq).map_err(|e| e.to_string())?;
                            for item in &items {
                                let m = &item.forwarded.stanza;
                                let body = m.get_child("body", "jabber:client").map(|b| b.text());
                                println!(
                                    "archived {} -> {}: {}",
                                    m.attr("from").unwrap_or_default(),
                                    m.attr("to").unwrap_or_default(),
                                    body.unwrap_or_default()
                                );
                            }
                            println!(
                                "archive: {} messages (complete: {})",
                                items.len(),
                                fin.complete
                            );
                        }
                    }
                    if iq.id.starts_with("rm-") {
                        print_read_marker(&iq);
                    }
                    if iq.id.starts_with("unread-") {
                        print_unread(&iq);
                    }
                    if iq.id.starts_with("mds-") {
                        match &iq.payload {
                            IqPayload::Error(e, _) => {
                                println!("{}: error {}", iq.id, e.condition.name())
                            }
                            IqPayload::Result(Some(pubsub)) => {
                                print_mds(pubsub);
                                println!("{}: ok", iq.id);
                            }
                            _ => println!("{}: ok", iq.id),
                        }
                    }
                    if iq.id.starts_with("ps-") {
                        match &iq.payload {
                            IqPayload::Error(e, _) => {
                                println!("{}: error {}", iq.id, e.condition.name())
                            }
                            _ => println!("{}: ok", iq.id),
                        }
                    }
                }
                ClientEvent::IqTimeout { id } => println!("iq {id} timed out"),
                ClientEvent::SeeOtherHost(host) => println!("server redirects to {host}"),
                ClientEvent::Nonza(el) => println!("received {}", to_string(&el)),
                ClientEvent::Closed => {
                    report_acks(session, flood.as_ref(), &mut acknowledged, Some(lost));
                    println!("closed");
                    return Ok(Outcome::Closed);
                }
                ClientEvent::Failed(e) => return Err(e.to_string()),
            }
        }
        report_acks(session, flood.as_ref(), &mut acknowledged, None);
        if had_events {
            continue;
        }
        // 3. Wait for bytes, a session timer, the kill time, the next flood message or the end
        // of --wait.
        let now = Instant::now();
        let online = session.is_online();
        if let Some(f) = flood
            .as_mut()
            .filter(|f| online && now >= f.next_at && f.sent < f.count)
        {
            f.sent += 1;
            let mut message = Message::chat(f.to.clone(), format!("{} {}", f.text, f.sent));
            message.id = Some(format!("flood-{}", f.sent));
            session.send(message.into()).map_err(|e| e.to_string())?;
            f.next_at = now + Duration::from_millis(2);
            if f.sent == f.count {
                println!("sent {} messages", f.count);
                stop_at = Some(now + args.wait);
            }
            continue;
        }
        if kill_at.is_some_and(|at| now >= at) {
            return Ok(Outcome::Killed);
        }
        if let Some(stop) = stop_at {
            if now >= stop && !leaving && room.as_ref().is_some_and(RoomClient::is_joined) {
                leaving = true;
                let leave = room.as_ref().expect("joined").leave(None);
                session.send(leave).map_err(|e| e.to_string())?;
                println!("leaving the room");
                stop_at = Some(now + Duration::from_millis(500));
                continue;
            }
            if now >= stop && !closing {
                closing = true;
                session.close(now);
                stop_at = Some(now + Duration::from_secs(5));
                continue;
            } else if now >= stop {
                return Err("the server did not close the stream".into());
            }
        }
        let flooding = flood.as_ref().filter(|f| online && f.sent < f.count);
        let deadline = [
            session.poll_timeout(),
            stop_at,
            kill_at,
            flooding.map(|f| f.next_at),
        ]
        .into_iter()
        .flatten()
        .min();
        let sleep = deadline.map_or(Duration::from_secs(3600), |d| {
            d.saturating_duration_since(now)
        });
        tokio::select! {
            read = conn.io().read(&mut buf) => {
                let n = match read {
                    Ok(n) => n,
                    Err(e) => return broken(args, format!("read: {e}")),
                };
                if n == 0 {
                    return match (closing, args.reconnect) {
                        (true, _) => Ok(Outcome::Closed),
                        (false, true) => Ok(Outcome::Lost("closed by the server".into())),
                        (false, false) => Err("the server closed the connection".into()),
                    };
                }
                session.handle_input(&buf[..n], Instant::now());
            }
            _ = tokio::time::sleep(sleep) => session.handle_timeout(Instant::now()),
        }
    }
}
