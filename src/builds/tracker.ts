import { join } from 'node:path';
import { crashPoint } from '../crash-points.js';
import type { Clock } from '../clock.js';
import type { BuildRef, HeraldEvent } from '../domain.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { sampleContext } from '../mail/context.js';
import type { BuildRow, BuildUpdate } from '../store/builds.js';
import type { Store } from '../store/index.js';
import { packagePresent, type GateRequest } from './gate.js';
import { comboKey, completion, expandMatrix, renderValue, retryDelay } from './plan.js';
import { triggerFor, type TargetConfig } from './registry.js';
import { BuildError, type TriggerContext } from './types.js';
import { randomBytes } from 'node:crypto';
import { formatDuration } from '../duration.js';

export interface TrackerDeps {
  store: Store; clock: Clock; log: Logger; stateDir: string; targets: Record<string, TargetConfig>;
  /** Events were appended (build.*, builds.completed): the rules should run. */
  onEvents?: () => void;
}

export function buildRef(b: BuildRow, detail?: string | null): BuildRef {
  return { id: b.id, target: b.target, type: b.type, matrix: b.matrix, attempt: b.attempt, state: b.state, url: b.url, external_id: b.external_id, artifacts: b.artifacts ?? [], ...(detail !== undefined ? { detail } : {}) };
}

/** The template context of a build's inputs: the event's payload, and the combination as `matrix`. */
export function inputContext(event: HeraldEvent, combo: Record<string, string>): Record<string, unknown> {
  return { ...(event.payload as unknown as Record<string, unknown>), event: { id: event.id, type: event.type, created_at: event.created_at }, matrix: combo };
}

/** Config-time check of a target's templates, against a sample event and its first combination. */
export function targetProblems(name: string, t: TargetConfig): string[] {
  const trigger = triggerFor(t.type);
  if (!trigger) return [`builds.${name}.type: unknown trigger type "${t.type}"`];
  const ctx = { ...sampleContext(), matrix: expandMatrix(t.matrix)[0] };
  try {
    trigger.render(t, (tpl, key) => renderValue(tpl, ctx, key));
    if (t.wait_for_packages) {
      renderValue(t.wait_for_packages.package, ctx, 'wait_for_packages.package');
      renderValue(t.wait_for_packages.version, ctx, 'wait_for_packages.version');
    }
    return [];
  } catch (err) {
    return [`builds.${name}.${errorMessage(err)}`];
  }
}

/**
 * Follows every open build to its end: gate, dispatch (with retries and
 * backoff), polling, timeouts. All state is in the builds table, so a restart
 * resumes where it was. Each transition writes the row and its event in one
 * transaction; when the last build of a kernel ends, `builds.completed`.
 */
export class BuildTracker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private emitted = false;
  /** One look at a repository per pass, however many builds (matrix combinations) wait on it. */
  private gateChecks = new Map<string, Promise<boolean>>();

  constructor(private readonly deps: TrackerDeps) {}

  private get store(): Store { return this.deps.store; }
  private now(): number { return this.deps.clock.now().getTime(); }
  private iso(plusMs = 0): string { return new Date(this.now() + plusMs).toISOString(); }
  private get logDir(): string { return join(this.deps.stateDir, 'builds'); }

  // -- creation (the build action, inside the rule run's transaction) ----------

  create(event: HeraldEvent, ruleId: string, index: number, targetName: string): BuildRow[] {
    const t = this.deps.targets[targetName];
    if (!t) throw new Error(`build: no target "${targetName}" in builds:`);
    const trigger = triggerFor(t.type)!;
    const payload = event.payload as unknown as Record<string, unknown>;
    const subject = { kernel: payload.kernel ?? null, driver: payload.driver ?? null };
    const out: BuildRow[] = [];
    for (const combo of expandMatrix(t.matrix)) {
      const ctx = inputContext(event, combo);
      const render = (tpl: string, key: string) => renderValue(tpl, ctx, key);
      const request: Record<string, unknown> = trigger.render(t, render);
      const gate = t.wait_for_packages;
      if (gate) {
        request.gate = { url: gate.url, format: gate.format, package: render(gate.package, 'wait_for_packages.package'), version: render(gate.version, 'wait_for_packages.version'),
          suite: gate.suite, component: gate.component, arch: gate.arch, max_bytes: gate.max_bytes } satisfies GateRequest;
      }
      const row = this.store.builds.insert({
        release_id: event.release_id, event_id: event.id, rule_id: ruleId, action_index: index, target: targetName, type: t.type,
        matrix: combo, combo_key: comboKey(combo), request, subject, correlation: `kh-${randomBytes(6).toString('hex')}`,
        state: gate ? 'waiting' : 'queued', max_attempts: t.max_attempts, gate_deadline: gate ? this.iso(gate.within) : null, next_check_at: this.iso(),
      }, this.iso());
      if (row) out.push(row);
    }
    return out;
  }

  // -- the loop ----------------------------------------------------------------

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Look at due builds now (new builds queued, a command exited). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.tick().then(() => undefined, (err: unknown) => { this.deps.log.error('build tracker pass failed', { error: errorMessage(err) }); })
      .finally(() => {
        this.running = undefined;
        if (this.again) { this.again = false; this.wake(); } else this.arm();
      });
  }

  private arm(): void {
    if (this.stopped) return;
    const next = this.store.builds.nextDueAt();
    const delay = next ? Math.max(50, Math.min(60_000, Date.parse(next) - this.now())) : 60_000;
    this.timer = setTimeout(() => this.wake(), delay);
  }

  /**
   * `keepRunning` (a config reload in the same process): commands keep
   * running, and the next tracker over the same state dir finds them.
   */
  async stop(opts: { keepRunning?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (opts.keepRunning) return;
    for (const t of new Set(Object.values(this.deps.targets).map((x) => x.type))) triggerFor(t)?.shutdown?.(this.logDir);
  }

  /** One pass over what is due; also what `poll` and the tests call. */
  async tick(): Promise<number> {
    let n = 0;
    this.emitted = false;
    this.gateChecks = new Map();
    for (const b of this.store.builds.due(this.iso())) {
      n += 1;
      await this.step(b).catch((err: unknown) => this.deps.log.error('build step failed', { build: b.id, error: errorMessage(err) }));
    }
    if (this.emitted) this.deps.onEvents?.();
    return n;
  }

  private ctx(): TriggerContext {
    return {
      log: this.deps.log, now: () => this.now(), logDir: this.logDir,
      followed: (externalId: string, type: string, exceptBuild: number) => this.store.builds.followsRun(type, externalId, exceptBuild),
      wake: (id?: number) => {
        if (id !== undefined && this.store.db.open) this.store.builds.update(id, { next_check_at: this.iso() }, this.iso());
        this.wake();
      },
    };
  }

  private async step(b: BuildRow): Promise<void> {
    const t = this.deps.targets[b.target];
    const log = this.deps.log.child({ build: b.id, target: b.target, attempt: b.attempt });
    if (!t || t.type !== b.type) { this.finish(b, 'failed', `target "${b.target}" is no longer configured as ${b.type}`); return; }
    const trigger = triggerFor(t.type)!;
    if (b.state === 'waiting') return this.checkGate(b, t, log);
    if (b.state === 'queued' || b.state === 'dispatching') {
      if (b.state === 'dispatching' && trigger.recover) {
        // A crash between the dispatch and its record, or a dispatch whose
        // answer never came: find the run rather than start a second one. A
        // look-up that fails is tried again; only "not there" dispatches anew.
        let found;
        try {
          found = await trigger.recover(t, b, this.ctx());
        } catch (err) {
          const e = err instanceof BuildError ? err : new BuildError(errorMessage(err), true);
          // A run that cannot be told apart from others: neither dispatching again nor guessing is safe.
          if (!e.retryable) { this.finish(b, 'failed', e.message); return; }
          log.warn('looking for the run of an unanswered dispatch failed; will look again', { error: e.message });
          this.store.builds.update(b.id, { last_error: e.message, next_check_at: e.retryAt ? new Date(e.retryAt).toISOString() : this.iso(retryDelay(b.attempt, t.retry.base, t.retry.max)) }, this.iso());
          return;
        }
        if (found) { this.started(b, t, found); log.warn('found the run of an unanswered dispatch', { external_id: found.external_id }); return; }
      }
      return this.dispatch(b, t, log);
    }
    if (b.state === 'cancelling') return this.stopRun(b, t, log);
    // running
    if (b.deadline && b.deadline <= this.iso()) {
      // Given up: what runs for it is stopped where the trigger can (a command is killed), not left to leak.
      await trigger.cancel?.(t, b, this.ctx()).catch((err: unknown) => log.warn('build could not be cancelled', { error: errorMessage(err) }));
      this.finish(b, 'failed', `still running after ${formatDuration(t.timeout)} (timeout)`);
      return;
    }
    try {
      const p = await trigger.poll(t, b, this.ctx());
      if (p.state === 'running') {
        const u: BuildUpdate = { next_check_at: this.iso(t.poll_every) };
        if (p.url) u.url = p.url;
        if (p.external_id) u.external_id = p.external_id;
        if (p.tracking) u.tracking = p.tracking;
        this.store.builds.update(b.id, u, this.iso());
      } else if (p.state === 'lost') {
        if (b.attempt < b.max_attempts) {
          log.warn('build lost: dispatching again', { reason: p.detail });
          this.store.builds.update(b.id, { state: 'queued', last_error: p.detail, next_check_at: this.iso() }, this.iso());
        } else this.finish(b, 'failed', p.detail);
      } else this.finish({ ...b, url: p.url ?? b.url }, p.state, p.detail, p.artifacts);
    } catch (err) {
      const e = err instanceof BuildError ? err : new BuildError(errorMessage(err), false);
      if (!e.retryable) { this.finish(b, 'failed', e.message); return; }
      log.warn('build status check failed; will look again', { error: e.message });
      this.store.builds.update(b.id, { last_error: e.message, next_check_at: e.retryAt ? new Date(e.retryAt).toISOString() : this.iso(t.poll_every) }, this.iso());
    }
  }

  private async checkGate(b: BuildRow, t: TargetConfig, log: Logger): Promise<void> {
    const gate = b.request.gate as GateRequest;
    let present = false;
    try {
      const key = JSON.stringify(gate);
      let check = this.gateChecks.get(key);
      if (!check) {
        check = packagePresent(gate);
        this.gateChecks.set(key, check);
      }
      present = await check;
    } catch (err) {
      log.warn('package gate check failed; will look again', { error: errorMessage(err) });
    }
    if (present) {
      log.info('package gate open', { package: gate.package, version: gate.version });
      this.store.builds.update(b.id, { state: 'queued', next_check_at: this.iso(), last_error: null }, this.iso());
    } else if (b.gate_deadline && b.gate_deadline <= this.iso()) {
      this.finish(b, 'failed', `${gate.package} ${gate.version} did not appear in ${gate.url} by ${b.gate_deadline}`);
    } else {
      this.store.builds.update(b.id, { next_check_at: this.iso(t.wait_for_packages?.every ?? 900_000) }, this.iso());
    }
  }

  private async dispatch(b: BuildRow, t: TargetConfig, log: Logger): Promise<void> {
    const trigger = triggerFor(t.type)!;
    // When the attempt was made: a look-up after an unanswered dispatch searches from here.
    b = this.store.builds.update(b.id, { state: 'dispatching', attempt: b.attempt + 1, tracking: { ...b.tracking, dispatch_at: this.iso() } }, this.iso());
    if (b.state !== 'dispatching') return; // cancelled since the tracker read it
    try {
      const d = await trigger.dispatch(t, b, this.ctx());
      crashPoint('build-dispatched');
      this.started(b, t, d);
      log.info('build dispatched', { attempt: b.attempt, external_id: d.external_id, url: d.url });
    } catch (err) {
      const e = err instanceof BuildError ? err : new BuildError(errorMessage(err), false);
      if (e.retryAt) {
        // Rate-limited: the attempt does not count.
        this.store.builds.update(b.id, { state: 'queued', attempt: b.attempt - 1, last_error: e.message, next_check_at: new Date(e.retryAt).toISOString() }, this.iso());
        log.warn('build dispatch rate-limited', { until: new Date(e.retryAt).toISOString() });
      } else if (e.retryable && b.attempt < b.max_attempts) {
        const next = this.iso(retryDelay(b.attempt, t.retry.base, t.retry.max));
        // A timeout or a 5xx may have reached the server: where the run can be
        // looked up, it is looked for before a new dispatch (state stays dispatching).
        this.store.builds.update(b.id, { state: trigger.recover ? 'dispatching' : 'queued', last_error: e.message, next_check_at: next }, this.iso());
        log.warn('build dispatch failed; will retry', { error: e.message, next_attempt_at: next, looks_first: !!trigger.recover });
      } else {
        this.finish(b, 'failed', e.retryable ? `${e.message} (after ${b.attempt} attempts)` : e.message);
      }
    }
  }

  /**
   * A superseded or abandoned kernel, inside the caller's transaction: builds
   * not dispatched yet end here; running ones are stopped by the tracker
   * (where the CI allows it) after the transaction commits.
   */
  cancelFor(releaseId: number, reason: string): number {
    let n = 0;
    for (const b of this.store.builds.forSet({ release_id: releaseId, event_id: 0 })) {
      if (b.state === 'waiting' || b.state === 'queued') this.cancelled(b, reason);
      else if (b.state === 'dispatching' || b.state === 'running') this.store.builds.update(b.id, { state: 'cancelling', last_error: reason, next_check_at: this.iso() }, this.iso());
      else continue;
      n += 1;
    }
    return n;
  }

  private async stopRun(b: BuildRow, t: TargetConfig, log: Logger): Promise<void> {
    const trigger = triggerFor(t.type)!;
    if (!b.external_id && !b.tracking.pid && trigger.recover) {
      // Dispatched without an answer: the run may exist all the same.
      const found = await trigger.recover(t, b, this.ctx()).catch(() => undefined);
      if (found) b = { ...b, external_id: found.external_id ?? null, tracking: found.tracking };
    }
    try {
      if (trigger.cancel) await trigger.cancel(t, b, this.ctx());
      else log.warn('this build type cannot be stopped from here: it runs on, its result is ignored', { type: t.type });
    } catch (err) {
      log.warn('build could not be cancelled: it may run on, its result is ignored', { error: errorMessage(err) });
    }
    this.cancelled(b, b.last_error ?? 'cancelled');
  }

  private cancelled(b: BuildRow, reason: string): void {
    this.store.tx(() => {
      const row = this.store.builds.update(b.id, { state: 'cancelled', next_check_at: null, finished_at: this.iso(), last_error: reason }, this.iso());
      this.emit('build.cancelled', row, reason);
      this.deps.log.info('build cancelled', { build: b.id, target: b.target, reason });
    });
  }

  private started(b: BuildRow, t: TargetConfig, d: { external_id?: string | undefined; url?: string | undefined; tracking: Record<string, unknown> }): void {
    this.store.tx(() => {
      const row = this.store.builds.update(b.id, {
        state: 'running', external_id: d.external_id ?? null, url: d.url ?? null, tracking: d.tracking, last_error: null,
        started_at: this.iso(), deadline: this.iso(t.timeout), next_check_at: this.iso(Math.min(t.poll_every, 5_000)),
      }, this.iso());
      if (row.state === 'running') this.emit('build.started', row);
    });
  }

  private finish(b: BuildRow, state: 'succeeded' | 'failed', detail: string, artifacts?: string[]): void {
    this.store.tx(() => {
      const row = this.store.builds.update(b.id, { state, url: b.url, next_check_at: null, finished_at: this.iso(), last_error: state === 'failed' ? detail : null, ...(artifacts ? { artifacts } : {}) }, this.iso());
      // Cancelled while the run was being looked at: it ended on its own, nothing is left to stop.
      if (row.state === 'cancelling') return this.cancelled(row, row.last_error ?? 'cancelled');
      if (row.state !== state) return;
      this.emit(state === 'succeeded' ? 'build.succeeded' : 'build.failed', row, detail);
      this.deps.log[state === 'succeeded' ? 'info' : 'warn'](`build ${state}`, { build: b.id, target: b.target, matrix: b.matrix, detail, url: row.url });
      this.completeIfDone(row);
    });
  }

  /** The all-or-nothing set: when every build of the kernel has ended and something new ended since the last report. */
  private completeIfDone(b: BuildRow): void {
    const set = this.store.builds.forSet(b);
    const c = completion(set);
    if (!c.done || set.every((x) => x.reported)) return;
    this.store.events.append('builds.completed', {
      ok: c.ok, builds: set.map((x) => buildRef(x, x.last_error)),
      kernel: (b.subject.kernel ?? null) as never, driver: (b.subject.driver ?? null) as never,
    }, b.release_id, this.iso());
    this.emitted = true;
    this.store.builds.markReported(set.map((x) => x.id), this.iso());
  }

  private emit(type: 'build.started' | 'build.succeeded' | 'build.failed' | 'build.cancelled', b: BuildRow, detail?: string): void {
    this.emitted = true;
    this.store.events.append(type, { build: buildRef(b, detail), kernel: (b.subject.kernel ?? null) as never, driver: (b.subject.driver ?? null) as never }, b.release_id, this.iso());
  }

  /** `build retry`: failed builds of a kernel (or one target) back in the queue, with a fresh budget of attempts. */
  retry(builds: BuildRow[]): BuildRow[] {
    return this.store.tx(() => builds.filter((b) => b.state === 'failed').map((b) => this.store.builds.update(b.id, {
      state: b.request.gate ? 'waiting' : 'queued', max_attempts: b.attempt + (this.deps.targets[b.target]?.max_attempts ?? b.max_attempts),
      next_check_at: this.iso(), finished_at: null, reported: 0, deadline: null, external_id: null, tracking: {},
      gate_deadline: b.request.gate ? this.iso(this.deps.targets[b.target]?.wait_for_packages?.within ?? 86_400_000) : null,
    }, this.iso())));
  }
}
