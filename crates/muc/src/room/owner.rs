//! IQs to the room's bare JID: disco#info and #items (§6.4–6.5), `muc#admin` (handed to
//! moderation), `muc#owner` configuration and destruction (§10.1–10.2, §10.9), then the hooks.

use super::announce::Announce;
use super::{Effects, Room};
use crate::config::Whois;
use crate::hooks::RoomHooks;
use crate::item::{Actor, Destroy};
use crate::privileges::may_own;
use crate::{ns, status, Affiliation, OwnerQuery};
use minidom::Element;
use xmppkit_jid::{BareJid, FullJid};
use xmppkit_stanza::data_forms::{DataForm, FormType};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::disco::{DiscoInfo, DiscoItems, Identity};
use xmppkit_stanza::{ns as stanza_ns, DefinedCondition, Iq, IqPayload, Outgoing, StanzaError};

impl Room {
    pub(super) fn on_room_iq(
        &mut self,
        from: FullJid,
        stanza: &Element,
        now: DateTime,
        hooks: &mut dyn RoomHooks,
        fx: &mut Effects,
    ) {
        let Ok(iq) = Iq::try_from(stanza.clone()) else {
            return fx.error(stanza, DefinedCondition::BadRequest);
        };
        let (query, set) = match &iq.payload {
            IqPayload::Get(q) => (q, false),
            IqPayload::Set(q) => (q, true),
            _ => return,
        };
        match (query.ns().as_str(), set) {
            (stanza_ns::DISCO_INFO, false) => {
                let info = self.disco_info(hooks.features());
                fx.push(iq.result(Some(info.into())).into());
            }
            (stanza_ns::DISCO_ITEMS, false) => {
                let items = DiscoItems::default();
                fx.push(iq.result(Some(items.into())).into());
            }
            (ns::ADMIN, _) => self.on_admin(&from, &iq, query, set, fx),
            (ns::OWNER, _) => self.on_owner(&from, &iq, query, set, fx),
            _ => match hooks.on_iq(self, &iq, now) {
                Some(out) => fx.stanzas.extend(out.into_iter().map(Outgoing::Stanza)),
                None => fx.error(stanza, DefinedCondition::ServiceUnavailable),
            },
        }
    }

    /// §6.4: identity, features (the room's type and what the hooks serve) and the roominfo form.
    pub fn disco_info(&self, extra: Vec<&'static str>) -> DiscoInfo {
        let mut identity = Identity::new("conference", "text");
        identity.name = Some(self.disco_name());
        let mut features: Vec<String> = [
            stanza_ns::DISCO_INFO,
            ns::MUC,
            ns::STABLE_ID,
            stanza_ns::SID,
        ]
        .into_iter()
        .chain(self.config.features())
        .chain(extra)
        .map(str::to_owned)
        .collect();
        features.sort();
        features.dedup();
        let subject = self.subject.as_ref().map(|s| s.text.as_str());
        DiscoInfo {
            node: None,
            identities: vec![identity],
            features,
            extensions: vec![self.config.info_form(self.occupants.len(), subject)],
        }
    }

    fn on_owner(&mut self, from: &FullJid, iq: &Iq, query: &Element, set: bool, fx: &mut Effects) {
        let fail = |fx: &mut Effects, condition, text: String| {
            let error = StanzaError::new(condition).with_text("en", text);
            fx.push(iq.error(error).into());
        };
        if let Err(c) = may_own(self.affiliation(&from.to_bare())) {
            return fail(fx, c, "only owners configure or destroy the room".into());
        }
        let query = match OwnerQuery::try_from(query.clone()) {
            Ok(q) => q,
            Err(e) => return fail(fx, DefinedCondition::BadRequest, e.to_string()),
        };
        match (set, query.form, query.destroy) {
            (false, None, None) => {
                let form = self.config_form();
                let answer = OwnerQuery {
                    form: Some(form),
                    destroy: None,
                };
                fx.push(iq.result(Some(answer.into())).into());
            }
            (true, None, Some(destroy)) => {
                fx.push(iq.result(None).into());
                self.destroy(Some(destroy), fx);
            }
            (true, Some(form), None) if form.type_ == FormType::Cancel => {
                fx.push(iq.result(None).into());
                if self.locked {
                    // §10.1.3: cancelling the initial configuration destroys the new room.
                    self.destroy(None, fx);
                }
            }
            (true, Some(form), None) => match self.configure(from, &form, fx) {
                Ok(()) => fx.push(iq.result(None).into()),
                Err(text) => fail(fx, DefinedCondition::NotAcceptable, text),
            },
            _ => fail(
                fx,
                DefinedCondition::BadRequest,
                "unexpected muc#owner request".into(),
            ),
        }
    }

    /// The room's name, or its local part when it has none.
    pub fn disco_name(&self) -> String {
        if self.config.name.is_empty() {
            self.jid.node().map_or("", |n| n.as_str()).to_owned()
        } else {
            self.config.name.clone()
        }
    }

    /// The configuration form with the current values and lists.
    pub fn config_form(&self) -> DataForm {
        let with = |wanted: Affiliation| -> Vec<BareJid> {
            self.affiliations
                .iter()
                .filter(|(_, a)| **a == wanted)
                .map(|(j, _)| j.clone())
                .collect()
        };
        self.config
            .to_form(&with(Affiliation::Owner), &with(Affiliation::Admin))
    }

    /// §10.1.2 instant room (a submission without fields) and §10.2 configuration: applies
    /// the form, unlocks the room and tells the occupants what changed (104, 170–173, 322).
    fn configure(
        &mut self,
        from: &FullJid,
        form: &DataForm,
        fx: &mut Effects,
    ) -> Result<(), String> {
        let before = self.config.clone();
        let was_locked = self.locked;
        let lists = self.config.apply(form).map_err(|e| e.to_string())?;
        self.locked = false;
        self.revision += 1;
        let by = Actor {
            jid: Some(from.to_bare().into()),
            nick: None,
        };
        for (list, affiliation) in [
            (lists.owners, Affiliation::Owner),
            (lists.admins, Affiliation::Admin),
        ] {
            for user in list.unwrap_or_default() {
                if self.affiliation(&user) < affiliation {
                    self.apply_affiliation(user, affiliation, &by, None, fx);
                }
            }
        }
        if was_locked {
            return Ok(());
        }
        let mut codes = vec![status::CONFIG_CHANGED];
        if before.enable_logging != self.config.enable_logging {
            codes.push(if self.config.enable_logging {
                status::LOGGING_ON
            } else {
                status::LOGGING_OFF
            });
        }
        if before.whois != self.config.whois {
            codes.push(if self.config.whois == Whois::Anyone {
                status::NOW_NON_ANONYMOUS
            } else {
                status::NOW_SEMI_ANONYMOUS
            });
        }
        self.notify_all(codes, fx);
        if self.config.members_only && !before.members_only {
            // §9.4 / §10.2: the room became members-only; non-members leave with 322.
            let outsiders: Vec<String> = self
                .occupants
                .values()
                .filter(|o| self.affiliation(&o.jid.to_bare()) < Affiliation::Member)
                .map(|o| o.nick.clone())
                .collect();
            for nick in outsiders {
                let a = Announce {
                    codes: vec![status::MEMBERS_ONLY_REMOVED],
                    ..Announce::default()
                };
                self.remove(&nick, a, fx);
            }
        }
        Ok(())
    }

    /// §10.9: each occupant gets one unavailable presence with `<destroy/>`; the room is gone.
    pub fn destroy(&mut self, destroy: Option<Destroy>, fx: &mut Effects) {
        let destroy = destroy.unwrap_or_default();
        let nicks: Vec<String> = self.occupants.keys().cloned().collect();
        for nick in nicks {
            self.remove_only_self(&nick, Vec::new(), Some(destroy.clone()), fx);
        }
        fx.destroyed = true;
        // A destroyed room stays destroyed even when persistent.
        self.config.persistent = false;
    }
}
