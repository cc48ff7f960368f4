-- Issue 10: health that can be alerted on. When each watcher last recorded
-- something new (and when it was last reported quiet, so watcher.quiet goes
-- out once per quiet spell), and a row /healthz writes to prove the store
-- takes writes.
ALTER TABLE watcher_state ADD COLUMN last_new_at TEXT;
ALTER TABLE watcher_state ADD COLUMN quiet_notified_at TEXT;
CREATE TABLE health_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at TEXT NOT NULL
);
