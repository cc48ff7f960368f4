import { z } from 'zod';
import type { Watcher, WatcherDeps } from './types.js';
import { formatDuration } from '../duration.js';
import { DEFAULT_EVERY_MS } from './common.js';
import { rssWatcherType } from './rss/index.js';
import { httpWatcherType } from './http/index.js';
import { imapWatcherType } from './imap/index.js';
import { repoWatcherType } from './repo/index.js';

// One line per watcher type; imap and repo join here, each in its own folder.
export const watcherTypes = [rssWatcherType, httpWatcherType, imapWatcherType, repoWatcherType] as const;

export const watcherSchema = z.discriminatedUnion('type', [rssWatcherType.schema, httpWatcherType.schema, imapWatcherType.schema, repoWatcherType.schema], {
  error: (issue) => (issue.code === 'invalid_union' ? `type must be one of: ${watcherTypes.map((t) => t.type).join(', ')}` : undefined),
});

export type WatcherConfig = z.output<typeof watcherSchema>;

export function createWatcher(cfg: WatcherConfig, deps: WatcherDeps): Watcher {
  switch (cfg.type) {
    case 'rss': return rssWatcherType.create(cfg, deps);
    case 'http': return httpWatcherType.create(cfg, deps);
    case 'imap': return imapWatcherType.create(cfg, deps);
    case 'repo': return repoWatcherType.create(cfg, deps);
  }
}

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
