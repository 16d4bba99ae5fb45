-- Schema version 5: persistent MUC rooms (XEP-0045 §10.2), each kept as its saved XML form
-- (configuration, affiliations, subject) under its JID; and room read markers, one row per
-- (member, room) with the room's message order beside them so a marker never moves back.

CREATE TABLE muc_rooms (
    jid TEXT PRIMARY KEY,
    service TEXT NOT NULL,
    state TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX muc_rooms_by_service ON muc_rooms (service);

CREATE TABLE room_messages (
    room TEXT NOT NULL,
    id TEXT NOT NULL,
    pos INTEGER NOT NULL,
    PRIMARY KEY (room, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX room_messages_by_pos ON room_messages (room, pos);

CREATE TABLE read_markers (
    user TEXT NOT NULL,
    room TEXT NOT NULL,
    last_id TEXT,
    seen_at TEXT,
    last_pos INTEGER,
    unseen INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user, room)
) WITHOUT ROWID;
