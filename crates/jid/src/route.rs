//! Routing helpers for servers and clients: where a stanza addressed to a JID goes (RFC 6120
//! §10.3–§10.5, RFC 6121 §8), domain-only JIDs, and comparisons that never allocate or re-validate.
//!
//! Conversions between full and bare JIDs never prepare again:
//! [`Jid::to_bare`], [`Jid::into_bare`], [`BareJid::with_resource`].

use crate::{BareJid, DomainRef, Jid};

/// Where a stanza goes, seen from a server that serves one local domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Destination {
    /// No `to`: the stanza is for the sender's own account (RFC 6120 §10.3).
    SenderAccount,
    /// The local domain itself (`example.com`), or a resource of it: the server handles it.
    Server,
    /// A local account's bare JID (`juliet@example.com`, RFC 6121 §8.5.2).
    LocalBare,
    /// A local account's full JID (`juliet@example.com/balcony`, RFC 6121 §8.5.3).
    LocalFull,
    /// Another domain: a component, a subdomain service or a remote server (RFC 6120 §10.4).
    Remote,
}

/// Classifies the `to` of a stanza for a server whose domain is `local`.
///
/// ```
/// use xmppkit_jid::{route::{destination, Destination}, BareJid, Jid};
/// let local: BareJid = "example.com".parse().unwrap();
/// let to: Jid = "conference.example.com".parse().unwrap();
/// assert_eq!(destination(Some(&to), local.domain()), Destination::Remote);
/// assert_eq!(destination(None, local.domain()), Destination::SenderAccount);
/// ```
pub fn destination(to: Option<&Jid>, local: DomainRef<'_>) -> Destination {
    let Some(to) = to else {
        return Destination::SenderAccount;
    };
    if to.domain() != local {
        return Destination::Remote;
    }
    match (to.node(), to.resource()) {
        (None, _) => Destination::Server,
        (Some(_), None) => Destination::LocalBare,
        (Some(_), Some(_)) => Destination::LocalFull,
    }
}

/// The domain-only JID of any JID (`juliet@example.com/balcony` → `example.com`), without
/// re-validation.
///
/// ```
/// use xmppkit_jid::{route::domain_jid, Jid};
/// let jid: Jid = "juliet@example.com/balcony".parse().unwrap();
/// assert_eq!(domain_jid(&jid).as_str(), "example.com");
/// ```
pub fn domain_jid(jid: &Jid) -> BareJid {
    BareJid::from(jid.domain())
}

/// Whether a JID is only a domain (a server or a service), with neither node nor resource.
pub fn is_domain_only(jid: &Jid) -> bool {
    jid.node().is_none() && jid.resource().is_none()
}

/// Whether two JIDs have the same bare JID (node and domain), whatever their resources.
///
/// ```
/// use xmppkit_jid::{route::same_bare, Jid};
/// let a: Jid = "juliet@example.com/balcony".parse().unwrap();
/// let b: Jid = "juliet@example.com".parse().unwrap();
/// assert!(same_bare(&a, &b));
/// ```
pub fn same_bare(a: &Jid, b: &Jid) -> bool {
    a.node() == b.node() && a.domain() == b.domain()
}

/// Whether `jid` belongs to the account `account` (its bare JID, or one of its resources).
pub fn belongs_to(jid: &Jid, account: &BareJid) -> bool {
    jid.node() == account.node() && jid.domain() == account.domain()
}

/// Which users a service lets do something (create rooms, create nodes): everyone, the users of
/// some domains (e.g. the local server's), or nobody.
///
/// ```
/// use xmppkit_jid::{route::Admission, Jid};
/// let local = Admission::Domains(vec!["example.com".into()]);
/// assert!(local.admits(&"juliet@example.com/balcony".parse::<Jid>().unwrap()));
/// assert!(!local.admits(&"romeo@montague.lit".parse::<Jid>().unwrap()));
/// assert!(!Admission::Nobody.admits(&"juliet@example.com".parse::<Jid>().unwrap()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Admission {
    /// Anyone.
    #[default]
    Anyone,
    /// Users of these domains.
    Domains(Vec<String>),
    /// Nobody (the application does it itself).
    Nobody,
}

impl Admission {
    /// Whether `who` is admitted.
    pub fn admits(&self, who: &Jid) -> bool {
        match self {
            Admission::Anyone => true,
            Admission::Domains(domains) => domains.iter().any(|d| d == who.domain().as_str()),
            Admission::Nobody => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(s: &str) -> Jid {
        s.parse().unwrap()
    }

    #[test]
    fn destinations() {
        let local = BareJid::new("example.com").unwrap();
        let d = |s: &str| destination(Some(&jid(s)), local.domain());
        assert_eq!(d("example.com"), Destination::Server);
        assert_eq!(d("example.com/admin"), Destination::Server);
        assert_eq!(d("juliet@example.com"), Destination::LocalBare);
        assert_eq!(d("juliet@example.com/balcony"), Destination::LocalFull);
        assert_eq!(d("romeo@example.net"), Destination::Remote);
        assert_eq!(d("rooms.example.com"), Destination::Remote);
        // Domains are case-folded by the JID parser, so routing is case-insensitive.
        assert_eq!(d("JULIET@EXAMPLE.COM"), Destination::LocalBare);
    }

    #[test]
    fn bare_comparisons() {
        assert!(same_bare(&jid("a@b/c"), &jid("a@b/d")));
        assert!(!same_bare(&jid("a@b/c"), &jid("b")));
        assert!(!same_bare(&jid("a@b"), &jid("a@c")));
        let account = BareJid::new("a@b").unwrap();
        assert!(belongs_to(&jid("a@b/phone"), &account));
        assert!(belongs_to(&jid("a@b"), &account));
        assert!(!belongs_to(&jid("b"), &account));
    }

    #[test]
    fn domain_only() {
        assert!(is_domain_only(&jid("example.com")));
        assert!(!is_domain_only(&jid("example.com/r")));
        assert_eq!(
            domain_jid(&jid("a@example.com/r")),
            BareJid::new("example.com").unwrap()
        );
    }
}
