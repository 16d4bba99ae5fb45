//! Resource binding decisions (RFC 6120 §7.7.2.2): what to do when the requested resource is
//! already in use, as a pure function the embedding server's router calls.

/// What the server does when a client asks for a resource another session holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConflictPolicy {
    /// The new session takes the resource; the old one is closed with a `conflict` stream error.
    #[default]
    Replace,
    /// The new session is refused with a `conflict` stanza error.
    Refuse,
    /// The new session gets the resource with a random suffix.
    RandomSuffix,
}

/// The outcome of a bind request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindDecision {
    /// Bind this resource.
    Bind(String),
    /// Bind this resource after closing the session that holds it.
    BindReplacing(String),
    /// Refuse with `conflict`.
    Refuse,
}

/// Decides a bind request. `in_use` says whether a resource is taken; `random` makes a fresh
/// random string (the session has no RNG).
///
/// ```
/// use xmppkit_session::bind::{decide, BindDecision, ConflictPolicy};
/// let taken = |r: &str| r == "balcony";
/// let mut n = 0;
/// let mut random = || { n += 1; format!("r{n}") };
/// assert_eq!(decide(ConflictPolicy::Refuse, Some("orchard"), taken, &mut random), BindDecision::Bind("orchard".into()));
/// assert_eq!(decide(ConflictPolicy::Refuse, Some("balcony"), taken, &mut random), BindDecision::Refuse);
/// assert_eq!(decide(ConflictPolicy::Replace, Some("balcony"), taken, &mut random), BindDecision::BindReplacing("balcony".into()));
/// assert_eq!(decide(ConflictPolicy::RandomSuffix, Some("balcony"), taken, &mut random), BindDecision::Bind("balcony.r1".into()));
/// assert_eq!(decide(ConflictPolicy::Refuse, None, taken, &mut random), BindDecision::Bind("r2".into()));
/// ```
pub fn decide(
    policy: ConflictPolicy,
    requested: Option<&str>,
    in_use: impl Fn(&str) -> bool,
    mut random: impl FnMut() -> String,
) -> BindDecision {
    let Some(requested) = requested.filter(|r| !r.is_empty()) else {
        loop {
            let candidate = random();
            if !in_use(&candidate) {
                return BindDecision::Bind(candidate);
            }
        }
    };
    if !in_use(requested) {
        return BindDecision::Bind(requested.to_owned());
    }
    match policy {
        ConflictPolicy::Replace => BindDecision::BindReplacing(requested.to_owned()),
        ConflictPolicy::Refuse => BindDecision::Refuse,
        ConflictPolicy::RandomSuffix => loop {
            let candidate = format!("{requested}.{}", random());
            if !in_use(&candidate) {
                return BindDecision::Bind(candidate);
            }
        },
    }
}
