-- The xmppkit SQLite schema, version 1. Applied once by `Database::open` (PRAGMA user_version).
-- Stanzas are kept serialized (TEXT), never as trees.

CREATE TABLE accounts (
    user TEXT PRIMARY KEY
) WITHOUT ROWID;

-- RFC 5802 §3: only the keys, one row per hash.
CREATE TABLE scram_keys (
    user TEXT NOT NULL REFERENCES accounts (user) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    salt BLOB NOT NULL,
    iterations INTEGER NOT NULL,
    stored_key BLOB NOT NULL,
    server_key BLOB NOT NULL,
    PRIMARY KEY (user, hash)
) WITHOUT ROWID;

-- RFC 6121 §2 with XEP-0237 versions.
CREATE TABLE roster_versions (
    user TEXT PRIMARY KEY,
    version INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE roster_items (
    user TEXT NOT NULL,
    contact TEXT NOT NULL,
    name TEXT,
    sub_to INTEGER NOT NULL,
    sub_from INTEGER NOT NULL,
    pending_out INTEGER NOT NULL,
    pending_in INTEGER NOT NULL,
    approved INTEGER NOT NULL,
    listed INTEGER NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (user, contact)
) WITHOUT ROWID;

CREATE TABLE roster_groups (
    user TEXT NOT NULL,
    contact TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (user, contact, position)
) WITHOUT ROWID;

CREATE TABLE roster_removed (
    user TEXT NOT NULL,
    contact TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (user, contact)
) WITHOUT ROWID;

-- XEP-0160.
CREATE TABLE offline (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    stanza TEXT NOT NULL
);
CREATE INDEX offline_by_user ON offline (user, seq);

-- XEP-0191.
CREATE TABLE blocklist (
    user TEXT NOT NULL,
    jid TEXT NOT NULL,
    PRIMARY KEY (user, jid)
) WITHOUT ROWID;

-- XEP-0313: one table for every owner (users and rooms), in append order (seq).
CREATE TABLE archive (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL,
    id TEXT NOT NULL,
    stamp INTEGER NOT NULL,         -- nanoseconds since the Unix epoch, UTC
    with_bare TEXT NOT NULL,
    with_jid TEXT NOT NULL,
    stanza TEXT NOT NULL,
    UNIQUE (owner, id)
);
CREATE INDEX archive_by_owner ON archive (owner, seq);
CREATE INDEX archive_by_time ON archive (owner, stamp);
CREATE INDEX archive_by_with ON archive (owner, with_bare, seq);

CREATE TABLE mam_prefs (
    owner TEXT PRIMARY KEY,
    prefs TEXT NOT NULL             -- the <prefs xmlns='urn:xmpp:mam:2'/> element
) WITHOUT ROWID;
