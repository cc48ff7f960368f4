import { formatDuration, humanDuration } from '../duration.js';
import type { WatcherState } from '../store/watchers.js';

export interface WatcherHealthInput {
  id: string;
  staleAfterMs: number;
  state: WatcherState | undefined;
}

export interface HealthInput {
  now: Date;
  /** When this daemon started: a watcher that never succeeded is stale counted from here. */
  startedAt: Date;
  writeProblem: string | undefined;
  watchers: WatcherHealthInput[];
  mail: { failingSince: string | undefined; failures: number; lastError: string | undefined; staleAfterMs: number };
  outbox: Record<string, number>;
}

export interface HealthReport {
  ok: boolean;
  /** One line per cause of a 503, for a human and an alert's description. */
  problems: string[];
  store: { writable: boolean; error: string | null };
  watchers: Record<string, { ok: boolean; last_success_at: string | null; last_new_at: string | null; failures: number; last_error: string | null; stale_after: string }>;
  mail: { ok: boolean; failing_since: string | null; failures: number; last_error: string | null; stale_after: string };
  outbox: Record<string, number>;
}

/**
 * What /healthz answers, from what the daemon knows: unhealthy when the store
 * takes no writes, a watcher has not succeeded for its stale_after, or mail
 * has been failing for longer than mail.stale_after. Pure: the daemon
 * gathers, this decides.
 */
export function assessHealth(i: HealthInput): HealthReport {
  const problems: string[] = [];
  const now = i.now.getTime();
  if (i.writeProblem) problems.push(`store: not writable: ${i.writeProblem}`);
  const watchers: HealthReport['watchers'] = {};
  for (const w of i.watchers) {
    const since = w.state?.last_success_at ? Date.parse(w.state.last_success_at) : i.startedAt.getTime();
    const stale = now - since > w.staleAfterMs;
    if (stale) {
      const what = w.state?.last_success_at ? `last success ${humanDuration(now - since)} ago` : `no success since the start ${humanDuration(now - since)} ago`;
      problems.push(`watcher ${w.id}: ${what} (stale_after ${formatDuration(w.staleAfterMs)})${w.state?.last_error ? `: ${w.state.last_error}` : ''}`);
    }
    watchers[w.id] = {
      ok: !stale, last_success_at: w.state?.last_success_at ?? null, last_new_at: w.state?.last_new_at ?? null,
      failures: w.state?.failures ?? 0, last_error: w.state?.last_error ?? null, stale_after: formatDuration(w.staleAfterMs),
    };
  }
  const mailStale = i.mail.failingSince !== undefined && now - Date.parse(i.mail.failingSince) > i.mail.staleAfterMs;
  if (mailStale) problems.push(`mail: failing for ${humanDuration(now - Date.parse(i.mail.failingSince!))} (stale_after ${formatDuration(i.mail.staleAfterMs)}): ${i.mail.lastError ?? ''}`);
  return {
    ok: problems.length === 0,
    problems,
    store: { writable: !i.writeProblem, error: i.writeProblem ?? null },
    watchers,
    mail: { ok: !mailStale, failing_since: i.mail.failingSince ?? null, failures: i.mail.failures, last_error: i.mail.lastError ?? null, stale_after: formatDuration(i.mail.staleAfterMs) },
    outbox: i.outbox,
  };
}

/** The quiet check: due when nothing new came for `expectEveryMs` and this quiet spell was not reported yet. */
export function quietDue(state: Pick<WatcherState, 'last_new_at' | 'quiet_notified_at'> | undefined, startedAt: Date, now: Date, expectEveryMs: number): { since: string } | undefined {
  const since = state?.last_new_at ?? startedAt.toISOString();
  if (now.getTime() - Date.parse(since) <= expectEveryMs) return undefined;
  if (state?.quiet_notified_at && state.quiet_notified_at >= since) return undefined;
  return { since };
}
