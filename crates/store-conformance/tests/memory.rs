//! The in-memory stores pass the suite: the reference every other store is held to.

#[test]
fn memory_accounts() {
    xmppkit_store_conformance::accounts(&xmppkit_server::MemoryAccounts::default());
}

#[test]
fn memory_rosters() {
    xmppkit_store_conformance::rosters(&mut xmppkit_server::MemoryRosters::default());
}

#[test]
fn memory_offline() {
    xmppkit_store_conformance::offline(&mut xmppkit_server::MemoryOffline::default());
}

#[test]
fn memory_blocking() {
    xmppkit_store_conformance::blocking(&mut xmppkit_server::MemoryBlocking::default());
    xmppkit_store_conformance::tokens(&mut xmppkit_server::MemoryTokens::default());
}

#[test]
fn memory_archive() {
    xmppkit_store_conformance::archive(&mut xmppkit_mam::MemoryArchive::default());
    xmppkit_store_conformance::unread(&mut xmppkit_mam::MemoryArchive::default());
    // Shared between the server and a room service.
    let shared = std::sync::Arc::new(std::sync::Mutex::new(xmppkit_mam::MemoryArchive::default()));
    xmppkit_store_conformance::unread(&mut shared.clone());
}

#[test]
fn memory_positions() {
    xmppkit_store_conformance::positions(&mut xmppkit_read_markers::MemoryPositions::default());
    xmppkit_store_conformance::entry_props(&mut xmppkit_read_markers::MemoryEntryProps::default());
    xmppkit_store_conformance::read_state(
        &mut xmppkit_mam::MemoryArchive::default(),
        &mut xmppkit_read_markers::MemoryPositions::default(),
    );
}

#[test]
fn memory_nodes() {
    xmppkit_store_conformance::nodes(
        &mut || Box::new(xmppkit_pubsub::MemoryStore::default()),
        false,
    );
}
