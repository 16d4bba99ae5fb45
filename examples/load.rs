//! `load`: a load generator written on xmppkit's own `ClientSession`. It logs in N users (two by
//! two: `user0`/`user1`, `user2`/`user3`, …, password `pass`), then each pair exchanges M
//! messages both ways as fast as the server takes them, and reports delivered messages per
//! second, the p50 and p99 latency (send to receipt, same process clock) and, with
//! `--server-pid`, the server's resident memory. With `--idle N` it instead keeps N
//! authenticated connections (bound resources, no presence) of the account `idle` open and
//! reports the server's memory per connection, and the kernel's (socket buffers and slab, half
//! of each loopback pair's). With `--slow-reader N`, `user0` logs in and
//! stops reading while `user1` sends it N messages of 1 KiB: it reports how fast the sender got
//! rid of them and the server's memory before, at its peak and after (a server that bounds what
//! waits for a reader stays flat). With `--rate R`, the senders offer R messages per second in
//! all, evenly spread, instead of as fast as the server takes them: the latency is then the
//! server's at that load, not the queueing of a burst.
//!
//! ```sh
//! cargo run --release --example load -- --server 127.0.0.1:5222 --domain localhost \
//!     --users 100 --messages 200 --server-pid 1234
//! cargo run --release --example load -- --server 127.0.0.1:5222 --domain localhost \
//!     --idle 10000 --server-pid 1234
//! ```

#[path = "support/client_io.rs"]
mod client_io;

use client_io::{nonce, tls_config, Conn};
use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use xmppkit::session::{ClientConfig, ClientEvent, ClientSession, TlsPolicy};
use xmppkit::stanza::{Message, Presence, PresenceType};

struct Args {
    server: String,
    domain: String,
    users: usize,
    messages: usize,
    idle: Option<usize>,
    slow_reader: Option<usize>,
    server_pid: Option<u32>,
    /// Offered messages per second over all senders, instead of as fast as possible.
    rate: Option<f64>,
    /// The first user's number (`--first 100`: `user100`…), so that several generators can
    /// load one server with users of their own.
    first: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        server: "127.0.0.1:5222".into(),
        domain: "localhost".into(),
        users: 100,
        messages: 200,
        idle: None,
        slow_reader: None,
        server_pid: None,
        rate: None,
        first: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{arg}: {e}"));
        match arg.as_str() {
            "--server" => args.server = value()?,
            "--domain" => args.domain = value()?,
            "--users" => args.users = number(value()?)?,
            "--messages" => args.messages = number(value()?)?,
            "--idle" => args.idle = Some(number(value()?)?),
            "--slow-reader" => args.slow_reader = Some(number(value()?)?),
            "--server-pid" => args.server_pid = Some(number(value()?)? as u32),
            "--first" => args.first = number(value()?)?,
            "--rate" => {
                let rate: f64 = value()?.parse().map_err(|e| format!("--rate: {e}"))?;
                if rate.is_nan() || rate <= 0.0 {
                    return Err("--rate must be above 0".into());
                }
                args.rate = Some(rate)
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.users % 2 == 1 || args.first % 2 == 1 {
        return Err("--users and --first must be even (pairs)".into());
    }
    Ok(args)
}

/// The server's resident set size, from /proc.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The kernel's memory that sockets hold, machine-wide: the TCP buffers (`/proc/net/sockstat`,
/// in pages) and the slab caches (`/proc/meminfo`: socket, inode, file and epoll objects), KiB.
fn kernel_kib() -> Option<(u64, u64)> {
    let sockstat = std::fs::read_to_string("/proc/net/sockstat").ok()?;
    let tcp = sockstat.lines().find(|l| l.starts_with("TCP:"))?;
    let mut words = tcp.split_whitespace();
    words.find(|w| *w == "mem")?;
    let pages: u64 = words.next()?.parse().ok()?;
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let slab = meminfo.lines().find(|l| l.starts_with("Slab:"))?;
    let slab: u64 = slab.split_whitespace().nth(1)?.parse().ok()?;
    Some((pages * 4, slab))
}

/// What one connection does once online.
#[derive(Clone, Copy)]
enum Role {
    /// Stay connected until told to stop.
    Idle,
    /// Send `messages` to the partner and wait for as many from it.
    Exchange { partner: usize, messages: usize },
    /// Available, then never read again once the exchange starts.
    Stalled,
    /// Send `messages` of 1 KiB to the partner, not waiting for anything.
    Flood { partner: usize, messages: usize },
}

#[derive(Default)]
struct Stats {
    online: usize,
    delivered: usize,
    latencies: Vec<Duration>,
    last_receipt: Option<Instant>,
    failures: Vec<String>,
}

/// What every connection shares: the clock's origin, the statistics, and the signals to start
/// exchanging (once every connection is online) and to stop.
struct Shared {
    epoch: Instant,
    stats: RefCell<Stats>,
    go: tokio::sync::Notify,
    stop: tokio::sync::Notify,
    logins: tokio::sync::Semaphore,
    /// With `--rate`: the interval between two messages of one sender.
    pace: Option<Duration>,
    /// Senders started so far, to spread their first messages over one interval.
    started: std::cell::Cell<usize>,
}

/// Logs in and runs one connection's role.
async fn user(
    address: String,
    domain: String,
    name: String,
    role: Role,
    shared: Rc<Shared>,
) -> Result<(), String> {
    let (epoch, stats) = (shared.epoch, &shared.stats);
    // At most 64 logins at once: a burst of thousands overflows any listener's backlog.
    let mut permit = Some(shared.logins.acquire().await.map_err(|e| e.to_string())?);
    let jid = format!("{name}@{domain}")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let mut config = ClientConfig::new(jid, "pass");
    config.tls = TlsPolicy::Required;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls_config(true)));
    let mut session = ClientSession::new(config, nonce(), Instant::now());
    let tcp = TcpStream::connect(&address)
        .await
        .map_err(|e| e.to_string())?;
    let mut conn = Conn::Plain(tcp);
    let mut buf = vec![0u8; 16 * 1024];
    let (mut sent, mut received, mut started) = (0usize, 0usize, false);
    // With `--rate`: when this sender's next message is due.
    let mut next_at: Option<Instant> = None;
    let go_signal = shared.go.notified();
    tokio::pin!(go_signal);
    let stop_signal = shared.stop.notified();
    tokio::pin!(stop_signal);
    loop {
        while let Some(bytes) = session.poll_transmit() {
            conn.io()
                .write_all(&bytes)
                .await
                .map_err(|e| e.to_string())?;
        }
        conn.io().flush().await.map_err(|e| e.to_string())?;
        let mut acted = false;
        while let Some(event) = session.poll_event() {
            acted = true;
            match event {
                ClientEvent::StartTls => {
                    let Conn::Plain(tcp) = std::mem::replace(&mut conn, Conn::Upgrading) else {
                        return Err("STARTTLS twice".into());
                    };
                    let name = rustls::pki_types::ServerName::try_from(domain.clone())
                        .map_err(|e| e.to_string())?;
                    let tls = connector
                        .connect(name, tcp)
                        .await
                        .map_err(|e| e.to_string())?;
                    let bindings = client_io::bindings(tls.get_ref().1);
                    conn = Conn::Tls(Box::new(tls));
                    session.tls_established_with(bindings, Instant::now());
                }
                ClientEvent::Online { .. } => {
                    // Idle connections stay unavailable: many resources of one account would
                    // otherwise each receive every other's presence.
                    if !matches!(role, Role::Idle) {
                        session
                            .send(Presence::new(PresenceType::Available).into())
                            .map_err(|e| e.to_string())?;
                    }
                    stats.borrow_mut().online += 1;
                    drop(permit.take());
                }
                ClientEvent::Stanza(stanza) => {
                    let Some(body) = stanza.get_child("body", "jabber:client") else {
                        continue;
                    };
                    let sent_at: u64 = body
                        .text()
                        .split(' ')
                        .nth(1)
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(0);
                    let now = Instant::now();
                    let latency = now
                        .duration_since(epoch)
                        .saturating_sub(Duration::from_micros(sent_at));
                    let mut s = stats.borrow_mut();
                    s.delivered += 1;
                    s.latencies.push(latency);
                    s.last_receipt = Some(now);
                    received += 1;
                }
                ClientEvent::Closed => return Ok(()),
                ClientEvent::Failed(e) => return Err(e.to_string()),
                _ => {}
            }
        }
        if acted {
            continue;
        }
        let (more, done) = match role {
            Role::Exchange { messages, .. } => (
                started && sent < messages,
                started && sent >= messages && received >= messages,
            ),
            Role::Flood { messages, .. } => {
                (started && sent < messages, started && sent >= messages)
            }
            Role::Idle | Role::Stalled => (false, false),
        };
        // Paced (`--rate`): one message when its time has come, the senders spread evenly.
        let now = Instant::now();
        if let (Some(pace), true, None) = (shared.pace, started, next_at) {
            let n = shared.started.get();
            shared.started.set(n + 1);
            let spread = (n % 997) as f64 / 997.0;
            next_at = Some(now + pace.mul_f64(spread));
        }
        let due = more && next_at.is_none_or(|t| now >= t);
        let reading = !(started && matches!(role, Role::Stalled));
        if done {
            session.close(Instant::now());
            // Drain the closing tags.
            while let Some(bytes) = session.poll_transmit() {
                let _ = conn.io().write_all(&bytes).await;
            }
            return Ok(());
        }
        let wake = [session.poll_timeout(), next_at.filter(|_| more)]
            .into_iter()
            .flatten()
            .min();
        let sleep = wake.map_or(Duration::from_secs(3600), |t| {
            t.saturating_duration_since(Instant::now())
        });
        tokio::select! {
            biased;
            read = conn.io().read(&mut buf), if reading => {
                let n = read.map_err(|e| e.to_string())?;
                if n == 0 {
                    return Err("the server closed the connection".into());
                }
                session.handle_input(&buf[..n], Instant::now());
            }
            _ = &mut go_signal, if !started => started = true,
            _ = &mut stop_signal => {
                session.close(Instant::now());
                while let Some(bytes) = session.poll_transmit() {
                    let _ = conn.io().write_all(&bytes).await;
                }
                return Ok(());
            }
            _ = std::future::ready(()), if due => {
                if let Role::Exchange { partner, messages } | Role::Flood { partner, messages } = role {
                    let to: xmppkit::jid::Jid = format!("user{partner}@{domain}").parse().map_err(|e| format!("{e}"))?;
                    let padding = if matches!(role, Role::Flood { .. }) { "x".repeat(1000) } else { String::new() };
                    let burst = match (shared.pace, next_at.as_mut()) {
                        (Some(pace), Some(at)) => {
                            *at += pace;
                            1
                        }
                        _ => 20,
                    };
                    for _ in 0..burst.min(messages - sent) {
                        let at = Instant::now().duration_since(epoch).as_micros();
                        session.send(Message::chat(to.clone(), format!("{sent} {at} {padding}")).into()).map_err(|e| e.to_string())?;
                        sent += 1;
                    }
                }
            }
            _ = tokio::time::sleep(sleep) => session.handle_timeout(Instant::now()),
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn run(args: Args) -> Result<(), String> {
    let shared = Rc::new(Shared {
        epoch: Instant::now(),
        stats: RefCell::new(Stats::default()),
        go: tokio::sync::Notify::new(),
        stop: tokio::sync::Notify::new(),
        logins: tokio::sync::Semaphore::new(64),
        pace: args
            .rate
            .map(|rate| Duration::from_secs_f64(args.users as f64 / rate)),
        started: std::cell::Cell::new(0),
    });
    let stats = &shared.stats;
    let count = match (args.idle, args.slow_reader) {
        (Some(n), _) => n,
        (None, Some(_)) => 2,
        (None, None) => args.users,
    };
    let before = args.server_pid.and_then(rss_kib);
    let kernel_before = kernel_kib();
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let (role, name) = match (args.idle, args.slow_reader) {
            (Some(_), _) => (Role::Idle, "idle".to_owned()),
            (None, Some(messages)) if i == 1 => (
                Role::Flood {
                    partner: 0,
                    messages,
                },
                "user1".into(),
            ),
            (None, Some(_)) => (Role::Stalled, "user0".into()),
            (None, None) => (
                Role::Exchange {
                    partner: args.first + (i ^ 1),
                    messages: args.messages,
                },
                format!("user{}", args.first + i),
            ),
        };
        let task = user(
            args.server.clone(),
            args.domain.clone(),
            name,
            role,
            shared.clone(),
        );
        let shared = shared.clone();
        tasks.push(tokio::task::spawn_local(async move {
            if let Err(e) = task.await {
                shared.stats.borrow_mut().failures.push(e);
            }
        }));
        if i % 50 == 49 {
            // Do not storm the listener's backlog.
            tokio::task::yield_now().await;
        }
    }
    let login_started = Instant::now();
    while stats.borrow().online + stats.borrow().failures.len() < count {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if login_started.elapsed() > Duration::from_secs(600) {
            return Err("logins take longer than 10 minutes".into());
        }
    }
    let failures = stats.borrow().failures.len();
    println!(
        "online: {} of {count} in {:.1} s ({failures} failed)",
        stats.borrow().online,
        login_started.elapsed().as_secs_f64()
    );
    if let Some(e) = stats.borrow().failures.first() {
        println!("first failure: {e}");
    }
    if let Some(messages) = args.slow_reader {
        let start = Instant::now();
        shared.go.notify_waiters();
        let mut peak = before.unwrap_or(0);
        let flood = tasks.pop().expect("the sender");
        tokio::pin!(flood);
        let sent_in = loop {
            tokio::select! {
                _ = &mut flood => break start.elapsed(),
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
            peak = peak.max(args.server_pid.and_then(rss_kib).unwrap_or(0));
            if start.elapsed() > Duration::from_secs(600) {
                break start.elapsed();
            }
        };
        for _ in 0..20 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            peak = peak.max(args.server_pid.and_then(rss_kib).unwrap_or(0));
        }
        let after = args.server_pid.and_then(rss_kib).unwrap_or(0);
        println!(
            "slow reader: {messages} messages of 1 KiB sent in {:.2} s ({:.0} messages/s); server RSS {} KiB before, {peak} KiB at the peak, {after} KiB after",
            sent_in.as_secs_f64(),
            messages as f64 / sent_in.as_secs_f64().max(1e-9),
            before.unwrap_or(0),
        );
        if let Some(e) = stats.borrow().failures.first() {
            println!("the reader's connection: {e}");
        }
        shared.stop.notify_waiters();
    } else if args.idle.is_some() {
        tokio::time::sleep(Duration::from_secs(3)).await;
        if let (Some(pid), Some(before)) = (args.server_pid, before) {
            let after = rss_kib(pid).unwrap_or(before);
            println!(
                "server RSS: {before} KiB before, {after} KiB with {count} idle connections: {:.1} KiB per connection",
                (after.saturating_sub(before)) as f64 / count as f64
            );
        }
        if let (Some((buffers, slab)), Some((buffers_after, slab_after))) =
            (kernel_before, kernel_kib())
        {
            // Each loopback connection is two sockets, ours and the server's: half is the server's.
            let per = |b: u64, a: u64| a.saturating_sub(b) as f64 / count as f64 / 2.0;
            println!(
                "kernel, per server-side socket (half of each loopback pair): {:.1} KiB TCP buffers, {:.1} KiB slab",
                per(buffers, buffers_after),
                per(slab, slab_after)
            );
        }
        shared.stop.notify_waiters();
    } else {
        let start = Instant::now();
        shared.go.notify_waiters();
        let expected = args.users * args.messages;
        while stats.borrow().delivered < expected {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if start.elapsed() > Duration::from_secs(600) {
                break;
            }
        }
        let s = stats.borrow();
        let end = s.last_receipt.unwrap_or(start);
        let seconds = end.duration_since(start).as_secs_f64();
        let mut latencies = s.latencies.clone();
        latencies.sort();
        println!(
            "delivered: {} of {expected} in {seconds:.2} s: {:.0} messages/s; latency p50 {:.1} ms, p99 {:.1} ms",
            s.delivered,
            s.delivered as f64 / seconds.max(1e-9),
            percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
            percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        );
        if let Some(pid) = args.server_pid {
            println!("server RSS: {} KiB", rss_kib(pid).unwrap_or(0));
        }
    }
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\nusage: load [--server ADDR] [--domain D] [--users N] [--messages M] [--rate R] [--first N] [--idle N | --slow-reader N] [--server-pid PID]");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match tokio::task::LocalSet::new().block_on(&runtime, run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
