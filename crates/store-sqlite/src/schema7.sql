-- Schema version 7: XEP-0484 FAST tokens, per user and client installation (the SASL2
-- user-agent id) in two slots: the token in use ('current') and one handed out but not used
-- yet ('new'). Expiry in seconds since the epoch.

CREATE TABLE fast_tokens (
    user TEXT NOT NULL,
    agent TEXT NOT NULL,
    slot TEXT NOT NULL CHECK (slot IN ('current', 'new')),
    token TEXT NOT NULL,
    mechanism TEXT NOT NULL,
    expiry INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (user, agent, slot)
) WITHOUT ROWID;
