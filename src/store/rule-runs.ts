import type { DB } from './db.js';

export interface RuleRun { id: number; event_id: number; rule_id: string; outcome: 'ok' | 'failed'; error: string | null; ran_at: string }

export class RuleRunStore {
  constructor(private readonly db: DB) {}

  has(eventId: number, ruleId: string): boolean {
    return this.db.prepare('SELECT 1 FROM rule_runs WHERE event_id = ? AND rule_id = ?').get(eventId, ruleId) !== undefined;
  }

  record(eventId: number, ruleId: string, outcome: 'ok' | 'failed', error: string | null, at: string): number {
    const res = this.db.prepare('INSERT INTO rule_runs (event_id, rule_id, outcome, error, ran_at) VALUES (?, ?, ?, ?, ?)')
      .run(eventId, ruleId, outcome, error, at);
    return Number(res.lastInsertRowid);
  }

  forEvent(eventId: number): RuleRun[] {
    return this.db.prepare('SELECT * FROM rule_runs WHERE event_id = ? ORDER BY id').all(eventId) as RuleRun[];
  }
}
