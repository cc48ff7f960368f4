import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelReleasedPayload } from '../../src/domain.js';
import { ingest } from '../../src/ingest/ingest.js';
import { placeInStream } from '../../src/ingest/stream.js';
import { silentLogger } from '../../src/log.js';
import { TemplateSet } from '../../src/mail/templates.js';
import { AssignmentService } from '../../src/rotation/service.js';
import { BuildTracker } from '../../src/builds/tracker.js';
import { RulesEngine } from '../../src/rules/engine.js';
import { ProcedureService } from '../../src/procedure/service.js';
import { parseDocument } from '../../src/sources/parse-document.js';
import { MIGRATIONS_DIR, openDatabase } from '../../src/store/db.js';
import { Store } from '../../src/store/index.js';
import { parseConfigText } from '../../src/config/load.js';
import { fixture, tempDir } from '../helpers/util.js';

/** The real USN-6548-1 mail, renumbered to another upload of the 22.04 kernel. */
async function usnMail(version: string, n: number) {
  const [abi] = version.split('.', 3).join('.').split(/\.(?=\d+$)/);
  const text = fixture('ubuntu-usn/USN-6548-1.eml')
    .replaceAll('5.15.0-91.101', version).replaceAll('5.15.0-91-', `${abi}-`).replaceAll('USN-6548-1', `USN-${n}-1`);
  return parseDocument(text);
}

function rhel(version: string) {
  return {
    format: 'email' as const, source: 'test', title: `kernel ${version}`, advisory: null, cves: [], urls: [],
    releases: [{ kind: 'kernel' as const, distro: 'rhel', distro_release: '8', package: 'kernel', version, arch: ['x86_64'] }],
  };
}

describe('ingest: previous_version, abi_changed, newest (replayed out of order)', () => {
  let t: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => { t = tempDir(); store = Store.open(join(t.dir, 'db.sqlite')); });
  afterEach(() => { store.close(); t.cleanup(); });

  function facts(eventIds: number[]) {
    return eventIds.map((id) => {
      const p = JSON.parse(store.db.prepare('SELECT payload FROM events WHERE id = ?').pluck().get(id) as string) as KernelReleasedPayload;
      return { package: p.kernel.package, version: p.kernel.version, abi: p.kernel.abi, previous: p.kernel.previous_version, abi_changed: p.kernel.abi_changed, newest: p.kernel.newest };
    }).filter((f) => f.package.endsWith('-generic'));
  }

  it('Ubuntu 22.04 generic: uploads arrive late and twice, a respin keeps its ABI', async () => {
    const order = ['5.15.0-91.101', '5.15.0-92.102', '5.15.0-89.99', '5.15.0-91.102'];
    const got = [];
    for (const [i, v] of order.entries()) {
      const r = ingest(store, { watcher: 'mail', externalId: `m${i}`, format: 'email', raw: '', announcement: await usnMail(v, 7000 + i), baseline: false }, `2026-01-0${i + 1}T00:00:00Z`);
      got.push(...facts(r.events));
    }
    assert.deepEqual(got.map(({ package: _p, ...f }) => f), [
      { version: '5.15.0-91.101', abi: '5.15.0-91', previous: null, abi_changed: true, newest: true },
      { version: '5.15.0-92.102', abi: '5.15.0-92', previous: '5.15.0-91.101', abi_changed: true, newest: true },
      { version: '5.15.0-89.99', abi: '5.15.0-89', previous: null, abi_changed: true, newest: false },
      { version: '5.15.0-91.102', abi: '5.15.0-91', previous: '5.15.0-91.101', abi_changed: false, newest: false },
    ]);
  });

  it('the stream head gives the same answer as a scan of the whole stream, in any order, with baselines, repeats and a version that does not parse', () => {
    // 80 z-stream kernels of four minor releases, mostly in order as they come out, with a fixed pseudo-random
    // set of them swapped or arriving late (no flakes), some twice, some as baseline, one that does not parse.
    let seed = 7;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const order = [305, 348, 372, 425].flatMap((minor) => Array.from({ length: 20 }, (_, z) => `4.18.0-${minor}.${z + 1}.1.el8_${minor === 305 ? 4 : minor === 348 ? 5 : minor === 372 ? 6 : 7}`));
    for (let i = 0; i + 1 < order.length; i++) if (rand() < 0.2) [order[i], order[i + 1]] = [order[i + 1]!, order[i]!];
    for (let n = 0; n < 6; n++) order.splice(Math.floor(rand() * order.length), 0, ...order.splice(Math.floor(rand() * 40), 1));
    order.splice(40, 0, 'kernel-not-a-version', order[10]!, order[30]!);
    let scans = 0;
    for (const [i, v] of order.entries()) {
      const baseline = i < 12 || i % 9 === 0;
      const r = ingest(store, { watcher: 'w', externalId: `x${i}`, format: 'email', raw: '', announcement: rhel(v), baseline }, `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`);
      const [rel] = r.releases;
      if (!rel!.created || baseline) { assert.equal(r.events.length, 0, v); continue; }
      const row = store.releases.get(rel!.id)!;
      const want = placeInStream('rhel', { version: v, abi: row.abi, release_id: rel!.id }, store.releases.streamVersions('kernel', row.stream!, rel!.id));
      scans += 1;
      const p = JSON.parse(store.db.prepare('SELECT payload FROM events WHERE id = ?').pluck().get(r.events[0]) as string) as KernelReleasedPayload;
      assert.deepEqual([p.kernel.previous_version, p.kernel.abi_changed, p.kernel.newest], [want.previous_version, want.abi_changed, want.newest], `${i}: ${v}`);
      const head = store.releases.streamHead('kernel', row.stream!);
      assert.equal(head?.version, want.head?.version, `the head after ${v}`);
    }
    assert.ok(scans > 60);
  });

  it('RHEL 8: a z-stream keeps the kABI, a new minor release changes it', () => {
    const got = ['4.18.0-513.5.1.el8_9', '4.18.0-553.el8_10', '4.18.0-513.9.1.el8_9'].map((v, i) => {
      const r = ingest(store, { watcher: 'w', externalId: v, format: 'email', raw: '', announcement: rhel(v), baseline: false }, `2026-01-0${i + 1}T00:00:00Z`);
      const p = JSON.parse(store.db.prepare('SELECT payload FROM events WHERE id = ?').pluck().get(r.events[0]) as string) as KernelReleasedPayload;
      return [p.kernel.version, p.kernel.previous_version, p.kernel.abi_changed, p.kernel.newest];
    });
    assert.deepEqual(got, [
      ['4.18.0-513.5.1.el8_9', null, true, true],
      ['4.18.0-553.el8_10', '4.18.0-513.5.1.el8_9', true, true],
      ['4.18.0-513.9.1.el8_9', '4.18.0-513.5.1.el8_9', false, false],
    ]);
  });

  it('RHEL 8: GA kernels of two minor releases (both tagged el8) differ; a later z-stream of 8.6 tagged el8_6 does not', () => {
    const got = ['4.18.0-305.el8', '4.18.0-348.el8', '4.18.0-372.9.1.el8', '4.18.0-372.13.1.el8_6'].map((v, i) => {
      const r = ingest(store, { watcher: 'w', externalId: v, format: 'email', raw: '', announcement: rhel(v), baseline: false }, `2026-01-0${i + 1}T00:00:00Z`);
      const p = JSON.parse(store.db.prepare('SELECT payload FROM events WHERE id = ?').pluck().get(r.events[0]) as string) as KernelReleasedPayload;
      return p.kernel.abi_changed;
    });
    assert.deepEqual(got, [true, true, true, false]);
  });

  it('Ubuntu 22.04: a GA update is still the newest of its line when an HWE kernel is known', () => {
    const ubuntu = (version: string, pkg: string) => ({
      format: 'email' as const, source: 'test', title: `linux ${version}`, advisory: null, cves: [], urls: [],
      releases: [{ kind: 'kernel' as const, distro: 'ubuntu', distro_release: '22.04', package: pkg, version, arch: ['amd64'], flavour: 'generic' }],
    });
    const got = [['5.15.0-91.101', 'linux-image-5.15.0-91-generic'], ['6.5.0-14.14~22.04.1', 'linux-image-6.5.0-14-generic'], ['5.15.0-92.102', 'linux-image-5.15.0-92-generic']].map(([v, pkg], i) => {
      const r = ingest(store, { watcher: 'w', externalId: v!, format: 'email', raw: '', announcement: ubuntu(v!, pkg!), baseline: false }, `2026-01-0${i + 1}T00:00:00Z`);
      const p = JSON.parse(store.db.prepare('SELECT payload FROM events WHERE id = ?').pluck().get(r.events[0]) as string) as KernelReleasedPayload;
      return [p.kernel.version, p.kernel.previous_version, p.kernel.abi_changed, p.kernel.newest];
    });
    assert.deepEqual(got, [
      ['5.15.0-91.101', null, true, true],
      ['6.5.0-14.14~22.04.1', null, true, true],
      ['5.15.0-92.102', '5.15.0-91.101', true, true],
    ]);
  });

  it('rules: abi_changed: true fires for an ABI bump, not for a same-ABI respin; newest: true skips late kernels', async () => {
    const { config, templates } = parseConfigText(`
mail: { from: "h@example.org" }
rules:
  - id: rebuild
    on: kernel.released
    when: { distro: ubuntu, distro_release: "22.04", flavour: generic, abi_changed: true, newest: true }
    do: [ { email: { template: kernel-notice, to: [u@example.org] } } ]
  - id: range
    on: kernel.released
    when: { distro: ubuntu, flavour: generic, version: [">= 5.15.0-91", "< 5.15.0-92"] }
    do: [ { email: { template: kernel-notice, to: [r@example.org] } } ]
`, join(t.dir, 'c.yaml'));
    const env = { store, templates: templates as TemplateSet, clock: { now: () => new Date() }, log: silentLogger(), people: {}, mail: { from: 'h@example.org', domain: 'example.org' } };
    const assignments = new AssignmentService({ ...env, rotations: {} });
    const builds = new BuildTracker({ ...env, stateDir: t.dir, targets: {} });
    const engine = new RulesEngine(config.rules, { ...env, assignments, builds, procedures: new ProcedureService({ ...env, procedures: {}, assignments, builds }) });
    const fired: string[] = [];
    for (const [i, v] of ['5.15.0-90.100', '5.15.0-91.101', '5.15.0-91.102', '5.15.0-92.103', '5.15.0-89.99'].entries()) {
      ingest(store, { watcher: 'mail', externalId: `m${i}`, format: 'email', raw: '', announcement: await usnMail(v, 8000 + i), baseline: false }, 'now');
      for (const r of engine.processPending()) fired.push(`${r.rule}:${store.outbox.list().find((m) => m.rule_run_id !== null && m.subject.includes('generic'))!.subject.split(' ')[2]}`);
    }
    const subjects = (rule: string) => store.outbox.list().filter((m) => m.recipients[0] === (rule === 'rebuild' ? 'u@example.org' : 'r@example.org')).map((m) => m.subject.split(' ')[2]).reverse();
    assert.deepEqual(subjects('rebuild'), ['5.15.0-90.100', '5.15.0-91.101', '5.15.0-92.103'], 'not the 91.102 respin, not the late 89');
    assert.deepEqual(subjects('range'), ['5.15.0-91.101', '5.15.0-91.102']);
    assert.ok(fired.length > 0);
  });

  it('migration 0002 fills the stream of releases recorded before it; 0008 recomputes streams and ABI keys by the kernel line', () => {
    const old = join(t.dir, 'old-migrations');
    mkdirSync(old);
    copyFileSync(join(MIGRATIONS_DIR, '0001_initial.sql'), join(old, '0001_initial.sql'));
    const db = openDatabase(join(t.dir, 'old.sqlite'), { migrationsDir: old });
    db.prepare(`INSERT INTO announcements (watcher, external_id, format, raw, received_at) VALUES ('w', 'x', 'rss', '', 'now')`).run();
    db.prepare(`INSERT INTO releases (kind, distro, distro_release, package, version, flavour, first_announcement_id, first_seen_at)
      VALUES ('kernel', 'ubuntu', '22.04', 'linux-image-5.15.0-91-generic', '5.15.0-91.101', 'generic', 1, 'now'),
             ('kernel', 'rhel', '8', 'kernel', '4.18.0-513.5.1.el8_9', NULL, 1, 'now')`).run();
    db.close();
    const upgraded = openDatabase(join(t.dir, 'old.sqlite'));
    assert.deepEqual(upgraded.prepare('SELECT stream, abi FROM releases ORDER BY id').raw().all(), [
      ['ubuntu/22.04/linux-image-5.15-generic/generic', '5.15.0-91'],
      ['rhel/8/kernel/', '4.18.0-513.el8'],
    ]);
    upgraded.close();
  });
});
