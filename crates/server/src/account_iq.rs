//! The server's own answers: IQs a user sends to its own account (roster, blocking, carbons,
//! MAM, PEP, registration changes, disco), IQs others send to a local account (RFC 6121 §8.5:
//! served by the server at the bare JID, delivered at a full one), and stanzas to the domain
//! (ping, disco of the server and its components).

use crate::relations::View;
use crate::server::Server;
use minidom::Element;
use xmppkit_carbons::Toggle;
use xmppkit_jid::{BareJid, FullJid, Jid};
use xmppkit_mam::ArchiveKind;
use xmppkit_pubsub::ServiceKind;
use xmppkit_stanza::disco::{DiscoInfo, DiscoItems, Identity, Item};
use xmppkit_stanza::{ns, DefinedCondition, Iq, IqPayload, StanzaError};

/// `jabber:iq:register` (XEP-0077).
pub const NS_REGISTER: &str = "jabber:iq:register";
const PING: &str = "urn:xmpp:ping";

fn payload_ns(iq: &Iq) -> Option<String> {
    iq.payload.element().map(|e| e.ns())
}

impl Server {
    /// An IQ from `from` to its own account (no `to`, or its bare JID).
    pub(crate) fn account_iq(&mut self, from: &FullJid, stanza: Element) {
        let Ok(iq) = Iq::try_from(stanza.clone()) else {
            return self.bounce(&stanza, DefinedCondition::BadRequest);
        };
        if !iq.payload.is_request() {
            return;
        }
        let addressed = iq.to.is_some();
        match payload_ns(&iq).as_deref() {
            Some(crate::roster::NS) => self.roster_iq(from, iq),
            Some(crate::blocking::NS) => self.blocking_iq(from, iq),
            Some(xmppkit_carbons::NS) => self.carbons_iq(from, iq),
            Some(xmppkit_mam::NS) if self.config.archive => self.mam_iq(iq, &from.to_bare()),
            Some(xmppkit_pubsub::ns::PUBSUB | xmppkit_pubsub::ns::OWNER) => {
                self.pep_iq(iq, from.to_bare())
            }
            Some(NS_REGISTER) => self.register_after_auth(from, iq),
            Some(xmppkit_read_markers::inbox::NS) => self.inbox_iq(from, iq),
            Some(
                xmppkit_read_markers::esl_inbox::NS
                | xmppkit_read_markers::esl_inbox::NS_CONVERSATION,
            ) => self.esl_inbox_iq(from, iq),
            Some(ns::DISCO_INFO) if addressed => {
                let info = self.account_disco();
                self.reply(iq.result(Some(info.into())));
            }
            _ if addressed => {
                self.reply(iq.error(StanzaError::new(DefinedCondition::ServiceUnavailable)))
            }
            // RFC 6120 §10.3.3: no `to`, as if to the server on the account's behalf.
            _ => self.server_iq(iq),
        }
    }

    /// §8.5: an IQ for a local account from someone else.
    pub(crate) fn incoming_iq(&mut self, to: Jid, stanza: Element) {
        let request = matches!(stanza.attr("type"), Some("get" | "set"));
        if let Ok(full) = to.clone().try_into_full() {
            if self.resources.get(&full).is_some() {
                if let Err(stanza) = self.send_to(&full, stanza) {
                    if request {
                        self.bounce(&stanza, DefinedCondition::ServiceUnavailable);
                    }
                }
            } else if request {
                // §8.5.3.2.1: no such resource.
                self.bounce(&stanza, DefinedCondition::ServiceUnavailable);
            }
            return;
        }
        if !request {
            return;
        }
        let Ok(iq) = Iq::try_from(stanza.clone()) else {
            return self.bounce(&stanza, DefinedCondition::BadRequest);
        };
        match payload_ns(&iq).as_deref() {
            Some(xmppkit_pubsub::ns::PUBSUB | xmppkit_pubsub::ns::OWNER) => {
                self.pep_iq(iq, to.to_bare())
            }
            Some(ns::DISCO_INFO) => {
                let info = self.account_disco();
                self.reply(iq.result(Some(info.into())));
            }
            Some(ns::DISCO_ITEMS) => self.reply(iq.result(Some(DiscoItems::default().into()))),
            _ => self.reply(iq.error(StanzaError::new(DefinedCondition::ServiceUnavailable))),
        }
    }

    /// A stanza to the domain itself.
    pub(crate) fn server_stanza(&mut self, stanza: Element) {
        if stanza.name() != "iq" || !matches!(stanza.attr("type"), Some("get" | "set")) {
            return;
        }
        match Iq::try_from(stanza.clone()) {
            Ok(iq) => self.server_iq(iq),
            Err(_) => self.bounce(&stanza, DefinedCondition::BadRequest),
        }
    }

    /// Ping (XEP-0199), disco of the server (XEP-0030), registration changes (XEP-0077).
    fn server_iq(&mut self, iq: Iq) {
        let from_local = iq
            .from
            .as_ref()
            .and_then(|f| f.clone().try_into_full().ok())
            .filter(|f| f.domain() == self.config.domain.domain());
        let answer: Option<Element> = match (&iq.payload, payload_ns(&iq).as_deref()) {
            (IqPayload::Get(_), Some(PING)) => None,
            (IqPayload::Get(_), Some(ns::DISCO_INFO)) => Some(self.server_disco().into()),
            (IqPayload::Get(_), Some(ns::DISCO_ITEMS)) => {
                let mut domains: Vec<&String> = self.components.keys().collect();
                domains.sort();
                let items = domains
                    .into_iter()
                    .filter_map(|d| d.parse::<BareJid>().ok())
                    .map(|jid| Item {
                        jid: jid.into(),
                        node: None,
                        name: None,
                    })
                    .collect();
                Some(
                    DiscoItems {
                        items,
                        ..DiscoItems::default()
                    }
                    .into(),
                )
            }
            (_, Some(NS_REGISTER)) if from_local.is_some() => {
                let from = from_local.expect("checked");
                return self.register_after_auth(&from, iq);
            }
            (_, Some(xmppkit_read_markers::unread::NS)) if from_local.is_some() => {
                let from = from_local.expect("checked");
                return self.unread_iq(&from, iq);
            }
            _ => {
                return self.reply(iq.error(StanzaError::new(DefinedCondition::ServiceUnavailable)))
            }
        };
        self.reply(iq.result(answer));
    }

    fn server_disco(&self) -> DiscoInfo {
        let mut info = DiscoInfo::default();
        info.identities.push(Identity::new("server", "im"));
        let mut features = vec![
            ns::DISCO_INFO,
            ns::DISCO_ITEMS,
            PING,
            xmppkit_sm::NS,
            xmppkit_carbons::NS,
            xmppkit_carbons::RULES,
            "msgoffline",
            crate::roster::NS,
            crate::blocking::NS,
            xmppkit_read_markers::unread::NS,
            xmppkit_read_markers::esl_inbox::NS,
        ];
        if self.config.registration.is_some() {
            features.push(NS_REGISTER);
        }
        info.features = features.into_iter().map(str::to_owned).collect();
        info
    }

    /// XEP-0163 §6.1 and XEP-0313 §7: what an account serves.
    fn account_disco(&self) -> DiscoInfo {
        let mut info = DiscoInfo::default();
        info.identities.push(Identity::new("account", "registered"));
        info.identities.push(Identity::new("pubsub", "pep"));
        let mam = self.config.archive.then_some(xmppkit_mam::NS);
        let fulltext = self
            .config
            .archive
            .then_some(xmppkit_mam::fulltext::NS_FULLTEXT);
        info.features = [
            Some(ns::DISCO_INFO),
            mam,
            fulltext,
            Some(xmppkit_pubsub::ns::PUBSUB),
            Some(xmppkit_read_markers::mds::NS_SERVER_ASSIST),
            Some(xmppkit_read_markers::inbox::NS),
            Some(xmppkit_read_markers::esl_inbox::NS),
        ]
        .into_iter()
        .flatten()
        .map(str::to_owned)
        .chain(
            xmppkit_pubsub::FEATURES
                .iter()
                .map(|f| xmppkit_pubsub::ns::feature(f)),
        )
        .collect();
        info
    }

    /// XEP-0280 §4: `<enable/>` / `<disable/>` for the sending resource.
    fn carbons_iq(&mut self, from: &FullJid, iq: Iq) {
        let toggle = match &iq.payload {
            IqPayload::Set(el) => Toggle::try_from(el.clone()).ok(),
            _ => None,
        };
        let Some(toggle) = toggle else {
            return self.reply(iq.error(StanzaError::new(DefinedCondition::BadRequest)));
        };
        if let Some(r) = self.resources.get_mut(from) {
            r.carbons = toggle == Toggle::Enable;
        }
        self.reply(iq.result(None));
    }

    /// XEP-0313 queries of the user's own archive.
    fn mam_iq(&mut self, iq: Iq, owner: &BareJid) {
        let Some(out) = self.mam.handle_iq(&iq, ArchiveKind::User, |_| false) else {
            return;
        };
        let mut positions = std::collections::HashMap::new();
        for mut stanza in out {
            self.tag_unread(owner, &mut stanza, &mut positions);
            if stanza.attr("to").is_none() {
                if let Some(from) = &iq.from {
                    xmppkit_stanza::set_attr(&mut stanza, "to", from.to_string());
                }
            }
            if stanza.attr("from").is_none() {
                xmppkit_stanza::set_attr(&mut stanza, "from", owner.to_string());
            }
            self.route_from_service(stanza);
        }
    }

    /// XEP-0163: the PEP service at `owner`'s bare JID.
    fn pep_iq(&mut self, mut iq: Iq, owner: BareJid) {
        iq.to = Some(owner.into());
        let view = View {
            resources: &self.resources,
            rosters: &self.rosters,
            config: &self.config,
        };
        match self
            .pep
            .handle_iq_outgoing(&iq, ServiceKind::Pep, &view, self.now.utc)
        {
            Some(out) => {
                let owner = iq.to.as_ref().map(|to| to.to_bare());
                if let Some(owner) = owner {
                    self.mds_observe(&owner, &iq, &out);
                }
                for outgoing in out {
                    self.route_outgoing(outgoing);
                }
            }
            None => self.reply(iq.error(StanzaError::new(DefinedCondition::ServiceUnavailable))),
        }
    }
}
