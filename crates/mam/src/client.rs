//! The client side of XEP-0313: building a query, and collecting its results while refusing
//! results that do not come from the queried archive or that carry another `queryid` (forged
//! history, §4.2 and §10 "Security Considerations").

use crate::payload::{Filter, Fin, Query, ResultItem, NS};
use minidom::Element;
use thiserror::Error;
use xmppkit_jid::BareJid;
use xmppkit_stanza::rsm::Set;
use xmppkit_stanza::{Iq, IqPayload, ParseError, StanzaError};

/// A result or an answer the client must not accept.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MamClientError {
    /// A result that does not come from the queried archive.
    #[error("result from {from:?}, not from the archive {archive}")]
    WrongArchive {
        /// The message's `from`.
        from: Option<String>,
        /// The archive queried.
        archive: BareJid,
    },
    /// A result for another query.
    #[error("result for query {found:?}, expected {expected}")]
    WrongQueryId {
        /// The `queryid` it carries.
        found: Option<String>,
        /// Ours.
        expected: String,
    },
    /// The archive refused the query.
    #[error("the archive refused: {}", .0.condition)]
    Refused(Box<StanzaError>),
    /// Not a valid result or fin.
    #[error("malformed: {0}")]
    Malformed(#[from] ParseError),
    /// The IQ answer holds no `<fin/>`.
    #[error("the answer has no <fin/>")]
    NoFin,
}

/// A query IQ to `archive` (`None`: one's own archive) for `filter`, one page as `set` says.
///
/// ```
/// use xmppkit_mam::{query_iq, Filter};
/// use xmppkit_stanza::rsm::Set;
/// let filter = Filter { with: Some("juliet@capulet.lit".parse().unwrap()), ..Filter::default() };
/// let iq = query_iq("juliet1", None, "f27", &filter, Some(Set { max: Some(10), ..Set::default() }));
/// let el: minidom::Element = iq.into();
/// assert!(xmppkit_codec::to_string(&el).contains("<field var='with'><value>juliet@capulet.lit</value></field>"));
/// ```
pub fn query_iq(
    id: impl Into<String>,
    archive: Option<BareJid>,
    queryid: impl Into<String>,
    filter: &Filter,
    set: Option<Set>,
) -> Iq {
    let query = Query {
        queryid: Some(queryid.into()),
        node: None,
        form: Some(filter.to_form()),
        set,
        flip_page: false,
    };
    Iq::set(id, archive.map(Into::into), query.into())
}

/// Gathers the results of one query.
#[derive(Debug, Clone)]
pub struct Collector {
    own: BareJid,
    archive: BareJid,
    queryid: String,
    items: Vec<ResultItem>,
}

impl Collector {
    /// For the query `queryid` sent by `own` to `archive` (`None`: `own`'s archive).
    pub fn new(own: BareJid, archive: Option<BareJid>, queryid: impl Into<String>) -> Self {
        Collector {
            archive: archive.unwrap_or_else(|| own.clone()),
            own,
            queryid: queryid.into(),
            items: Vec::new(),
        }
    }

    /// A message that arrived: `Ok(false)` when it holds no MAM result (handle it elsewhere),
    /// `Ok(true)` when it was collected, an error when it is a result this query must refuse.
    pub fn accept(&mut self, message: &Element) -> Result<bool, MamClientError> {
        let Some(result) = message.get_child("result", NS) else {
            return Ok(false);
        };
        let from = message.attr("from");
        let from_archive = match from {
            // No `from`: from our own account (RFC 6120 §8.1.2.1).
            None => self.archive == self.own,
            Some(f) => f.parse::<BareJid>().ok().as_ref() == Some(&self.archive),
        };
        if !from_archive {
            return Err(MamClientError::WrongArchive {
                from: from.map(str::to_owned),
                archive: self.archive.clone(),
            });
        }
        let found = result.attr("queryid");
        if found != Some(self.queryid.as_str()) {
            return Err(MamClientError::WrongQueryId {
                found: found.map(str::to_owned),
                expected: self.queryid.clone(),
            });
        }
        self.items.push(ResultItem::try_from(result.clone())?);
        Ok(true)
    }

    /// The IQ answer ends the query: the collected results, oldest first, and the `<fin/>`.
    pub fn finish(self, answer: &Iq) -> Result<(Vec<ResultItem>, Fin), MamClientError> {
        match &answer.payload {
            IqPayload::Result(Some(fin)) if fin.is("fin", NS) => {
                Ok((self.items, Fin::try_from(fin.clone())?))
            }
            IqPayload::Error(error, _) => Err(MamClientError::Refused(error.clone())),
            _ => Err(MamClientError::NoFin),
        }
    }
}
