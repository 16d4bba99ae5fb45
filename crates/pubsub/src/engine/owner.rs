//! Owner use cases (§8.2–§8.9): configure (with the configuration notification), default
//! configuration, delete (with redirect), purge, and the subscription and affiliation lists.

use super::{event_message, fan_out, notify, Engine, Request};
use crate::error::Refusal;
use crate::event::Event;
use crate::item::SubscriptionInfo;
use crate::privileges::{may_own, may_purge};
use crate::store::{NodeStore, Sub};
use crate::{Affiliation, PubSubOwner, Subscription};
use xmppkit_jid::route::belongs_to;
use xmppkit_stanza::{DefinedCondition, StanzaError};

impl<S: NodeStore> Engine<S> {
    pub(super) fn owner(&mut self, r: &mut Request<'_>, p: PubSubOwner, set: bool) {
        if let (PubSubOwner::Default { .. }, false) = (&p, set) {
            let form = self.default_config(r.kind).to_form();
            return r.result(Some(PubSubOwner::Default { form: Some(form) }.into()));
        }
        let id = match &p {
            PubSubOwner::Configure { node: Some(n), .. }
            | PubSubOwner::Delete { node: n, .. }
            | PubSubOwner::Purge { node: n }
            | PubSubOwner::Subscriptions { node: n, .. }
            | PubSubOwner::Affiliations { node: n, .. } => n.clone(),
            _ => return r.refuse(DefinedCondition::BadRequest.into()),
        };
        let Some(n) = self.store.node(&r.service, &id) else {
            return r.refuse(DefinedCondition::ItemNotFound.into());
        };
        let affiliation = n.affiliation(&r.bare);
        let allowed = match &p {
            PubSubOwner::Purge { .. } => may_purge(affiliation),
            _ => may_own(affiliation),
        };
        if let Err(refusal) = allowed {
            return r.refuse(refusal);
        }
        match (p, set) {
            (PubSubOwner::Configure { form: None, .. }, false) => {
                let form = Some(n.config.to_form());
                r.result(Some(
                    PubSubOwner::Configure {
                        node: Some(id),
                        form,
                    }
                    .into(),
                ));
            }
            (
                PubSubOwner::Configure {
                    form: Some(form), ..
                },
                true,
            ) => self.configure(r, id, form),
            (PubSubOwner::Delete { redirect, .. }, true) => {
                let n = self.store.remove(&r.service, &id).expect("found above");
                r.result(None);
                if n.config.notify_delete {
                    let event = Event::Delete { node: id, redirect };
                    let message = event_message(&r.service, event, self.new_id(r.now));
                    notify(message, &r.service, &n, r.kind, r.relations, &mut r.out);
                }
            }
            (PubSubOwner::Purge { .. }, true) => {
                if !n.config.persist_items {
                    return r.refuse(Refusal::unsupported("persistent-items"));
                }
                let message_id = self.new_id(r.now);
                let n = self.store.node_mut(&r.service, &id).expect("found above");
                n.items.clear();
                n.last = None;
                r.result(None);
                if n.config.deliver_notifications {
                    let event = Event::Purge { node: id };
                    let message = event_message(&r.service, event, message_id);
                    notify(message, &r.service, n, r.kind, r.relations, &mut r.out);
                }
            }
            (PubSubOwner::Subscriptions { .. }, false) => {
                let list = n
                    .subscriptions
                    .iter()
                    .map(|s| SubscriptionInfo {
                        node: None,
                        jid: s.jid.clone(),
                        subscription: Some(s.state),
                        subid: Some(s.subid.clone()),
                    })
                    .collect();
                r.result(Some(PubSubOwner::Subscriptions { node: id, list }.into()));
            }
            (PubSubOwner::Subscriptions { list, .. }, true) => self.set_subscriptions(r, id, list),
            (PubSubOwner::Affiliations { .. }, false) => {
                let list = n
                    .affiliations
                    .iter()
                    .map(|(j, a)| (j.clone().into(), *a))
                    .collect();
                r.result(Some(PubSubOwner::Affiliations { node: id, list }.into()));
            }
            (PubSubOwner::Affiliations { list, .. }, true) => self.set_affiliations(r, id, list),
            _ => r.refuse(DefinedCondition::BadRequest.into()),
        }
    }

    /// §8.2.4, then §8.2.5 notifications when `notify_config` is on.
    fn configure(
        &mut self,
        r: &mut Request<'_>,
        id: String,
        form: xmppkit_stanza::data_forms::DataForm,
    ) {
        if form.type_ == xmppkit_stanza::data_forms::FormType::Cancel {
            return r.result(None);
        }
        let message_id = self.new_id(r.now);
        let n = self
            .store
            .node_mut(&r.service, &id)
            .expect("checked by caller");
        if let Err(e) = n.config.apply(&form) {
            if let crate::ConfigError::Unsupported(feature) = e {
                return r.refuse(Refusal::unsupported(feature));
            }
            let error =
                StanzaError::new(DefinedCondition::NotAcceptable).with_text("en", e.to_string());
            return r.send(r.iq.error(error).into());
        }
        while n.items.len() > n.config.max_items.max(1) as usize {
            n.items.pop_front();
        }
        r.result(None);
        if n.config.notify_config {
            let event = Event::Configuration {
                node: id,
                form: None,
            };
            let message = event_message(&r.service, event, message_id);
            notify(message, &r.service, n, r.kind, r.relations, &mut r.out);
        }
    }

    /// §8.8.2: approve, add, or remove subscriptions; each subscriber changed is told (§8.8.4).
    fn set_subscriptions(&mut self, r: &mut Request<'_>, id: String, list: Vec<SubscriptionInfo>) {
        let mut subids = Vec::with_capacity(list.len());
        for _ in &list {
            subids.push(self.new_id(r.now));
        }
        let n = self
            .store
            .node_mut(&r.service, &id)
            .expect("checked by caller");
        let mut changed = Vec::new();
        for (info, subid) in list.into_iter().zip(subids) {
            let state = info.subscription.unwrap_or(Subscription::Subscribed);
            let found = n.subscriptions.iter().position(|s| {
                s.jid == info.jid && info.subid.as_ref().is_none_or(|i| *i == s.subid)
            });
            match (found, state) {
                (Some(i), Subscription::None) => {
                    n.subscriptions.remove(i);
                }
                (Some(i), state) => n.subscriptions[i].state = state,
                (None, Subscription::None) => continue,
                (None, state) => n.subscriptions.push(Sub {
                    jid: info.jid.clone(),
                    subid,
                    state,
                    options: None,
                }),
            }
            changed.push(SubscriptionInfo {
                node: Some(id.clone()),
                jid: info.jid,
                subscription: Some(state),
                subid: None,
            });
        }
        r.result(None);
        for info in changed {
            let to = vec![info.jid.clone()];
            let message = event_message(&r.service, Event::Subscription(info), self.new_id(r.now));
            fan_out(message, to, &mut r.out);
        }
    }

    /// §8.9.2: set affiliations; `none` removes, `outcast` also ends the user's subscriptions;
    /// the last owner cannot go (`conflict`).
    fn set_affiliations(
        &mut self,
        r: &mut Request<'_>,
        id: String,
        list: Vec<(xmppkit_jid::Jid, Affiliation)>,
    ) {
        let n = self
            .store
            .node_mut(&r.service, &id)
            .expect("checked by caller");
        let mut after = n.affiliations.clone();
        for (jid, a) in &list {
            if *a == Affiliation::None {
                after.remove(&jid.to_bare());
            } else {
                after.insert(jid.to_bare(), *a);
            }
        }
        if !after.values().any(|a| *a == Affiliation::Owner) {
            return r.refuse(DefinedCondition::Conflict.into());
        }
        n.affiliations = after;
        for (jid, a) in list {
            if a == Affiliation::Outcast {
                let bare = jid.to_bare();
                n.subscriptions.retain(|s| !belongs_to(&s.jid, &bare));
            }
        }
        r.result(None);
    }
}
