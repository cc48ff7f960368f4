-- Watchers: what each channel last answered, and where it stands.
CREATE TABLE watcher_state (
  watcher        TEXT PRIMARY KEY,
  baseline_done  INTEGER NOT NULL DEFAULT 0,
  etag           TEXT,
  last_modified  TEXT,
  failures       INTEGER NOT NULL DEFAULT 0,
  last_error     TEXT,
  last_error_at  TEXT,
  last_poll_at   TEXT,
  last_success_at TEXT,
  next_poll_at   TEXT
);

-- Every item a watcher saw, once. Baseline items are recorded but fire nothing.
CREATE TABLE announcements (
  id           INTEGER PRIMARY KEY,
  watcher      TEXT NOT NULL,
  external_id  TEXT NOT NULL,
  source       TEXT,
  format       TEXT NOT NULL,
  title        TEXT NOT NULL DEFAULT '',
  advisory     TEXT,
  cves         TEXT NOT NULL DEFAULT '[]',
  urls         TEXT NOT NULL DEFAULT '[]',
  published    TEXT,
  raw          TEXT NOT NULL,
  detail       TEXT,
  baseline     INTEGER NOT NULL DEFAULT 0,
  received_at  TEXT NOT NULL,
  UNIQUE (watcher, external_id)
);

-- Kernels and drivers: one row per distinct release, whichever channel said it first.
CREATE TABLE releases (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('kernel', 'driver')),
  distro          TEXT NOT NULL,
  distro_release  TEXT NOT NULL,
  package         TEXT NOT NULL,
  version         TEXT NOT NULL,
  flavour         TEXT,
  label           TEXT,
  arch            TEXT NOT NULL DEFAULT '[]',
  first_announcement_id INTEGER NOT NULL REFERENCES announcements(id),
  first_seen_at   TEXT NOT NULL,
  baseline        INTEGER NOT NULL DEFAULT 0,
  UNIQUE (kind, distro, distro_release, package, version)
);

CREATE TABLE release_announcements (
  release_id      INTEGER NOT NULL REFERENCES releases(id),
  announcement_id INTEGER NOT NULL REFERENCES announcements(id),
  seen_at         TEXT NOT NULL,
  PRIMARY KEY (release_id, announcement_id)
);

-- The event log. processed_at is set when the rules have run for it.
CREATE TABLE events (
  id           INTEGER PRIMARY KEY,
  type         TEXT NOT NULL,
  release_id   INTEGER REFERENCES releases(id),
  payload      TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  processed_at TEXT
);
CREATE INDEX events_unprocessed ON events (id) WHERE processed_at IS NULL;

-- Each (event, rule) runs once.
CREATE TABLE rule_runs (
  id        INTEGER PRIMARY KEY,
  event_id  INTEGER NOT NULL REFERENCES events(id),
  rule_id   TEXT NOT NULL,
  outcome   TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
  error     TEXT,
  ran_at    TEXT NOT NULL,
  UNIQUE (event_id, rule_id)
);

-- Mail to send, written in the same transaction as the rule run that wants it.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  message_id      TEXT NOT NULL UNIQUE,
  rule_run_id     INTEGER REFERENCES rule_runs(id),
  event_id        INTEGER REFERENCES events(id),
  release_id      INTEGER REFERENCES releases(id),
  template        TEXT NOT NULL,
  thread_key      TEXT,
  recipients      TEXT NOT NULL,
  cc              TEXT NOT NULL DEFAULT '[]',
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  in_reply_to     TEXT,
  refs            TEXT,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT,
  created_at      TEXT NOT NULL,
  sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';

-- The first message of each thread, so follow-ups can reply to it.
CREATE TABLE mail_threads (
  thread_key      TEXT PRIMARY KEY,
  root_message_id TEXT NOT NULL,
  created_at      TEXT NOT NULL
);
