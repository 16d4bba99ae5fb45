-- Schema version 3: each archived message's position in its owner's archive (pos) and in its
-- conversation (with_pos), 0, 1, 2, ... in append order, so that a page, its first index and
-- the count are index lookups and arithmetic instead of counting rows.

ALTER TABLE archive ADD COLUMN pos INTEGER;
ALTER TABLE archive ADD COLUMN with_pos INTEGER;
UPDATE archive SET pos = numbered.pos, with_pos = numbered.with_pos
FROM (
    SELECT seq,
           ROW_NUMBER() OVER (PARTITION BY owner ORDER BY seq) - 1 AS pos,
           ROW_NUMBER() OVER (PARTITION BY owner, with_bare ORDER BY seq) - 1 AS with_pos
    FROM archive
) AS numbered
WHERE archive.seq = numbered.seq;
CREATE UNIQUE INDEX archive_by_pos ON archive (owner, pos);
CREATE UNIQUE INDEX archive_by_with_pos ON archive (owner, with_bare, with_pos);
CREATE INDEX archive_by_with_time ON archive (owner, with_bare, stamp);
