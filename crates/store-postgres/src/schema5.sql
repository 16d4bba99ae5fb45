-- Schema version 5: who wrote each archived message (a bare JID: the owner or the partner in a
-- user's archive, the occupant's real JID in a room's), so that a reader's unread count is one
-- index range after the read position that leaves out the reader's own messages (issue #19).
-- Rows archived before this version get their author from the stanza when the schema moves
-- (database.rs). Read positions: one row per (user, conversation), the archive position of
-- the last message displayed, whatever the number of room members.

ALTER TABLE archive ADD COLUMN author TEXT;
CREATE INDEX archive_unread ON archive (owner, with_bare, pos, author);

CREATE TABLE read_positions (
    username TEXT NOT NULL,
    conversation TEXT NOT NULL,     -- the bare JID of the 1:1 partner or of the room
    pos BIGINT NOT NULL,            -- in the archive that holds the conversation
    id TEXT NOT NULL,               -- that message's archive id (stanza-id)
    at BIGINT NOT NULL,             -- when it was read: nanoseconds since the Unix epoch, UTC
    PRIMARY KEY (username, conversation)
);
CREATE INDEX read_positions_by_conversation ON read_positions (conversation);

-- The partners of each archive, once each (a user's 1:1 conversations), kept as messages are
-- archived: the counts list reads them without scanning the archive.
CREATE TABLE archive_partners (
    owner TEXT NOT NULL,
    with_bare TEXT NOT NULL,
    PRIMARY KEY (owner, with_bare)
);
INSERT INTO archive_partners (owner, with_bare) SELECT DISTINCT owner, with_bare FROM archive;

-- MongooseIM's inbox: what a user set on an entry (box and since when, muted until, marked
-- unread), only once set.
CREATE TABLE inbox_props (
    username TEXT NOT NULL,
    conversation TEXT NOT NULL,
    box TEXT NOT NULL,
    boxed_at BIGINT,                -- when it was put there: nanoseconds since the epoch, UTC
    muted_until BIGINT,             -- nanoseconds since the Unix epoch, UTC
    marked_unread BOOLEAN NOT NULL,
    PRIMARY KEY (username, conversation)
);
