//! Per-address sliding windows: how many times an address did something (registered an account,
//! failed to authenticate) within the last `window`, with the clock passed in. Memory is bounded
//! by the addresses seen within one window; older entries are pruned as time passes.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// At most `count` events per address within `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Events allowed per address in the window.
    pub count: u32,
    /// The window.
    pub window: Duration,
}

/// The recent events of each address.
#[derive(Debug, Default)]
pub(crate) struct Windows {
    by_address: HashMap<IpAddr, VecDeque<Instant>>,
}

impl Windows {
    /// Whether `peer` reached `limit` by `now`.
    pub fn reached(&mut self, peer: IpAddr, limit: RateLimit, now: Instant) -> bool {
        let Some(times) = self.by_address.get_mut(&peer) else {
            return false;
        };
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= limit.window)
        {
            times.pop_front();
        }
        times.len() >= limit.count as usize
    }

    /// `peer` did it once more at `now`.
    pub fn record(&mut self, peer: IpAddr, now: Instant) {
        self.by_address.entry(peer).or_default().push_back(now);
    }

    /// Forgets what is older than `window`.
    pub fn prune(&mut self, window: Duration, now: Instant) {
        self.by_address.retain(|_, times| {
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= window)
            {
                times.pop_front();
            }
            !times.is_empty()
        });
    }
}
