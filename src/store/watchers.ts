import type { DB } from './db.js';

export interface WatcherState {
  watcher: string;
  baseline_done: boolean;
  etag: string | null;
  last_modified: string | null;
  failures: number;
  last_error: string | null;
  last_error_at: string | null;
  last_poll_at: string | null;
  last_success_at: string | null;
  next_poll_at: string | null;
  cursor: string | null;
  last_new_at: string | null;
  quiet_notified_at: string | null;
}

type Row = Omit<WatcherState, 'baseline_done'> & { baseline_done: number };

export class WatcherStore {
  constructor(private readonly db: DB) {}

  get(watcher: string): WatcherState {
    const row = this.db.prepare('SELECT * FROM watcher_state WHERE watcher = ?').get(watcher) as Row | undefined;
    if (!row) {
      return { watcher, baseline_done: false, etag: null, last_modified: null, failures: 0, last_error: null,
        last_error_at: null, last_poll_at: null, last_success_at: null, next_poll_at: null, cursor: null, last_new_at: null, quiet_notified_at: null };
    }
    return { ...row, baseline_done: row.baseline_done === 1 };
  }

  all(): WatcherState[] {
    return (this.db.prepare('SELECT * FROM watcher_state ORDER BY watcher').all() as Row[]).map((r) => ({ ...r, baseline_done: r.baseline_done === 1 }));
  }

  private ensure(watcher: string): void {
    this.db.prepare('INSERT OR IGNORE INTO watcher_state (watcher) VALUES (?)').run(watcher);
  }

  recordSuccess(watcher: string, at: string, v: { etag?: string | null; last_modified?: string | null; baseline_done?: boolean; next_poll_at?: string | null }): void {
    this.ensure(watcher);
    this.db.prepare(`UPDATE watcher_state SET failures = 0, last_error = NULL, last_error_at = NULL,
      last_poll_at = @at, last_success_at = @at,
      etag = CASE WHEN @set_validators THEN @etag ELSE etag END,
      last_modified = CASE WHEN @set_validators THEN @last_modified ELSE last_modified END,
      baseline_done = MAX(baseline_done, @baseline_done), next_poll_at = @next_poll_at
      WHERE watcher = @watcher`).run({
      watcher, at,
      set_validators: v.etag !== undefined || v.last_modified !== undefined ? 1 : 0,
      etag: v.etag ?? null, last_modified: v.last_modified ?? null,
      baseline_done: v.baseline_done ? 1 : 0, next_poll_at: v.next_poll_at ?? null,
    });
  }

  /** A watcher's own position; call inside the transaction that processed what it covers. */
  setCursor(watcher: string, cursor: unknown, baselineDone: boolean): void {
    this.ensure(watcher);
    this.db.prepare('UPDATE watcher_state SET cursor = ?, baseline_done = MAX(baseline_done, ?) WHERE watcher = ?')
      .run(JSON.stringify(cursor), baselineDone ? 1 : 0, watcher);
  }

  /** Something new was recorded: the quiet clock starts again. */
  noteNew(watcher: string, at: string): void {
    this.ensure(watcher);
    this.db.prepare('UPDATE watcher_state SET last_new_at = ? WHERE watcher = ?').run(at, watcher);
  }

  noteQuiet(watcher: string, at: string): void {
    this.ensure(watcher);
    this.db.prepare('UPDATE watcher_state SET quiet_notified_at = ? WHERE watcher = ?').run(at, watcher);
  }

  recordFailure(watcher: string, at: string, error: string, nextPollAt: string): WatcherState {
    this.ensure(watcher);
    this.db.prepare(`UPDATE watcher_state SET failures = failures + 1, last_error = ?, last_error_at = ?,
      last_poll_at = ?, next_poll_at = ? WHERE watcher = ?`).run(error, at, at, nextPollAt, watcher);
    return this.get(watcher);
  }
}
