//! Shards: one domain's accounts split between several [`Server`](crate::Server) engines by
//! bare JID, so that each user's stanzas stay on one engine and in order, with each service
//! (MUC, PubSub) pinned to one. A stanza for another shard's account or service leaves as
//! [`Output::Forward`](crate::Output::Forward) and enters there through
//! [`Server::handle_forwarded`](crate::Server::handle_forwarded); nothing is read across the
//! boundary (presence and subscriptions travel as stanzas, RFC 6121 §3–§4). The split is a pure
//! function of the bare JID, the same on every host, so the same boundaries hold whether the
//! shards are threads of one process or machines.

use std::collections::BTreeMap;
use std::hash::Hasher;
use xmppkit_jid::{BareJid, Jid};

/// Where each account and service of the domain is served, and which shard this engine is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shards {
    /// How many shards serve the domain (at least 1).
    pub count: u32,
    /// This engine's shard, below `count`.
    pub this: u32,
    /// The services' domains and the shard that hosts each (every shard has the same map).
    pub services: BTreeMap<String, u32>,
}

impl Default for Shards {
    /// One shard: everything here.
    fn default() -> Self {
        Shards {
            count: 1,
            this: 0,
            services: BTreeMap::new(),
        }
    }
}

impl Shards {
    /// Shard `this` of `count`, with no services placed yet.
    pub fn new(count: u32, this: u32) -> Shards {
        Shards {
            count: count.max(1),
            this,
            services: BTreeMap::new(),
        }
    }

    /// The shard that serves `user`: FNV-1a over the bare JID as it prints (prepared, so every
    /// spelling of one JID lands on one shard). FNV is a fixed algorithm, unlike the standard
    /// library's hasher, so every host and release agrees.
    pub fn of(&self, user: &BareJid) -> u32 {
        if self.count <= 1 {
            return 0;
        }
        let mut hasher = fnv::FnvHasher::default();
        hasher.write(user.as_str().as_bytes());
        (hasher.finish() % u64::from(self.count)) as u32
    }

    /// The shard other than this one that serves `to` on `domain` (an account there, or a
    /// service placed there), if any.
    pub fn elsewhere(&self, domain: &BareJid, to: &Jid) -> Option<u32> {
        if self.count <= 1 {
            return None;
        }
        let shard = match self.services.get(to.domain().as_str()) {
            Some(shard) => *shard,
            None if to.node().is_some() && to.domain() == domain.domain() => self.of(&to.to_bare()),
            None => return None,
        };
        (shard != self.this).then_some(shard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(s: &str) -> Jid {
        s.parse().unwrap()
    }

    #[test]
    fn a_user_and_each_of_its_resources_land_on_one_shard() {
        let domain = BareJid::new("example.com").unwrap();
        let shards: Vec<Shards> = (0..4).map(|i| Shards::new(4, i)).collect();
        let mut used = [0u32; 4];
        for n in 0..400 {
            let user = format!("user{n}@example.com");
            let home = shards[0].of(&BareJid::new(&user).unwrap());
            used[home as usize] += 1;
            for s in &shards {
                // Every shard agrees, for the bare JID and every full one, whatever the case.
                assert_eq!(s.of(&BareJid::new(&user.to_uppercase()).unwrap()), home);
                let expected = (home != s.this).then_some(home);
                assert_eq!(s.elsewhere(&domain, &jid(&user)), expected);
                assert_eq!(
                    s.elsewhere(&domain, &jid(&format!("{user}/r{n}"))),
                    expected
                );
            }
        }
        // Spread over every shard, none with more than twice its share.
        assert!(used.iter().all(|&n| (50..200).contains(&n)), "{used:?}");
    }

    #[test]
    fn the_domain_other_domains_and_services_follow_the_map() {
        let domain = BareJid::new("example.com").unwrap();
        let mut s = Shards::new(2, 1);
        s.services.insert("conference.example.com".into(), 0);
        s.services.insert("pubsub.example.com".into(), 1);
        assert_eq!(s.elsewhere(&domain, &jid("example.com")), None);
        assert_eq!(s.elsewhere(&domain, &jid("dave@remote.example")), None);
        assert_eq!(
            s.elsewhere(&domain, &jid("room@conference.example.com/nick")),
            Some(0)
        );
        assert_eq!(
            s.elsewhere(&domain, &jid("conference.example.com")),
            Some(0)
        );
        assert_eq!(s.elsewhere(&domain, &jid("pubsub.example.com")), None);
        // One shard: nothing is elsewhere.
        let one = Shards::default();
        assert_eq!(
            one.elsewhere(&domain, &jid("room@conference.example.com")),
            None
        );
        assert_eq!(one.of(&BareJid::new("alice@example.com").unwrap()), 0);
    }

    #[test]
    fn the_split_is_pinned() {
        // The hash is part of a deployment: a change would move users between shards (and
        // their stores with them). FNV-1a 64 of "alice@example.com" is 0x67023fc4a7ff2a46
        // (computed apart from this code), 198 modulo 1,000.
        let alice = BareJid::new("alice@example.com").unwrap();
        assert_eq!(Shards::new(1000, 0).of(&alice), 198);
        assert_eq!(
            Shards::new(2, 0).of(&alice),
            (0x67023fc4a7ff2a46u64 % 2) as u32
        );
    }
}
