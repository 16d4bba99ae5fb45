//! Outstanding IQ requests and their deadlines (RFC 6120 §8.2.3: every get/set gets exactly one
//! result or error; a request left unanswered must end in a timeout, never a hang).

use std::collections::HashMap;
use std::time::Instant;

/// The requests sent and not yet answered.
#[derive(Debug, Default)]
pub(crate) struct IqTracker {
    pending: HashMap<String, Instant>,
}

impl IqTracker {
    pub fn insert(&mut self, id: String, deadline: Instant) {
        self.pending.insert(id, deadline);
    }

    /// Whether `id` was pending; it is not any more.
    pub fn answer(&mut self, id: &str) -> bool {
        self.pending.remove(id).is_some()
    }

    /// Removes and returns the requests whose deadline is at or before `now`, oldest first.
    pub fn expire(&mut self, now: Instant) -> Vec<String> {
        let mut expired: Vec<(Instant, String)> = self
            .pending
            .iter()
            .filter(|(_, deadline)| **deadline <= now)
            .map(|(id, deadline)| (*deadline, id.clone()))
            .collect();
        expired.sort();
        for (_, id) in &expired {
            self.pending.remove(id);
        }
        expired.into_iter().map(|(_, id)| id).collect()
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.pending.values().min().copied()
    }
}
