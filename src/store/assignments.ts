import type { DB } from './db.js';

export type AssignmentState = 'claiming' | 'asking' | 'accepted' | 'unassigned';
export type AssignMode = 'volunteer' | 'duty' | 'fair';

export interface AssignmentRow {
  id: number;
  token: string;
  rotation: string;
  mode: AssignMode;
  event_id: number;
  release_id: number | null;
  rule_id: string;
  action_index: number;
  state: AssignmentState;
  /** Asking: who is asked now. Accepted: the release manager. */
  person: string | null;
  /** Everyone asked so far, in order (the escalation trail). */
  asked: string[];
  /** Who declined, so nobody is asked twice. */
  declined: string[];
  escalations: number;
  max_escalations: number;
  ack_within_ms: number;
  claim_within_ms: number;
  deadline: string | null;
  /** The kernel or driver the assignment is for, as the originating event had it. */
  subject: Record<string, unknown>;
  /** Template names and other action parameters, as configured when it was created. */
  params: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  assigned_at: string | null;
}

/** A token issued with one copy of a request: to a person, or to a list address. */
export interface ReplyToken { token: string; assignment_id: number; kind: 'person' | 'list'; person: string | null; address: string }

export interface LogEntry { id: number; assignment_id: number; at: string; step: string; person: string | null; via: string; detail: string | null; message_id: string | null }

type Row = Omit<AssignmentRow, 'asked' | 'declined' | 'subject' | 'params'> & { asked: string; declined: string; subject: string; params: string };

function fromRow(r: Row): AssignmentRow {
  return {
    ...r, asked: JSON.parse(r.asked) as string[], declined: JSON.parse(r.declined) as string[],
    subject: JSON.parse(r.subject) as Record<string, unknown>, params: JSON.parse(r.params) as Record<string, unknown>,
  };
}

export type NewAssignment = Pick<AssignmentRow, 'token' | 'rotation' | 'mode' | 'event_id' | 'release_id' | 'rule_id' | 'action_index' | 'max_escalations' | 'ack_within_ms' | 'claim_within_ms' | 'subject' | 'params'>;
export type AssignmentUpdate = Partial<Pick<AssignmentRow, 'state' | 'person' | 'asked' | 'declined' | 'escalations' | 'deadline' | 'assigned_at'>>;

export class AssignmentStore {
  constructor(private readonly db: DB) {}

  insert(a: NewAssignment, at: string): AssignmentRow {
    const res = this.db.prepare(`INSERT INTO assignments (token, rotation, mode, event_id, release_id, rule_id, action_index, state,
      max_escalations, ack_within_ms, claim_within_ms, subject, params, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, 'claiming', ?, ?, ?, ?, ?, ?, ?)`).run(
      a.token, a.rotation, a.mode, a.event_id, a.release_id, a.rule_id, a.action_index,
      a.max_escalations, a.ack_within_ms, a.claim_within_ms, JSON.stringify(a.subject), JSON.stringify(a.params), at, at);
    return this.get(Number(res.lastInsertRowid))!;
  }

  update(id: number, u: AssignmentUpdate, at: string): AssignmentRow {
    const sets: string[] = ['updated_at = ?'];
    const args: unknown[] = [at];
    for (const [k, v] of Object.entries(u)) {
      sets.push(`${k} = ?`);
      args.push(Array.isArray(v) ? JSON.stringify(v) : v);
    }
    this.db.prepare(`UPDATE assignments SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
    return this.get(id)!;
  }

  get(id: number): AssignmentRow | undefined {
    const r = this.db.prepare('SELECT * FROM assignments WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  byToken(token: string): AssignmentRow | undefined {
    const r = this.db.prepare('SELECT * FROM assignments WHERE token = ?').get(token.toLowerCase()) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  /** The assignment one of our request Message-IDs belongs to. */
  byMessageId(messageId: string): AssignmentRow | undefined {
    const r = this.db.prepare('SELECT a.* FROM assignments a JOIN assignment_messages m ON m.assignment_id = a.id WHERE m.message_id = ?').get(messageId) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  addMessage(messageId: string, assignmentId: number): void {
    this.db.prepare('INSERT OR IGNORE INTO assignment_messages (message_id, assignment_id) VALUES (?, ?)').run(messageId, assignmentId);
  }

  messageCount(assignmentId: number): number {
    return this.db.prepare('SELECT COUNT(*) FROM assignment_messages WHERE assignment_id = ?').pluck().get(assignmentId) as number;
  }

  saveToken(t: ReplyToken): void {
    this.db.prepare('INSERT OR IGNORE INTO reply_tokens (token, assignment_id, kind, person, address) VALUES (?, ?, ?, ?, ?)')
      .run(t.token, t.assignment_id, t.kind, t.person, t.address);
  }

  issuedToken(token: string): ReplyToken | undefined {
    return this.db.prepare('SELECT * FROM reply_tokens WHERE token = ?').get(token.toLowerCase()) as ReplyToken | undefined;
  }

  /** Open assignments whose claim or ack deadline has passed. */
  due(now: string): AssignmentRow[] {
    return (this.db.prepare(`SELECT * FROM assignments WHERE state IN ('claiming', 'asking') AND deadline <= ? ORDER BY deadline, id`).all(now) as Row[]).map(fromRow);
  }

  nextDeadline(): string | undefined {
    return (this.db.prepare(`SELECT MIN(deadline) FROM assignments WHERE state IN ('claiming', 'asking')`).pluck().get() as string | null) ?? undefined;
  }

  forRelease(releaseId: number): AssignmentRow[] {
    return (this.db.prepare('SELECT * FROM assignments WHERE release_id = ? ORDER BY id').all(releaseId) as Row[]).map(fromRow);
  }

  list(opts: { open?: boolean; limit?: number } = {}): AssignmentRow[] {
    const where = opts.open ? `WHERE state IN ('claiming', 'asking', 'unassigned')` : '';
    return (this.db.prepare(`SELECT * FROM assignments ${where} ORDER BY id DESC LIMIT ?`).all(opts.limit ?? 100) as Row[]).map(fromRow);
  }

  /** The release manager of a release: the person of its latest accepted assignment. */
  releaseManager(releaseId: number): string | undefined {
    return (this.db.prepare(`SELECT person FROM assignments WHERE release_id = ? AND state = 'accepted' ORDER BY id DESC LIMIT 1`).pluck().get(releaseId) as string | null) ?? undefined;
  }

  /** Who got (or is being asked to take) an assignment of a rotation, and when: what fairness counts. */
  history(rotation: string): { person: string; at: number }[] {
    const rows = this.db.prepare(`SELECT person, assigned_at FROM assignments WHERE rotation = ? AND state IN ('asking', 'accepted')
      AND person IS NOT NULL AND assigned_at IS NOT NULL`).all(rotation) as { person: string; assigned_at: string }[];
    return rows.map((r) => ({ person: r.person, at: Date.parse(r.assigned_at) }));
  }

  /** False when this reply (by Message-ID) was already logged: a mail read twice acts once. */
  log(e: Omit<LogEntry, 'id'>): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO assignment_log (assignment_id, at, step, person, via, detail, message_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.assignment_id, e.at, e.step, e.person, e.via, e.detail, e.message_id).changes === 1;
  }

  replySeen(messageId: string): boolean {
    return this.db.prepare('SELECT 1 FROM assignment_log WHERE message_id = ?').get(messageId) !== undefined;
  }

  logFor(assignmentId: number): LogEntry[] {
    return this.db.prepare('SELECT * FROM assignment_log WHERE assignment_id = ? ORDER BY id').all(assignmentId) as LogEntry[];
  }

  /** Assignments without a release manager, by state (claiming, asking, unassigned). */
  openCounts(): Record<string, number> {
    const rows = this.db.prepare(`SELECT state, COUNT(*) n FROM assignments WHERE state != 'accepted' GROUP BY state`).all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  /** How many mails of one template an assignment has sent to one person (by their token): refusal notices are capped with it. */
  mailsTo(assignmentId: number, template: string, person: string): number {
    return this.db.prepare(`SELECT COUNT(*) FROM assignment_messages m JOIN outbox o ON o.message_id = m.message_id
      JOIN reply_tokens t ON t.assignment_id = m.assignment_id AND t.kind = 'person' AND t.person = ? AND instr(m.message_id, t.token) > 0
      WHERE m.assignment_id = ? AND o.template = ?`).pluck().get(person, assignmentId, template) as number;
  }
}
