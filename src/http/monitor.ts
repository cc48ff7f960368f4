import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { WatcherQuietPayload } from '../domain.js';
import { formatDuration } from '../duration.js';
import type { Logger } from '../log.js';
import type { MailOutage } from '../mail/outbox-worker.js';
import type { Store } from '../store/index.js';
import { assessHealth, quietDue, type HealthReport } from './health.js';
import type { Metrics } from './metrics.js';

/**
 * The daemon's view of itself, for /healthz, /metrics and the quiet-source
 * alarm: it gathers from the store and the outbox worker; the decisions are
 * the pure functions of health.ts.
 */
export class Monitor {
  private readonly startedAt: Date;

  constructor(private readonly deps: {
    store: Store; clock: Clock; log: Logger; metrics: () => Metrics; config: Config;
    /** Per watcher: when it is stale, and when quiet (from watcherTiming). */
    watchers: { id: string; type: string; staleAfterMs: number; expectEveryMs: number | undefined }[];
    mailFailing: () => MailOutage | undefined;
  }) {
    this.startedAt = deps.clock.now();
  }

  health(): HealthReport {
    const { store, clock, config } = this.deps;
    const now = clock.now();
    const states = new Map(store.watchers.all().map((s) => [s.watcher, s]));
    const outage = this.deps.mailFailing();
    const report = assessHealth({
      now, startedAt: this.startedAt, writeProblem: store.writeProblem(now.toISOString()),
      watchers: this.deps.watchers.map((w) => ({ id: w.id, staleAfterMs: w.staleAfterMs, state: states.get(w.id) })),
      mail: { failingSince: outage?.since, failures: outage?.failures ?? 0, lastError: outage?.error, staleAfterMs: config.mail.stale_after },
      outbox: store.outbox.counts(),
    });
    this.deps.metrics().healthy.set(report.ok ? 1 : 0);
    return report;
  }

  refreshGauges(): void {
    const { store, clock } = this.deps;
    const metrics = this.deps.metrics();
    const seconds = (iso: string | null | undefined) => (iso ? Date.parse(iso) / 1000 : 0);
    for (const [kind, counts] of Object.entries(store.outbox.countsByKind())) {
      for (const [status, n] of Object.entries(counts)) metrics.outbox.set({ kind, status }, n);
    }
    for (const s of store.watchers.all()) {
      metrics.watcherFailures.set({ watcher: s.watcher }, s.failures);
      metrics.watcherLastSuccess.set({ watcher: s.watcher }, seconds(s.last_success_at));
      metrics.watcherLastNew.set({ watcher: s.watcher }, seconds(s.last_new_at));
    }
    metrics.builds.reset();
    for (const [state, n] of Object.entries(store.builds.countsByState())) metrics.builds.set({ state }, n);
    metrics.assignmentsOpen.reset();
    const open = store.assignments.openCounts();
    for (const state of ['claiming', 'asking', 'unassigned']) metrics.assignmentsOpen.set({ state }, open[state] ?? 0);
    for (const kind of ['mail', 'webhook'] as const) {
      const oldest = store.outbox.oldestPendingAt(kind);
      metrics.outboxOldest.set({ kind }, oldest ? Math.max(0, (clock.now().getTime() - Date.parse(oldest)) / 1000) : 0);
    }
    metrics.mailFailingSince.set(seconds(this.deps.mailFailing()?.since));
    this.health();
  }

  /** Each watcher with `expect_every` that has recorded nothing new for that long: one watcher.quiet per quiet spell. */
  checkQuiet(): number {
    const { store, clock, log } = this.deps;
    const now = clock.now();
    let emitted = 0;
    for (const w of this.deps.watchers) {
      const expectEveryMs = w.expectEveryMs;
      if (!expectEveryMs) continue;
      store.tx(() => {
        const state = store.watchers.get(w.id);
        const due = quietDue(state, this.startedAt, now, expectEveryMs);
        if (!due) return;
        const payload: WatcherQuietPayload = { watcher: { id: w.id, type: w.type, last_new_at: state.last_new_at, expect_every: formatDuration(expectEveryMs), quiet_since: due.since } };
        store.events.append('watcher.quiet', payload, null, now.toISOString());
        store.watchers.noteQuiet(w.id, now.toISOString());
        log.warn('watcher quiet: nothing new for longer than expect_every', { watcher: w.id, last_new_at: state.last_new_at, expect_every: formatDuration(expectEveryMs) });
        emitted += 1;
      });
    }
    return emitted;
  }
}
