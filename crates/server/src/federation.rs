//! Federation and external components in the engine (RFC 6120 §4.2, §8.3.3.13-14, §13.7;
//! XEP-0114): a stanza for a remote domain goes out on the link of its (sending domain, remote
//! domain) pair, waiting in order while the link is set up; when the link fails its stanzas come
//! back to their senders as errors; idle links close; a component's domain routes to its link.
//! The application runs the streams (`xmppkit-s2s`, `xmppkit-component`) and tells the engine
//! what they report.

use crate::links::{Link, LinkFailure, LinkId};
use crate::server::{Now, Output, Server};
use minidom::Element;
use std::collections::VecDeque;
use std::time::Duration;
use thiserror::Error;
use xmppkit_jid::Jid;
use xmppkit_stanza::DefinedCondition;

/// Who this server federates with, and how much a remote domain may cost.
#[derive(Debug, Clone)]
pub struct FederationConfig {
    /// Server-to-server at all; off, stanzas for other domains get `remote-server-not-found`.
    pub enabled: bool,
    /// Only these remote domains (lower case), when given.
    pub allow: Option<Vec<String>>,
    /// Never these remote domains (lower case); their stanzas get `not-allowed`.
    pub deny: Vec<String>,
    /// Stanzas that may wait for one link while it is set up; beyond, `resource-constraint`.
    pub max_queued: usize,
    /// How long a link may take to connect and authenticate before its stanzas get
    /// `remote-server-timeout`.
    pub connect_timeout: Duration,
    /// An authenticated link with nothing sent for this long is closed.
    pub idle_timeout: Duration,
}

impl Default for FederationConfig {
    /// Off; when turned on: any domain, 1,000 stanzas waiting per link, 30 s to connect, 10
    /// minutes idle.
    fn default() -> Self {
        FederationConfig {
            enabled: false,
            allow: None,
            deny: Vec::new(),
            max_queued: 1000,
            connect_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(600),
        }
    }
}

impl FederationConfig {
    /// Whether stanzas may go to `domain`, and if not, the error they get.
    fn refusal(&self, domain: &str) -> Option<DefinedCondition> {
        if !self.enabled {
            return Some(DefinedCondition::RemoteServerNotFound);
        }
        let listed = |list: &[String]| list.iter().any(|d| d.eq_ignore_ascii_case(domain));
        let allowed = self.allow.as_deref().is_none_or(listed);
        (!allowed || listed(&self.deny)).then_some(DefinedCondition::NotAllowed)
    }
}

/// A component's domain is already served.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the domain {0} is already served (by the server, a component or another connection)")]
pub struct DomainTaken(pub String);

impl Server {
    /// The domains this engine answers for on server-to-server streams: its own and its
    /// components' (`S2sConfig::domains`).
    pub fn served_domains(&self) -> Vec<String> {
        let mut domains = vec![self.config.domain.to_string()];
        domains.extend(self.components.keys().cloned());
        domains.extend(self.links.components.keys().cloned());
        domains
    }

    /// An external component authenticated for `domain` (XEP-0114): stanzas for it go out as
    /// [`Output::Transmit`] on the returned link until [`Self::link_closed`].
    pub fn attach_component(&mut self, domain: &str) -> Result<LinkId, DomainTaken> {
        let key = domain.to_lowercase();
        let taken = key == self.config.domain.as_str()
            || self.components.contains_key(&key)
            || self.links.components.contains_key(&key);
        if taken {
            return Err(DomainTaken(key));
        }
        let id = self.links.new_id();
        self.links.components.insert(key.clone(), id);
        self.links.links.insert(id, Link::Component { domain: key });
        Ok(id)
    }

    /// A stanza from a component's link (its `from` checked by `ComponentAccept`): routed as
    /// any service's, to local users, other components or other servers.
    pub fn handle_link_stanza(&mut self, link: LinkId, stanza: Element, now: Now) {
        self.now = now;
        if matches!(self.links.links.get(&link), Some(Link::Component { .. })) {
            self.route_from_service(stanza);
        }
    }

    /// A stanza from a remote server (its `from` and `to` checked against the pair its
    /// stream authenticated by `xmppkit_s2s::Receiving`): delivered here, never relayed to
    /// another server.
    pub fn handle_remote_stanza(&mut self, stanza: Element, now: Now) {
        self.now = now;
        let Some(to) = stanza.attr("to").and_then(|t| t.parse::<Jid>().ok()) else {
            return self.bounce(&stanza, DefinedCondition::JidMalformed);
        };
        let domain = to.domain().as_str();
        let ours = self.served_domains().iter().any(|d| d == domain);
        if !ours && self.elsewhere(&to).is_none() {
            return self.bounce(&stanza, DefinedCondition::ItemNotFound);
        }
        self.route_to(to, stanza);
    }

    /// An outgoing link ([`Output::Dial`]) authenticated: what waited goes out, in order.
    pub fn link_up(&mut self, link: LinkId, now: Now) {
        self.now = now;
        let idle_until = now.instant + self.config.federation.idle_timeout;
        let Some(Link::Dialing { pair, queue, .. }) = self.links.links.remove(&link) else {
            return;
        };
        let dialed = true;
        let up = Link::Up {
            pair,
            idle_until,
            dialed,
        };
        self.links.links.insert(link, up);
        for stanza in queue {
            self.outputs.push_back(Output::Transmit { link, stanza });
        }
    }

    /// XEP-0288: a remote server's stream to us may carry stanzas from our `local` domain to
    /// its `remote` one. Returns the link to send them on ([`Output::Transmit`]) unless the
    /// pair has an authenticated link already; what waited for a link still being dialed goes
    /// on this one at once, and the dialing one is closed ([`Output::CloseLink`]).
    pub fn link_offered(&mut self, local: &str, remote: &str, now: Now) -> Option<LinkId> {
        self.now = now;
        let pair = (local.to_lowercase(), remote.to_lowercase());
        let mut waiting = VecDeque::new();
        if let Some(&id) = self.links.by_pair.get(&pair) {
            if matches!(self.links.links.get(&id), Some(Link::Up { .. })) {
                return None;
            }
            if let Some(Link::Dialing { queue, .. }) = self.links.remove(id) {
                waiting = queue;
            }
            self.outputs.push_back(Output::CloseLink { link: id });
        }
        let id = self.links.new_id();
        let idle_until = now.instant + self.config.federation.idle_timeout;
        self.links.by_pair.insert(pair.clone(), id);
        let up = Link::Up {
            pair,
            idle_until,
            dialed: false,
        };
        self.links.links.insert(id, up);
        for stanza in waiting {
            self.outputs
                .push_back(Output::Transmit { link: id, stanza });
        }
        Some(id)
    }

    /// A link ended: a component's domain is no longer routed; an outgoing link's waiting
    /// stanzas get `remote-server-not-found` or `remote-server-timeout` (`failure`), and the
    /// next stanza for its pair dials again.
    pub fn link_closed(&mut self, link: LinkId, failure: Option<LinkFailure>, now: Now) {
        self.now = now;
        if let Some(Link::Dialing { queue, .. }) = self.links.remove(link) {
            self.bounce_all(queue, failure.unwrap_or(LinkFailure::NotFound));
        }
    }

    /// Stanzas handed out for a link ([`Output::Transmit`]) that it never sent (it ended
    /// first): their senders get `remote-server-timeout` (another server's) or
    /// `service-unavailable` (a component's). Call it before [`Self::link_closed`].
    pub fn link_returned(&mut self, stanzas: Vec<Element>, now: Now) {
        self.now = now;
        for stanza in stanzas {
            let local = stanza
                .attr("to")
                .and_then(|t| t.parse::<Jid>().ok())
                .is_some_and(|to| {
                    self.served_domains()
                        .iter()
                        .any(|d| d == to.domain().as_str())
                });
            let condition = match local {
                true => DefinedCondition::ServiceUnavailable,
                false => DefinedCondition::RemoteServerTimeout,
            };
            self.bounce(&stanza, condition);
        }
    }

    fn bounce_all(&mut self, queue: VecDeque<Element>, failure: LinkFailure) {
        let condition = match failure {
            LinkFailure::NotFound => DefinedCondition::RemoteServerNotFound,
            LinkFailure::Timeout => DefinedCondition::RemoteServerTimeout,
        };
        for stanza in queue {
            self.bounce(&stanza, condition.clone());
        }
    }

    /// The link of an external component at `domain`, if one is attached.
    pub(crate) fn component_link(&self, domain: &str) -> Option<LinkId> {
        self.links.components.get(domain).copied()
    }

    /// RFC 6120 §10.4: a stanza for a remote domain.
    pub(crate) fn route_remote(&mut self, domain: &str, stanza: Element) {
        if let Some(condition) = self.config.federation.refusal(domain) {
            return self.bounce(&stanza, condition);
        }
        let mut stanza = stanza;
        let from = stanza
            .attr("from")
            .and_then(|f| f.parse::<Jid>().ok())
            .map(|f| f.domain().to_string())
            .filter(|f| self.served_domains().contains(f));
        let from = match from {
            Some(from) => from,
            // Our answer to a remote stanza for an address not served here (RFC 6120 §8.3.1
            // swaps the addresses): it leaves from our own domain, the one the link proves.
            None if stanza.attr("type") == Some("error") => {
                let domain = self.config.domain.to_string();
                xmppkit_stanza::set_attr(&mut stanza, "from", domain.as_str());
                domain
            }
            // Only what this server's users and services send leaves it.
            None => return self.bounce(&stanza, DefinedCondition::NotAllowed),
        };
        let pair = (from, domain.to_owned());
        let now = self.now.instant;
        let id = match self.links.by_pair.get(&pair) {
            Some(id) => *id,
            None => {
                let id = self.links.new_id();
                let deadline = now + self.config.federation.connect_timeout;
                let link = Link::Dialing {
                    pair: pair.clone(),
                    queue: VecDeque::new(),
                    deadline,
                };
                self.links.links.insert(id, link);
                self.links.by_pair.insert(pair.clone(), id);
                let carrier = self.links.carrier(domain);
                let (from, domain) = pair;
                self.outputs.push_back(match carrier {
                    // XEP-0220 §3: on a stream already authenticated to the domain.
                    Some(on) => Output::Multiplex { link: id, on, from },
                    None => Output::Dial {
                        link: id,
                        from,
                        domain,
                    },
                });
                id
            }
        };
        let max = self.config.federation.max_queued;
        let idle = self.config.federation.idle_timeout;
        match self.links.links.get_mut(&id) {
            Some(Link::Dialing { queue, .. }) if queue.len() < max => queue.push_back(stanza),
            Some(Link::Dialing { .. }) => {
                self.bounce(&stanza, DefinedCondition::ResourceConstraint)
            }
            Some(Link::Up { idle_until, .. }) => {
                *idle_until = now + idle;
                self.outputs
                    .push_back(Output::Transmit { link: id, stanza });
            }
            _ => {}
        }
    }

    /// Links past their time: one still being set up fails with `remote-server-timeout`, an
    /// idle one closes.
    pub(crate) fn links_timeout(&mut self, now: Now) {
        for id in self.links.expired(now.instant) {
            if let Some(link) = self.links.remove(id) {
                self.outputs.push_back(Output::CloseLink { link: id });
                if let Link::Dialing { queue, .. } = link {
                    self.bounce_all(queue, LinkFailure::Timeout);
                }
            }
        }
    }
}
