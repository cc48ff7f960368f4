-- The release procedure: one record per kernel and procedure, its phase, its
-- deadline and reminders, the testers who approved, and its timeline.
CREATE TABLE release_records (
  id            INTEGER PRIMARY KEY,
  release_id    INTEGER NOT NULL REFERENCES releases(id),
  procedure     TEXT NOT NULL,
  event_id      INTEGER NOT NULL REFERENCES events(id),
  rule_id       TEXT NOT NULL,
  stream        TEXT,
  phase         TEXT NOT NULL CHECK (phase IN ('detected', 'assigned', 'building', 'testing', 'publishing', 'announced', 'superseded', 'abandoned')),
  phase_at      TEXT NOT NULL,
  due_at        TEXT,
  reminders     INTEGER NOT NULL DEFAULT 0,
  reminded_at   TEXT,
  approvals     TEXT NOT NULL DEFAULT '[]',
  superseded_by INTEGER REFERENCES release_records(id),
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  UNIQUE (release_id, procedure)
);
CREATE INDEX release_records_due ON release_records (due_at) WHERE phase NOT IN ('announced', 'superseded', 'abandoned');
CREATE INDEX release_records_stream ON release_records (procedure, stream);

CREATE TABLE release_log (
  id         INTEGER PRIMARY KEY,
  record_id  INTEGER NOT NULL REFERENCES release_records(id),
  at         TEXT NOT NULL,
  step       TEXT NOT NULL,
  person     TEXT,
  via        TEXT NOT NULL,
  detail     TEXT,
  message_id TEXT
);
CREATE INDEX release_log_by_record ON release_log (record_id, id);
CREATE UNIQUE INDEX release_log_reply ON release_log (message_id) WHERE message_id IS NOT NULL;

-- Each person's copy of a mail about a release carries a token issued to them.
CREATE TABLE release_tokens (
  token     TEXT PRIMARY KEY,
  record_id INTEGER NOT NULL REFERENCES release_records(id),
  person    TEXT NOT NULL,
  address   TEXT NOT NULL,
  UNIQUE (record_id, person)
);

-- Builds can be cancelled (a superseded or abandoned kernel), and record what they produced.
CREATE TABLE builds_new (
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
  state         TEXT NOT NULL CHECK (state IN ('waiting', 'queued', 'dispatching', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled')),
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
  artifacts     TEXT NOT NULL DEFAULT '[]',
  UNIQUE (event_id, rule_id, action_index, combo_key)
);
INSERT INTO builds_new (id, release_id, event_id, rule_id, action_index, target, type, matrix, combo_key, request, subject, correlation,
  state, attempt, max_attempts, external_id, url, tracking, next_check_at, gate_deadline, deadline, last_error, reported,
  created_at, updated_at, started_at, finished_at)
SELECT id, release_id, event_id, rule_id, action_index, target, type, matrix, combo_key, request, subject, correlation,
  state, attempt, max_attempts, external_id, url, tracking, next_check_at, gate_deadline, deadline, last_error, reported,
  created_at, updated_at, started_at, finished_at FROM builds;
DROP TABLE builds;
ALTER TABLE builds_new RENAME TO builds;
CREATE INDEX builds_due ON builds (next_check_at) WHERE state IN ('waiting', 'queued', 'dispatching', 'running', 'cancelling');
CREATE INDEX builds_release ON builds (release_id);
