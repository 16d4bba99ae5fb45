-- Schema version 6: XEP-0333 chat markers. Each conversation's messages once, in order, with
-- their senders (`room:JID` or `chat:A B`, xmppkit_markers::ConversationKey::column); one
-- marker per (user, conversation) with its position, so it only moves forward and the unread
-- count is the messages after it from others.

CREATE TABLE chat_marker_messages (
    conversation TEXT NOT NULL,
    pos INTEGER NOT NULL,
    id TEXT NOT NULL,
    sender TEXT NOT NULL,
    PRIMARY KEY (conversation, pos)
) WITHOUT ROWID;
CREATE UNIQUE INDEX chat_marker_messages_by_id ON chat_marker_messages (conversation, id);

CREATE TABLE chat_markers (
    user TEXT NOT NULL,
    conversation TEXT NOT NULL,
    pos INTEGER NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (user, conversation)
) WITHOUT ROWID;
