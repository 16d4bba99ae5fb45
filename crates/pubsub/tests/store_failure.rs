//! A store that cannot make a change durable: the request is answered `internal-server-error`
//! and nobody is notified, so no one is told of a change that a restart would undo.

mod common;
use common::*;
use minidom::Element;
use xmppkit_jid::BareJid;
use xmppkit_pubsub::{
    Engine, NodeText, NodeWriter, PubSubConfig, ServiceKind, StoreError, StoredNodes, WorkingSet,
};

/// A writer that fails while `down`.
struct Flaky {
    down: bool,
    flushed: usize,
}

impl NodeWriter for Flaky {
    fn write(&mut self, _: Vec<(BareJid, String, Option<NodeText>)>) -> Result<(), StoreError> {
        match self.down {
            true => Err(StoreError("disk full".into())),
            false => {
                self.flushed += 1;
                Ok(())
            }
        }
    }
}

fn send(ps: &mut Engine<StoredNodes<Flaky>>, from: &str, kind: &str, inner: &str) -> Vec<Element> {
    let xml = format!(
        "<iq xmlns='jabber:client' type='{kind}' id='q1' from='{from}' to='{SERVICE}'>\
         <pubsub xmlns='http://jabber.org/protocol/pubsub'>{inner}</pubsub></iq>"
    );
    let iq = xmppkit_stanza::Iq::try_from(xml.parse::<Element>().unwrap()).unwrap();
    let now = xmppkit_stanza::datetime::DateTime::from_unix(1_071_340_202, 0).unwrap();
    ps.handle_iq(&iq, ServiceKind::Service, &Roster::default(), now)
        .expect("a pubsub IQ")
}

#[test]
fn a_change_the_store_cannot_keep_is_an_internal_server_error_and_notifies_nobody() {
    let store = StoredNodes::new(
        WorkingSet::default(),
        Flaky {
            down: false,
            flushed: 0,
        },
    );
    let mut ps = Engine::new(store, PubSubConfig::default());
    let created = send(&mut ps, HAMLET, "set", &format!("<create node='{NODE}'/>"));
    assert_eq!(created[0].attr("type"), Some("result"));
    let subscribed = send(
        &mut ps,
        FRANCISCO,
        "set",
        &format!("<subscribe node='{NODE}' jid='{FRANCISCO}'/>"),
    );
    assert_eq!(subscribed[0].attr("type"), Some("result"));
    assert_eq!(
        ps.store().writer().flushed,
        2,
        "each change is flushed before its answer"
    );
    // Reads do not flush.
    send(&mut ps, HAMLET, "get", &format!("<items node='{NODE}'/>"));
    assert_eq!(ps.store().writer().flushed, 2);

    ps.store_mut().writer_mut().down = true;
    let publish = format!(
        "<publish node='{NODE}'><item id='i1'><entry xmlns='http://www.w3.org/2005/Atom'/></item></publish>"
    );
    let out = send(&mut ps, HAMLET, "set", &publish);
    assert_eq!(out.len(), 1, "no notification: {out:?}");
    assert_eq!(out[0].attr("type"), Some("error"));
    assert!(String::from(&out[0]).contains("internal-server-error"));
}
