//! What a session is told before it starts: identity, credentials, TLS policy and the timers.

use std::time::Duration;
use xmppkit_jid::BareJid;
use xmppkit_sm::SmConfig;

/// Whether and how to use STARTTLS (RFC 6120 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsPolicy {
    /// TLS or nothing: fail when the peer does not offer it (the default).
    #[default]
    Required,
    /// Use TLS when offered, go on without it otherwise.
    Opportunistic,
    /// Never negotiate TLS (tests; connections already protected otherwise).
    Off,
}

/// The timers of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// How long each negotiation step (header, features, TLS, SASL, bind) may take.
    pub negotiation: Duration,
    /// How long an IQ request waits for its answer before a timeout event.
    pub iq: Duration,
    /// After this long without receiving anything, the client sends a XEP-0199 ping; `None` for no
    /// pings.
    pub ping_idle: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            negotiation: Duration::from_secs(30),
            iq: Duration::from_secs(30),
            ping_idle: Some(Duration::from_secs(60)),
        }
    }
}

/// Client configuration.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The account.
    pub jid: BareJid,
    /// The password.
    pub password: String,
    /// The resource to ask for; `None` lets the server choose.
    pub resource: Option<String>,
    /// STARTTLS policy.
    pub tls: TlsPolicy,
    /// Allow SASL PLAIN without TLS (never by default: it sends the password in the clear).
    pub allow_plain_without_tls: bool,
    /// The SASL mechanisms the client may use, strongest first; the first one the server offers
    /// wins (a `-PLUS` one only with channel-binding data for a type the server takes). Default:
    /// SCRAM-SHA-512-PLUS, SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS, SCRAM-SHA-512, SCRAM-SHA-256,
    /// SCRAM-SHA-1, PLAIN.
    pub mechanisms: Vec<&'static str>,
    /// Timers.
    pub timeouts: Timeouts,
    /// XEP-0198 stream management, enabled after bind when the server offers it (default: on,
    /// resumable); `None` never enables it.
    pub stream_management: Option<SmConfig>,
    /// Log in with XEP-0388 SASL2 (and XEP-0386 Bind 2) when the server offers it (default:
    /// on); RFC 6120 SASL otherwise.
    pub sasl2: bool,
    /// Who is logging in (XEP-0388 `<user-agent/>`): its `id`, stable for this client
    /// installation, is what FAST tokens are issued to. `None`: no FAST.
    pub user_agent: Option<crate::sasl2::UserAgent>,
    /// A XEP-0484 FAST token from an earlier login ([`crate::ClientEvent::FastToken`]), tried
    /// before the password.
    pub fast_token: Option<crate::ClientToken>,
    /// Ask for a FAST token when the server offers FAST (default: on; needs `user_agent`).
    pub request_fast_token: bool,
    /// Enable XEP-0280 message carbons inline when binding with Bind 2 (default: off).
    pub carbons: bool,
    /// The XEP-0388 tasks the application can carry out (a second factor, ...) when the server
    /// asks for them after the mechanism ([`crate::ClientEvent::Sasl2Continue`]); a server
    /// that asks only for others ends the login (default: none).
    pub sasl2_tasks: Vec<String>,
}

impl ClientConfig {
    /// A configuration with the defaults: TLS required, no PLAIN in the clear, server-chosen resource.
    pub fn new(jid: BareJid, password: impl Into<String>) -> Self {
        ClientConfig {
            jid,
            password: password.into(),
            resource: None,
            tls: TlsPolicy::Required,
            allow_plain_without_tls: false,
            mechanisms: vec![
                "SCRAM-SHA-512-PLUS",
                "SCRAM-SHA-256-PLUS",
                "SCRAM-SHA-1-PLUS",
                "SCRAM-SHA-512",
                "SCRAM-SHA-256",
                "SCRAM-SHA-1",
                "PLAIN",
            ],
            timeouts: Timeouts::default(),
            stream_management: Some(SmConfig::default()),
            sasl2: true,
            user_agent: None,
            fast_token: None,
            request_fast_token: true,
            carbons: false,
            sasl2_tasks: Vec::new(),
        }
    }
}
