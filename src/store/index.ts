import { openDatabase, type DB } from './db.js';
import { WatcherStore } from './watchers.js';
import { AnnouncementStore } from './announcements.js';
import { ReleaseStore } from './releases.js';
import { EventStore } from './events.js';
import { RuleRunStore } from './rule-runs.js';
import { OutboxStore } from './outbox.js';
import { ThreadStore } from './threads.js';
import { AssignmentStore } from './assignments.js';
import { BuildStore } from './builds.js';
import { SecretStore } from './secrets.js';
import { ProcedureStore } from './procedures.js';

/** One handle on the database, one module per table group. */
export class Store {
  readonly watchers: WatcherStore;
  readonly announcements: AnnouncementStore;
  readonly releases: ReleaseStore;
  readonly events: EventStore;
  readonly ruleRuns: RuleRunStore;
  readonly outbox: OutboxStore;
  readonly threads: ThreadStore;
  readonly assignments: AssignmentStore;
  readonly builds: BuildStore;
  readonly secrets: SecretStore;
  readonly procedures: ProcedureStore;
  // better-sqlite3 builds four wrapped functions for each db.transaction(fn):
  // one wrapper, made once, that runs whatever it is handed.
  private readonly inTransaction: (fn: () => unknown) => unknown;

  constructor(readonly db: DB) {
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
    this.watchers = new WatcherStore(db);
    this.announcements = new AnnouncementStore(db);
    this.releases = new ReleaseStore(db);
    this.events = new EventStore(db);
    this.ruleRuns = new RuleRunStore(db);
    this.outbox = new OutboxStore(db);
    this.threads = new ThreadStore(db);
    this.assignments = new AssignmentStore(db);
    this.builds = new BuildStore(db);
    this.secrets = new SecretStore(db);
    this.procedures = new ProcedureStore(db);
  }

  static open(path: string): Store {
    return new Store(openDatabase(path));
  }

  /** Changes when another connection (a CLI command) commits; this connection's own writes leave it as it is. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Runs fn in one transaction (nested calls become savepoints). */
  tx<T>(fn: () => T): T {
    return this.inTransaction(fn) as T;
  }

  /** Undefined when a write goes through; else why not (read-only file system, disk full, locked). */
  writeProblem(at: string): string | undefined {
    // A health check must answer at once, not wait out the usual busy timeout.
    const usual = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 200');
    try {
      this.db.prepare('INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at').run(at);
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    } finally {
      if (this.db.open) this.db.pragma(`busy_timeout = ${Number(usual)}`);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
