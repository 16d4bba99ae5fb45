//! Entity use cases (§5–§6): subscribe, unsubscribe, subscription options, retrieving items,
//! and one's own subscriptions and affiliations. Create, publish and retract are in
//! `publish.rs`.

use super::{last_item_message, Engine, Request};
use crate::error::{Condition, Refusal};
use crate::item::{Item, SubscriptionInfo};
use crate::privileges::{may_retrieve, may_subscribe};
use crate::store::{NodeStore, Sub};
use crate::{ns, PubSub, SendLastItem, Subscription};
use xmppkit_stanza::data_forms::{DataForm, Field, FieldType, FormType};
use xmppkit_stanza::rsm::Set;
use xmppkit_stanza::DefinedCondition;

fn not_found() -> Refusal {
    DefinedCondition::ItemNotFound.into()
}

fn nodeid_required() -> Refusal {
    Refusal::new(DefinedCondition::BadRequest, Condition::NodeidRequired)
}

/// The subscription options form (§6.3.5), with `deliver` on.
pub fn default_options() -> DataForm {
    DataForm::new(
        FormType::Form,
        vec![
            Field::form_type(ns::SUBSCRIBE_OPTIONS),
            Field {
                type_: Some(FieldType::Boolean),
                ..Field::new("pubsub#deliver", ["1"])
            },
        ],
    )
}

impl<S: NodeStore> Engine<S> {
    pub(super) fn entity(&mut self, r: &mut Request<'_>, p: PubSub, set: bool) {
        match (p, set) {
            (PubSub::Create { node, configure }, true) => self.create(r, node, configure),
            (
                PubSub::Publish {
                    node,
                    items,
                    options,
                },
                true,
            ) => self.publish(r, node, items, options),
            (PubSub::Retract { node, notify, ids }, true) => self.retract(r, node, notify, ids),
            (PubSub::Subscribe { node, jid, options }, true) => {
                self.subscribe(r, node, jid, options)
            }
            (PubSub::Unsubscribe { node, jid, subid }, true) => {
                self.unsubscribe(r, node, jid, subid)
            }
            (
                PubSub::Options {
                    node,
                    jid,
                    subid,
                    form,
                },
                set,
            ) => self.options(r, node, jid, subid, form.filter(|_| set)),
            (PubSub::Default { .. }, false) => r.result(Some(
                PubSub::Default {
                    node: None,
                    form: Some(default_options()),
                }
                .into(),
            )),
            (
                PubSub::Items {
                    node,
                    max_items,
                    items,
                    rsm,
                    ..
                },
                false,
            ) => self.items(r, node, max_items, items, rsm),
            (PubSub::Subscriptions { node, .. }, false) => self.own_subscriptions(r, node),
            (PubSub::Affiliations { node, .. }, false) => self.own_affiliations(r, node),
            _ => r.refuse(DefinedCondition::BadRequest.into()),
        }
    }

    /// §6.1.
    fn subscribe(
        &mut self,
        r: &mut Request<'_>,
        node: Option<String>,
        jid: xmppkit_jid::Jid,
        options: Option<DataForm>,
    ) {
        let Some(id) = node else {
            return r.refuse(nodeid_required());
        };
        if !xmppkit_jid::route::belongs_to(&jid, &r.bare) {
            return r.refuse(Refusal::new(
                DefinedCondition::BadRequest,
                Condition::InvalidJid,
            ));
        }
        if let Some(form) = &options {
            if form.form_type().is_some_and(|t| t != ns::SUBSCRIBE_OPTIONS) {
                return r.refuse(Refusal::new(
                    DefinedCondition::BadRequest,
                    Condition::InvalidOptions,
                ));
            }
        }
        let subid = self.new_id(r.now);
        let max_subscriptions = self.config.max_subscriptions;
        let Some(n) = self.store.node_mut(&r.service, &id) else {
            return r.refuse(not_found());
        };
        let relation = r.relation(n);
        let immediate = match may_subscribe(n.affiliation(&r.bare), n.config.access_model, relation)
        {
            Ok(immediate) => immediate,
            Err(refusal) => return r.refuse(refusal),
        };
        let existing: Vec<&Sub> = n.subscriptions.iter().filter(|s| s.jid == jid).collect();
        if existing.iter().any(|s| s.state == Subscription::Pending) {
            return r.refuse(Refusal::new(
                DefinedCondition::NotAuthorized,
                Condition::PendingSubscription,
            ));
        }
        let info = |s: &Sub| SubscriptionInfo {
            node: Some(id.clone()),
            jid: s.jid.clone(),
            subscription: Some(s.state),
            subid: Some(s.subid.clone()),
        };
        // Subscribing again without options returns the subscription held (§6.1.6: a second
        // subscription is made only when options differ).
        if options.is_none() {
            if let Some(s) = existing.first() {
                let answer = PubSub::Subscription(info(s));
                return r.result(Some(answer.into()));
            }
        }
        if n.subscriptions_of(&r.bare).count() >= max_subscriptions {
            return r.refuse(Refusal::new(
                DefinedCondition::PolicyViolation,
                Condition::TooManySubscriptions,
            ));
        }
        let sub = Sub {
            jid: jid.clone(),
            subid,
            state: if immediate {
                Subscription::Subscribed
            } else {
                Subscription::Pending
            },
            options,
        };
        r.result(Some(PubSub::Subscription(info(&sub)).into()));
        n.subscriptions.push(sub);
        if immediate && n.config.send_last_published_item != SendLastItem::Never {
            if let Some(m) = last_item_message(&r.service, n, &jid) {
                r.send(m);
            }
        }
    }

    /// §6.2.
    fn unsubscribe(
        &mut self,
        r: &mut Request<'_>,
        node: Option<String>,
        jid: xmppkit_jid::Jid,
        subid: Option<String>,
    ) {
        match self.own_subscription(r, node.as_deref(), &jid, subid.as_deref()) {
            Ok((id, index)) => {
                let n = self.store.node_mut(&r.service, &id).expect("found");
                n.subscriptions.remove(index);
                r.result(None);
            }
            Err(refusal) => r.refuse(refusal),
        }
    }

    /// §6.3: the options form, or a submission.
    fn options(
        &mut self,
        r: &mut Request<'_>,
        node: Option<String>,
        jid: xmppkit_jid::Jid,
        subid: Option<String>,
        submitted: Option<DataForm>,
    ) {
        let (id, index) = match self.own_subscription(r, node.as_deref(), &jid, subid.as_deref()) {
            Ok(found) => found,
            Err(refusal) => return r.refuse(refusal),
        };
        let n = self.store.node_mut(&r.service, &id).expect("found");
        let sub = &mut n.subscriptions[index];
        match submitted {
            Some(form) => {
                if form.type_ != FormType::Submit
                    || form.form_type().is_some_and(|t| t != ns::SUBSCRIBE_OPTIONS)
                {
                    return r.refuse(Refusal::new(
                        DefinedCondition::BadRequest,
                        Condition::InvalidOptions,
                    ));
                }
                sub.options = Some(form);
                if sub.state == Subscription::Unconfigured {
                    sub.state = Subscription::Subscribed;
                }
                r.result(None);
            }
            None => {
                let mut form = default_options();
                if let Some(stored) = &sub.options {
                    for f in &stored.fields {
                        if let Some(slot) = form.fields.iter_mut().find(|x| x.var == f.var) {
                            slot.values = f.values.clone();
                        }
                    }
                }
                let answer = PubSub::Options {
                    node: Some(id),
                    jid,
                    subid: Some(sub.subid.clone()),
                    form: Some(form),
                };
                r.result(Some(answer.into()));
            }
        }
    }

    /// The subscription an unsubscribe or options request means (§6.2.3, §6.3.4): the node
    /// must exist, the JID be the requester's (or the requester own the node), and the subid
    /// pick one subscription. Returns the node id and the subscription's index.
    fn own_subscription(
        &self,
        r: &Request<'_>,
        node: Option<&str>,
        jid: &xmppkit_jid::Jid,
        subid: Option<&str>,
    ) -> Result<(String, usize), Refusal> {
        let id = node.ok_or_else(nodeid_required)?;
        let n = self.store.node(&r.service, id).ok_or_else(not_found)?;
        let own = xmppkit_jid::route::belongs_to(jid, &r.bare);
        if !own && n.affiliation(&r.bare) != crate::Affiliation::Owner {
            return Err(DefinedCondition::Forbidden.into());
        }
        Ok((id.to_owned(), pick(&n.subscriptions, jid, subid)?))
    }

    /// §6.5: all items, the newest `max_items`, some by id, or a page (XEP-0059).
    fn items(
        &mut self,
        r: &mut Request<'_>,
        id: String,
        max_items: Option<u32>,
        wanted: Vec<Item>,
        rsm: Option<Set>,
    ) {
        let Some(n) = self.store.node(&r.service, &id) else {
            return r.refuse(not_found());
        };
        let subscribed = n
            .subscriptions_of(&r.bare)
            .any(|s| s.state == Subscription::Subscribed);
        if let Err(refusal) = may_retrieve(
            n.affiliation(&r.bare),
            n.config.access_model,
            r.relation(n),
            subscribed,
        ) {
            return r.refuse(refusal);
        }
        if !n.config.persist_items && n.last.is_none() {
            return r.refuse(Refusal::unsupported("persistent-items"));
        }
        let payloads = |i: &crate::store::StoredItem| Item {
            id: Some(i.id.clone()),
            publisher: n.config.item_reply_publisher.then(|| i.publisher.clone()),
            payload: i.payload.clone(),
        };
        let source: Vec<&crate::store::StoredItem> = if n.config.persist_items {
            n.items.iter().collect()
        } else {
            n.last.iter().collect()
        };
        let ids: Vec<&str> = wanted.iter().filter_map(|i| i.id.as_deref()).collect();
        let mut selected: Vec<&crate::store::StoredItem> = if ids.is_empty() {
            source
        } else {
            source
                .into_iter()
                .filter(|i| ids.contains(&i.id.as_str()))
                .collect()
        };
        if let Some(max) = max_items {
            let skip = selected.len().saturating_sub(max as usize);
            selected.drain(..skip);
        }
        let mut set_out = None;
        if let Some(set) = rsm {
            let start = match (&set.after, set.index) {
                (Some(after), _) => match selected.iter().position(|i| &i.id == after) {
                    Some(p) => p + 1,
                    None => return r.refuse(not_found()),
                },
                (None, Some(index)) => index as usize,
                _ => 0,
            };
            let count = selected.len();
            let max = set.max.map_or(count, |m| m as usize);
            let page: Vec<_> = selected.iter().skip(start).take(max).copied().collect();
            set_out = Some(Set {
                first: page.first().map(|i| (i.id.clone(), Some(start as u32))),
                last: page.last().map(|i| i.id.clone()),
                count: Some(count as u32),
                ..Set::default()
            });
            selected = page;
        }
        let answer = PubSub::Items {
            node: id.clone(),
            max_items: None,
            subid: None,
            items: selected.into_iter().map(payloads).collect(),
            rsm: set_out,
        };
        r.result(Some(answer.into()));
    }

    /// §5.6: the requester's subscriptions on this service.
    fn own_subscriptions(&mut self, r: &mut Request<'_>, only: Option<String>) {
        let mut list = Vec::new();
        for n in self.store.nodes(&r.service) {
            if only.as_ref().is_some_and(|o| *o != n.id) {
                continue;
            }
            for s in n.subscriptions_of(&r.bare) {
                list.push(SubscriptionInfo {
                    node: Some(n.id.clone()),
                    jid: s.jid.clone(),
                    subscription: Some(s.state),
                    subid: Some(s.subid.clone()),
                });
            }
        }
        r.result(Some(PubSub::Subscriptions { node: only, list }.into()));
    }

    /// §5.7: the requester's affiliations on this service.
    fn own_affiliations(&mut self, r: &mut Request<'_>, only: Option<String>) {
        let list = self
            .store
            .nodes(&r.service)
            .filter(|n| only.as_ref().is_none_or(|o| *o == n.id))
            .filter_map(|n| n.affiliations.get(&r.bare).map(|a| (n.id.clone(), *a)))
            .collect();
        r.result(Some(PubSub::Affiliations { node: only, list }.into()));
    }
}

/// The subscription of `jid` meant by `subid` (§6.2.3): none is `unexpected-request` with
/// `<not-subscribed/>`, several without subid `<subid-required/>`, a wrong subid
/// `<invalid-subid/>`.
fn pick(subs: &[Sub], jid: &xmppkit_jid::Jid, subid: Option<&str>) -> Result<usize, Refusal> {
    let of_jid: Vec<usize> = subs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.jid == *jid)
        .map(|(i, _)| i)
        .collect();
    match (of_jid.as_slice(), subid) {
        ([], _) => Err(Refusal::new(
            DefinedCondition::UnexpectedRequest,
            Condition::NotSubscribed,
        )),
        (_, Some(id)) => of_jid
            .iter()
            .copied()
            .find(|i| subs[*i].subid == id)
            .ok_or(Refusal::new(
                DefinedCondition::NotAcceptable,
                Condition::InvalidSubid,
            )),
        ([one], None) => Ok(*one),
        (_, None) => Err(Refusal::new(
            DefinedCondition::BadRequest,
            Condition::SubidRequired,
        )),
    }
}
