import { join } from 'node:path';
import { BuildTracker } from '../../src/builds/tracker.js';
import { parseConfigText, type LoadedConfig } from '../../src/config/load.js';
import type { Announcement } from '../../src/domain.js';
import { ingest } from '../../src/ingest/ingest.js';
import { silentLogger } from '../../src/log.js';
import { ProcedureService } from '../../src/procedure/service.js';
import { AssignmentService } from '../../src/rotation/service.js';
import { RulesEngine } from '../../src/rules/engine.js';
import { Store } from '../../src/store/index.js';
import { tempDir } from './util.js';

export const PROCEDURE_PEOPLE = `
people:
  alice: { name: Alice A, email: alice@test.example }
  bob:   { name: Bob B, email: bob@test.example }
  carol: { name: Carol C, email: carol@test.example }
  dave:  { name: Dave D, email: dave@test.example }
  erin:  { name: Erin E, email: erin@test.example }
rotations:
  support: { members: [alice, bob], timezone: UTC, handoff: { start: "2026-01-05T09:00", every: 1w } }
`;

/**
 * A procedure as most of these tests want it: builds (one target, a second
 * one at hand), two testers who must both approve, a publish phase, started
 * on every Rocky kernel. Tests vary it with replace() on its lines.
 */
export const WEB100_BASE = `
builds:
  kmod: { type: command, argv: ["true"] }
  kmod2: { type: command, argv: ["true"] }
procedures:
  web100:
    phases:
      build:   { targets: [kmod], within: 2d }
      test:    { testers: [carol, dave], approvals: 2, within: 3d }
      publish: { within: 1d }
rules:
  - { id: start, on: kernel.released, when: { distro: rocky }, do: [ { procedure: { name: web100 } } ] }
`;

/**
 * The rules engine with release records over a real SQLite file and a clock
 * the test moves: the procedure without any server. 2026-03-02 is a Monday;
 * alice is on duty that week.
 */
export class ProcedureBench {
  readonly tmp = tempDir();
  readonly store = Store.open(join(this.tmp.dir, 'db.sqlite'));
  now = Date.parse('2026-03-02T10:00:00Z');
  readonly clock = { now: () => new Date(this.now) };
  readonly loaded: LoadedConfig;
  readonly assignments: AssignmentService;
  readonly builds: BuildTracker;
  readonly procedures: ProcedureService;
  readonly engine: RulesEngine;
  private n = 0;

  constructor(configYaml: string) {
    this.loaded = parseConfigText(`mail: { from: "Kernel Herald <herald@test.example>" }\nstate_dir: ${this.tmp.dir}\n${PROCEDURE_PEOPLE}\n${configYaml}`, join(this.tmp.dir, 'config.yaml'));
    const c = this.loaded.config;
    const env = { store: this.store, clock: this.clock, log: silentLogger(), templates: this.loaded.templates, people: c.people, mail: { from: c.mail.from, domain: 'test.example' } };
    this.assignments = new AssignmentService({ ...env, rotations: c.rotations });
    this.builds = new BuildTracker({ ...env, stateDir: this.tmp.dir, targets: c.builds });
    this.procedures = new ProcedureService({ ...env, procedures: c.procedures, assignments: this.assignments, builds: this.builds });
    this.engine = new RulesEngine(c.rules, { ...env, assignments: this.assignments, builds: this.builds, procedures: this.procedures });
  }

  /** A new RHEL 9 kernel announced, and the rules run. */
  kernel(version: string, extra: Partial<Announcement> = {}): void {
    this.n += 1;
    const announcement: Announcement = {
      format: 'email', source: 'rocky-announce', title: `RLSA kernel ${version}`, advisory: `RLSA-2026:${1000 + this.n}`,
      cves: ['CVE-2026-0001'], urls: [`https://errata.rockylinux.org/RLSA-2026:${1000 + this.n}`],
      releases: [{ kind: 'kernel', distro: 'rocky', distro_release: '9', package: 'kernel', version, arch: ['x86_64'] }], ...extra,
    };
    ingest(this.store, { watcher: 'w', externalId: `m${this.n}`, format: 'email', raw: '', announcement, baseline: false }, this.iso());
    this.engine.processPending();
  }

  iso(): string {
    return new Date(this.now).toISOString();
  }

  record(version: string) {
    const r = this.procedures.find(version);
    if (r.length !== 1) throw new Error(`${r.length} records for ${version}`);
    return this.store.procedures.get(r[0]!.id)!;
  }

  /** A bench whose kernel `version` went through its builds: the testers have it. */
  static testing(configYaml: string, version: string): ProcedureBench {
    const b = new ProcedureBench(configYaml);
    b.kernel(version);
    b.buildsDone(version, true);
    if (b.record(version).phase !== 'testing') throw new Error(`${version} is ${b.record(version).phase}, not testing`);
    return b;
  }

  /** "step|person|via|detail" of each line of a kernel's timeline, in order. */
  timeline(version: string): string[] {
    return this.store.procedures.timeline(this.record(version).id).map((e) => `${e.step}|${e.person ?? '-'}|${e.via}|${e.detail ?? ''}`);
  }

  /** Moves the clock, runs deadlines and rules. */
  advance(ms: number): void {
    this.now += ms;
    this.assignments.checkDeadlines();
    this.procedures.checkDeadlines();
    this.engine.processPending();
  }

  /** Every builds of a kernel ended, as the tracker reports it. */
  buildsDone(version: string, ok: boolean): void {
    const rec = this.record(version);
    const builds = this.store.builds.forSet({ release_id: rec.release_id, event_id: 0 });
    this.store.tx(() => {
      for (const b of builds) this.store.builds.update(b.id, { state: ok ? 'succeeded' : 'failed', finished_at: this.iso(), next_check_at: null }, this.iso());
      const origin = this.store.events.get(rec.event_id)!;
      this.store.events.append('builds.completed', { ok, builds: [], kernel: (origin.payload as unknown as { kernel: never }).kernel, driver: null }, rec.release_id, this.iso());
    });
    this.engine.processPending();
  }

  /** "from->to" of every release.phase event, and the other release.* types, in order. */
  events(prefix = 'release.'): string[] {
    return (this.store.db.prepare('SELECT type, payload FROM events WHERE type LIKE ? ORDER BY id').all(`${prefix}%`) as { type: string; payload: string }[]).map((e) => {
      const p = JSON.parse(e.payload) as { from?: string; to?: string; kernel?: { version: string } };
      return e.type === 'release.phase' ? `${p.kernel?.version} ${p.from}->${p.to}` : `${p.kernel?.version} ${e.type}`;
    });
  }

  /** "template>recipient,recipient: subject" of every queued mail, in order. */
  mails(): string[] {
    return this.store.outbox.list().reverse().map((m) => `${m.template}>${m.recipients.map((r) => /<?([^<@\s]+)@/.exec(r)?.[1]).join(',')}`);
  }

  close(): void {
    this.store.close();
    this.tmp.cleanup();
  }
}
