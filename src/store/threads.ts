import type { DB } from './db.js';

export class ThreadStore {
  constructor(private readonly db: DB) {}

  root(threadKey: string): string | undefined {
    return (this.db.prepare('SELECT root_message_id FROM mail_threads WHERE thread_key = ?').pluck().get(threadKey) as string | undefined);
  }

  /** The first message of a thread becomes its root; later ones do not replace it. */
  claimRoot(threadKey: string, messageId: string, at: string): void {
    this.db.prepare('INSERT OR IGNORE INTO mail_threads (thread_key, root_message_id, created_at) VALUES (?, ?, ?)').run(threadKey, messageId, at);
  }
}
