//! The client helper driven against the service in memory: each client's view of the occupant
//! list matches the room's after joins, nick changes, role changes, kicks and destruction.

mod common;
use common::*;
use std::collections::BTreeMap;
use xmppkit_muc::{Departure, Muc, Role, RoomClient, RoomEvent};

struct Net {
    w: World,
    clients: BTreeMap<&'static str, RoomClient>,
    events: BTreeMap<&'static str, Vec<RoomEvent>>,
}

impl Net {
    fn new() -> Self {
        Net {
            w: World::new(),
            clients: BTreeMap::new(),
            events: BTreeMap::new(),
        }
    }

    fn send(&mut self, from: &'static str, mut stanza: minidom::Element) {
        xmppkit_stanza::set_attr(&mut stanza, "from", from);
        let now = self.w.now();
        self.w.muc.handle_stanza(stanza, now);
        while let Some(s) = self.w.muc.poll_transmit() {
            let to = s.attr("to").unwrap().to_owned();
            for (jid, client) in self.clients.iter_mut() {
                if *jid == to {
                    self.events
                        .entry(jid)
                        .or_default()
                        .extend(client.handle(&s));
                }
            }
        }
    }

    fn join(&mut self, who: &'static str, nick: &str) {
        let (client, presence) = RoomClient::join(ROOM.parse().unwrap(), nick, Muc::default());
        self.clients.insert(who, client);
        self.send(who, presence);
    }

    fn take(&mut self, who: &str) -> Vec<RoomEvent> {
        self.events.remove(who).unwrap_or_default()
    }

    /// Every client that is in sees exactly the room's occupants with their roles.
    fn assert_in_sync(&self) {
        let room = self.w.muc.room(&ROOM.parse().unwrap()).unwrap();
        let truth: Vec<(String, Role)> =
            room.occupants().map(|o| (o.nick.clone(), o.role)).collect();
        for (jid, client) in &self.clients {
            if client.is_joined() {
                let seen: Vec<(String, Role)> = client
                    .occupants()
                    .map(|o| (o.nick.clone(), o.role))
                    .collect();
                assert_eq!(seen, truth, "{jid}");
            }
        }
    }
}

#[test]
fn clients_track_the_room_through_its_life() {
    let mut net = Net::new();
    net.join(CRONE, "firstwitch");
    assert!(matches!(
        net.take(CRONE)[0],
        RoomEvent::Joined { created: true, .. }
    ));
    net.send(CRONE, "<iq xmlns='jabber:client' to='coven@chat.shakespeare.lit' type='set' id='c'>\
        <query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>"
        .parse().unwrap());
    net.join(WICCA, "secondwitch");
    net.join(HAG, "thirdwitch");
    assert_eq!(
        net.take(CRONE),
        vec![
            RoomEvent::OccupantJoined("secondwitch".into()),
            RoomEvent::OccupantJoined("thirdwitch".into()),
        ]
    );
    let hag_events = net.take(HAG);
    assert_eq!(hag_events.len(), 3, "{hag_events:?}");
    assert!(matches!(
        hag_events[2],
        RoomEvent::Joined { created: false, .. }
    ));
    net.assert_in_sync();
    // A nick change.
    net.take(WICCA);
    let presence = net.clients[HAG].change_nick("oldhag");
    net.send(HAG, presence);
    assert_eq!(
        net.take(WICCA)[0],
        RoomEvent::NickChanged {
            old: "thirdwitch".into(),
            new: "oldhag".into()
        }
    );
    assert_eq!(net.clients[HAG].nick(), "oldhag");
    net.assert_in_sync();
    // A refused nick change.
    let presence = net.clients[HAG].change_nick("secondwitch");
    net.take(HAG);
    net.send(HAG, presence);
    assert!(matches!(net.take(HAG)[0], RoomEvent::Refused(_)));
    assert!(net.clients[HAG].is_joined());
    // A kick.
    net.send(
        CRONE,
        "<iq xmlns='jabber:client' to='coven@chat.shakespeare.lit' type='set' id='k'>\
        <query xmlns='http://jabber.org/protocol/muc#admin'><item nick='oldhag' role='none'>\
        <reason>Avaunt</reason></item></query></iq>"
            .parse()
            .unwrap(),
    );
    assert_eq!(
        net.take(HAG),
        vec![RoomEvent::Left(Departure::Kicked {
            reason: Some("Avaunt".into())
        })]
    );
    assert!(!net.clients[HAG].is_joined());
    assert_eq!(
        net.take(WICCA),
        vec![RoomEvent::OccupantLeft {
            nick: "oldhag".into(),
            why: Departure::Kicked {
                reason: Some("Avaunt".into())
            },
        }]
    );
    net.assert_in_sync();
    // Voice and roles.
    net.send(CRONE, "<iq xmlns='jabber:client' to='coven@chat.shakespeare.lit' type='set' id='m'>\
        <query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='admin' jid='wiccarocks@shakespeare.lit'/></query></iq>"
        .parse().unwrap());
    assert_eq!(
        net.clients[CRONE].occupant("secondwitch").unwrap().role,
        Role::Moderator
    );
    // As a new moderator of a semi-anonymous room, secondwitch now sees firstwitch's real JID.
    assert_eq!(
        net.take(WICCA),
        vec![
            RoomEvent::OccupantChanged("secondwitch".into()),
            RoomEvent::OccupantChanged("firstwitch".into()),
        ]
    );
    assert_eq!(
        net.clients[WICCA]
            .occupant("firstwitch")
            .unwrap()
            .jid
            .as_ref()
            .unwrap()
            .to_string(),
        CRONE
    );
    net.assert_in_sync();
    // Leaving, then destruction.
    let leave = net.clients[WICCA].leave(Some("bye"));
    net.send(WICCA, leave);
    assert_eq!(net.take(WICCA), vec![RoomEvent::Left(Departure::Left)]);
    net.send(CRONE, "<iq xmlns='jabber:client' to='coven@chat.shakespeare.lit' type='set' id='d'>\
        <query xmlns='http://jabber.org/protocol/muc#owner'><destroy jid='heath@chat.shakespeare.lit'/></query></iq>"
        .parse().unwrap());
    let events = net.take(CRONE);
    assert!(
        events.contains(&RoomEvent::Left(Departure::Destroyed {
            alternate: Some("heath@chat.shakespeare.lit".parse().unwrap()),
            reason: None,
        })),
        "{events:?}"
    );
}

#[test]
fn a_refused_join_leaves_the_client_out() {
    let mut net = Net::new();
    net.join(CRONE, "firstwitch");
    // Locked room: item-not-found.
    net.join(HAG, "thirdwitch");
    let events = net.take(HAG);
    let [RoomEvent::Refused(error)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(
        error.condition,
        xmppkit_stanza::DefinedCondition::ItemNotFound
    );
    assert!(!net.clients[HAG].is_joined());
}
