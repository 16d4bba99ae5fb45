//! The client side: the two IQs to the room's bare JID and the parsing of their answers.

use crate::payload::{Ack, Marker, Query};
use thiserror::Error;
use xmppkit_jid::BareJid;
use xmppkit_stanza::{Iq, IqPayload, ParseError, StanzaError};

/// A read-markers request did not get a marker.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ClientError {
    /// The room answered with an error.
    #[error("the room refused: {}", .0.condition)]
    Refused(Box<StanzaError>),
    /// The result does not hold a valid marker.
    #[error("malformed answer: {0}")]
    Malformed(#[from] ParseError),
    /// Not an answer (a request, or an empty result to a query).
    #[error("not an answer to a read-markers query")]
    NotAnAnswer,
}

/// The ack: "I have read `room` up to message `id`".
///
/// ```
/// let iq: minidom::Element = xmppkit_read_markers::ack_iq("r1", "room@muc.example".parse().unwrap(), "1534").into();
/// assert_eq!(xmppkit_codec::to_string(&iq), "<iq xmlns='jabber:client' id='r1' to='room@muc.example' \
///     type='set'><ack xmlns='urn:xmpp:read-markers' id='1534'/></iq>");
/// ```
pub fn ack_iq(iq_id: impl Into<String>, room: BareJid, id: impl Into<String>) -> Iq {
    Iq::set(iq_id, Some(room.into()), Ack { id: id.into() }.into())
}

/// The query for `jid`'s marker in `room` (`None`: our own).
pub fn query_iq(iq_id: impl Into<String>, room: BareJid, jid: Option<BareJid>) -> Iq {
    Iq::get(iq_id, Some(room.into()), Query { jid }.into())
}

/// The marker in the answer to [`query_iq`].
pub fn parse_answer(iq: &Iq) -> Result<Marker, ClientError> {
    match &iq.payload {
        IqPayload::Result(Some(element)) => Ok(Marker::try_from(element.clone())?),
        IqPayload::Error(error, _) => Err(ClientError::Refused(error.clone())),
        _ => Err(ClientError::NotAnAnswer),
    }
}
