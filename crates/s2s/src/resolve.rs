//! Where to connect for a remote domain (RFC 6120 §3.2, XEP-0368): the `_xmpps-server._tcp`
//! (direct TLS) and `_xmpp-server._tcp` SRV records ordered by priority and, within one
//! priority, by RFC 2782's weighted random choice; without records, the domain itself on port
//! 5269; a single record with target `.` means the service is not offered. The lookups are the
//! application's; this is the ordering.

/// One SRV record as the resolver returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvRecord {
    /// Lower is tried first.
    pub priority: u16,
    /// Within one priority, the share of first tries.
    pub weight: u16,
    /// The port.
    pub port: u16,
    /// The host, without the trailing dot.
    pub target: String,
}

/// A place to connect to, in the order to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Host name (resolve it to addresses) or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// TLS from the first byte (XEP-0368), not STARTTLS.
    pub direct_tls: bool,
}

/// The default server-to-server port (RFC 6120 §3.2.1).
pub const DEFAULT_PORT: u16 = 5269;

/// The candidates for `domain` from its `xmpps` (direct TLS) and `xmpp` records, with `random`
/// giving uniform random numbers for the weighted choice. Direct TLS records and STARTTLS
/// records are merged by priority, direct TLS first on a tie (XEP-0368 §3).
///
/// ```
/// use xmppkit_s2s::{candidates, Candidate, SrvRecord};
/// let srv = |priority, port, target: &str| SrvRecord { priority, weight: 0, port, target: target.into() };
/// let found = candidates("example.org", &[], &[srv(20, 5270, "b.example.org"), srv(10, 5269, "a.example.org")], &mut || 0);
/// assert_eq!(found[0].host, "a.example.org");
/// // No records: the domain itself on 5269.
/// assert_eq!(candidates("example.org", &[], &[], &mut || 0),
///     vec![Candidate { host: "example.org".into(), port: 5269, direct_tls: false }]);
/// ```
pub fn candidates(
    domain: &str,
    xmpps: &[SrvRecord],
    xmpp: &[SrvRecord],
    random: &mut dyn FnMut() -> u32,
) -> Vec<Candidate> {
    let offered = |records: &[SrvRecord]| !(records.len() == 1 && records[0].target == ".");
    if xmpps.is_empty() && xmpp.is_empty() {
        return vec![Candidate {
            host: domain.to_owned(),
            port: DEFAULT_PORT,
            direct_tls: false,
        }];
    }
    let mut all: Vec<(SrvRecord, bool)> = Vec::new();
    if offered(xmpps) {
        all.extend(xmpps.iter().cloned().map(|r| (r, true)));
    }
    if offered(xmpp) {
        all.extend(xmpp.iter().cloned().map(|r| (r, false)));
    }
    all.sort_by_key(|(r, tls)| (r.priority, !*tls));
    let mut ordered = Vec::with_capacity(all.len());
    while !all.is_empty() {
        let priority = all[0].0.priority;
        let same = all
            .iter()
            .take_while(|(r, _)| r.priority == priority)
            .count();
        let mut group: Vec<_> = all.drain(..same).collect();
        while !group.is_empty() {
            ordered.push(group.remove(weighted(&group, random)));
        }
    }
    ordered
        .into_iter()
        .map(|(r, direct_tls)| Candidate {
            host: r.target.trim_end_matches('.').to_owned(),
            port: r.port,
            direct_tls,
        })
        .collect()
}

/// RFC 2782: pick by running sum of weights against a random number in 0..=total.
fn weighted(group: &[(SrvRecord, bool)], random: &mut dyn FnMut() -> u32) -> usize {
    let total: u32 = group.iter().map(|(r, _)| u32::from(r.weight)).sum();
    if total == 0 {
        return 0;
    }
    let pick = random() % (total + 1);
    let mut sum = 0;
    for (i, (r, _)) in group.iter().enumerate() {
        sum += u32::from(r.weight);
        if sum >= pick && r.weight > 0 {
            return i;
        }
    }
    group.len() - 1
}
