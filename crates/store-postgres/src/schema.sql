-- The xmppkit PostgreSQL schema, version 1 (`xmppkit_schema`). Stanzas are kept serialized
-- (TEXT), never as trees; every table is keyed for the queries the stores make.

CREATE TABLE accounts (
    username TEXT PRIMARY KEY
);

-- RFC 5802 §3: only the keys, one row per hash.
CREATE TABLE scram_keys (
    username TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,
    hash TEXT NOT NULL,
    salt BYTEA NOT NULL,
    iterations INTEGER NOT NULL,
    stored_key BYTEA NOT NULL,
    server_key BYTEA NOT NULL,
    PRIMARY KEY (username, hash)
);

-- RFC 6121 §2 with XEP-0237 versions; groups in their order; remembered removals.
CREATE TABLE roster_versions (
    owner TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);

CREATE TABLE roster_items (
    owner TEXT NOT NULL,
    contact TEXT NOT NULL,
    name TEXT,
    sub_to BOOLEAN NOT NULL,
    sub_from BOOLEAN NOT NULL,
    pending_out BOOLEAN NOT NULL,
    pending_in BOOLEAN NOT NULL,
    approved BOOLEAN NOT NULL,
    listed BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    groups TEXT[] NOT NULL,
    PRIMARY KEY (owner, contact)
);

CREATE TABLE roster_removed (
    owner TEXT NOT NULL,
    contact TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (owner, contact)
);

-- XEP-0160.
CREATE TABLE offline (
    seq BIGSERIAL PRIMARY KEY,
    owner TEXT NOT NULL,
    stanza TEXT NOT NULL
);
CREATE INDEX offline_by_owner ON offline (owner, seq);

-- XEP-0191.
CREATE TABLE blocklist (
    owner TEXT NOT NULL,
    jid TEXT NOT NULL,
    PRIMARY KEY (owner, jid)
);

-- XEP-0313: every owner's archive (users and rooms) in one table. `pos` numbers the owner's
-- messages 0, 1, 2, ... and `with_pos` those of one conversation, so that a page, its first
-- index and the count are index lookups. `words` are the body's words as
-- xmppkit_mam::fulltext::words gives them (XEP-0431), under a GIN index.
CREATE TABLE archive (
    seq BIGSERIAL PRIMARY KEY,
    owner TEXT NOT NULL,
    id TEXT NOT NULL,
    stamp BIGINT NOT NULL,          -- nanoseconds since the Unix epoch, UTC
    with_bare TEXT NOT NULL,
    with_jid TEXT NOT NULL,
    stanza TEXT NOT NULL,
    pos BIGINT NOT NULL,
    with_pos BIGINT NOT NULL,
    words TEXT[],
    UNIQUE (owner, id)
);
CREATE UNIQUE INDEX archive_by_pos ON archive (owner, pos);
CREATE UNIQUE INDEX archive_by_with_pos ON archive (owner, with_bare, with_pos);
CREATE INDEX archive_by_time ON archive (owner, stamp);
CREATE INDEX archive_by_with_time ON archive (owner, with_bare, stamp);
CREATE INDEX archive_by_words ON archive USING GIN (words);

CREATE TABLE mam_prefs (
    owner TEXT PRIMARY KEY,
    prefs TEXT NOT NULL             -- the <prefs xmlns='urn:xmpp:mam:2'/> element
);

-- XEP-0045 §10.2: persistent rooms, each as its saved XML form (xmppkit_muc::SavedRoom).
CREATE TABLE muc_rooms (
    jid TEXT PRIMARY KEY,
    service TEXT NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX muc_rooms_by_service ON muc_rooms (service);

-- Room read markers keyed (user, room), with the room's message order.
CREATE TABLE room_messages (
    room TEXT NOT NULL,
    id TEXT NOT NULL,
    pos BIGINT NOT NULL,
    PRIMARY KEY (room, id)
);
CREATE UNIQUE INDEX room_messages_by_pos ON room_messages (room, pos);

CREATE TABLE read_markers (
    username TEXT NOT NULL,
    room TEXT NOT NULL,
    last_id TEXT,
    seen_at TEXT,
    last_pos BIGINT,
    unseen BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (username, room)
);

-- XEP-0060 / XEP-0163: nodes and their items as the text of xmppkit_pubsub::NodeText.
CREATE TABLE pubsub_nodes (
    service TEXT NOT NULL,
    node TEXT NOT NULL,
    config TEXT NOT NULL,
    affiliations TEXT NOT NULL,
    subscriptions TEXT NOT NULL,
    last TEXT,
    PRIMARY KEY (service, node)
);

CREATE TABLE pubsub_items (
    service TEXT NOT NULL,
    node TEXT NOT NULL,
    position INTEGER NOT NULL,      -- oldest first
    item TEXT NOT NULL,
    PRIMARY KEY (service, node, position)
);
