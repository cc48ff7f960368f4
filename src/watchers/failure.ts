import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import type { WatcherState } from '../store/watchers.js';
import { watcherBackoff } from './backoff.js';

/**
 * Records a failed poll or connection and logs it once per distinct error, so
 * a feed or server down for a day is one line, not a hundred.
 */
export function noteFailure(store: Store, log: Logger, id: string, before: WatcherState, message: string, now: Date, everyMs: number, retryMaxMs: number): WatcherState {
  const next = new Date(now.getTime() + watcherBackoff(before.failures + 1, everyMs, retryMaxMs)).toISOString();
  const after = store.watchers.recordFailure(id, now.toISOString(), message, next);
  if (message !== before.last_error) log.error('watcher failed', { error: message, failures: after.failures, next_poll_at: next, ...(before.last_error ? { previous_error: before.last_error, previous_failures: before.failures } : {}) });
  else log.debug('watcher still failing', { error: message, failures: after.failures, next_poll_at: next });
  return after;
}

export function noteRecovery(previousFailures: number, log: Logger): void {
  if (previousFailures > 0) log.info('watcher recovered', { after_failures: previousFailures });
}
