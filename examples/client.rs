//! `client`: a small XMPP client on top of the sans-IO [`ClientSession`], with tokio for the socket
//! and tokio-rustls for STARTTLS. It is the reference for embedding the session in real I/O.
//!
//! ```sh
//! cargo run --example client -- --jid alice@localhost --password pass \
//!     [--server 127.0.0.1:5222] [--insecure-tls] [--mechanism SCRAM-SHA-1] [--wait 3] \
//!     send bob@localhost "hi"        # or: listen
//! ```
//!
//! It logs in, sends initial presence, sends the message (with `send`), prints every stanza it
//! receives for `--wait` seconds, and closes the stream cleanly. Exit status 0 when all went well.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use xmppkit::codec::to_string;
use xmppkit::jid::BareJid;
use xmppkit::session::{ClientConfig, ClientEvent, ClientSession, TlsPolicy};
use xmppkit::stanza::{Message, Presence, PresenceType};

struct Args {
    jid: BareJid,
    password: String,
    server: Option<String>,
    insecure_tls: bool,
    mechanism: Option<String>,
    wait: Duration,
    command: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut jid, mut password, mut server, mut insecure_tls, mut mechanism, mut wait) =
        (None, None, None, false, None, 3);
    let mut command = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--jid" => jid = Some(value()?),
            "--password" => password = Some(value()?),
            "--server" => server = Some(value()?),
            "--insecure-tls" => insecure_tls = true,
            "--mechanism" => mechanism = Some(value()?),
            "--wait" => wait = value()?.parse().map_err(|e| format!("--wait: {e}"))?,
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
        command,
    })
}

/// The connection: plain TCP until STARTTLS, then TLS over it.
enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
    Upgrading,
}

impl Conn {
    fn io(&mut self) -> &mut (dyn Io + Send) {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => s.as_mut(),
            Conn::Upgrading => unreachable!("no I/O during the TLS upgrade"),
        }
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin {}
impl<T: AsyncRead + AsyncWrite + Unpin> Io for T {}

fn tls_config(insecure: bool) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions");
    if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let roots =
            rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        builder.with_root_certificates(roots).with_no_client_auth()
    }
}

/// For `--insecure-tls` only: test servers with self-signed certificates.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn nonce() -> String {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).expect("the OS has randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\nusage: client --jid JID --password PW [--server HOST:PORT] [--insecure-tls] [--mechanism M] [--wait S] (send TO TEXT | listen)");
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

async fn run(args: Args) -> Result<(), String> {
    let domain = args.jid.domain().as_str().to_owned();
    let address = args
        .server
        .clone()
        .unwrap_or_else(|| format!("{domain}:5222"));
    let tcp = TcpStream::connect(&address)
        .await
        .map_err(|e| format!("connect {address}: {e}"))?;
    let mut conn = Conn::Plain(tcp);
    let mut config = ClientConfig::new(args.jid.clone(), args.password.clone());
    config.tls = TlsPolicy::Required;
    if let Some(m) = &args.mechanism {
        config.mechanisms = vec![match m.as_str() {
            "SCRAM-SHA-256" => "SCRAM-SHA-256",
            "SCRAM-SHA-1" => "SCRAM-SHA-1",
            "PLAIN" => "PLAIN",
            other => return Err(format!("unknown mechanism {other}")),
        }];
    }
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls_config(args.insecure_tls)));
    let mut session = ClientSession::new(config, nonce(), Instant::now());
    let mut buf = vec![0u8; 16 * 1024];
    let mut stop_at: Option<Instant> = None;
    let mut closing = false;
    loop {
        // 1. Write what the session wants to send.
        let mut wrote = false;
        while let Some(bytes) = session.poll_transmit() {
            conn.io()
                .write_all(&bytes)
                .await
                .map_err(|e| format!("write: {e}"))?;
            wrote = true;
        }
        if wrote {
            // TLS buffers records until flushed.
            conn.io().flush().await.map_err(|e| format!("write: {e}"))?;
        }
        // 2. Act on events; acting may make the session want to send again, so go back to 1.
        let mut had_events = false;
        while let Some(event) = session.poll_event() {
            had_events = true;
            match event {
                ClientEvent::StartTls => {
                    let Conn::Plain(tcp) = std::mem::replace(&mut conn, Conn::Upgrading) else {
                        return Err("STARTTLS twice".into());
                    };
                    let name = rustls::pki_types::ServerName::try_from(domain.clone())
                        .map_err(|e| format!("server name: {e}"))?;
                    let tls = connector
                        .connect(name, tcp)
                        .await
                        .map_err(|e| format!("TLS handshake: {e}"))?;
                    println!("tls established");
                    conn = Conn::Tls(Box::new(tls));
                    session.tls_established(Instant::now());
                }
                ClientEvent::Authenticated { mechanism } => {
                    println!("authenticated with {mechanism}")
                }
                ClientEvent::Online { jid } => {
                    println!("online as {jid}");
                    session
                        .send(Presence::new(PresenceType::Available).into())
                        .map_err(|e| e.to_string())?;
                    if let [cmd, to, text, ..] = args.command.as_slice() {
                        if cmd == "send" {
                            let to = to.parse().map_err(|e| format!("recipient: {e}"))?;
                            session
                                .send(Message::chat(to, text.clone()).into())
                                .map_err(|e| e.to_string())?;
                            println!("sent to {}", args.command[1]);
                        }
                    }
                    stop_at = Some(Instant::now() + args.wait);
                }
                ClientEvent::Stanza(stanza) => {
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
                ClientEvent::IqResponse(iq) => println!("iq response {}", iq.id),
                ClientEvent::IqTimeout { id } => println!("iq {id} timed out"),
                ClientEvent::SeeOtherHost(host) => println!("server redirects to {host}"),
                ClientEvent::Nonza(el) => println!("received {}", to_string(&el)),
                ClientEvent::Closed => {
                    println!("closed");
                    return Ok(());
                }
                ClientEvent::Failed(e) => return Err(e.to_string()),
            }
        }
        if had_events {
            continue;
        }
        // 3. Wait for bytes, a session timer, or the end of --wait.
        let now = Instant::now();
        if let Some(stop) = stop_at {
            if now >= stop && !closing {
                closing = true;
                session.close(now);
                stop_at = Some(now + Duration::from_secs(5));
                continue;
            } else if now >= stop {
                return Err("the server did not close the stream".into());
            }
        }
        let deadline = [session.poll_timeout(), stop_at]
            .into_iter()
            .flatten()
            .min();
        let sleep = deadline.map_or(Duration::from_secs(3600), |d| {
            d.saturating_duration_since(now)
        });
        tokio::select! {
            read = conn.io().read(&mut buf) => {
                let n = read.map_err(|e| format!("read: {e}"))?;
                if n == 0 {
                    return if closing { Ok(()) } else { Err("the server closed the connection".into()) };
                }
                session.handle_input(&buf[..n], Instant::now());
            }
            _ = tokio::time::sleep(sleep) => session.handle_timeout(Instant::now()),
        }
    }
}
