import type { DB } from './db.js';

export type OutboxStatus = 'pending' | 'sent' | 'failed';
export type OutboxKind = 'mail' | 'webhook';

/** Where a webhook goes: secrets are named by reference (a file or `credential:NAME`), read when it is sent. */
export interface WebhookTarget {
  url?: string | undefined;
  url_file?: string | undefined;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  secret_headers: Record<string, string>;
}

export interface OutboxMessage {
  id: number;
  message_id: string;
  rule_run_id: number | null;
  event_id: number | null;
  release_id: number | null;
  template: string;
  thread_key: string | null;
  recipients: string[];
  cc: string[];
  subject: string;
  body: string;
  in_reply_to: string | null;
  refs: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  kind: OutboxKind;
  /** For a webhook: where and how to send `body`. */
  webhook: WebhookTarget | null;
}

interface Row extends Omit<OutboxMessage, 'recipients' | 'cc' | 'webhook'> { recipients: string; cc: string; webhook: string | null }

function fromRow(r: Row): OutboxMessage {
  return { ...r, recipients: JSON.parse(r.recipients) as string[], cc: JSON.parse(r.cc) as string[], webhook: r.webhook === null ? null : JSON.parse(r.webhook) as WebhookTarget };
}

export type NewMessage = Pick<OutboxMessage, 'message_id' | 'rule_run_id' | 'event_id' | 'release_id' | 'template' | 'thread_key' | 'recipients' | 'cc' | 'subject' | 'body' | 'in_reply_to' | 'refs'>
  & { kind?: OutboxKind; webhook?: WebhookTarget | null };

/**
 * What is due, oldest first. Written as a subquery so SQLite reads the pending
 * rows through the partial index: with ORDER BY id on the table itself it
 * scans every row, and sent mail stays in the table for good.
 */
export const DUE_SQL = `SELECT * FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?) ORDER BY id LIMIT ?`;

export class OutboxStore {
  /** Messages queued or queued again through this handle: the daemon's outbox pass notices them without reading the table. */
  changes = 0;

  constructor(private readonly db: DB) {}

  enqueue(m: NewMessage, at: string): number {
    this.changes += 1;
    const res = this.db.prepare(`INSERT INTO outbox (message_id, rule_run_id, event_id, release_id, template, thread_key,
      recipients, cc, subject, body, in_reply_to, refs, next_attempt_at, created_at, kind, webhook)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      m.message_id, m.rule_run_id, m.event_id, m.release_id, m.template, m.thread_key,
      JSON.stringify(m.recipients), JSON.stringify(m.cc), m.subject, m.body, m.in_reply_to, m.refs, at, at,
      m.kind ?? 'mail', m.webhook ? JSON.stringify(m.webhook) : null);
    return Number(res.lastInsertRowid);
  }

  due(now: string, limit = 50): OutboxMessage[] {
    return (this.db.prepare(DUE_SQL).all(now, limit) as Row[]).map(fromRow);
  }

  nextDueAt(): string | undefined {
    return (this.db.prepare(`SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'`).pluck().get() as string | null) ?? undefined;
  }

  markSent(id: number, at: string): void {
    this.db.prepare(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?`).run(at, id);
  }

  markFailedAttempt(id: number, error: string, nextAttemptAt: string | null): void {
    if (nextAttemptAt === null) {
      this.db.prepare(`UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`).run(error, id);
    } else {
      this.db.prepare(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?`).run(error, nextAttemptAt, id);
    }
  }

  /** Back to pending, due now, attempts reset. False when the id is unknown or already sent. */
  retry(id: number, at: string): boolean {
    this.changes += 1;
    return this.db.prepare(`UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND status != 'sent'`)
      .run(at, id).changes === 1;
  }

  /** Sent mail of these templates, newest first: what the announcement feed shows. */
  sentWith(templates: string[], limit: number): OutboxMessage[] {
    return (this.db.prepare(`SELECT * FROM outbox WHERE status = 'sent' AND kind = 'mail' AND template IN (SELECT value FROM json_each(?)) ORDER BY sent_at DESC, id DESC LIMIT ?`)
      .all(JSON.stringify(templates), limit) as Row[]).map(fromRow);
  }

  get(id: number): OutboxMessage | undefined {
    const r = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  list(opts: { status?: OutboxStatus; releaseId?: number; limit?: number } = {}): OutboxMessage[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (opts.status) { where.push('status = ?'); args.push(opts.status); }
    if (opts.releaseId !== undefined) { where.push('release_id = ?'); args.push(opts.releaseId); }
    const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, opts.limit ?? 200) as Row[]).map(fromRow);
  }

  /** When the oldest message of this kind still waiting was queued. */
  oldestPendingAt(kind: OutboxKind): string | undefined {
    return (this.db.prepare(`SELECT MIN(created_at) FROM outbox WHERE status = 'pending' AND kind = ?`).pluck().get(kind) as string | null) ?? undefined;
  }

  /** Each kind's counts apart: a chat endpoint down is not mail stuck. */
  countsByKind(): Record<OutboxKind, Record<OutboxStatus, number>> {
    const rows = this.db.prepare('SELECT kind, status, COUNT(*) n FROM outbox GROUP BY kind, status').all() as { kind: OutboxKind; status: OutboxStatus; n: number }[];
    const out: Record<OutboxKind, Record<OutboxStatus, number>> = { mail: { pending: 0, sent: 0, failed: 0 }, webhook: { pending: 0, sent: 0, failed: 0 } };
    for (const r of rows) out[r.kind][r.status] = r.n;
    return out;
  }

  counts(): Record<OutboxStatus, number> {
    const rows = this.db.prepare('SELECT status, COUNT(*) n FROM outbox GROUP BY status').all() as { status: OutboxStatus; n: number }[];
    const out: Record<OutboxStatus, number> = { pending: 0, sent: 0, failed: 0 };
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  /** Bodies of mail sent before `before` emptied; the rows (recipients, subject, Message-ID) stay. Returns how many. */
  pruneBodies(before: string): number {
    return this.db.prepare(`UPDATE outbox SET body = '' WHERE status = 'sent' AND sent_at < ? AND body != ''`).run(before).changes;
  }

  bodyBytes(): number {
    return this.db.prepare('SELECT COALESCE(SUM(LENGTH(CAST(body AS BLOB))), 0) FROM outbox').pluck().get() as number;
  }
}
