//! [`Jid`]: an XMPP address, bare or full, split into its parts and prepared as RFC 7622 §3
//! says. It is kept as one string (the prepared address) and where its `@` and `/` are.

use crate::parts::{DomainRef, NodeRef, ResourceRef};
use crate::precis::{domainpart, localpart, resourcepart};
use crate::{BareJid, Error, FullJid};
use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::num::NonZeroU16;
use std::str::FromStr;

/// An XMPP address (RFC 7622): `[localpart "@"] domainpart ["/" resourcepart]`, each part
/// prepared. Two addresses are equal when their prepared texts are.
///
/// ```
/// use xmppkit_jid::Jid;
/// let jid = Jid::new("Juliet@Example.com/Balcony").unwrap();
/// assert_eq!(jid.as_str(), "juliet@example.com/Balcony");
/// assert_eq!(jid.node().unwrap(), "juliet");
/// assert_eq!(jid.resource().unwrap(), "Balcony");
/// assert_eq!(jid.to_bare().as_str(), "juliet@example.com");
/// ```
#[derive(Clone)]
pub struct Jid {
    /// The prepared address.
    pub(crate) text: String,
    /// Where the `@` is: the localpart's length (never 0: a localpart is not empty).
    pub(crate) at: Option<NonZeroU16>,
    /// Where the `/` is (never 0: a domainpart is not empty).
    pub(crate) slash: Option<NonZeroU16>,
}

impl Jid {
    /// Parses and prepares an address (RFC 7622 §3.1: the resourcepart starts at the first `/`,
    /// the localpart ends at the first `@` before it).
    pub fn new(unprepared: &str) -> Result<Jid, Error> {
        let (bare, resource) = match unprepared.split_once('/') {
            Some((bare, resource)) => (bare, Some(resource)),
            None => (unprepared, None),
        };
        let (node, domain) = match bare.split_once('@') {
            Some((node, domain)) => (Some(node), domain),
            None => (None, bare),
        };
        if domain.contains('@') {
            return Err(Error::TooManyAts);
        }
        let node = node.map(localpart).transpose()?;
        let domain = domainpart(domain)?;
        let resource = resource.map(resourcepart).transpose()?;
        let unchanged = |part: &Option<Cow<'_, str>>| !matches!(part, Some(Cow::Owned(_)));
        let text = if unchanged(&node) && matches!(domain, Cow::Borrowed(_)) && unchanged(&resource)
            // The domain may have lost its final dot: only then is the text not the input.
            && domain.len() == bare.len() - node.as_ref().map_or(0, |n| n.len() + 1)
        {
            unprepared.to_owned()
        } else {
            join(node.as_deref(), &domain, resource.as_deref())
        };
        Ok(Jid::from_prepared(
            text,
            node.map(|n| n.len()),
            resource.is_some().then(|| domain.len()),
        ))
    }

    /// An address from parts already prepared.
    pub fn from_parts(
        node: Option<NodeRef<'_>>,
        domain: DomainRef<'_>,
        resource: Option<ResourceRef<'_>>,
    ) -> Jid {
        let node = node.map(|n| n.as_str());
        let resource = resource.map(|r| r.as_str());
        Jid::from_prepared(
            join(node, domain.as_str(), resource),
            node.map(str::len),
            resource.map(|_| domain.len()),
        )
    }

    /// `text` is prepared; `node_len` and `domain_len` say where its separators are.
    fn from_prepared(text: String, node_len: Option<usize>, domain_len: Option<usize>) -> Jid {
        let offset = |n: usize| NonZeroU16::new(u16::try_from(n).unwrap_or(u16::MAX));
        let at = node_len.and_then(offset);
        let slash = domain_len.and_then(|d| offset(node_len.map_or(0, |n| n + 1) + d));
        Jid { text, at, slash }
    }

    /// The localpart, if any.
    pub fn node(&self) -> Option<NodeRef<'_>> {
        self.at
            .map(|at| NodeRef(&self.text[..usize::from(at.get())]))
    }

    /// The domainpart.
    pub fn domain(&self) -> DomainRef<'_> {
        let start = self.at.map_or(0, |at| usize::from(at.get()) + 1);
        let end = self.slash.map_or(self.text.len(), |s| usize::from(s.get()));
        DomainRef(&self.text[start..end])
    }

    /// The resourcepart, if any.
    pub fn resource(&self) -> Option<ResourceRef<'_>> {
        self.slash
            .map(|slash| ResourceRef(&self.text[usize::from(slash.get()) + 1..]))
    }

    /// The address without its resourcepart.
    pub fn to_bare(&self) -> BareJid {
        match self.slash {
            None => BareJid(self.clone()),
            Some(slash) => BareJid(Jid {
                text: self.text[..usize::from(slash.get())].to_owned(),
                at: self.at,
                slash: None,
            }),
        }
    }

    /// The address without its resourcepart, reusing this one's memory.
    pub fn into_bare(mut self) -> BareJid {
        if let Some(slash) = self.slash.take() {
            self.text.truncate(usize::from(slash.get()));
        }
        BareJid(self)
    }

    /// Whether there is a resourcepart.
    pub fn is_full(&self) -> bool {
        self.slash.is_some()
    }

    /// Whether there is no resourcepart.
    pub fn is_bare(&self) -> bool {
        self.slash.is_none()
    }

    /// The prepared address.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The prepared address, as a `String`.
    pub fn into_inner(self) -> String {
        self.text
    }

    /// The full JID this is, or the bare JID it is.
    pub fn try_into_full(self) -> Result<FullJid, BareJid> {
        if self.is_full() {
            Ok(FullJid(self))
        } else {
            Err(BareJid(self))
        }
    }
}

fn join(node: Option<&str>, domain: &str, resource: Option<&str>) -> String {
    let len = node.map_or(0, |n| n.len() + 1) + domain.len() + resource.map_or(0, |r| r.len() + 1);
    let mut text = String::with_capacity(len);
    if let Some(node) = node {
        text.push_str(node);
        text.push('@');
    }
    text.push_str(domain);
    if let Some(resource) = resource {
        text.push('/');
        text.push_str(resource);
    }
    text
}

impl PartialEq for Jid {
    fn eq(&self, other: &Jid) -> bool {
        self.text == other.text
    }
}

impl Eq for Jid {}

impl PartialOrd for Jid {
    fn partial_cmp(&self, other: &Jid) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Jid {
    fn cmp(&self, other: &Jid) -> std::cmp::Ordering {
        self.text.cmp(&other.text)
    }
}

impl Hash for Jid {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state)
    }
}

impl FromStr for Jid {
    type Err = Error;
    fn from_str(s: &str) -> Result<Jid, Error> {
        Jid::new(s)
    }
}

impl TryFrom<&str> for Jid {
    type Error = Error;
    fn try_from(s: &str) -> Result<Jid, Error> {
        Jid::new(s)
    }
}

impl fmt::Display for Jid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Jid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Jid({:?})", self.text)
    }
}

impl From<DomainRef<'_>> for Jid {
    fn from(domain: DomainRef<'_>) -> Jid {
        Jid::from_parts(None, domain, None)
    }
}

impl minidom::IntoAttributeValue for Jid {
    fn into_attribute_value(self) -> Option<String> {
        Some(self.text)
    }
}

impl From<Jid> for minidom::Node {
    fn from(jid: Jid) -> minidom::Node {
        minidom::Node::Text(jid.text)
    }
}
