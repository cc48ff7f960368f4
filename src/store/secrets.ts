import { randomBytes } from 'node:crypto';
import type { DB } from './db.js';

/** Keys the daemon makes for itself and keeps with its state (never logged, never shown by `status`). */
export class SecretStore {
  constructor(private readonly db: DB) {}

  /** The named key, created (32 random bytes, hex) on first use. */
  key(name: string, at: string): string {
    this.db.prepare('INSERT OR IGNORE INTO secrets (name, value, created_at) VALUES (?, ?, ?)').run(name, randomBytes(32).toString('hex'), at);
    return this.db.prepare('SELECT value FROM secrets WHERE name = ?').pluck().get(name) as string;
  }
}
