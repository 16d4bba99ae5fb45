//! Discussion history (§7.2.15): the last messages of the room, each stamped with XEP-0203
//! delay from the room, selected on entry by `maxstanzas`, `maxchars`, `seconds` and `since`.

use minidom::Element;
use std::collections::VecDeque;
use xmppkit_jid::Jid;
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::delay::Delay;

/// A past message, as broadcast (no `to`).
#[derive(Debug, Clone)]
struct Past {
    stamp: DateTime,
    message: Element,
    /// Characters of the message as it is sent in history.
    chars: usize,
}

/// The bounded history of one room.
#[derive(Debug, Clone, Default)]
pub(super) struct History {
    entries: VecDeque<Past>,
}

impl History {
    /// Keeps `message` (sent at `now` in `room`), dropping the oldest beyond `max`.
    pub(super) fn push(&mut self, room: &Jid, mut message: Element, now: DateTime, max: u32) {
        if max == 0 {
            self.entries.clear();
            return;
        }
        let delay = Delay {
            from: Some(room.clone()),
            stamp: now,
            reason: None,
        };
        message.append_child(delay.into());
        let chars = String::from(&message).chars().count();
        self.entries.push_back(Past {
            stamp: now,
            message,
            chars,
        });
        while self.entries.len() > max as usize {
            self.entries.pop_front();
        }
    }

    /// The messages to send, oldest first: the newest ones within every limit asked for, and
    /// never more than `max`.
    pub(super) fn select(
        &self,
        request: Option<&crate::History>,
        now: DateTime,
        max: u32,
    ) -> Vec<Element> {
        let default = crate::History::default();
        let request = request.unwrap_or(&default);
        let count = request.maxstanzas.map_or(max, |m| m.min(max)) as usize;
        let since_seconds = request
            .seconds
            .map(|s| now.0 - chrono::Duration::seconds(i64::from(s)));
        let mut budget = request.maxchars.map(|c| c as usize);
        let mut picked: Vec<Element> = Vec::new();
        for past in self.entries.iter().rev() {
            if picked.len() >= count
                || since_seconds.is_some_and(|t| past.stamp.0 < t)
                || request.since.is_some_and(|t| past.stamp <= t)
            {
                break;
            }
            if let Some(left) = budget.as_mut() {
                if past.chars > *left {
                    break;
                }
                *left -= past.chars;
            }
            picked.push(past.message.clone());
        }
        picked.reverse();
        picked
    }
}
