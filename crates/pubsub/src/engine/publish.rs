//! Creating nodes (§8.1, instant nodes and create-and-configure), publishing (§7.1, with item
//! ids, `max_items`, persistence, payload rules, `publish-options` preconditions and
//! auto-creation) and retracting (§7.2), each followed by its notifications.

use super::{
    event_message, notify as notify_subscribers, CreatePolicy, Engine, Request, ServiceKind,
};
use crate::config::PreconditionError;
use crate::error::{Condition, Refusal};
use crate::event::Event;
use crate::item::Item;
use crate::privileges::{may_publish, may_retract};
use crate::store::{Node, NodeStore, StoredItem};
use crate::{PubSub, Subscription};
use xmppkit_stanza::data_forms::DataForm;
use xmppkit_stanza::DefinedCondition;

impl<S: NodeStore> Engine<S> {
    fn may_create(&self, r: &Request<'_>) -> Result<(), Refusal> {
        let allowed = match r.kind {
            ServiceKind::Pep => r.bare == r.service,
            ServiceKind::Service if self.config.create == CreatePolicy::Nobody => {
                return Err(Refusal::unsupported("create-nodes"));
            }
            ServiceKind::Service => self.config.create.admits(&r.requester),
        };
        if !allowed {
            return Err(DefinedCondition::Forbidden.into());
        }
        if self.store.count(&r.service) >= self.config.max_nodes {
            return Err(Refusal::new(
                DefinedCondition::NotAllowed,
                Condition::MaxNodesExceeded,
            ));
        }
        Ok(())
    }

    pub(super) fn default_config(&self, kind: ServiceKind) -> crate::NodeConfig {
        match kind {
            ServiceKind::Service => self.config.default_node.clone(),
            ServiceKind::Pep => self.config.pep_node.clone(),
        }
    }

    /// §8.1.
    pub(super) fn create(
        &mut self,
        r: &mut Request<'_>,
        node: Option<String>,
        configure: Option<Option<DataForm>>,
    ) {
        if let Err(refusal) = self.may_create(r) {
            return r.refuse(refusal);
        }
        let instant = node.is_none();
        let id = node.unwrap_or_else(|| self.new_id(r.now));
        if self.store.node(&r.service, &id).is_some() {
            return r.refuse(DefinedCondition::Conflict.into());
        }
        let mut config = self.default_config(r.kind);
        if let Some(Some(form)) = configure {
            if let Err(e) = config.apply(&form) {
                if let crate::ConfigError::Unsupported(feature) = e {
                    return r.refuse(Refusal::unsupported(feature));
                }
                let error = xmppkit_stanza::StanzaError::new(DefinedCondition::NotAcceptable)
                    .with_text("en", e.to_string());
                return r.send(r.iq.error(error).into());
            }
        }
        let node = Node::new(id.clone(), config, r.bare.clone());
        if self.store.insert(&r.service, node).is_err() {
            return r.refuse(DefinedCondition::InternalServerError.into());
        }
        // §8.1.2: an instant node's id goes back in the result.
        let answer = instant.then(|| {
            PubSub::Create {
                node: Some(id),
                configure: None,
            }
            .into()
        });
        r.result(answer);
    }

    /// §7.1.
    pub(super) fn publish(
        &mut self,
        r: &mut Request<'_>,
        id: String,
        items: Vec<Item>,
        options: Option<DataForm>,
    ) {
        if self.store.node(&r.service, &id).is_none() {
            let auto = r.kind == ServiceKind::Pep || self.config.auto_create;
            if !auto {
                return r.refuse(DefinedCondition::ItemNotFound.into());
            }
            if let Err(refusal) = self.may_create(r) {
                return r.refuse(refusal);
            }
            let mut config = self.default_config(r.kind);
            if let Some(form) = &options {
                match config.with_preconditions(form) {
                    Ok(c) => config = c,
                    Err(_) => {
                        return r.refuse(Refusal::new(
                            DefinedCondition::BadRequest,
                            Condition::InvalidOptions,
                        ))
                    }
                }
            }
            let node = Node::new(id.clone(), config, r.bare.clone());
            if self.store.insert(&r.service, node).is_err() {
                return r.refuse(DefinedCondition::InternalServerError.into());
            }
        } else if let Some(form) = &options {
            let n = self.store.node(&r.service, &id).expect("checked");
            match n.config.check_preconditions(form) {
                Ok(()) => {}
                Err(PreconditionError::NotMet(_)) => {
                    return r.refuse(Refusal::new(
                        DefinedCondition::Conflict,
                        Condition::PreconditionNotMet,
                    ))
                }
                Err(PreconditionError::Unknown(_)) => {
                    return r.refuse(Refusal::new(
                        DefinedCondition::BadRequest,
                        Condition::InvalidOptions,
                    ))
                }
            }
        }
        let item_id = self.new_id(r.now);
        let max_payload = self.config.max_payload;
        let n = self
            .store
            .node_mut(&r.service, &id)
            .expect("exists or created");
        let subscribed = n
            .subscriptions_of(&r.bare)
            .any(|s| s.state == Subscription::Subscribed);
        if let Err(refusal) =
            may_publish(n.affiliation(&r.bare), n.config.publish_model, subscribed)
        {
            return r.refuse(refusal);
        }
        let item = match items.as_slice() {
            [] if n.config.persist_items || n.config.deliver_payloads => {
                return r.refuse(Refusal::new(
                    DefinedCondition::BadRequest,
                    Condition::ItemRequired,
                ))
            }
            [] => None,
            [item] => Some(item.clone()),
            _ => {
                return r.refuse(Refusal::new(
                    DefinedCondition::BadRequest,
                    Condition::InvalidPayload,
                ))
            }
        };
        if let Some(item) = &item {
            if !n.config.persist_items && !n.config.deliver_payloads {
                return r.refuse(Refusal::new(
                    DefinedCondition::BadRequest,
                    Condition::ItemForbidden,
                ));
            }
            match &item.payload {
                None if n.config.deliver_payloads => {
                    return r.refuse(Refusal::new(
                        DefinedCondition::BadRequest,
                        Condition::PayloadRequired,
                    ))
                }
                Some(p) => {
                    if n.config.payload_type.as_ref().is_some_and(|t| *t != p.ns()) {
                        return r.refuse(Refusal::new(
                            DefinedCondition::BadRequest,
                            Condition::InvalidPayload,
                        ));
                    }
                    if String::from(p).len() > max_payload {
                        return r.refuse(Refusal::new(
                            DefinedCondition::NotAcceptable,
                            Condition::PayloadTooBig,
                        ));
                    }
                }
                None => {}
            }
        }
        let stored = item.map(|item| StoredItem {
            id: item.id.clone().filter(|i| !i.is_empty()).unwrap_or(item_id),
            publisher: r.requester.clone(),
            payload: item.payload,
            stamp: r.now,
        });
        let answer = PubSub::Publish {
            node: id.clone(),
            items: stored
                .iter()
                .map(|s| Item {
                    id: Some(s.id.clone()),
                    publisher: None,
                    payload: None,
                })
                .collect(),
            options: None,
        };
        r.result(Some(answer.into()));
        if let Some(stored) = &stored {
            if n.config.persist_items {
                // Re-publishing an id replaces the item (§7.1.2 note) and makes it the newest.
                n.items.retain(|i| i.id != stored.id);
                n.items.push_back(stored.clone());
                while n.items.len() > n.config.max_items.max(1) as usize {
                    n.items.pop_front();
                }
            }
            n.last = Some(stored.clone());
        }
        if !n.config.deliver_notifications {
            return;
        }
        let event = Event::Items {
            node: id,
            items: vec![Item {
                id: stored.as_ref().map(|s| s.id.clone()),
                publisher: n.config.item_reply_publisher.then(|| r.requester.clone()),
                payload: stored
                    .and_then(|s| s.payload)
                    .filter(|_| n.config.deliver_payloads),
            }],
            retracts: Vec::new(),
        };
        let message = event_message(&r.service, event, format!("n-{}", self.next_id));
        notify_subscribers(message, &r.service, n, r.kind, r.relations, &mut r.out);
    }

    /// §7.2.
    pub(super) fn retract(
        &mut self,
        r: &mut Request<'_>,
        id: String,
        notify: bool,
        ids: Vec<String>,
    ) {
        let Some(n) = self.store.node_mut(&r.service, &id) else {
            return r.refuse(DefinedCondition::ItemNotFound.into());
        };
        if ids.is_empty() {
            return r.refuse(Refusal::new(
                DefinedCondition::BadRequest,
                Condition::ItemRequired,
            ));
        }
        if !n.config.persist_items {
            return r.refuse(Refusal::unsupported("persistent-items"));
        }
        let affiliation = n.affiliation(&r.bare);
        for item_id in &ids {
            let Some(item) = n.item(item_id) else {
                return r.refuse(DefinedCondition::ItemNotFound.into());
            };
            let own = xmppkit_jid::route::belongs_to(&item.publisher, &r.bare);
            if let Err(refusal) = may_retract(affiliation, own) {
                return r.refuse(refusal);
            }
        }
        n.items.retain(|i| !ids.contains(&i.id));
        if n.last.as_ref().is_some_and(|l| ids.contains(&l.id)) {
            n.last = n.items.back().cloned();
        }
        r.result(None);
        if notify || n.config.notify_retract {
            let event = Event::Items {
                node: id,
                items: Vec::new(),
                retracts: ids,
            };
            let message = event_message(&r.service, event, format!("r-{}", self.next_id));
            notify_subscribers(message, &r.service, n, r.kind, r.relations, &mut r.out);
        }
    }
}
