//! XEP-0490 in the server. Server assist (§2.5): a user's message that carries a `<displayed/>`
//! of `urn:xmpp:mds:displayed:0` has it taken out before anything else sees the message (its
//! recipient, the archive, carbons: §3.2), and the server publishes it on the user's PEP node
//! `urn:xmpp:mds:displayed:0` under the message's `to`, with the node options the XEP requires
//! (whitelist, so only the user's own resources are notified). The message then goes on.
//! Every displayed position published, by a client or by assist, moves the user's read state
//! (`read_state.rs`); an ack through another front-end is published here for the devices.

use crate::server::Server;
use minidom::Element;
use xmppkit_jid::{BareJid, FullJid};
use xmppkit_pubsub::ServiceKind;
use xmppkit_read_markers::mds::{self, Displayed};
use xmppkit_stanza::{Iq, Outgoing};

impl Server {
    /// Takes the server-assist element out of `message` and publishes it for `from`'s account.
    pub(crate) fn mds_assist(&mut self, from: &FullJid, message: &mut Element) {
        let Some((chat, displayed)) = mds::take_server_assist(message) else {
            return;
        };
        self.displayed_published(&from.to_bare(), &chat, &displayed);
        self.publish_displayed(from, &chat, displayed);
    }

    /// Publishes `displayed` for `chat` on the PEP node of `from`'s account, as `from`: the
    /// user's resources are notified (the node is whitelist). The publication's result is the
    /// server's, not the client's, which sent no IQ: a success is dropped; an error (a node
    /// the user configured otherwise) goes to the client under the server's id, which it can
    /// ignore but which says why its other devices saw nothing.
    pub(crate) fn publish_displayed(&mut self, from: &FullJid, chat: &str, displayed: Displayed) {
        let id = format!("mds-assist-{}", self.new_id());
        let mut iq = Iq::set(
            id.clone(),
            Some(from.to_bare().into()),
            mds::publish(chat, displayed),
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
            if let Outgoing::Stanza(stanza) = &outgoing {
                let ours = stanza.name() == "iq" && stanza.attr("id") == Some(id.as_str());
                if ours && stanza.attr("type") == Some("result") {
                    continue;
                }
            }
            self.route_outgoing(outgoing);
        }
    }

    /// A PEP request of `owner`'s own: when it publishes a displayed position and the PEP
    /// service took it (`out` holds no error for it), the read state follows.
    pub(crate) fn mds_observe(&mut self, owner: &BareJid, iq: &Iq, out: &[Outgoing]) {
        let from_owner = iq.from.as_ref().is_some_and(|f| f.to_bare() == *owner);
        let xmppkit_stanza::IqPayload::Set(pubsub) = &iq.payload else {
            return;
        };
        if !from_owner {
            return;
        }
        let Some((chat, displayed)) = mds::published(pubsub) else {
            return;
        };
        let refused = out.iter().any(|o| {
            matches!(o, Outgoing::Stanza(s) if s.name() == "iq"
                && s.attr("id") == Some(iq.id.as_str())
                && s.attr("type") == Some("error"))
        });
        if !refused {
            self.displayed_published(owner, &chat, &displayed);
        }
    }
}
