//! XEP-0082: XMPP Date and Time Profiles — the `DateTime` profile (`CCYY-MM-DDThh:mm:ss[.sss]TZD`)
//! used by delays, archives and read markers.

use chrono::{FixedOffset, SecondsFormat, Utc};
use std::fmt;
use std::str::FromStr;

/// A XEP-0082 DateTime: a point in time with its UTC offset.
///
/// ```
/// use xmppkit_stanza::datetime::DateTime;
/// let t: DateTime = "1969-07-21T02:56:15Z".parse().unwrap();
/// assert_eq!(t.to_string(), "1969-07-21T02:56:15Z");
/// let t: DateTime = "1969-07-20T21:56:15.123-05:00".parse().unwrap();
/// assert_eq!(t.to_string(), "1969-07-20T21:56:15.123-05:00");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<FixedOffset>);

/// The text is not a XEP-0082 DateTime.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a XEP-0082 DateTime (CCYY-MM-DDThh:mm:ss[.sss]TZD)")]
pub struct DateTimeError(pub String);

impl DateTime {
    /// A UTC time from seconds and nanoseconds since the Unix epoch (time comes in from outside:
    /// this crate never reads the clock).
    pub fn from_unix(secs: i64, nanos: u32) -> Option<Self> {
        chrono::DateTime::<Utc>::from_timestamp(secs, nanos).map(|t| DateTime(t.fixed_offset()))
    }
}

impl FromStr for DateTime {
    type Err = DateTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // XEP-0082 §3.2: the date, 'T', the time with seconds, optional fraction, and a zone.
        let err = || DateTimeError(s.to_owned());
        if s.len() < 20 || s.as_bytes()[10] != b'T' {
            return Err(err());
        }
        chrono::DateTime::parse_from_rfc3339(s)
            .map(DateTime)
            .map_err(|_| err())
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let utc = self.0.offset().local_minus_utc() == 0;
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xep0082_examples() {
        // XEP-0082 §3.2 examples.
        for s in ["1969-07-21T02:56:15Z", "1969-07-20T21:56:15-05:00"] {
            assert_eq!(s.parse::<DateTime>().unwrap().to_string(), s);
        }
        let a: DateTime = "1969-07-21T02:56:15Z".parse().unwrap();
        let b: DateTime = "1969-07-20T21:56:15-05:00".parse().unwrap();
        assert_eq!(a.0, b.0);
        for bad in [
            "1969-07-21",
            "1969-07-21 02:56:15Z",
            "1969-07-21T02:56Z",
            "02:56:15Z",
            "1969-07-21T02:56:15",
        ] {
            assert!(bad.parse::<DateTime>().is_err(), "{bad}");
        }
        assert_eq!(
            DateTime::from_unix(0, 0).unwrap().to_string(),
            "1970-01-01T00:00:00Z"
        );
    }
}
