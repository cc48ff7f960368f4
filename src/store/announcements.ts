import type { Announcement } from '../domain.js';
import type { DB } from './db.js';

export interface StoredAnnouncement {
  id: number;
  watcher: string;
  external_id: string;
  source: string | null;
  format: string;
  title: string;
  advisory: string | null;
  cves: string[];
  urls: string[];
  published: string | null;
  baseline: boolean;
  received_at: string;
}

interface Row extends Omit<StoredAnnouncement, 'cves' | 'urls' | 'baseline'> { cves: string; urls: string; baseline: number }

function fromRow(r: Row): StoredAnnouncement {
  return { ...r, cves: JSON.parse(r.cves) as string[], urls: JSON.parse(r.urls) as string[], baseline: r.baseline === 1 };
}

export class AnnouncementStore {
  constructor(private readonly db: DB) {}

  exists(watcher: string, externalId: string): boolean {
    return this.db.prepare('SELECT 1 FROM announcements WHERE watcher = ? AND external_id = ?').get(watcher, externalId) !== undefined;
  }

  /** Returns the new row's id, or undefined when (watcher, external id) was already there. */
  insert(a: { watcher: string; external_id: string; announcement: Announcement | undefined; format: string; raw: string; detail?: string; baseline: boolean; at: string }): number | undefined {
    const ann = a.announcement;
    const res = this.db.prepare(`INSERT INTO announcements
      (watcher, external_id, source, format, title, advisory, cves, urls, published, raw, detail, baseline, received_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (watcher, external_id) DO NOTHING`).run(
      a.watcher, a.external_id, ann?.source ?? null, a.format, ann?.title ?? '', ann?.advisory ?? null,
      JSON.stringify(ann?.cves ?? []), JSON.stringify(ann?.urls ?? []), ann?.published ?? null,
      a.raw, a.detail ?? null, a.baseline ? 1 : 0, a.at);
    return res.changes === 1 ? Number(res.lastInsertRowid) : undefined;
  }

  byIds(ids: number[]): StoredAnnouncement[] {
    if (ids.length === 0) return [];
    const rows = this.db.prepare(`SELECT * FROM announcements WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id`).all(...ids) as Row[];
    return rows.map(fromRow);
  }

  forRelease(releaseId: number): StoredAnnouncement[] {
    const rows = this.db.prepare(`SELECT a.* FROM announcements a JOIN release_announcements ra ON ra.announcement_id = a.id
      WHERE ra.release_id = ? ORDER BY ra.seen_at, a.id`).all(releaseId) as Row[];
    return rows.map(fromRow);
  }

  count(): number {
    return this.db.prepare('SELECT COUNT(*) FROM announcements').pluck().get() as number;
  }

  /** Raw text and details of announcements received before `before` emptied; the rows (the dedup keys) stay. Returns how many. */
  pruneRaw(before: string): number {
    return this.db.prepare(`UPDATE announcements SET raw = '', detail = NULL WHERE received_at < ? AND (raw != '' OR detail IS NOT NULL)`).run(before).changes;
  }

  /** Bytes of raw text and details still kept. */
  rawBytes(): number {
    return this.db.prepare('SELECT COALESCE(SUM(LENGTH(CAST(raw AS BLOB)) + COALESCE(LENGTH(CAST(detail AS BLOB)), 0)), 0) FROM announcements').pluck().get() as number;
  }
}
