//! How eagerly a stream-managed side asks for acknowledgements and how long a session may stay
//! resumable (XEP-0198 §4 "when to request", §5 `max`).

use std::time::Duration;

/// Stream management settings, the same shape for both roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmConfig {
    /// Client: ask for resumption in `<enable/>`. Server: grant it when asked.
    pub resume: bool,
    /// Client: the resumption time to ask for (`max` of `<enable/>`). Server: the longest it keeps
    /// a detached session (`max` of `<enabled/>`); a client's shorter wish is honoured.
    pub max_resume: Duration,
    /// Send `<r/>` once this many stanzas went out since the last request (0: never by count).
    pub request_every: u32,
    /// Send `<r/>` when a stanza has waited this long for its acknowledgement.
    pub request_after: Duration,
    /// With a request outstanding this long and no `<a/>`, the connection is taken as dead.
    pub ack_timeout: Duration,
}

impl Default for SmConfig {
    /// Resumable for 5 minutes; ask after 5 stanzas or 5 s; give up on the link after 60 s.
    fn default() -> Self {
        SmConfig {
            resume: true,
            max_resume: Duration::from_secs(300),
            request_every: 5,
            request_after: Duration::from_secs(5),
            ack_timeout: Duration::from_secs(60),
        }
    }
}
