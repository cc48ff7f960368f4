-- Issue 10: replies that cannot be forged by someone who saw a request.
-- Each copy of a request carries a token issued to its one recipient (an
-- HMAC over assignment, audience and a key kept here); a reply acts only with
-- the token issued to its sender. A list copy's token proves nothing about
-- who answers, so a claim through it is confirmed at the claimer's address.
CREATE TABLE secrets (
  name       TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE reply_tokens (
  token         TEXT PRIMARY KEY,
  assignment_id INTEGER NOT NULL REFERENCES assignments(id),
  kind          TEXT NOT NULL CHECK (kind IN ('person', 'list')),
  person        TEXT,
  address       TEXT NOT NULL,
  UNIQUE (assignment_id, kind, address)
);
