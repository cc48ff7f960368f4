import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import type { PollOutcome, Watcher } from './types.js';

/**
 * A timer's delay moved to the next tick of a grid (a second, or a tenth of a
 * shorter interval), so watchers falling due within the same tick are polled
 * in one wake-up: an idle daemon with twenty watchers wakes once a minute, not
 * twenty times (each wake-up, on a virtual machine, costs more than the poll).
 * A poll due now stays due now.
 */
export function coalesced(delayMs: number, nowMs: number, everyMs = 60_000): number {
  if (delayMs <= 0) return 0;
  const grid = Math.max(1, Math.min(1000, Math.floor(everyMs / 10)));
  return Math.ceil((nowMs + delayMs) / grid) * grid - nowMs;
}

/**
 * Polls each watcher on its own schedule (`every:` by timer, `cron:` by
 * node-cron), never two polls of one watcher at once, honouring the backoff a
 * failure set. One watcher failing or hanging never delays another.
 */
export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly tasks: ScheduledTask[] = [];
  private readonly inflight = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly watchers: Watcher[],
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onPolled: (o: PollOutcome) => Promise<void>,
  ) {}

  start(): void {
    for (const w of this.watchers) {
      if (w.push) {
        w.push.start(this.onPolled);
      } else if (w.schedule.cron) {
        this.tasks.push(cron.schedule(w.schedule.cron, () => { void this.tick(w, true).finally(() => this.armRetry(w)); }, { name: `watcher:${w.id}` }));
        // A cron watcher still takes its baseline at start (and retries a failure) without waiting for a tick.
        const st = this.store.watchers.get(w.id);
        if (!st.baseline_done) void this.tick(w, false).finally(() => this.armRetry(w));
        else this.armRetry(w);
      } else {
        this.arm(w);
      }
    }
  }

  private arm(w: Watcher): void {
    if (this.stopped) return;
    const next = this.store.watchers.get(w.id).next_poll_at;
    const now = this.clock.now().getTime();
    const delay = next ? Math.max(0, new Date(next).getTime() - now) : 0;
    // setTimeout's limit is ~24.8 days; re-arm rather than overflow.
    const t = setTimeout(() => { this.timers.delete(w.id); void this.tick(w, false).finally(() => this.arm(w)); }, Math.min(coalesced(delay, now, w.schedule.everyMs), 2 ** 31 - 1));
    this.timers.set(w.id, t);
  }

  /** A failing cron watcher is retried on its backoff, not only at its next tick (which may be a day away). */
  private armRetry(w: Watcher): void {
    if (this.stopped || this.timers.has(w.id)) return;
    const st = this.store.watchers.get(w.id);
    if (st.failures === 0 || !st.next_poll_at) return;
    const delay = Math.max(0, new Date(st.next_poll_at).getTime() - this.clock.now().getTime());
    const t = setTimeout(() => { this.timers.delete(w.id); void this.tick(w, false).finally(() => this.armRetry(w)); }, Math.min(delay, 2 ** 31 - 1));
    this.timers.set(w.id, t);
  }

  private tick(w: Watcher, fromCron: boolean): Promise<void> {
    if (this.stopped || this.inflight.has(w.id)) return this.inflight.get(w.id) ?? Promise.resolve();
    if (fromCron) {
      const st = this.store.watchers.get(w.id);
      if (st.failures > 0 && st.next_poll_at && new Date(st.next_poll_at) > this.clock.now()) return Promise.resolve();
    }
    const run = (async () => {
      try {
        const outcome = await w.poll();
        await this.onPolled(outcome);
      } catch (err) {
        this.log.error('poll cycle failed', { watcher: w.id, error: errorMessage(err) });
      } finally {
        this.inflight.delete(w.id);
      }
    })();
    this.inflight.set(w.id, run);
    return run;
  }

  /** Stops scheduling and waits for the polls under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const task of this.tasks) await task.stop();
    await Promise.allSettled(this.watchers.map((w) => w.push?.stop()));
    await Promise.allSettled([...this.inflight.values()]);
  }
}
