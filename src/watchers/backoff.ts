/**
 * After n consecutive failures, wait every·2^(n-1), at least a minute and at
 * most a day (or `every`, when that is longer), so a broken feed is not hammered
 * and a flapping one recovers soon.
 */
export function watcherBackoff(failures: number, everyMs: number): number {
  const base = Math.max(60_000, everyMs);
  return Math.min(Math.max(everyMs, 86_400_000), base * 2 ** Math.max(0, Math.min(failures, 20) - 1));
}
