import type { DB } from './db.js';

export type BuildState = 'waiting' | 'queued' | 'dispatching' | 'running' | 'cancelling' | 'succeeded' | 'failed' | 'cancelled';
export const OPEN_STATES: readonly BuildState[] = ['waiting', 'queued', 'dispatching', 'running', 'cancelling'];

export interface BuildRow {
  id: number;
  release_id: number | null;
  event_id: number;
  rule_id: string;
  action_index: number;
  target: string;
  type: string;
  matrix: Record<string, string>;
  combo_key: string;
  /** The trigger's request, rendered from the event when the rule ran (no secrets). */
  request: Record<string, unknown>;
  /** The kernel or driver the build is for. */
  subject: Record<string, unknown>;
  /** Put into the dispatch where the CI allows, to find the run when the reply does not name it. */
  correlation: string;
  state: BuildState;
  attempt: number;
  max_attempts: number;
  external_id: string | null;
  url: string | null;
  /** Trigger-specific position (queue item, run URL...). */
  tracking: Record<string, unknown>;
  next_check_at: string | null;
  gate_deadline: string | null;
  deadline: string | null;
  last_error: string | null;
  reported: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** What the build produced (URLs testers can fetch). */
  artifacts: string[];
}

type Row = Omit<BuildRow, 'matrix' | 'request' | 'subject' | 'tracking' | 'artifacts'> & { matrix: string; request: string; subject: string; tracking: string; artifacts: string };
const JSON_FIELDS = ['matrix', 'request', 'subject', 'tracking', 'artifacts'] as const;

function fromRow(r: Row): BuildRow {
  return { ...r, matrix: JSON.parse(r.matrix), request: JSON.parse(r.request), subject: JSON.parse(r.subject), tracking: JSON.parse(r.tracking), artifacts: JSON.parse(r.artifacts) } as BuildRow;
}

export type NewBuild = Pick<BuildRow, 'release_id' | 'event_id' | 'rule_id' | 'action_index' | 'target' | 'type' | 'matrix' | 'combo_key' | 'request' | 'subject' | 'correlation' | 'state' | 'max_attempts' | 'gate_deadline' | 'next_check_at'>;
export type BuildUpdate = Partial<Omit<BuildRow, 'id' | 'created_at' | 'updated_at'>>;

export class BuildStore {
  constructor(private readonly db: DB) {}

  insert(b: NewBuild, at: string): BuildRow | undefined {
    const res = this.db.prepare(`INSERT OR IGNORE INTO builds (release_id, event_id, rule_id, action_index, target, type, matrix, combo_key,
      request, subject, correlation, state, max_attempts, gate_deadline, next_check_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      b.release_id, b.event_id, b.rule_id, b.action_index, b.target, b.type, JSON.stringify(b.matrix), b.combo_key,
      JSON.stringify(b.request), JSON.stringify(b.subject), b.correlation, b.state, b.max_attempts, b.gate_deadline, b.next_check_at, at, at);
    return res.changes === 1 ? this.get(Number(res.lastInsertRowid)) : undefined;
  }

  /**
   * A cancel wins over a trigger call that was in flight when it came (a rule
   * run cancels between the tracker's awaits): a cancelled row takes no more
   * changes, and a cancelling one only learns the ids of its run, so the stop
   * reaches a run that the in-flight dispatch started.
   */
  update(id: number, u: BuildUpdate, at: string): BuildRow {
    const state = this.db.prepare('SELECT state FROM builds WHERE id = ?').pluck().get(id) as BuildState | undefined;
    if (state === 'cancelled') return this.get(id)!;
    if (state === 'cancelling' && u.state !== 'cancelled') {
      const { external_id, url, tracking } = u;
      u = Object.fromEntries(Object.entries({ external_id, url, tracking }).filter(([, v]) => v !== undefined));
    }
    const sets: string[] = ['updated_at = ?'];
    const args: unknown[] = [at];
    for (const [k, v] of Object.entries(u)) {
      sets.push(`${k} = ?`);
      args.push((JSON_FIELDS as readonly string[]).includes(k) ? JSON.stringify(v) : v);
    }
    this.db.prepare(`UPDATE builds SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
    return this.get(id)!;
  }

  /** Whether a build other than `exceptId` of this type follows that run. */
  followsRun(type: string, externalId: string, exceptId: number): boolean {
    return this.db.prepare('SELECT 1 FROM builds WHERE type = ? AND external_id = ? AND id != ? LIMIT 1').get(type, externalId, exceptId) !== undefined;
  }

  get(id: number): BuildRow | undefined {
    const r = this.db.prepare('SELECT * FROM builds WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  due(now: string, limit = 50): BuildRow[] {
    return (this.db.prepare(`SELECT * FROM builds WHERE state IN ('waiting', 'queued', 'dispatching', 'running', 'cancelling') AND next_check_at <= ? ORDER BY next_check_at, id LIMIT ?`)
      .all(now, limit) as Row[]).map(fromRow);
  }

  nextDueAt(): string | undefined {
    return (this.db.prepare(`SELECT MIN(next_check_at) FROM builds WHERE state IN ('waiting', 'queued', 'dispatching', 'running', 'cancelling')`).pluck().get() as string | null) ?? undefined;
  }

  /** The builds a kernel's rules started (for a release-less event: that event's). */
  forSet(b: Pick<BuildRow, 'release_id' | 'event_id'>): BuildRow[] {
    const rows = b.release_id === null
      ? this.db.prepare('SELECT * FROM builds WHERE release_id IS NULL AND event_id = ? ORDER BY id').all(b.event_id)
      : this.db.prepare('SELECT * FROM builds WHERE release_id = ? ORDER BY id').all(b.release_id);
    return (rows as Row[]).map(fromRow);
  }

  forRelease(releaseId: number): BuildRow[] {
    return (this.db.prepare('SELECT * FROM builds WHERE release_id = ? ORDER BY id').all(releaseId) as Row[]).map(fromRow);
  }

  list(opts: { open?: boolean; limit?: number } = {}): BuildRow[] {
    const where = opts.open ? `WHERE state IN ('waiting', 'queued', 'dispatching', 'running', 'cancelling')` : '';
    return (this.db.prepare(`SELECT * FROM builds ${where} ORDER BY id DESC LIMIT ?`).all(opts.limit ?? 100) as Row[]).map(fromRow);
  }

  markReported(ids: number[], at: string): void {
    const stmt = this.db.prepare('UPDATE builds SET reported = 1, updated_at = ? WHERE id = ?');
    for (const id of ids) stmt.run(at, id);
  }

  countsByState(): Record<string, number> {
    const rows = this.db.prepare('SELECT state, COUNT(*) n FROM builds GROUP BY state').all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }
}
