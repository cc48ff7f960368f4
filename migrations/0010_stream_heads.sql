-- Issue 14: the newest version of each stream, so a new kernel is placed
-- with one lookup instead of a scan of every version its stream holds.
-- Filled lazily (the first new kernel of a stream scans it once) and kept
-- in the ingest transaction; a migration that recomputes streams empties it.
CREATE TABLE stream_heads (
  kind       TEXT NOT NULL,
  stream     TEXT NOT NULL,
  version    TEXT NOT NULL,
  abi        TEXT,
  release_id INTEGER NOT NULL REFERENCES releases(id),
  PRIMARY KEY (kind, stream)
);
