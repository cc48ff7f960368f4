-- Issue 6: builds. One row per (event, rule, action, matrix combination); the
-- tracker moves it waiting (gate) -> queued -> dispatching -> running ->
-- succeeded | failed, and a restart resumes from the row. Requests are stored
-- rendered, without tokens (those are read from files at dispatch).
CREATE TABLE builds (
  id            INTEGER PRIMARY KEY,
  release_id    INTEGER REFERENCES releases(id),
  event_id      INTEGER NOT NULL REFERENCES events(id),
  rule_id       TEXT NOT NULL,
  action_index  INTEGER NOT NULL,
  target        TEXT NOT NULL,
  type          TEXT NOT NULL,
  matrix        TEXT NOT NULL DEFAULT '{}',
  combo_key     TEXT NOT NULL DEFAULT '',
  request       TEXT NOT NULL,
  subject       TEXT NOT NULL,
  correlation   TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('waiting', 'queued', 'dispatching', 'running', 'succeeded', 'failed')),
  attempt       INTEGER NOT NULL DEFAULT 0,
  max_attempts  INTEGER NOT NULL,
  external_id   TEXT,
  url           TEXT,
  tracking      TEXT NOT NULL DEFAULT '{}',
  next_check_at TEXT,
  gate_deadline TEXT,
  deadline      TEXT,
  last_error    TEXT,
  reported      INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  started_at    TEXT,
  finished_at   TEXT,
  UNIQUE (event_id, rule_id, action_index, combo_key)
);
CREATE INDEX builds_due ON builds (next_check_at) WHERE state IN ('waiting', 'queued', 'dispatching', 'running');
CREATE INDEX builds_release ON builds (release_id);
