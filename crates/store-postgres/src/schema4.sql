-- Schema version 4: the last write each writer thread committed. A COMMIT whose connection is
-- lost may or may not have happened; the writer records, in the same transaction, the number
-- of its last write, and after reconnecting reads it back before running the batch again, so a
-- committed batch is never written twice (worker.rs). One row per writer thread, named when it
-- starts (a few bytes per start; old rows are harmless).

CREATE TABLE write_marks (
    writer TEXT PRIMARY KEY,
    through BIGINT NOT NULL,
    at TIMESTAMPTZ NOT NULL DEFAULT now()
);
