import type { WatcherConfig } from './registry.js';
import type { Watcher, WatcherDeps } from './types.js';
import { rssWatcherType } from './rss/index.js';
import { httpWatcherType } from './http/index.js';
import { imapWatcherType } from './imap/index.js';
import { repoWatcherType } from './repo/index.js';

// The watchers' implementations, one line per type (their schemas are in registry.ts).
export function createWatcher(cfg: WatcherConfig, deps: WatcherDeps): Watcher {
  switch (cfg.type) {
    case 'rss': return rssWatcherType.create(cfg, deps);
    case 'http': return httpWatcherType.create(cfg, deps);
    case 'imap': return imapWatcherType.create(cfg, deps);
    case 'repo': return repoWatcherType.create(cfg, deps);
  }
}
