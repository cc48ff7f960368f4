import type { DB } from './db.js';

export type Phase = 'detected' | 'assigned' | 'building' | 'testing' | 'publishing' | 'announced' | 'superseded' | 'abandoned';
export const PHASES: readonly Phase[] = ['detected', 'assigned', 'building', 'testing', 'publishing', 'announced', 'superseded', 'abandoned'];
export const FINAL_PHASES: readonly Phase[] = ['announced', 'superseded', 'abandoned'];

export interface ReleaseRecord {
  id: number;
  release_id: number;
  procedure: string;
  /** The kernel.released event that started it: its payload is the kernel's context. */
  event_id: number;
  rule_id: string;
  stream: string | null;
  phase: Phase;
  phase_at: string;
  due_at: string | null;
  reminders: number;
  reminded_at: string | null;
  /** Testers who reported the kernel good in this round of testing. */
  approvals: string[];
  superseded_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface ReleaseLogEntry { id: number; record_id: number; at: string; step: string; person: string | null; via: string; detail: string | null; message_id: string | null }

export interface ReleaseToken { token: string; record_id: number; person: string; address: string }

type Row = Omit<ReleaseRecord, 'approvals'> & { approvals: string };
const fromRow = (r: Row): ReleaseRecord => ({ ...r, approvals: JSON.parse(r.approvals) as string[] });

export type RecordUpdate = Partial<Pick<ReleaseRecord, 'phase' | 'phase_at' | 'due_at' | 'reminders' | 'reminded_at' | 'approvals' | 'superseded_by'>>;

const OPEN = `phase NOT IN ('announced', 'superseded', 'abandoned')`;

/** Release records (a kernel going through a procedure), their timeline and reply tokens. */
export class ProcedureStore {
  constructor(private readonly db: DB) {}

  insert(r: Pick<ReleaseRecord, 'release_id' | 'procedure' | 'event_id' | 'rule_id' | 'stream'>, at: string): ReleaseRecord | undefined {
    const res = this.db.prepare(`INSERT OR IGNORE INTO release_records (release_id, procedure, event_id, rule_id, stream, phase, phase_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, 'detected', ?, ?, ?)`).run(r.release_id, r.procedure, r.event_id, r.rule_id, r.stream, at, at, at);
    return res.changes === 1 ? this.get(Number(res.lastInsertRowid)) : undefined;
  }

  update(id: number, u: RecordUpdate, at: string): ReleaseRecord {
    const sets = ['updated_at = ?'];
    const args: unknown[] = [at];
    for (const [k, v] of Object.entries(u)) {
      sets.push(`${k} = ?`);
      args.push(k === 'approvals' ? JSON.stringify(v) : v);
    }
    this.db.prepare(`UPDATE release_records SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
    return this.get(id)!;
  }

  get(id: number): ReleaseRecord | undefined {
    const r = this.db.prepare('SELECT * FROM release_records WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  forRelease(releaseId: number): ReleaseRecord[] {
    return (this.db.prepare('SELECT * FROM release_records WHERE release_id = ? ORDER BY id').all(releaseId) as Row[]).map(fromRow);
  }

  /** The open records of one procedure and stream, oldest first. */
  openInStream(procedure: string, stream: string): ReleaseRecord[] {
    return (this.db.prepare(`SELECT * FROM release_records WHERE procedure = ? AND stream = ? AND ${OPEN} ORDER BY id`).all(procedure, stream) as Row[]).map(fromRow);
  }

  /** Every record of one procedure and stream, for "is a newer kernel already in it". */
  inStream(procedure: string, stream: string): ReleaseRecord[] {
    return (this.db.prepare('SELECT * FROM release_records WHERE procedure = ? AND stream = ? ORDER BY id').all(procedure, stream) as Row[]).map(fromRow);
  }

  open(): ReleaseRecord[] {
    return (this.db.prepare(`SELECT * FROM release_records WHERE ${OPEN} ORDER BY id`).all() as Row[]).map(fromRow);
  }

  list(limit = 200): ReleaseRecord[] {
    return (this.db.prepare('SELECT * FROM release_records ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map(fromRow);
  }

  /** Open records whose phase deadline has passed. */
  overdue(now: string): ReleaseRecord[] {
    return (this.db.prepare(`SELECT * FROM release_records WHERE ${OPEN} AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id`).all(now) as Row[]).map(fromRow);
  }

  log(e: Omit<ReleaseLogEntry, 'id'>): void {
    this.db.prepare('INSERT INTO release_log (record_id, at, step, person, via, detail, message_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.record_id, e.at, e.step, e.person, e.via, e.detail, e.message_id);
  }

  timeline(recordId: number): ReleaseLogEntry[] {
    return this.db.prepare('SELECT * FROM release_log WHERE record_id = ? ORDER BY id').all(recordId) as ReleaseLogEntry[];
  }

  replySeen(messageId: string): boolean {
    return this.db.prepare('SELECT 1 FROM release_log WHERE message_id = ?').get(messageId) !== undefined;
  }

  /** How many mails of a template went to a person about a record (to cap refusal notices). */
  tokenFor(recordId: number, person: string): ReleaseToken | undefined {
    return this.db.prepare('SELECT * FROM release_tokens WHERE record_id = ? AND person = ?').get(recordId, person) as ReleaseToken | undefined;
  }

  saveToken(t: ReleaseToken): void {
    this.db.prepare('INSERT OR IGNORE INTO release_tokens (token, record_id, person, address) VALUES (?, ?, ?, ?)').run(t.token, t.record_id, t.person, t.address);
  }

  issuedToken(token: string): ReleaseToken | undefined {
    return this.db.prepare('SELECT * FROM release_tokens WHERE token = ?').get(token) as ReleaseToken | undefined;
  }
}
