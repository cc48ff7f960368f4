import type { Release } from '../domain.js';
import type { DB } from './db.js';

/** A stream's newest version that parses in its distro's scheme. */
export interface StreamHead { version: string; abi: string | null; release_id: number }

export interface StoredRelease {
  id: number;
  kind: 'kernel' | 'driver';
  distro: string;
  distro_release: string;
  package: string;
  version: string;
  flavour: string | null;
  label: string | null;
  arch: string[];
  first_announcement_id: number;
  first_seen_at: string;
  baseline: boolean;
  stream: string | null;
  abi: string | null;
}

interface Row extends Omit<StoredRelease, 'arch' | 'baseline'> { arch: string; baseline: number }

function fromRow(r: Row): StoredRelease {
  return { ...r, arch: JSON.parse(r.arch) as string[], baseline: r.baseline === 1 };
}

export class ReleaseStore {
  constructor(private readonly db: DB) {}

  /** Inserts the release if new; either way links the announcement to it. */
  upsert(r: Release, announcementId: number, at: string, baseline: boolean, derived: { stream: string; abi: string | null }): { id: number; created: boolean } {
    const res = this.db.prepare(`INSERT INTO releases
      (kind, distro, distro_release, package, version, flavour, label, arch, first_announcement_id, first_seen_at, baseline, stream, abi)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (kind, distro, distro_release, package, version) DO NOTHING`).run(
      r.kind, r.distro, r.distro_release, r.package, r.version,
      r.kind === 'kernel' ? r.flavour ?? null : null, r.kind === 'kernel' ? r.label ?? null : null,
      JSON.stringify(r.arch), announcementId, at, baseline ? 1 : 0, derived.stream, derived.abi);
    const created = res.changes === 1;
    const id = created ? Number(res.lastInsertRowid) : this.db.prepare(
      'SELECT id FROM releases WHERE kind = ? AND distro = ? AND distro_release = ? AND package = ? AND version = ?',
    ).pluck().get(r.kind, r.distro, r.distro_release, r.package, r.version) as number;
    if (!created && r.arch.length > 0) this.mergeArch(id, r.arch);
    this.db.prepare('INSERT OR IGNORE INTO release_announcements (release_id, announcement_id, seen_at) VALUES (?, ?, ?)').run(id, announcementId, at);
    return { id, created };
  }

  private mergeArch(id: number, arch: string[]): void {
    const cur = JSON.parse(this.db.prepare('SELECT arch FROM releases WHERE id = ?').pluck().get(id) as string) as string[];
    const merged = [...new Set([...cur, ...arch])].sort();
    if (merged.length !== cur.length) this.db.prepare('UPDATE releases SET arch = ? WHERE id = ?').run(JSON.stringify(merged), id);
  }

  /** Every other version recorded in the stream, in no particular order. */
  streamVersions(kind: string, stream: string, exceptId: number): { version: string; abi: string | null; id: number }[] {
    return this.db.prepare('SELECT version, abi, id FROM releases WHERE kind = ? AND stream = ? AND id != ?').all(kind, stream, exceptId) as { version: string; abi: string | null; id: number }[];
  }

  /** The stream's newest version, once a scan or a newer kernel has set it. */
  streamHead(kind: string, stream: string): StreamHead | undefined {
    return this.db.prepare('SELECT version, abi, release_id FROM stream_heads WHERE kind = ? AND stream = ?').get(kind, stream) as StreamHead | undefined;
  }

  setStreamHead(kind: string, stream: string, head: StreamHead): void {
    this.db.prepare(`INSERT INTO stream_heads (kind, stream, version, abi, release_id) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (kind, stream) DO UPDATE SET version = excluded.version, abi = excluded.abi, release_id = excluded.release_id`).run(kind, stream, head.version, head.abi, head.release_id);
  }

  get(id: number): StoredRelease | undefined {
    const r = this.db.prepare('SELECT * FROM releases WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  /** By id, or by exact version (several rows when flavours share a version). */
  find(ref: string): StoredRelease[] {
    if (/^\d+$/.test(ref)) {
      const byId = this.get(Number(ref));
      if (byId) return [byId];
    }
    return (this.db.prepare('SELECT * FROM releases WHERE version = ? OR package = ? ORDER BY id').all(ref, ref) as Row[]).map(fromRow);
  }

  list(opts: { includeBaseline?: boolean; limit?: number } = {}): StoredRelease[] {
    const where = opts.includeBaseline ? '' : 'WHERE baseline = 0';
    return (this.db.prepare(`SELECT * FROM releases ${where} ORDER BY id DESC LIMIT ?`).all(opts.limit ?? 1000) as Row[]).map(fromRow);
  }
}
