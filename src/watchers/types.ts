import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import type { ReplySink } from '../rotation/replies.js';

export interface WatcherDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Mail watchers hand every message here first: replies to assignment requests are not announcements. */
  replies?: ReplySink | undefined;
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
  /** One visit: fetch what is new, record it, return. */
  poll(): Promise<PollOutcome>;
  /** A watcher that is told of news (IMAP IDLE) runs its own loop instead of being scheduled. */
  readonly push?: {
    start(onOutcome: (o: PollOutcome) => Promise<void>): void;
    stop(): Promise<void>;
  };
}
