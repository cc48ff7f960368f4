import { z } from 'zod';
import type { Watcher, WatcherDeps } from './types.js';
import { rssWatcherType } from './rss/index.js';
import { httpWatcherType } from './http/index.js';

// One line per watcher type; imap and repo join here, each in its own folder.
export const watcherTypes = [rssWatcherType, httpWatcherType] as const;

export const watcherSchema = z.discriminatedUnion('type', [rssWatcherType.schema, httpWatcherType.schema], {
  error: (issue) => (issue.code === 'invalid_union' ? `type must be one of: ${watcherTypes.map((t) => t.type).join(', ')}` : undefined),
});

export type WatcherConfig = z.output<typeof watcherSchema>;

export function createWatcher(cfg: WatcherConfig, deps: WatcherDeps): Watcher {
  switch (cfg.type) {
    case 'rss': return rssWatcherType.create(cfg, deps);
    case 'http': return httpWatcherType.create(cfg, deps);
  }
}
