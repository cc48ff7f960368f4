-- Issue 5: release manager assignments. One row per assign action run; its
-- state moves claiming -> asking -> accepted (or unassigned when nobody
-- answered), each step logged. The deadline is stored, so a restart keeps it.
CREATE TABLE assignments (
  id              INTEGER PRIMARY KEY,
  token           TEXT NOT NULL UNIQUE,
  rotation        TEXT NOT NULL,
  mode            TEXT NOT NULL CHECK (mode IN ('volunteer', 'duty', 'fair')),
  event_id        INTEGER NOT NULL REFERENCES events(id),
  release_id      INTEGER REFERENCES releases(id),
  rule_id         TEXT NOT NULL,
  action_index    INTEGER NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('claiming', 'asking', 'accepted', 'unassigned')),
  person          TEXT,
  asked           TEXT NOT NULL DEFAULT '[]',
  declined        TEXT NOT NULL DEFAULT '[]',
  escalations     INTEGER NOT NULL DEFAULT 0,
  max_escalations INTEGER NOT NULL,
  ack_within_ms   INTEGER NOT NULL,
  claim_within_ms INTEGER NOT NULL,
  deadline        TEXT,
  subject         TEXT NOT NULL,
  params          TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  assigned_at     TEXT,
  UNIQUE (event_id, rule_id, action_index)
);
CREATE INDEX assignments_due ON assignments (deadline) WHERE state IN ('claiming', 'asking');
CREATE INDEX assignments_release ON assignments (release_id);

-- Who was asked, when, who answered what (and how: email, cli, timer).
-- A reply's Message-ID is kept, so a mail read twice acts once.
CREATE TABLE assignment_log (
  id            INTEGER PRIMARY KEY,
  assignment_id INTEGER NOT NULL REFERENCES assignments(id),
  at            TEXT NOT NULL,
  step          TEXT NOT NULL,
  person        TEXT,
  via           TEXT NOT NULL,
  detail        TEXT,
  message_id    TEXT
);
CREATE INDEX assignment_log_by_assignment ON assignment_log (assignment_id, id);
CREATE UNIQUE INDEX assignment_log_reply ON assignment_log (message_id) WHERE message_id IS NOT NULL;

-- The Message-IDs of the requests we sent, so a reply's In-Reply-To finds its assignment.
CREATE TABLE assignment_messages (
  message_id    TEXT PRIMARY KEY,
  assignment_id INTEGER NOT NULL REFERENCES assignments(id)
);
