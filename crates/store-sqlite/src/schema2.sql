-- Schema version 2: PubSub and PEP nodes (XEP-0060, XEP-0163), one row per node and one per
-- stored item. Affiliations, subscriptions and the configuration are small XML documents.

CREATE TABLE pubsub_nodes (
    service TEXT NOT NULL,
    node TEXT NOT NULL,
    config TEXT NOT NULL,           -- the pubsub#node_config form, as submitted
    affiliations TEXT NOT NULL,     -- <affiliations><affiliation jid='' affiliation=''/>...
    subscriptions TEXT NOT NULL,    -- <subscriptions><subscription jid subid subscription>[form]...
    last TEXT,                      -- the last published item, when items are not persisted
    PRIMARY KEY (service, node)
) WITHOUT ROWID;

CREATE TABLE pubsub_items (
    service TEXT NOT NULL,
    node TEXT NOT NULL,
    position INTEGER NOT NULL,      -- oldest first
    item TEXT NOT NULL,             -- <item id publisher stamp>payload</item>
    PRIMARY KEY (service, node, position)
) WITHOUT ROWID;
