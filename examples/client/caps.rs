//! What the client says it can do (XEP-0030 disco#info, advertised by XEP-0115 caps in its
//! presence): a server's PEP notifies it of the nodes it names with `+notify` (XEP-0163 §4.3),
//! here XEP-0490's displayed state.

use xmppkit::stanza::caps::Caps;
use xmppkit::stanza::disco::{DiscoInfo, Identity};
use xmppkit::stanza::{Iq, IqPayload};

/// The software's node (`node#ver` is what servers ask).
const NODE: &str = "https://github.com/xmppkit/xmppkit";

/// This client's disco#info.
pub(crate) fn info() -> DiscoInfo {
    let mut info = DiscoInfo::default();
    info.identities.push(Identity {
        name: Some("xmppkit client example".into()),
        ..Identity::new("client", "pc")
    });
    info.features = [
        "http://jabber.org/protocol/caps",
        "http://jabber.org/protocol/disco#info",
        xmppkit::read_markers::mds::NS_NOTIFY,
    ]
    .map(String::from)
    .to_vec();
    info
}

/// The `<c/>` for the initial presence.
pub(crate) fn element() -> minidom::Element {
    Caps::of(NODE, &info()).into()
}

/// The answer to a disco#info request (for no node or the caps node), if `stanza` is one.
pub(crate) fn answer(stanza: &minidom::Element) -> Option<Iq> {
    let iq = Iq::try_from(stanza.clone()).ok()?;
    let IqPayload::Get(query) = &iq.payload else {
        return None;
    };
    if !query.is("query", "http://jabber.org/protocol/disco#info") {
        return None;
    }
    let mut info = info();
    info.node = query.attr("node").map(str::to_owned);
    Some(iq.result(Some(info.into())))
}
