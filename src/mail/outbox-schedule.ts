import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import type { OutboxWorker } from './outbox-worker.js';

/** What the last pass saw of the store: other connections' commits, and the mail this process queued. */
interface Seen { version: number; changes: number }

/**
 * When the outbox worker runs: at once when this process queued mail, when
 * a retry falls due, and at the regular interval (`mail.every`) for mail
 * another process queued (a CLI command). The regular pass reads the outbox
 * only when another connection has written since the last pass began, this
 * process queued mail, or a retry fell due: an idle daemon wakes for a
 * pragma rather than two queries. On a virtual machine the cold queries of
 * each wake-up were most of an idle daemon's CPU.
 */
export class OutboxSchedule {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Passes in a row that did nothing while mail was due. */
  private stalls = 0;

  /**
   * A pass that sent or failed nothing while mail stays due could not deliver
   * it (a send the store could not record, while it takes no writes; a pass
   * that throws): the next one waits `stallMs`, doubling up to the interval,
   * instead of spinning every few milliseconds.
   */
  constructor(
    private readonly store: Store,
    private readonly worker: OutboxWorker,
    private readonly clock: Clock,
    private readonly everyMs: number,
    private readonly log: Logger,
    private readonly stallMs = 1000,
  ) {}

  /** A pass now (this process queued mail, or wants it sent), then the regular and retry times again. */
  arm(): void {
    if (!this.stopped) this.wait(true, undefined, Infinity);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private wait(now: boolean, seen: Seen | undefined, dueAt: number, atLeast = 10): void {
    clearTimeout(this.timer);
    const delay = now ? 0 : Math.max(atLeast, Math.min(this.everyMs, dueAt - this.clock.now().getTime()));
    // stop() clears this timer, so it never fires after a stop.
    this.timer = setTimeout(() => {
      // Taken before the pass: whatever another process commits during it is seen next time.
      const current = this.seen();
      // No `seen`: a pass was asked for, or the store could not say last time.
      const quiet = seen !== undefined && current !== undefined && this.clock.now().getTime() < dueAt
        && current.version === seen.version && current.changes === seen.changes;
      if (quiet) return this.wait(false, seen, dueAt);
      this.worker.deliverDue()
        .then((r) => r.sent + r.failed, (err: unknown) => {
          this.log.error('outbox pass failed', { error: errorMessage(err) });
          return 0;
        })
        .then((delivered) => {
          if (this.stopped) return;
          const due = this.dueAt();
          // Mail due that the pass did nothing with: passing again at once would spin.
          const stalled = delivered === 0 && due <= this.clock.now().getTime();
          this.stalls = stalled ? this.stalls + 1 : 0;
          this.wait(false, current, due, stalled ? Math.min(this.everyMs, this.stallMs * 2 ** (this.stalls - 1)) : 10);
        });
    }, delay);
  }

  /** Undefined when the store cannot say: the next pass then reads the outbox. */
  private seen(): Seen | undefined {
    try {
      return { version: this.store.dataVersion(), changes: this.store.outbox.changes };
    } catch {
      return undefined;
    }
  }

  /** When the earliest retry falls due (ms); a store that cannot say leaves the regular interval. */
  private dueAt(): number {
    try {
      const next = this.store.outbox.nextDueAt();
      return next ? new Date(next).getTime() : Infinity;
    } catch {
      return Infinity;
    }
  }
}
