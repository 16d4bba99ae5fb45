-- Schema version 4: full-text search in archives (XEP-0431). One FTS5 row per archived message
-- with a body, its rowid the message's seq; contentless (the stanza is already in `archive`).
-- Words are runs of letters and digits, case-folded, diacritics kept: as xmppkit_mam::fulltext.
-- Rows archived before this version are indexed by `Database::open` (the body is in the XML).

CREATE VIRTUAL TABLE archive_fts USING fts5(
    body,
    content = '',
    tokenize = 'unicode61 remove_diacritics 0'
);
