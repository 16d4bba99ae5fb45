//! What an archive kept in a database shares with every other such archive: stamps as
//! nanoseconds since the Unix epoch (a sortable integer column), and the XEP-0059 page window
//! over a selection that is a range of positions (0, 1, 2, … in archive order), so a store finds
//! the bounds with index lookups and this does the arithmetic.

use crate::archive::Page;
use xmppkit_stanza::datetime::DateTime;

/// `stamp` as nanoseconds since the Unix epoch, saturating at the ends of `i64` (years before
/// 1677 and after 2262).
///
/// ```
/// use xmppkit_mam::positions::{nanos, from_nanos};
/// let stamp = "2010-07-10T23:08:25.123456Z".parse().unwrap();
/// assert_eq!(from_nanos(nanos(&stamp)), Some(stamp));
/// ```
pub fn nanos(stamp: &DateTime) -> i64 {
    stamp
        .0
        .timestamp_nanos_opt()
        .unwrap_or(if stamp.0.timestamp() < 0 {
            i64::MIN
        } else {
            i64::MAX
        })
}

/// The stamp `n` nanoseconds after the Unix epoch.
pub fn from_nanos(n: i64) -> Option<DateTime> {
    DateTime::from_unix(
        n.div_euclid(1_000_000_000),
        n.rem_euclid(1_000_000_000) as u32,
    )
}

/// Where a page starts or ends, as a position in the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// From the selection's start, skipping this many (`<index/>`, 0 when absent).
    Index(u64),
    /// After the message whose position comes before this one (`<after/>`: the position of
    /// the first message after the one named).
    After(u64),
    /// Before this position (`<before>id</before>`: the position of the message named, or of
    /// the first after it).
    Before(u64),
    /// The end of the selection (`<before/>`, empty).
    Last,
}

impl Anchor {
    /// The anchor of `page`, with `after` / `before` the positions a store found for its ids.
    pub fn of(page: &Page, after: Option<u64>, before: Option<u64>) -> Anchor {
        match (&page.after, &page.before, after, before) {
            (_, Some(b), _, _) if b.is_empty() => Anchor::Last,
            (_, Some(_), _, Some(p)) => Anchor::Before(p),
            (Some(_), None, Some(p), _) => Anchor::After(p),
            _ => Anchor::Index(page.index.unwrap_or(0) as u64),
        }
    }

    /// Whether the page is taken backwards from its anchor.
    pub fn backwards(self) -> bool {
        matches!(self, Anchor::Before(_) | Anchor::Last)
    }
}

/// The positions `[from, to)` of one page of the selection `[lo, hi)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first position of the page.
    pub from: u64,
    /// One past its last.
    pub to: u64,
    /// The index of the page's first message in the selection (XEP-0059 `<first index>`).
    pub first_index: usize,
    /// Whether the page reaches the selection's end in its direction (XEP-0313 `complete`).
    pub complete: bool,
    /// How many messages the selection has (`<count/>`).
    pub count: usize,
}

/// The page of at most `max` messages at `anchor` in the selection `[lo, hi)`.
///
/// ```
/// use xmppkit_mam::positions::{window, Anchor};
/// // Positions 10..20 selected; the last 3.
/// let w = window(10, 20, 3, Anchor::Last);
/// assert_eq!((w.from, w.to, w.first_index, w.complete, w.count), (17, 20, 7, false, 10));
/// ```
pub fn window(lo: u64, hi: u64, max: usize, anchor: Anchor) -> Window {
    let hi = hi.max(lo);
    let max = max as u64;
    let (from, to) = match anchor {
        Anchor::Last => (hi.saturating_sub(max).max(lo), hi),
        Anchor::Before(p) => {
            let to = p.clamp(lo, hi);
            (to.saturating_sub(max).max(lo), to)
        }
        Anchor::After(p) => {
            let from = p.clamp(lo, hi);
            (from, from.saturating_add(max).min(hi))
        }
        Anchor::Index(i) => {
            let from = lo + i.min(hi - lo);
            (from, from.saturating_add(max).min(hi))
        }
    };
    Window {
        from,
        to,
        first_index: (from - lo) as usize,
        complete: if anchor.backwards() {
            from == lo
        } else {
            to == hi
        },
        count: (hi - lo) as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_stay_inside_the_selection() {
        // Forward from an index past the end: empty, complete.
        let w = window(0, 5, 10, Anchor::Index(9));
        assert_eq!((w.from, w.to, w.complete), (5, 5, true));
        // After a message before the selection: from its start.
        let w = window(4, 8, 2, Anchor::After(1));
        assert_eq!((w.from, w.to, w.first_index, w.complete), (4, 6, 0, false));
        // Before a position past the end: the last page.
        let w = window(4, 8, 3, Anchor::Before(100));
        assert_eq!((w.from, w.to, w.first_index, w.complete), (5, 8, 1, false));
        // Backwards reaching the start is complete.
        let w = window(4, 8, 9, Anchor::Before(6));
        assert_eq!((w.from, w.to, w.complete), (4, 6, true));
        // An empty selection.
        let w = window(3, 2, 5, Anchor::Last);
        assert_eq!((w.from, w.to, w.count, w.complete), (3, 3, 0, true));
    }
}
