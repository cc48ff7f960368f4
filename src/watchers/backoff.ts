/** The first retry comes after this at the latest: a feed down for a moment is picked up soon. */
export const FIRST_RETRY_MS = 30_000;

/**
 * After n consecutive failures, wait min(every, 30 s)·2^(n-1), at most
 * `maxMs`: a source healthy again is read within seconds of the first
 * failures, and a broken one is not hammered.
 */
export function watcherBackoff(failures: number, everyMs: number, maxMs: number): number {
  const base = Math.min(everyMs, FIRST_RETRY_MS);
  return Math.min(Math.max(maxMs, base), base * 2 ** Math.max(0, Math.min(failures, 30) - 1));
}

/** Retries double up to the interval itself, or 30 s for a watcher polled more often. */
export function defaultRetryMax(everyMs: number): number {
  return Math.max(everyMs, FIRST_RETRY_MS);
}
