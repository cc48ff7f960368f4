import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { everyMinute, systemClock, type Clock } from './clock.js';
import type { LoadedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { crashPoint } from './crash-points.js';
import { errorMessage } from './errors.js';
import type { Metrics } from './http/metrics.js';
import { nullMetrics } from './http/null-metrics.js';
import { pageRoutes } from './http/pages.js';
import { startHttp } from './http/server.js';
import type { Logger } from './log.js';
import { OutboxSchedule } from './mail/outbox-schedule.js';
import { OutboxWorker } from './mail/outbox-worker.js';
import { fileTransport, sendmailTransport, smtpTransport, type MailTransport } from './mail/transports.js';
import { readSecret } from './secrets.js';
import { RulesEngine, type RuleRunReport } from './rules/engine.js';
import { Store } from './store/index.js';
import { createWatcher } from './watchers/create.js';
import { watcherTiming } from './watchers/registry.js';
import { Monitor } from './http/monitor.js';
import type { HealthReport } from './http/health.js';
import { Scheduler } from './watchers/scheduler.js';
import type { PollOutcome, Watcher } from './watchers/types.js';
import { HeraldError } from './errors.js';
import cron, { type ScheduledTask } from 'node-cron';
import { AssignmentService } from './rotation/service.js';
import { ReplyHandler } from './rotation/replies.js';
import { BuildTracker } from './builds/tracker.js';
import { ProcedureService } from './procedure/service.js';
import { prune, type RetentionDirs } from './store/retention.js';

/** How long a stop waits for work in flight: well inside systemd's default 90 s, and the 10 s an operator expects. */
export const STOP_BUDGET_MS = 8000;
/** Entries in /feed.atom: the newest announcements; readers keep what they saw before. */
const FEED_ENTRIES = 50;

export interface DaemonOptions {
  clock?: Clock;
  log: Logger;
  /** Overrides the transport (tests, `replay --dry-run`). */
  transport?: MailTransport;
  /** Overrides the database file (`replay --dry-run` works on a copy). */
  dbPath?: string;
}

export function databasePath(config: Config): string {
  return join(config.state_dir, 'kernel-herald.sqlite');
}

/** Where the files retention prunes live: .eml files (file transport) and build logs. */
export function retentionDirs(config: Config): RetentionDirs {
  return { mail: config.mail.transport === 'file' ? (config.mail.dir ?? join(config.state_dir, 'mail')) : undefined, buildLogs: join(config.state_dir, 'builds') };
}

function domainOf(from: string): string {
  return /@([^>\s]+)/.exec(from)?.[1] ?? 'localhost';
}

export function assignmentService(loaded: LoadedConfig, store: Store, clock: Clock, log: Logger): AssignmentService {
  const c = loaded.config;
  return new AssignmentService({
    store, clock, log: log.child({ component: 'assignments' }), templates: loaded.templates,
    mail: { from: c.mail.from, domain: domainOf(c.mail.from) }, people: c.people, rotations: c.rotations,
  });
}

/** The procedure with what it drives (assignments, builds), for the CLI's manual steps. Nothing is started. */
export function procedureService(loaded: LoadedConfig, store: Store, clock: Clock, log: Logger, assignments = assignmentService(loaded, store, clock, log),
  builds = new BuildTracker({ store, clock, log: log.child({ component: 'builds' }), stateDir: loaded.config.state_dir, targets: loaded.config.builds })): ProcedureService {
  const c = loaded.config;
  return new ProcedureService({
    store, clock, log: log.child({ component: 'procedures' }), procedures: c.procedures, people: c.people, assignments, builds,
    templates: loaded.templates, mail: { from: c.mail.from, domain: domainOf(c.mail.from) },
  });
}

export function buildTransport(config: Config): MailTransport {
  const m = config.mail;
  if (m.transport === 'file') return fileTransport(m.dir ?? join(config.state_dir, 'mail'), m.from, m.reply_to);
  if (m.transport === 'sendmail') return sendmailTransport({ path: m.sendmail.path, timeoutMs: m.sendmail.timeout }, m.from, m.reply_to);
  const s = m.smtp;
  if (!s) throw new HeraldError('ECONFIG', 'mail.smtp: is required when mail.transport is smtp');
  let password: string | undefined;
  if (s.password_file) password = readSecret(s.password_file, 'mail.smtp.password_file');
  else if (s.user && process.env.CREDENTIALS_DIRECTORY && existsSync(join(process.env.CREDENTIALS_DIRECTORY, 'smtp-password'))) {
    password = readSecret(join(process.env.CREDENTIALS_DIRECTORY, 'smtp-password'), '$CREDENTIALS_DIRECTORY/smtp-password');
  }
  return smtpTransport({ host: s.host, port: s.port, secure: s.secure, starttls: s.starttls, user: s.user, password, pool: s.pool, timeoutMs: s.timeout }, m.from, m.reply_to);
}

/**
 * The wiring: store, watchers, rules, outbox, HTTP. `pollOnce` is one full
 * cycle (what `poll` runs); `start`/`stop` is the long-running daemon.
 */
export class Daemon {
  readonly store: Store;
  /** Real (prom-client) once start() serves HTTP; until then, and for one-shot commands, counting nothing. */
  metrics: Metrics = nullMetrics();
  readonly watchers: Watcher[];
  readonly assignments: AssignmentService;
  readonly builds: BuildTracker;
  readonly procedures: ProcedureService;
  private readonly engine: RulesEngine;
  private readonly monitor: Monitor;
  private deadlineTask: { stop(): void } | undefined;
  private pruneTask: ScheduledTask | undefined;
  private readonly worker: OutboxWorker;
  private readonly mail: OutboxSchedule;
  private readonly transport: MailTransport;
  private readonly clock: Clock;
  private readonly log: Logger;
  private scheduler: Scheduler | undefined;
  private server: Server | undefined;
  private stopping = false;
  private rulesRun: Promise<RuleRunReport[]> | undefined;

  constructor(private readonly loaded: LoadedConfig, opts: DaemonOptions) {
    const config = loaded.config;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log;
    this.store = Store.open(opts.dbPath ?? databasePath(config));
    try {
      this.transport = opts.transport ?? buildTransport(config);
    } catch (err) {
      this.store.close();
      throw err;
    }
    const base = { store: this.store, clock: this.clock, log: this.log };
    this.assignments = assignmentService(loaded, this.store, this.clock, this.log);
    this.builds = new BuildTracker({
      ...base, log: this.log.child({ component: 'builds' }), stateDir: config.state_dir, targets: config.builds,
      onEvents: () => {
        if (!this.stopping) this.runRules().then(() => this.mail.arm()).catch((err: unknown) => this.log.error('processing build events failed', { error: errorMessage(err) }));
      },
    });
    this.procedures = procedureService(loaded, this.store, this.clock, this.log, this.assignments, this.builds);
    const replies = new ReplyHandler(this.assignments, this.store, { people: config.people, authservId: config.mail.authserv_id }, this.log.child({ component: 'replies' }), this.procedures);
    this.watchers = config.watchers.map((w) => createWatcher(w, { ...base, replies }));
    this.engine = new RulesEngine(config.rules, {
      ...base, templates: loaded.templates, people: config.people, assignments: this.assignments, builds: this.builds, procedures: this.procedures,
      mail: { from: config.mail.from, domain: domainOf(config.mail.from) },
    }, (r) => this.metrics.ruleRuns.inc({ rule: r.rule, outcome: r.outcome }));
    this.worker = new OutboxWorker(this.store, this.transport,
      { baseMs: config.mail.retry.base, maxMs: config.mail.retry.max, maxAttempts: config.mail.retry.max_attempts },
      this.clock, this.log, (template) => this.metrics.mailsSent.inc({ template }));
    this.mail = new OutboxSchedule(this.store, this.worker, this.clock, config.mail.every, this.log);
    this.monitor = new Monitor({
      store: this.store, clock: this.clock, log: this.log, metrics: () => this.metrics, config,
      watchers: config.watchers.map((w) => ({ id: w.id, type: w.type, ...watcherTiming(w) })),
      mailFailing: () => this.worker.failing,
    });
  }

  get config(): Config {
    return this.loaded.config;
  }

  /**
   * Passed claim/ack deadlines, then rules over new events (including those a
   * `claim` from the shell left), then the outbox.
   */
  async process(): Promise<RuleRunReport[]> {
    const reports = await this.runRules();
    await this.worker.deliverDue();
    return reports;
  }

  /** Deadlines, quiet sources and rules, without waiting for delivery (which may take long against a slow server). */
  private async runRules(): Promise<RuleRunReport[]> {
    this.assignments.checkDeadlines();
    this.procedures.checkDeadlines();
    this.monitor.checkQuiet();
    // Shared: a poll, a build and the minutely check may all ask at once.
    const reports: RuleRunReport[] = [];
    do {
      this.rulesRun ??= this.engine.processPendingYielding().finally(() => { this.rulesRun = undefined; });
      reports.push(...await this.rulesRun);
      // A run joined near its end may have missed what was just recorded.
    } while (!this.stopping && this.store.events.unprocessed(1).length > 0);
    this.builds.wake();
    crashPoint('after-rules');
    return reports;
  }

  /** Kernels in publishing whose package appeared in the team's repository move on; their events are processed at once. */
  private async checkRepos(): Promise<void> {
    if (this.stopping) return;
    if (await this.procedures.checkRepos() > 0 && !this.stopping) await this.runRules();
  }

  /** The rules only, without delivering: what `replay --dry-run` shows. */
  rulesOnly(): RuleRunReport[] {
    return this.engine.processPending();
  }

  private noteOutcome(o: PollOutcome): void {
    this.metrics.polls.inc({ watcher: o.watcher, result: o.ok ? (o.notModified ? 'not_modified' : 'ok') : 'error' });
    this.metrics.announcements.inc({ watcher: o.watcher }, o.recorded);
    this.metrics.events.inc({ watcher: o.watcher }, o.events);
    if (o.recorded > 0 && this.store.db.open) this.store.watchers.noteNew(o.watcher, this.clock.now().toISOString());
  }

  private async afterPoll(o: PollOutcome): Promise<void> {
    if (this.stopping) return;
    this.noteOutcome(o);
    // A 304 read nothing, so nothing new can be waiting: an idle daemon then
    // costs its requests and no more. Work queued by other processes (the CLI)
    // is picked up by the minutely check and the outbox's own interval.
    if (o.notModified) return;
    // Rules now; delivery in the background, so a slow mail server never holds up a watcher.
    await this.runRules();
    this.mail.arm();
  }

  /** One cycle of the named (or all) watchers, processed fully. */
  async pollOnce(ids: string[] = []): Promise<PollOutcome[]> {
    const unknown = ids.filter((id) => !this.watchers.some((w) => w.id === id));
    if (unknown.length) throw new HeraldError('EUSAGE', `unknown watcher${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (configured: ${this.watchers.map((w) => w.id).join(', ') || 'none'})`);
    const chosen = ids.length ? this.watchers.filter((w) => ids.includes(w.id)) : this.watchers;
    // Concurrently: one slow or failing watcher does not hold up the others.
    const outcomes = await Promise.all(chosen.map((w) => w.poll()));
    for (const o of outcomes) this.noteOutcome(o);
    await this.runRules();
    await this.checkRepos();
    await this.process();
    return outcomes;
  }

  async start(opts: { reload?: boolean } = {}): Promise<void> {
    const http = this.config.http;
    if (http !== 'off') {
      this.metrics = new (await import('./http/metrics.js')).Metrics();
      const published = this.loaded.templates.published();
      const route = pageRoutes({
        rotations: this.config.rotations, people: this.config.people, clock: this.clock,
        from: this.config.mail.from, announcements: () => this.store.outbox.sentWith(published, FEED_ENTRIES),
        store: this.store, watchers: this.watchers.map((w) => ({ id: w.id, type: this.config.watchers.find((c) => c.id === w.id)?.type ?? '' })),
      });
      const pages = { route, token: http.token_file ? readSecret(http.token_file, 'http.token_file') : undefined };
      this.server = await startHttp(http.listen, this.metrics, () => this.monitor.health(), () => this.monitor.refreshGauges(), this.log, pages);
    }
    // Whatever a previous run left: events are processed first; its mail goes
    // out as soon as the outbox timer fires, without holding up the watchers.
    await this.runRules();
    this.scheduler = new Scheduler(this.watchers, this.store, this.clock, this.log, (o) => this.afterPoll(o));
    this.scheduler.start();
    this.builds.start();
    this.mail.arm();
    // Deadlines are minutes to days: a check each minute is on time, and survives
    // restarts because the deadlines live in the database, not in timers.
    this.deadlineTask = everyMinute(() => {
      if (this.stopping) return;
      this.runRules().then(() => this.checkRepos()).then(() => this.mail.arm()).catch((err: unknown) => this.log.error('deadline check failed', { error: errorMessage(err) }));
    });
    void this.checkRepos().then(() => this.mail.arm()).catch((err: unknown) => this.log.error('publish check failed', { error: errorMessage(err) }));
    // Daily, at a quiet hour, and once now: what retention allows to go, goes.
    this.pruneTask = cron.schedule('23 4 * * *', () => this.prune(), { name: 'retention' });
    this.prune();
    this.log[opts.reload ? 'debug' : 'info']('started', { config: this.loaded.origin, watchers: this.watchers.map((w) => w.id), rules: this.config.rules.map((r) => r.id), state_dir: this.config.state_dir });
  }

  /** The retention prune; a failure is logged and tried again the next day. */
  prune(): void {
    if (this.stopping) return;
    const r = this.config.retention;
    try {
      const report = prune(this.store, { rawMs: r.raw, mailMs: r.mail, buildLogsMs: r.build_logs }, retentionDirs(this.config), this.clock.now());
      if (Object.values(report).some((n) => n > 0)) this.log.info('retention: pruned', { ...report });
    } catch (err) {
      this.log.error('retention prune failed', { error: errorMessage(err) });
    }
  }

  health(): HealthReport {
    return this.monitor.health();
  }

  /**
   * SIGTERM: stop polling and sending, let what is in flight finish (one
   * message, the polls under way), close. Bounded: systemd's stop timeout
   * must never kill us mid-send, so after STOP_BUDGET_MS whatever is still
   * running is left; it is all in SQLite and goes on at the next start.
   */
  async stop(opts: { reload?: boolean } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.mail.stop();
    this.deadlineTask?.stop();
    await this.pruneTask?.destroy();
    const work = Promise.allSettled([
      this.builds.stop({ keepRunning: !!opts.reload }),
      this.scheduler?.stop(),
      this.worker.stop(),
    ]);
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([work.then(() => true), new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), STOP_BUDGET_MS); })]);
    clearTimeout(timer);
    if (!finished) this.log.warn('stopping: work still under way was left for the next start', { after_ms: STOP_BUDGET_MS });
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.transport.close();
    this.store.close();
    // `poll` and `replay` never started the service: nothing to say for them.
    if (!this.scheduler) return;
    if (opts.reload) this.log.debug('stopped for reload');
    else this.log.info('stopped');
  }
}
