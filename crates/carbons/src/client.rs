//! The client side of XEP-0280: unwrapping a carbon, accepted only from the user's own bare JID
//! (§6.2 and §11 "Security Considerations": anyone else's is forged), and the enable/disable IQs.

use crate::payload::{Carbon, Toggle, NS};
use minidom::Element;
use thiserror::Error;
use xmppkit_jid::BareJid;
use xmppkit_stanza::{Iq, ParseError};

/// A message that carries a carbon the client must not accept.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CarbonError {
    /// The wrapper does not come from the account's own bare JID: someone is forging history.
    #[error("forged carbon: from {from:?}, but carbons come only from {own}")]
    Forged {
        /// The wrapper's `from`, if any.
        from: Option<String>,
        /// The account.
        own: BareJid,
    },
    /// The wrapper does not follow XEP-0280 §6.
    #[error("malformed carbon: {0}")]
    Malformed(#[from] ParseError),
}

/// Unwraps a message received by the client: `None` when it holds no `<received/>` or `<sent/>`
/// of `urn:xmpp:carbons:2`, the carbon when its `from` is `own` (the account's bare JID), an error
/// when it is forged or malformed.
///
/// ```
/// use xmppkit_carbons::{unwrap, CarbonError};
/// let own = "romeo@montague.example".parse().unwrap();
/// let forged: minidom::Element = "<message xmlns='jabber:client' from='tybalt@capulet.example/home' \
///     to='romeo@montague.example' type='chat'><received xmlns='urn:xmpp:carbons:2'>\
///     <forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' \
///     from='juliet@capulet.example/balcony' to='romeo@montague.example/garden' type='chat'>\
///     <body>Thou shall meet me tonite, at our house's hall!</body></message></forwarded>\
///     </received></message>".parse().unwrap();
/// assert!(matches!(unwrap(&forged, &own), Some(Err(CarbonError::Forged { .. }))));
/// ```
pub fn unwrap(message: &Element, own: &BareJid) -> Option<Result<Carbon, CarbonError>> {
    let wrapper = message
        .children()
        .find(|c| c.has_ns(NS) && matches!(c.name(), "received" | "sent"))?;
    let from = message.attr("from");
    if from.and_then(|f| f.parse::<BareJid>().ok()).as_ref() != Some(own) {
        return Some(Err(CarbonError::Forged {
            from: from.map(str::to_owned),
            own: own.clone(),
        }));
    }
    Some(Carbon::try_from(wrapper.clone()).map_err(CarbonError::from))
}

/// The IQ that turns carbons on or off for this resource (§4, §5); send it to the own server.
///
/// ```
/// use xmppkit_carbons::{toggle_iq, Toggle};
/// let iq: minidom::Element = toggle_iq("enable1", Toggle::Enable).into();
/// assert_eq!(xmppkit_codec::to_string(&iq),
///     "<iq xmlns='jabber:client' id='enable1' type='set'><enable xmlns='urn:xmpp:carbons:2'/></iq>");
/// ```
pub fn toggle_iq(id: impl Into<String>, toggle: Toggle) -> Iq {
    Iq::set(id, None, Element::from(toggle))
}
