//! The server's settings: a TOML file in the habits of ejabberd and Prosody (`--config`), the
//! command-line flags on top of it, and the accounts file (`name = "password"` lines).

use serde::Deserialize;
use std::time::Duration;

/// Everything the server is told. Each field has a default, so an empty file is valid.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The domain served; MUC at `conference.<domain>`, PubSub at `pubsub.<domain>`.
    pub domain: String,
    /// Addresses to listen on for clients.
    pub listen: Vec<String>,
    /// Where state is kept: `sqlite:PATH` (the default, `sqlite:xmppkit.db`) or `memory`.
    pub store: String,
    /// An accounts file: with `memory`, the accounts; with a database, accounts created in it
    /// at start when missing.
    pub accounts: Option<String>,
    /// TLS certificate and key (PEM); a self-signed certificate is made when absent.
    pub tls: Tls,
    /// Limits.
    pub limits: Limits,
    /// Which services run.
    pub services: Services,
    /// How clients log in.
    pub login: Login,
    /// Engines serving the domain, each on a thread of its own, the accounts split between
    /// them by bare JID (the MUC and PubSub services on the first); by default
    /// [`Settings::shards`].
    pub shards: Option<usize>,
    /// Server-to-server.
    pub federation: Federation,
    /// XEP-0114 external components.
    pub components: Components,
}

/// `[federation]`: server-to-server links (RFC 6120, XEP-0220 dialback, SASL EXTERNAL).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Federation {
    /// Stanzas to other domains leave (on by default); off, they get
    /// `remote-server-not-found`.
    pub enabled: bool,
    /// Addresses to accept other servers on (none by default; 5269 is the standard port).
    pub listen: Vec<String>,
    /// Addresses to accept other servers on with TLS from the first byte (XEP-0368; 5270 is
    /// customary), none by default.
    pub direct_tls_listen: Vec<String>,
    /// Trust roots (PEM) for other servers' certificates: with them, a certificate that
    /// proves its domain authenticates with SASL EXTERNAL and outgoing TLS is verified;
    /// without, peers are authenticated by dialback over unverified TLS.
    pub ca: Option<String>,
    /// `required` (the default) or `optional` (plaintext when the peer has no TLS).
    pub tls: String,
    /// The dialback secret (XEP-0185); random at start when absent, so set it when several
    /// processes serve the domain.
    pub secret: Option<String>,
    /// Only these domains, when given.
    pub allow: Option<Vec<String>>,
    /// Never these domains.
    pub deny: Vec<String>,
    /// Stanzas waiting per remote domain while its link is set up.
    pub max_queued: usize,
    /// Seconds a link may take to connect and authenticate.
    pub connect_timeout: u64,
    /// Seconds an unused link stays open.
    pub idle_timeout: u64,
    /// XEP-0288 bidirectional streams: one connection carries both directions of a pair.
    pub bidi: bool,
    /// The DNS server to ask for SRV records and addresses (`IP:PORT`) instead of the
    /// system's (`/etc/resolv.conf`).
    pub nameserver: Option<String>,
    /// Where a domain's server is, before DNS: `"b.example" = "127.0.0.1:5269"`, or
    /// `"tls:127.0.0.1:5270"` for direct TLS.
    pub hosts: std::collections::BTreeMap<String, String>,
}

impl Default for Federation {
    fn default() -> Self {
        Federation {
            enabled: true,
            listen: Vec::new(),
            direct_tls_listen: Vec::new(),
            ca: None,
            tls: "required".into(),
            secret: None,
            allow: None,
            deny: Vec::new(),
            max_queued: 1000,
            connect_timeout: 30,
            idle_timeout: 600,
            bidi: true,
            nameserver: None,
            hosts: Default::default(),
        }
    }
}

/// `[components]`: XEP-0114 external components.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Components {
    /// Addresses to accept components on (none by default; 5347 is customary).
    pub listen: Vec<String>,
    /// Each component's domain and shared secret: `"bot.localhost" = "secret"`.
    pub secrets: std::collections::BTreeMap<String, String>,
}

/// `[tls]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tls {
    /// Certificate chain, PEM.
    pub certificate: Option<String>,
    /// Private key, PEM.
    pub key: Option<String>,
}

/// `[limits]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Open connections at most.
    pub max_connections: usize,
    /// The largest stanza a client may send, in bytes.
    pub max_stanza: usize,
    /// Bytes per second read from one connection.
    pub bytes_per_second: usize,
    /// Bytes that may wait to be written to one connection.
    pub max_queued_bytes: usize,
    /// Offline messages kept per user.
    pub offline_messages: usize,
    /// Failed logins one address may make in ten minutes before every login from it is
    /// refused (`temporary-auth-failure`) for the rest of those ten minutes; 0: no limit.
    pub failed_logins: u32,
}

/// `[login]`: each modern piece of the login can be turned off.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Login {
    /// SCRAM `-PLUS` mechanisms bound to the TLS connection (`tls-exporter` under TLS 1.3,
    /// `tls-server-end-point`), advertised with XEP-0440.
    pub channel_binding: bool,
    /// The XEP-0474 downgrade-protection hash in SCRAM.
    pub downgrade_protection: bool,
    /// XEP-0388 SASL2 next to RFC 6120 SASL.
    pub sasl2: bool,
    /// XEP-0386 Bind 2 inside SASL2 (resource, stream management and carbons in one go).
    pub bind2: bool,
    /// XEP-0484 FAST tokens, issued to clients that name their installation.
    pub fast: bool,
}

impl Default for Login {
    fn default() -> Self {
        Login {
            channel_binding: true,
            downgrade_protection: true,
            sasl2: true,
            bind2: true,
            fast: true,
        }
    }
}

/// `[services]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Services {
    /// Multi-user chat at `conference.<domain>`.
    pub muc: bool,
    /// Publish-subscribe at `pubsub.<domain>`.
    pub pubsub: bool,
    /// Archive users' messages (MAM).
    pub mam: bool,
    /// XEP-0077 in-band registration.
    pub registration: bool,
    /// Accounts one address may register per hour.
    pub registrations_per_hour: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            domain: "localhost".into(),
            listen: vec!["127.0.0.1:5222".into()],
            store: "sqlite:xmppkit.db".into(),
            accounts: None,
            tls: Tls::default(),
            limits: Limits::default(),
            services: Services::default(),
            login: Login::default(),
            shards: None,
            federation: Federation::default(),
            components: Components::default(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 10_000,
            max_stanza: 64 * 1024,
            bytes_per_second: 1024 * 1024,
            max_queued_bytes: 1024 * 1024,
            offline_messages: 1000,
            failed_logins: 10,
        }
    }
}

impl Default for Services {
    fn default() -> Self {
        Services {
            muc: true,
            pubsub: true,
            mam: true,
            registration: false,
            registrations_per_hour: 3,
        }
    }
}

impl Settings {
    /// How many shards run: as configured, else one on SQLite (one writer: shards would only
    /// take turns at its connection, measured slower in docs/benchmarks.md) and one per core
    /// on the other stores.
    pub fn shards(&self) -> usize {
        match self.shards {
            Some(n) => n.max(1),
            None if self.store.starts_with("sqlite") => 1,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }

    /// The store chosen.
    pub fn store(&self) -> Result<crate::store::Choice, String> {
        self.store.parse()
    }

    /// The registration rate of the engine's configuration.
    pub fn registration(&self) -> Option<xmppkit::server::RateLimit> {
        self.services
            .registration
            .then_some(xmppkit::server::RateLimit {
                count: self.services.registrations_per_hour,
                window: Duration::from_secs(3600),
            })
    }
}

impl Federation {
    /// The engine's federation policy.
    pub fn policy(&self) -> xmppkit::server::FederationConfig {
        xmppkit::server::FederationConfig {
            enabled: self.enabled,
            allow: self.allow.clone(),
            deny: self.deny.clone(),
            max_queued: self.max_queued,
            connect_timeout: Duration::from_secs(self.connect_timeout),
            idle_timeout: Duration::from_secs(self.idle_timeout),
        }
    }
}

impl Limits {
    /// The failed-login limit of the engine's configuration.
    pub fn auth_failures(&self) -> Option<xmppkit::server::RateLimit> {
        (self.failed_logins > 0).then_some(xmppkit::server::RateLimit {
            count: self.failed_logins,
            window: Duration::from_secs(600),
        })
    }
}

/// Reads `--config FILE` and the flags after it; returns the settings and what is left (the
/// admin command, if any).
pub fn parse(args: Vec<String>) -> Result<(Settings, Vec<String>), String> {
    let mut settings = Settings::default();
    let mut rest = Vec::new();
    let mut it = args.into_iter();
    let mut listen = Vec::new();
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{arg}: {e}"));
        match arg.as_str() {
            "--config" => {
                let path = value()?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
                settings = toml::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
            }
            "--domain" => settings.domain = value()?,
            "--listen" => listen.push(value()?),
            "--users" => settings.accounts = Some(value()?),
            "--store" => settings.store = value()?,
            "--max-stanza" => settings.limits.max_stanza = number(value()?)?,
            "--rate" => settings.limits.bytes_per_second = number(value()?)?,
            "--max-connections" => settings.limits.max_connections = number(value()?)?,
            "--max-queued" => settings.limits.max_queued_bytes = number(value()?)?,
            "--registration" => settings.services.registration = true,
            "--no-mam" => settings.services.mam = false,
            "--shards" => settings.shards = Some(number(value()?)?.max(1)),
            "--s2s-listen" => settings.federation.listen.push(value()?),
            "--s2s-direct-tls-listen" => settings.federation.direct_tls_listen.push(value()?),
            "--federation-host" => {
                let v = value()?;
                let (domain, address) = v.split_once('=').ok_or(format!("{arg} DOMAIN=ADDR"))?;
                let domain = domain.to_lowercase();
                settings.federation.hosts.insert(domain, address.into());
            }
            "--federation-ca" => settings.federation.ca = Some(value()?),
            "--s2s-tls" => settings.federation.tls = value()?,
            "--federation-timeout" => {
                settings.federation.connect_timeout = number(value()?)? as u64
            }
            "--no-federation" => settings.federation.enabled = false,
            "--no-bidi" => settings.federation.bidi = false,
            "--federation-dns" => settings.federation.nameserver = Some(value()?),
            "--component-listen" => settings.components.listen.push(value()?),
            "--component" => {
                let v = value()?;
                let (domain, secret) = v.split_once('=').ok_or(format!("{arg} DOMAIN=SECRET"))?;
                let domain = domain.to_lowercase();
                settings.components.secrets.insert(domain, secret.into());
            }
            _ if arg.starts_with("--") && rest.is_empty() => {
                return Err(format!("unknown argument {arg}"))
            }
            _ => rest.push(arg),
        }
    }
    if !listen.is_empty() {
        settings.listen = listen;
    }
    Ok((settings, rest))
}

/// `name = "password"` lines; `#` starts a comment.
pub fn read_accounts(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut accounts = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (name, password) = line
            .split_once('=')
            .ok_or(format!("line {}: expected name = \"password\"", n + 1))?;
        accounts.push((
            name.trim().to_owned(),
            password.trim().trim_matches('"').to_owned(),
        ));
    }
    Ok(accounts)
}
