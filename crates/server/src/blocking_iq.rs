//! The XEP-0191 protocol: the blocklist (§3.2), block (§3.3) and unblock (§3.4, all when no
//! item is named), the pushes to every resource that asked for the list, and the presence that
//! blocking and unblocking imply.

use crate::blocking::{covers, element, items, NS};
use crate::server::Server;
use xmppkit_jid::{BareJid, FullJid, Jid};
use xmppkit_stanza::{DefinedCondition, Iq, IqPayload, StanzaError};

impl Server {
    /// A blocking command from `from` about its own list.
    pub(crate) fn blocking_iq(&mut self, from: &FullJid, iq: Iq) {
        let user = from.to_bare();
        let answer = match &iq.payload {
            IqPayload::Get(q) if q.is("blocklist", NS) => {
                if let Some(r) = self.resources.get_mut(from) {
                    r.blocklist_requested = true;
                }
                let list: Vec<Jid> = self.blocklist(&user).iter().cloned().collect();
                Ok(Some(element("blocklist", &list)))
            }
            IqPayload::Set(q) if q.is("block", NS) => match items(q) {
                Some(jids) if jids.is_empty() => {
                    Err(StanzaError::new(DefinedCondition::BadRequest))
                }
                Some(jids) => {
                    self.block(&user, &jids);
                    Ok(None)
                }
                None => Err(StanzaError::new(DefinedCondition::JidMalformed)),
            },
            IqPayload::Set(q) if q.is("unblock", NS) => match items(q) {
                Some(jids) => {
                    self.unblock(&user, &jids);
                    Ok(None)
                }
                None => Err(StanzaError::new(DefinedCondition::JidMalformed)),
            },
            IqPayload::Get(_) | IqPayload::Set(_) => {
                Err(StanzaError::new(DefinedCondition::BadRequest))
            }
            _ => return,
        };
        match answer {
            Ok(payload) => self.reply(iq.result(payload)),
            Err(e) => self.reply(iq.error(e)),
        }
    }

    /// §3.3: the blocked contacts stop seeing the user.
    fn block(&mut self, user: &BareJid, jids: &[Jid]) {
        let subscribers: Vec<BareJid> = self.load_roster(user).subscribers().cloned().collect();
        self.blocklist(user);
        let list = self.blocklists.entry(user.clone()).or_default();
        list.extend(jids.iter().cloned());
        self.save_blocklist(user);
        self.push_blocking(user, "block", jids);
        for contact in subscribers {
            let jid: Jid = contact.clone().into();
            if jids.iter().any(|item| covers(item, &jid)) {
                self.unavailable_to(user, &contact);
            }
        }
    }

    /// §3.4: the unblocked contacts see the user again, and the user them.
    fn unblock(&mut self, user: &BareJid, jids: &[Jid]) {
        self.blocklist(user);
        let list = self.blocklists.entry(user.clone()).or_default();
        let removed: Vec<Jid> = if jids.is_empty() {
            std::mem::take(list).into_iter().collect()
        } else {
            jids.iter().filter(|j| list.remove(*j)).cloned().collect()
        };
        self.save_blocklist(user);
        self.push_blocking(user, "unblock", jids);
        let roster = self.load_roster(user);
        let contacts: Vec<(BareJid, bool, bool)> = roster
            .items
            .iter()
            .filter(|(jid, _)| {
                let jid: Jid = (*jid).clone().into();
                removed.iter().any(|item| covers(item, &jid))
            })
            .map(|(jid, i)| (jid.clone(), i.state.from, i.state.to))
            .collect();
        for (contact, from, to) in contacts {
            if from {
                self.presence_to(user, contact.clone().into());
            }
            if to {
                self.probe_from_account(user, &contact);
            }
        }
    }

    fn push_blocking(&mut self, user: &BareJid, name: &str, jids: &[Jid]) {
        let interested: Vec<FullJid> = self
            .resources
            .of(user)
            .filter(|(_, r)| r.blocklist_requested)
            .map(|(j, _)| j)
            .collect();
        for jid in interested {
            let id = format!("block-{}", self.new_id());
            let iq = Iq::set(id, Some(jid.clone().into()), element(name, jids));
            let _ = self.send_to(&jid, iq.into());
        }
    }
}
