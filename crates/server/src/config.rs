//! What a server is told before it starts: its domain, the resource conflict policy (RFC 6120
//! §7.7.2.2), the bounds that keep memory finite (offline storage, what waits for a slow reader),
//! whether in-band registration (XEP-0077) is open, how many failed logins an address gets, and
//! which shard of the domain this engine is.

use crate::federation::FederationConfig;
use crate::rate::RateLimit;
use crate::shards::Shards;
use std::time::Duration;
use xmppkit_jid::BareJid;

/// What happens when a client binds a resource that another session of the same account holds
/// (RFC 6120 §7.7.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResourceConflict {
    /// The new session wins; the old one is closed with the `conflict` stream error (the
    /// behaviour of Prosody and ejabberd).
    #[default]
    Replace,
    /// The new session is refused with the `conflict` stanza error and may ask again.
    Refuse,
}

/// The server's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The domain served.
    pub domain: BareJid,
    /// The resource conflict policy.
    pub conflict: ResourceConflict,
    /// Messages kept per user while offline (XEP-0160); beyond that the sender gets
    /// `service-unavailable`.
    pub offline_limit: usize,
    /// Bytes (as serialized, approximately) that may wait to be written to one connection or
    /// be queued in one detached session. Beyond that the session is closed with a stream error
    /// and what it had not been given is stored offline or bounced: a reader that stops reading
    /// costs at most this much.
    pub max_queued_bytes: usize,
    /// XEP-0077 in-band registration, at most this many accounts per address and window;
    /// `None` (the default) keeps it closed.
    pub registration: Option<RateLimit>,
    /// Failed logins allowed per address and window; past them, every attempt from that
    /// address gets `temporary-auth-failure` until the window passes (the account stays usable
    /// from elsewhere). `None`: no limit.
    pub auth_failures: Option<RateLimit>,
    /// RFC 6121 §3.4 subscription pre-approval (on by default).
    pub pre_approval: bool,
    /// PBKDF2 iterations for the SCRAM keys of new and changed passwords.
    pub scram_iterations: u32,
    /// Users' message archives (XEP-0313), on by default.
    pub archive: bool,
    /// Which of the domain's shards this engine is ([`Shards::default`]: the only one).
    pub shards: Shards,
    /// Route users' chat and normal messages between local accounts as the bytes received,
    /// without building their trees (on by default); off, every stanza is routed as a tree.
    /// The two paths deliver and archive the same stanzas.
    pub route_bytes: bool,
    /// XEP-0484 FAST tokens, with how long they live (on by default); `None` does not offer
    /// FAST.
    pub fast: Option<crate::fast::FastPolicy>,
    /// Domains whose bare JIDs are group chat rooms archived in this server's store (a local
    /// MUC service's): read state counts a room from the room's archive, a 1:1 chat from the
    /// user's own. Empty by default.
    pub room_domains: Vec<String>,
    /// Server-to-server: off by default ([`FederationConfig`]).
    pub federation: FederationConfig,
}

impl Config {
    /// The defaults for `domain`: conflicts replace the old session, 1,000 offline messages a
    /// user, 1 MiB queued per connection, registration closed, 10 failed logins per address in
    /// 10 minutes, pre-approval on.
    pub fn new(domain: BareJid) -> Self {
        Config {
            domain,
            conflict: ResourceConflict::Replace,
            offline_limit: 1000,
            max_queued_bytes: 1024 * 1024,
            registration: None,
            auth_failures: Some(RateLimit {
                count: 10,
                window: Duration::from_secs(600),
            }),
            pre_approval: true,
            scram_iterations: 4096,
            archive: true,
            shards: Shards::default(),
            route_bytes: true,
            fast: Some(crate::fast::FastPolicy::default()),
            room_domains: Vec::new(),
            federation: FederationConfig::default(),
        }
    }
}
