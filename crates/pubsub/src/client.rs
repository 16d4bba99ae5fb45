//! The requests a client sends (§5–§8) as IQs ready for its session, and reading the
//! notifications that arrive in messages.

use crate::{Event, Item, PubSub, PubSubOwner};
use minidom::Element;
use xmppkit_jid::Jid;
use xmppkit_stanza::data_forms::DataForm;
use xmppkit_stanza::Iq;

/// §8.1.2: create `node`.
pub fn create(id: &str, service: Jid, node: &str) -> Iq {
    let p = PubSub::Create {
        node: Some(node.to_owned()),
        configure: None,
    };
    Iq::set(id, Some(service), p.into())
}

/// §8.1.3: create `node` with a configuration.
pub fn create_configured(id: &str, service: Jid, node: &str, config: DataForm) -> Iq {
    let p = PubSub::Create {
        node: Some(node.to_owned()),
        configure: Some(Some(config)),
    };
    Iq::set(id, Some(service), p.into())
}

/// §7.1: publish `payload` to `node` (item id chosen by the service when `None`).
pub fn publish(id: &str, service: Jid, node: &str, item_id: Option<&str>, payload: Element) -> Iq {
    let p = PubSub::Publish {
        node: node.to_owned(),
        items: vec![Item {
            id: item_id.map(str::to_owned),
            publisher: None,
            payload: Some(payload),
        }],
        options: None,
    };
    Iq::set(id, Some(service), p.into())
}

/// §7.2: retract an item, telling subscribers.
pub fn retract(id: &str, service: Jid, node: &str, item_id: &str) -> Iq {
    let p = PubSub::Retract {
        node: node.to_owned(),
        notify: true,
        ids: vec![item_id.to_owned()],
    };
    Iq::set(id, Some(service), p.into())
}

/// §6.1: subscribe `jid` to `node`.
pub fn subscribe(id: &str, service: Jid, node: &str, jid: Jid) -> Iq {
    let p = PubSub::Subscribe {
        node: Some(node.to_owned()),
        jid,
        options: None,
    };
    Iq::set(id, Some(service), p.into())
}

/// §6.2: unsubscribe `jid` from `node`.
pub fn unsubscribe(id: &str, service: Jid, node: &str, jid: Jid) -> Iq {
    let p = PubSub::Unsubscribe {
        node: Some(node.to_owned()),
        jid,
        subid: None,
    };
    Iq::set(id, Some(service), p.into())
}

/// §6.5: the items of `node`, at most `max` (newest).
pub fn items(id: &str, service: Jid, node: &str, max: Option<u32>) -> Iq {
    let p = PubSub::Items {
        node: node.to_owned(),
        max_items: max,
        subid: None,
        items: Vec::new(),
        rsm: None,
    };
    Iq::get(id, Some(service), p.into())
}

/// §8.4: delete `node`.
pub fn delete(id: &str, service: Jid, node: &str) -> Iq {
    let p = PubSubOwner::Delete {
        node: node.to_owned(),
        redirect: None,
    };
    Iq::set(id, Some(service), p.into())
}

/// §8.5: purge `node`.
pub fn purge(id: &str, service: Jid, node: &str) -> Iq {
    let p = PubSubOwner::Purge {
        node: node.to_owned(),
    };
    Iq::set(id, Some(service), p.into())
}

/// The items of an items result (§6.5.2), or `None` when `iq` is not one.
pub fn items_of(iq: &Iq) -> Option<Vec<Item>> {
    match &iq.payload {
        xmppkit_stanza::IqPayload::Result(Some(e)) => match PubSub::try_from(e.clone()) {
            Ok(PubSub::Items { items, .. }) => Some(items),
            _ => None,
        },
        _ => None,
    }
}

/// The notification in a message, if it carries one.
pub fn event(message: &Element) -> Option<Event> {
    message
        .get_child("event", crate::ns::EVENT)
        .and_then(|e| Event::try_from(e.clone()).ok())
}
