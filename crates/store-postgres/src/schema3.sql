-- Schema version 3: XEP-0484 FAST tokens, per user and client installation (the SASL2
-- user-agent id) in two slots: the token in use ('current') and one handed out but not used
-- yet ('new'). Expiry in seconds since the epoch.

CREATE TABLE fast_tokens (
    owner TEXT NOT NULL,
    agent TEXT NOT NULL,
    slot TEXT NOT NULL CHECK (slot IN ('current', 'new')),
    token TEXT NOT NULL,
    mechanism TEXT NOT NULL,
    expiry BIGINT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (owner, agent, slot)
);
