//! The client side of a room (§7): the presence that enters, changes nick and leaves, and the
//! occupant list kept from the room's presences, with what each one means (joined, kicked,
//! banned, destroyed…) read from the status codes of §15.6.

use crate::{ns, status, Affiliation, Muc, MucUser, Role};
use minidom::Element;
use std::collections::BTreeMap;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_stanza::{ns as stanza_ns, set_attr, StanzaError};

/// What the client knows of an occupant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccupantInfo {
    /// Nick.
    pub nick: String,
    /// Real JID, when the room shows it.
    pub jid: Option<Jid>,
    /// Affiliation.
    pub affiliation: Affiliation,
    /// Role.
    pub role: Role,
}

/// Why someone is no longer in the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Departure {
    /// Left (or disconnected).
    Left,
    /// Kicked (307).
    Kicked {
        /// The reason given.
        reason: Option<String>,
    },
    /// Banned (301).
    Banned {
        /// The reason given.
        reason: Option<String>,
    },
    /// No longer a member of a members-only room (321).
    MembershipLost,
    /// The room became members-only (322).
    MembersOnly,
    /// The room was destroyed.
    Destroyed {
        /// Where to go instead.
        alternate: Option<BareJid>,
        /// Why.
        reason: Option<String>,
    },
    /// The service shut down (332).
    Shutdown,
    /// Removed after an error (333).
    Error,
}

/// What a stanza from the room meant.
#[derive(Debug, Clone, PartialEq)]
pub enum RoomEvent {
    /// We are in (our self-presence arrived).
    Joined {
        /// We created the room (201): it stays locked until configured.
        created: bool,
        /// Every status code of the self-presence.
        codes: Vec<u16>,
    },
    /// The room refused us (or our new nick).
    Refused(StanzaError),
    /// Someone entered.
    OccupantJoined(String),
    /// Someone's presence, role or affiliation changed.
    OccupantChanged(String),
    /// Someone changed nick.
    NickChanged {
        /// Old nick.
        old: String,
        /// New nick.
        new: String,
    },
    /// Someone left.
    OccupantLeft {
        /// Their nick.
        nick: String,
        /// Why.
        why: Departure,
    },
    /// We are out.
    Left(Departure),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Joining,
    Joined,
    Left,
}

/// One room, from the client's side.
#[derive(Debug, Clone)]
pub struct RoomClient {
    room: BareJid,
    nick: String,
    state: State,
    occupants: BTreeMap<String, OccupantInfo>,
}

impl RoomClient {
    /// Starts entering `room` as `nick`: returns the client and the presence to send (§7.2;
    /// the session adds `from`).
    pub fn join(room: BareJid, nick: &str, request: Muc) -> (Self, Element) {
        let client = RoomClient {
            room,
            nick: nick.to_owned(),
            state: State::Joining,
            occupants: BTreeMap::new(),
        };
        let mut p = client.presence_to(nick);
        p.append_child(request.into());
        (client, p)
    }

    fn presence_to(&self, nick: &str) -> Element {
        let mut p = Element::builder("presence", stanza_ns::CLIENT).build();
        set_attr(&mut p, "to", format!("{}/{}", self.room, nick));
        p
    }

    /// The room.
    pub fn room(&self) -> &BareJid {
        &self.room
    }

    /// Our nick.
    pub fn nick(&self) -> &str {
        &self.nick
    }

    /// Whether we are in the room.
    pub fn is_joined(&self) -> bool {
        self.state == State::Joined
    }

    /// The occupants we know of (ourselves included), by nick.
    pub fn occupants(&self) -> impl Iterator<Item = &OccupantInfo> {
        self.occupants.values()
    }

    /// The occupant with `nick`.
    pub fn occupant(&self, nick: &str) -> Option<&OccupantInfo> {
        self.occupants.get(nick)
    }

    /// §7.6: the presence asking for a new nick.
    pub fn change_nick(&self, new: &str) -> Element {
        self.presence_to(new)
    }

    /// §7.14: the presence that leaves.
    pub fn leave(&self, status: Option<&str>) -> Element {
        let mut p = self.presence_to(&self.nick);
        set_attr(&mut p, "type", "unavailable");
        if let Some(text) = status {
            let mut s = Element::builder("status", stanza_ns::CLIENT).build();
            s.append_text_node(text.to_owned());
            p.append_child(s);
        }
        p
    }

    /// §7.4: a message to all occupants.
    pub fn message(&self, body: &str) -> Element {
        let mut m = Element::builder("message", stanza_ns::CLIENT).build();
        set_attr(&mut m, "to", self.room.to_string());
        set_attr(&mut m, "type", "groupchat");
        let mut b = Element::builder("body", stanza_ns::CLIENT).build();
        b.append_text_node(body.to_owned());
        m.append_child(b);
        m
    }

    /// A stanza received: presences from this room update the occupant list and give events;
    /// everything else gives none.
    pub fn handle(&mut self, stanza: &Element) -> Vec<RoomEvent> {
        let Some(from) = stanza.attr("from").and_then(|f| f.parse::<Jid>().ok()) else {
            return Vec::new();
        };
        if stanza.name() != "presence" || from.to_bare() != self.room {
            return Vec::new();
        }
        let Some(nick) = from.resource().map(|r| r.as_str().to_owned()) else {
            return Vec::new();
        };
        if stanza.attr("type") == Some("error") {
            let error = stanza
                .get_child("error", stanza.ns().as_str())
                .and_then(|e| StanzaError::try_from(e.clone()).ok());
            if self.state == State::Joining {
                self.state = State::Left;
            }
            return error.map(RoomEvent::Refused).into_iter().collect();
        }
        let x = stanza
            .get_child("x", ns::USER)
            .and_then(|x| MucUser::try_from(x.clone()).ok())
            .unwrap_or_default();
        let item = x.items.first().cloned().unwrap_or_default();
        // Destruction notices (§10.9) come from our occupant JID without 110.
        let own = x.has_status(status::SELF_PRESENCE) || nick == self.nick;
        if stanza.attr("type") == Some("unavailable") {
            if x.has_status(status::NICK_CHANGED) {
                if let Some(new) = item.nick.clone() {
                    if let Some(mut info) = self.occupants.remove(&nick) {
                        info.nick = new.clone();
                        self.occupants.insert(new.clone(), info);
                    }
                    if own {
                        self.nick = new.clone();
                    }
                    return vec![RoomEvent::NickChanged { old: nick, new }];
                }
            }
            let why = departure(&x, item.reason);
            if own {
                self.state = State::Left;
                self.occupants.clear();
                return vec![RoomEvent::Left(why)];
            }
            self.occupants.remove(&nick);
            return vec![RoomEvent::OccupantLeft { nick, why }];
        }
        if stanza.attr("type").is_some() {
            return Vec::new();
        }
        let info = OccupantInfo {
            nick: nick.clone(),
            jid: item.jid,
            affiliation: item.affiliation.unwrap_or_default(),
            role: item.role.unwrap_or(Role::Participant),
        };
        let known = self.occupants.insert(nick.clone(), info).is_some();
        if own && self.state == State::Joining {
            self.state = State::Joined;
            self.nick = nick;
            return vec![RoomEvent::Joined {
                created: x.has_status(status::CREATED),
                codes: x.status,
            }];
        }
        if known {
            vec![RoomEvent::OccupantChanged(nick)]
        } else {
            vec![RoomEvent::OccupantJoined(nick)]
        }
    }
}

fn departure(x: &MucUser, reason: Option<String>) -> Departure {
    if let Some(d) = &x.destroy {
        return Departure::Destroyed {
            alternate: d.jid.clone(),
            reason: d.reason.clone(),
        };
    }
    let codes = [
        status::BANNED,
        status::KICKED,
        status::AFFILIATION_REMOVED,
        status::MEMBERS_ONLY_REMOVED,
        status::SHUTDOWN,
        status::ERROR_REMOVED,
    ];
    match codes.into_iter().find(|c| x.has_status(*c)) {
        Some(status::BANNED) => Departure::Banned { reason },
        Some(status::KICKED) => Departure::Kicked { reason },
        Some(status::AFFILIATION_REMOVED) => Departure::MembershipLost,
        Some(status::MEMBERS_ONLY_REMOVED) => Departure::MembersOnly,
        Some(status::SHUTDOWN) => Departure::Shutdown,
        Some(status::ERROR_REMOVED) => Departure::Error,
        _ => Departure::Left,
    }
}
