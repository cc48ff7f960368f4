-- Issue 4: a watcher-specific position (IMAP: UIDVALIDITY and the highest UID
-- processed), as JSON, advanced in the same transaction as what it covers.
ALTER TABLE watcher_state ADD COLUMN cursor TEXT;
