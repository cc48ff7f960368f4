import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './index.js';

export interface RetentionPolicy { rawMs: number; mailMs: number; buildLogsMs: number }
export interface RetentionDirs { mail: string | undefined; buildLogs: string }

export interface PruneReport { announcements: number; mail_bodies: number; mail_files: number; build_logs: number }

/** Files directly in `dir` whose name ends with `suffix` and that were last written before `before`, removed. */
function pruneFiles(dir: string | undefined, suffix: string, before: number): number {
  if (!dir) return 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0; // nothing written there yet
  }
  let n = 0;
  for (const name of names) {
    if (!name.endsWith(suffix)) continue;
    const path = join(dir, name);
    try {
      if (statSync(path).mtimeMs < before) { unlinkSync(path); n += 1; }
    } catch { /* gone meanwhile */ }
  }
  return n;
}

/**
 * The daily prune: raw announcement text, sent mail bodies, .eml files and
 * build logs older than the policy. Kernels, events, rule runs and the rows
 * of mail stay: they are the history `status` shows and the keys that keep
 * anything from being sent twice.
 */
export function prune(store: Store, policy: RetentionPolicy, dirs: RetentionDirs, now: Date): PruneReport {
  const iso = (ms: number) => new Date(now.getTime() - ms).toISOString();
  return store.tx(() => ({
    announcements: store.announcements.pruneRaw(iso(policy.rawMs)),
    mail_bodies: store.outbox.pruneBodies(iso(policy.mailMs)),
    mail_files: pruneFiles(dirs.mail, '.eml', now.getTime() - policy.mailMs),
    build_logs: pruneFiles(dirs.buildLogs, '.log', now.getTime() - policy.buildLogsMs),
  }));
}

function dirBytes(dir: string | undefined): number {
  if (!dir) return 0;
  try {
    return readdirSync(dir).reduce((sum, name) => {
      try { return sum + statSync(join(dir, name)).size; } catch { return sum; }
    }, 0);
  } catch {
    return 0;
  }
}

/** What the state takes, for `status`. */
export function stateSizes(store: Store, dbPath: string, dirs: RetentionDirs): Record<string, number> {
  const file = (p: string) => { try { return statSync(p).size; } catch { return 0; } };
  return {
    database_bytes: file(dbPath) + file(`${dbPath}-wal`),
    raw_announcement_bytes: store.announcements.rawBytes(),
    mail_body_bytes: store.outbox.bodyBytes(),
    mail_file_bytes: dirBytes(dirs.mail),
    build_log_bytes: dirBytes(dirs.buildLogs),
  };
}
