-- Webhook deliveries ride the outbox: the same retries, backoff and record of
-- what went out as mail. `kind` tells them apart; `webhook` holds where and
-- how to send (the URL or the secret file that holds it, the method, plain
-- headers, and the secret files of secret headers): references, never secrets.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'mail' CHECK (kind IN ('mail', 'webhook'));
ALTER TABLE outbox ADD COLUMN webhook TEXT;
