import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';

export interface WatcherDeps {
  store: Store;
  clock: Clock;
  log: Logger;
}

export interface PollOutcome {
  watcher: string;
  ok: boolean;
  notModified: boolean;
  baseline: boolean;
  items: number;        // items in the document
  recorded: number;     // new announcements recorded
  events: number;       // events emitted
  error?: string;
}

export interface Watcher {
  readonly id: string;
  readonly schedule: { everyMs?: number; cron?: string };
  poll(): Promise<PollOutcome>;
}
