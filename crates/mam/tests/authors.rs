//! Who wrote each archived instant message, as the engine records it: in a user's archive the
//! `from`'s bare JID (the owner when absent), on the tree path and the byte path alike; in a
//! room's the occupant's real JID; nobody for a chat marker. Unread counts then leave out the
//! reader's own messages and what came before them, and count no marker.

use minidom::Element;
use xmppkit_codec::RawStanza;
use xmppkit_jid::{BareJid, Jid};
use xmppkit_mam::{Archive, ArchiveKind, Mam, MamConfig, MemoryArchive};
use xmppkit_stanza::datetime::DateTime;

fn bare(s: &str) -> BareJid {
    s.parse().unwrap()
}

fn message(from: Option<&str>, body: &str) -> Element {
    let from = from.map(|f| format!(" from='{f}'")).unwrap_or_default();
    format!("<message xmlns='jabber:client'{from} type='chat'><body>{body}</body></message>")
        .parse()
        .unwrap()
}

fn at(n: i64) -> DateTime {
    DateTime::from_unix(1_700_000_000 + n, 0).unwrap()
}

#[test]
fn a_users_archive_knows_sent_from_received() {
    let mut mam = Mam::new(MemoryArchive::default(), MamConfig::default());
    let juliet = bare("juliet@capulet.lit");
    let romeo_bare = bare("romeo@montague.lit");
    let romeo: Jid = "romeo@montague.lit/orchard".parse().unwrap();
    let kind = ArchiveKind::User;
    let received = message(Some("romeo@montague.lit/orchard"), "hi");
    mam.store(&juliet, kind, &romeo, true, &received, "1".into(), at(1))
        .unwrap();
    let sent = message(Some("juliet@capulet.lit/balcony"), "hello");
    mam.store(&juliet, kind, &romeo, true, &sent, "2".into(), at(2))
        .unwrap();
    // A client's own stanza before the server stamped a `from`.
    let unstamped = message(None, "still there?");
    mam.store(&juliet, kind, &romeo, true, &unstamped, "3".into(), at(3))
        .unwrap();
    // The byte path.
    let raw = RawStanza::from_element(
        &message(Some("romeo@montague.lit/orchard"), "yes"),
        "jabber:client",
    )
    .unwrap();
    mam.store_raw(&juliet, kind, &romeo, true, &raw, "4".into(), at(4))
        .unwrap();
    // A chat marker from romeo: archived, but no instant message.
    let marker: Element = "<message xmlns='jabber:client' from='romeo@montague.lit/orchard' \
        type='chat'><displayed xmlns='urn:xmpp:chat-markers:0' id='x'/></message>"
        .parse()
        .unwrap();
    mam.store(&juliet, kind, &romeo, true, &marker, "5".into(), at(5))
        .unwrap();
    let archive = mam.archive();
    // Her own two (the second without a `from`) read romeo's first; his answer on the byte
    // path is his; the marker is nobody's message.
    assert_eq!(
        archive
            .count_unread(&juliet, Some(&romeo_bare), None, &juliet)
            .unwrap(),
        1,
        "romeo's answer after her own last"
    );
    assert_eq!(
        archive
            .first_unread(&juliet, Some(&romeo_bare), None, &juliet)
            .unwrap()
            .map(|(_, id)| id)
            .as_deref(),
        Some("4")
    );
    // From romeo's side, juliet's two are unread and his own are not.
    assert_eq!(
        archive
            .count_unread(&juliet, Some(&romeo_bare), None, &romeo_bare)
            .unwrap(),
        0,
        "in juliet's archive romeo wrote last: nothing before it counts"
    );
}

#[test]
fn a_rooms_archive_knows_the_real_author() {
    let mut mam = Mam::new(MemoryArchive::default(), MamConfig::default());
    let room = bare("coven@chat.shakespeare.lit");
    let witch = bare("hag66@shakespeare.lit");
    let occupant: Jid = "coven@chat.shakespeare.lit/thirdwitch".parse().unwrap();
    let said: Element =
        "<message xmlns='jabber:client' from='coven@chat.shakespeare.lit/thirdwitch' \
        type='groupchat'><body>Harpier cries</body></message>"
            .parse()
            .unwrap();
    let sid = mam
        .store_room(&room, &occupant, &witch, &said, "r1".into(), at(1))
        .unwrap()
        .expect("archived");
    assert_eq!(sid.by, Jid::from(room.clone()));
    let archive = mam.archive();
    assert_eq!(archive.count_unread(&room, None, None, &witch).unwrap(), 0);
    let crone = bare("crone1@shakespeare.lit");
    assert_eq!(archive.count_unread(&room, None, None, &crone).unwrap(), 1);
}
