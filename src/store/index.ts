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

  constructor(readonly db: DB) {
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
  }

  static open(path: string): Store {
    return new Store(openDatabase(path));
  }

  /** Runs fn in one transaction (nested calls become savepoints). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
