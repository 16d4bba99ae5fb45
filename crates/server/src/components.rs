//! Services at their own domains (XEP-0114 style, in process): the server hands every stanza
//! addressed to a component's domain to it and routes what it answers. The MUC service and the
//! PubSub engine plug in through the adapters here; an embedder registers its own the same way
//! with [`Server::add_component`](crate::Server::add_component).

use minidom::Element;
use xmppkit_jid::FullJid;
use xmppkit_muc::{RoomHooks, Service};
use xmppkit_pubsub::{Engine, NodeStore, Relations, ServiceKind};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::{error_reply, DefinedCondition, Iq, Outgoing, StanzaError};

/// What a component may read from the server while it handles a stanza.
pub struct Context<'a> {
    /// The time (wall clock).
    pub now: DateTime,
    /// Rosters and presence, as pubsub access models need them.
    pub relations: &'a dyn Relations,
}

/// A service at its own domain. Every stanza it pushes to `out` must be addressed (`to`); the
/// server routes it as it routes stanzas from users.
pub trait Component: Send {
    /// A stanza addressed to the component's domain or a JID at it.
    fn handle_stanza(&mut self, stanza: Element, cx: &Context<'_>, out: &mut Vec<Outgoing>);
    /// A user's session ended (a MUC service empties its rooms of it).
    fn disconnected(&mut self, jid: &FullJid, out: &mut Vec<Outgoing>) {
        let _ = (jid, out);
    }
    /// The server shuts down.
    fn shutdown(&mut self, out: &mut Vec<Outgoing>) {
        let _ = out;
    }
}

impl<H: RoomHooks + Send> Component for Service<H> {
    fn handle_stanza(&mut self, stanza: Element, cx: &Context<'_>, out: &mut Vec<Outgoing>) {
        Service::handle_stanza(self, stanza, cx.now);
        out.extend(std::iter::from_fn(|| self.poll_outgoing()));
    }

    fn disconnected(&mut self, jid: &FullJid, out: &mut Vec<Outgoing>) {
        Service::disconnected(self, jid);
        out.extend(std::iter::from_fn(|| self.poll_outgoing()));
    }

    fn shutdown(&mut self, out: &mut Vec<Outgoing>) {
        Service::shutdown(self);
        out.extend(std::iter::from_fn(|| self.poll_outgoing()));
    }
}

/// A XEP-0060 pubsub service at its own domain.
pub struct PubSubComponent<S: NodeStore>(pub Engine<S>);

impl<S: NodeStore + Send> Component for PubSubComponent<S> {
    fn handle_stanza(&mut self, stanza: Element, cx: &Context<'_>, out: &mut Vec<Outgoing>) {
        if stanza.name() != "iq" {
            return;
        }
        let iq = match Iq::try_from(stanza.clone()) {
            Ok(iq) => iq,
            Err(_) => {
                out.extend(
                    error_reply(&stanza, &StanzaError::new(DefinedCondition::BadRequest))
                        .map(Outgoing::Stanza),
                );
                return;
            }
        };
        match self
            .0
            .handle_iq_outgoing(&iq, ServiceKind::Service, cx.relations, cx.now)
        {
            Some(answers) => out.extend(answers),
            None if iq.payload.is_request() => out.extend(
                error_reply(
                    &stanza,
                    &StanzaError::new(DefinedCondition::ServiceUnavailable),
                )
                .map(Outgoing::Stanza),
            ),
            None => {}
        }
    }
}
