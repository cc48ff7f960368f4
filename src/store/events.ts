import type { EventPayloads, EventType, HeraldEvent } from '../domain.js';
import type { DB } from './db.js';

interface Row { id: number; type: string; release_id: number | null; payload: string; created_at: string; processed_at: string | null }

function fromRow(r: Row): HeraldEvent {
  return { id: r.id, type: r.type as EventType, release_id: r.release_id, created_at: r.created_at, payload: JSON.parse(r.payload) as HeraldEvent['payload'] };
}

export class EventStore {
  constructor(private readonly db: DB) {}

  append<T extends EventType>(type: T, payload: EventPayloads[T], releaseId: number | null, at: string): number {
    const res = this.db.prepare('INSERT INTO events (type, release_id, payload, created_at) VALUES (?, ?, ?, ?)')
      .run(type, releaseId, JSON.stringify(payload), at);
    return Number(res.lastInsertRowid);
  }

  get(id: number): HeraldEvent | undefined {
    const r = this.db.prepare('SELECT * FROM events WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  unprocessed(limit = 100): HeraldEvent[] {
    return (this.db.prepare('SELECT * FROM events WHERE processed_at IS NULL ORDER BY id LIMIT ?').all(limit) as Row[]).map(fromRow);
  }

  markProcessed(id: number, at: string): void {
    this.db.prepare('UPDATE events SET processed_at = ? WHERE id = ?').run(at, id);
  }

  forRelease(releaseId: number): (HeraldEvent & { processed_at: string | null })[] {
    return (this.db.prepare('SELECT * FROM events WHERE release_id = ? ORDER BY id').all(releaseId) as Row[])
      .map((r) => ({ ...fromRow(r), processed_at: r.processed_at }));
  }

  countByType(): Record<string, number> {
    const rows = this.db.prepare('SELECT type, COUNT(*) n FROM events GROUP BY type').all() as { type: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.type, r.n]));
  }
}
