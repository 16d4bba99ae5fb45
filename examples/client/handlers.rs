//! What the client does with what arrives in a room (XEP-0045) and with roster pushes,
//! subscription requests and presences (RFC 6121 §2, §3, §4): it prints them, and answers
//! where the protocol wants an answer.

use crate::Args;
use std::time::Instant;
use xmppkit::muc::{RoomClient, RoomEvent};
use xmppkit::session::ClientSession;
use xmppkit::stanza::data_forms::{DataForm, Field};
use xmppkit::stanza::{Iq, Presence, PresenceType};

/// Prints what happened in the room; once in, accepts the instant room (when we created it) and
/// sends the `muc` command's text.
pub(crate) fn on_room_events(
    session: &mut ClientSession,
    room: &RoomClient,
    events: Vec<RoomEvent>,
    args: &Args,
) -> Result<(), String> {
    for event in events {
        match event {
            RoomEvent::Joined { created, codes } => {
                println!(
                    "joined {} as {} (created: {created}, codes: {codes:?})",
                    room.room(),
                    room.nick()
                );
                if created {
                    // An empty submission accepts the instant room (§10.1.2); with
                    // --persistent, the room is configured to outlive its occupants (§10.2).
                    let form = if args.persistent {
                        minidom::Element::from(DataForm::submit(
                            xmppkit::muc::ns::ROOMCONFIG,
                            vec![Field::new("muc#roomconfig_persistentroom", ["1"])],
                        ))
                    } else {
                        minidom::Element::builder("x", "jabber:x:data")
                            .attr(minidom::rxml::NcName::try_from("type").unwrap(), "submit")
                            .build()
                    };
                    let query = minidom::Element::builder("query", xmppkit::muc::ns::OWNER)
                        .append(form)
                        .build();
                    let iq = Iq::set("instant", Some(room.room().clone().into()), query);
                    session
                        .send_iq(iq, Instant::now())
                        .map_err(|e| e.to_string())?;
                    if args.persistent {
                        println!("configured a persistent room");
                    } else {
                        println!("accepted the instant room");
                    }
                }
                if let Some(text) = args.command.get(3) {
                    session
                        .send(room.message(text))
                        .map_err(|e| e.to_string())?;
                    println!("sent to the room");
                }
                let others: Vec<&str> = room
                    .occupants()
                    .map(|o| o.nick.as_str())
                    .filter(|n| *n != room.nick())
                    .collect();
                println!("occupants before us: {others:?}");
            }
            RoomEvent::Refused(error) => println!("room refused: {:?}", error.condition),
            RoomEvent::OccupantJoined(nick) => println!("occupant joined {nick}"),
            RoomEvent::OccupantLeft { nick, why } => println!("occupant left {nick} ({why:?})"),
            RoomEvent::Left(why) => println!("left the room ({why:?})"),
            RoomEvent::OccupantChanged(_) | RoomEvent::NickChanged { .. } => {}
        }
    }
    Ok(())
}

/// Roster pushes (answered), subscription requests (approved with `--approve`) and answers,
/// and presences of other users (not rooms): printed. Returns whether the stanza was one.
pub(crate) fn on_roster_or_presence(
    session: &mut ClientSession,
    stanza: &minidom::Element,
    args: &Args,
) -> Result<bool, String> {
    let from = stanza.attr("from").unwrap_or_default().to_owned();
    if stanza.name() == "iq" && stanza.attr("type") == Some("set") {
        let Some(query) = stanza.get_child("query", "jabber:iq:roster") else {
            return Ok(false);
        };
        for item in query.children() {
            println!(
                "roster push: {} subscription={}{}",
                item.attr("jid").unwrap_or_default(),
                item.attr("subscription").unwrap_or("none"),
                if item.attr("ask").is_some() {
                    " ask"
                } else {
                    ""
                }
            );
        }
        let iq = Iq::try_from(stanza.clone()).map_err(|e| e.to_string())?;
        session
            .send(iq.result(None).into())
            .map_err(|e| e.to_string())?;
        return Ok(true);
    }
    if stanza.name() != "presence" || stanza.get_child("x", xmppkit::muc::ns::USER).is_some() {
        return Ok(false);
    }
    match stanza.attr("type") {
        Some("subscribe") => {
            println!("subscription request from {from}");
            if args.approve {
                let mut p = Presence::new(PresenceType::Subscribed);
                p.to = Some(from.parse().map_err(|e| format!("from: {e}"))?);
                session.send(p.into()).map_err(|e| e.to_string())?;
                println!("approved {from}");
            }
        }
        Some("subscribed") => println!("subscribed by {from}"),
        Some("unavailable") => println!("presence from {from}: unavailable"),
        None if from.split('/').next() != Some(args.jid.as_str()) => {
            println!("presence from {from}: available")
        }
        _ => return Ok(false),
    }
    Ok(true)
}
