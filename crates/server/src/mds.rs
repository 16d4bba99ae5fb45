//! XEP-0490 §2.5 server assist: a user's message that carries a `<displayed/>` of
//! `urn:xmpp:mds:displayed:0` has it taken out before anything else sees the message (its
//! recipient, the archive, carbons: §3.2), and the server publishes it on the user's PEP node
//! `urn:xmpp:mds:displayed:0` under the message's `to`, with the node options the XEP requires
//! (whitelist, so only the user's own resources are notified). The message then goes on.

use crate::server::Server;
use minidom::Element;
use xmppkit_jid::FullJid;
use xmppkit_pubsub::ServiceKind;
use xmppkit_read_markers::mds;
use xmppkit_stanza::{Iq, Outgoing};

impl Server {
    /// Takes the server-assist element out of `message` and publishes it for `from`'s account.
    pub(crate) fn mds_assist(&mut self, from: &FullJid, message: &mut Element) {
        let Some((chat, displayed)) = mds::take_server_assist(message) else {
            return;
        };
        let id = format!("mds-assist-{}", self.new_id());
        let mut iq = Iq::set(
            id.clone(),
            Some(from.to_bare().into()),
            mds::publish(&chat, displayed),
        );
        iq.from = Some(from.clone().into());
        let view = crate::relations::View {
            resources: &self.resources,
            rosters: &self.rosters,
            config: &self.config,
        };
        let out = self
            .pep
            .handle_iq_outgoing(&iq, ServiceKind::Pep, &view, self.now.utc)
            .unwrap_or_default();
        for outgoing in out {
            // The publication's result is ours, not the client's, which sent no IQ; an error
            // (a node the user configured otherwise) goes to the client under our id, which it
            // can ignore but which says why its other devices saw nothing.
            if let Outgoing::Stanza(stanza) = &outgoing {
                let ours = stanza.name() == "iq" && stanza.attr("id") == Some(id.as_str());
                if ours && stanza.attr("type") == Some("result") {
                    continue;
                }
            }
            self.route_outgoing(outgoing);
        }
    }
}
