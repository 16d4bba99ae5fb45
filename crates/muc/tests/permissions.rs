//! The privilege tables of XEP-0045 §5 with the restrictions of §8–§10, as a matrix run through
//! the room: each action tried by each kind of occupant in a fresh moderated room, checked
//! against the expected answer.

mod common;
use common::*;

const HECATE: &str = "hecate@shakespeare.lit/broom";

/// The kinds of actor, as columns.
const ACTORS: [&str; 6] = [
    "visitor",
    "participant",
    "moderator",
    "member-moderator",
    "admin",
    "owner",
];

/// A moderated room with crone1 (owner), wiccarocks (member, participant "wicca"), hag66 (admin
/// "hag"), hecate (no affiliation, visitor "vis"), and pistol set up as `actor`.
fn room_with(actor: &str) -> World {
    let mut w = World::new();
    w.create(&field("moderatedroom", "1"));
    w.admin(
        CRONE,
        "<item affiliation='member' jid='wiccarocks@shakespeare.lit'/>\
        <item affiliation='admin' jid='hag66@shakespeare.lit'/>",
    );
    w.join(WICCA, "wicca");
    w.join(HAG, "hag");
    w.join(HECATE, "vis");
    let affiliation = match actor {
        "participant" | "member-moderator" => Some("member"),
        "admin" => Some("admin"),
        "owner" => Some("owner"),
        _ => None,
    };
    if let Some(a) = affiliation {
        w.admin(
            CRONE,
            &format!("<item affiliation='{a}' jid='pistol@shakespeare.lit'/>"),
        );
    }
    w.join(PISTOL, "pistol");
    if actor.ends_with("moderator") {
        w.admin(CRONE, "<item nick='pistol' role='moderator'/>");
    }
    w
}

/// The answer to pistol: "ok" or the error condition.
fn outcome(out: &Out) -> String {
    let answer = out
        .to(PISTOL)
        .into_iter()
        .find(|s| s.name() != "presence" || s.attr("type") == Some("error"))
        .cloned();
    match answer {
        Some(s) if s.attr("type") == Some("error") => condition(&s),
        Some(_) => "ok".into(),
        None => "ok".into(),
    }
}

fn act(w: &mut World, action: &str) -> Out {
    let admin = |w: &mut World, items: &str| w.admin(PISTOL, items);
    let list = |w: &mut World, item: &str| {
        w.iq(
            PISTOL,
            "get",
            &format!("<query xmlns='http://jabber.org/protocol/muc#admin'>{item}</query>"),
        )
    };
    match action {
        "kick visitor" => admin(w, "<item nick='vis' role='none'/>"),
        "kick member" => admin(w, "<item nick='wicca' role='none'/>"),
        "kick admin" => admin(w, "<item nick='hag' role='none'/>"),
        "grant voice" => admin(w, "<item nick='vis' role='participant'/>"),
        "revoke member's voice" => admin(w, "<item nick='wicca' role='visitor'/>"),
        "revoke admin's voice" => admin(w, "<item nick='hag' role='visitor'/>"),
        "grant moderator" => admin(w, "<item nick='wicca' role='moderator'/>"),
        "ban unaffiliated" => admin(
            w,
            "<item affiliation='outcast' jid='hecate@shakespeare.lit'/>",
        ),
        "ban admin" => admin(
            w,
            "<item affiliation='outcast' jid='hag66@shakespeare.lit'/>",
        ),
        "grant membership" => admin(
            w,
            "<item affiliation='member' jid='hecate@shakespeare.lit'/>",
        ),
        "grant admin" => admin(
            w,
            "<item affiliation='admin' jid='hecate@shakespeare.lit'/>",
        ),
        "grant owner" => admin(
            w,
            "<item affiliation='owner' jid='hecate@shakespeare.lit'/>",
        ),
        "get voice list" => list(w, "<item role='participant'/>"),
        "get moderator list" => list(w, "<item role='moderator'/>"),
        "get member list" => list(w, "<item affiliation='member'/>"),
        "get ban list" => list(w, "<item affiliation='outcast'/>"),
        "get admin list" => list(w, "<item affiliation='admin'/>"),
        "get owner list" => list(w, "<item affiliation='owner'/>"),
        "configure" => w.configure(PISTOL, &field("roomname", "x")),
        "destroy" => w.iq(
            PISTOL,
            "set",
            "<query xmlns='http://jabber.org/protocol/muc#owner'><destroy/></query>",
        ),
        "change subject" => w.send(&format!(
            "<message from='{PISTOL}' to='{ROOM}' type='groupchat'><subject>x</subject></message>"
        )),
        "send to all" => w.message(PISTOL, "hi"),
        "private message" => w.send(&format!(
            "<message from='{PISTOL}' to='{ROOM}/wicca' type='chat'><body>x</body></message>"
        )),
        _ => unreachable!("{action}"),
    }
}

#[test]
fn each_role_and_affiliation_may_do_exactly_what_xep_0045_says() {
    // Columns: visitor, participant (member), moderator (no affiliation), moderator (member),
    // admin, owner. F = forbidden, N = not-allowed, ok.
    let matrix: &[(&str, [&str; 6])] = &[
        ("kick visitor", ["F", "F", "ok", "ok", "ok", "ok"]),
        ("kick member", ["F", "F", "N", "ok", "ok", "ok"]),
        ("kick admin", ["F", "F", "N", "N", "ok", "ok"]),
        ("grant voice", ["F", "F", "ok", "ok", "ok", "ok"]),
        ("revoke member's voice", ["F", "F", "N", "ok", "ok", "ok"]),
        ("revoke admin's voice", ["F", "F", "F", "F", "N", "N"]),
        ("grant moderator", ["F", "F", "F", "F", "ok", "ok"]),
        ("ban unaffiliated", ["F", "F", "F", "F", "ok", "ok"]),
        ("ban admin", ["F", "F", "F", "F", "N", "ok"]),
        ("grant membership", ["F", "F", "F", "F", "ok", "ok"]),
        ("grant admin", ["F", "F", "F", "F", "F", "ok"]),
        ("grant owner", ["F", "F", "F", "F", "F", "ok"]),
        ("get voice list", ["F", "F", "ok", "ok", "ok", "ok"]),
        ("get moderator list", ["F", "F", "F", "F", "ok", "ok"]),
        ("get member list", ["F", "F", "F", "F", "ok", "ok"]),
        ("get ban list", ["F", "F", "F", "F", "ok", "ok"]),
        ("get admin list", ["F", "F", "F", "F", "F", "ok"]),
        ("get owner list", ["F", "F", "F", "F", "F", "ok"]),
        ("configure", ["F", "F", "F", "F", "F", "ok"]),
        ("destroy", ["F", "F", "F", "F", "F", "ok"]),
        ("change subject", ["F", "F", "ok", "ok", "ok", "ok"]),
        ("send to all", ["F", "ok", "ok", "ok", "ok", "ok"]),
        ("private message", ["ok", "ok", "ok", "ok", "ok", "ok"]),
    ];
    let mut wrong = Vec::new();
    for (action, expected) in matrix {
        for (actor, want) in ACTORS.iter().zip(expected) {
            let mut w = room_with(actor);
            let got = outcome(&act(&mut w, action));
            let want = match *want {
                "F" => "forbidden",
                "N" => "not-allowed",
                other => other,
            };
            if got != want {
                wrong.push(format!("{actor} / {action}: expected {want}, got {got}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_privilege_functions_agree_with_the_tables_of_section_5() {
    use xmppkit_muc::privileges::*;
    use xmppkit_muc::{Affiliation as A, Role as R, RoomConfig};
    use xmppkit_stanza::DefinedCondition as C;
    let s = |affiliation, role| Standing { affiliation, role };
    // §5.1.2 default roles.
    assert_eq!(A::None.default_role(true), R::Visitor);
    assert_eq!(A::None.default_role(false), R::Participant);
    assert_eq!(A::Member.default_role(true), R::Participant);
    assert_eq!(A::Admin.default_role(false), R::Moderator);
    // Kicking oneself is allowed (§8.2 MAY deny; we allow), banning oneself is not (§9.1).
    assert!(may_set_role(s(A::None, R::Moderator), s(A::None, R::Moderator), R::None).is_ok());
    assert_eq!(
        may_set_affiliation(A::Owner, A::Owner, A::Outcast, true, 2),
        Err(C::Conflict)
    );
    // allowpm levels.
    let mut config = RoomConfig {
        allow_pm: xmppkit_muc::AllowPm::Moderators,
        ..RoomConfig::default()
    };
    assert_eq!(may_send_private(R::Participant, &config), Err(C::Forbidden));
    assert!(may_send_private(R::Moderator, &config).is_ok());
    // Invitations in members-only rooms: admins, or members when allowinvites is on.
    config.members_only = true;
    assert_eq!(
        may_invite(s(A::Member, R::Participant), &config),
        Err(C::Forbidden)
    );
    config.allow_invites = true;
    assert!(may_invite(s(A::Member, R::Participant), &config).is_ok());
    assert_eq!(
        may_invite(s(A::Member, R::None), &config),
        Err(C::NotAcceptable)
    );
}
