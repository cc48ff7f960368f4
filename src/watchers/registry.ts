import * as z from '../zod.js';
import { formatDuration } from '../duration.js';
import { DEFAULT_EVERY_MS } from './common.js';
import { rssSchema } from './rss/schema.js';
import { httpSchema } from './http/schema.js';
import { imapSchema } from './imap/schema.js';
import { repoSchema } from './repo/schema.js';

// One line per watcher type, each in its own folder: its config schema here
// (what checking a config needs), its implementation in create.ts.
const schemas = [rssSchema, httpSchema, imapSchema, repoSchema] as const;

export const watcherTypes = schemas.map((s) => s.shape.type.value);

export const watcherSchema = z.discriminatedUnion('type', schemas, {
  error: (issue) => (issue.code === 'invalid_union' ? `type must be one of: ${watcherTypes.join(', ')}` : undefined),
});

export type WatcherConfig = z.output<typeof watcherSchema>;

/** When a watcher counts as stale (health) and as quiet (watcher.quiet). */
export function watcherTiming(w: WatcherConfig): { staleAfterMs: number; expectEveryMs: number | undefined } {
  // A cron watcher's interval is the cron's; without stale_after, a day is assumed.
  const interval = w.type === 'imap' ? w.every : w.cron ? 86_400_000 : (w.every ?? DEFAULT_EVERY_MS);
  return { staleAfterMs: w.stale_after ?? 3 * interval, expectEveryMs: w.expect_every };
}

/** Where a watcher looks and when, for summaries and logs (never with secrets). */
export function describeWatcher(w: WatcherConfig): { where: string; schedule: string } {
  if (w.type === 'imap') {
    return { where: `imap${w.security === 'tls' ? 's' : ''}://${w.user}@${w.host}:${w.port ?? (w.security === 'tls' ? 993 : 143)}/${w.mailbox}`, schedule: `push (IDLE), re-check every ${formatDuration(w.every)}` };
  }
  return { where: w.url, schedule: w.cron ? `cron ${w.cron}` : `every ${formatDuration(w.every ?? DEFAULT_EVERY_MS)}` };
}
