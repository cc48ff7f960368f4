import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BuildTracker } from '../../src/builds/tracker.js';
import { parseConfigText, type LoadedConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { sampleEvent } from '../../src/mail/context.js';
import type { TemplateSet } from '../../src/mail/templates.js';
import { AssignmentService } from '../../src/rotation/service.js';
import { RulesEngine } from '../../src/rules/engine.js';
import { ProcedureService } from '../../src/procedure/service.js';
import { Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/util.js';

describe('rules engine: each rule run is atomic', () => {
  let t: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => { t = tempDir(); store = Store.open(join(t.dir, 'db.sqlite')); });
  afterEach(() => { store.close(); t.cleanup(); });

  /** The engine over this test's store, with no rotations, builds or procedures configured. */
  function engineFor(config: LoadedConfig['config'], templates: LoadedConfig['templates']): RulesEngine {
    const env = { store, templates: templates as TemplateSet, clock: { now: () => new Date('2026-03-02T10:00:00Z') }, log: silentLogger(), people: config.people, mail: { from: 'h@example.org', domain: 'example.org' } };
    const assignments = new AssignmentService({ ...env, rotations: {} });
    const builds = new BuildTracker({ ...env, stateDir: t.dir, targets: {} });
    return new RulesEngine(config.rules, { ...env, assignments, builds, procedures: new ProcedureService({ ...env, procedures: {}, assignments, builds }) });
  }

  it('a failing action undoes its own rule\'s writes and only those; the event is processed once', () => {
    const { config, templates } = parseConfigText(`
mail: { from: "h@example.org" }
people: { alice: { name: Alice, email: alice@example.org } }
rotations: { support: { members: [alice], handoff: { start: "2026-01-05T09:00" } } }
rules:
  - { id: half, on: kernel.released, do: [ { email: { template: kernel-notice, to: [half@example.org] } }, { assign: { rotation: support } } ] }
  - { id: whole, on: kernel.released, do: [ { email: { template: kernel-notice, to: [whole@example.org] } } ] }
`, join(t.dir, 'c.yaml'));
    // The rotation is gone by the time the rule runs (a reload, an edit): the second action throws.
    const engine = engineFor(config, templates);
    const ev = sampleEvent();
    store.events.append('kernel.released', ev.payload as never, null, '2026-03-02T10:00:00Z');
    const reports = engine.processPending();
    assert.deepEqual(reports.map((r) => [r.rule, r.outcome]), [['half', 'failed'], ['whole', 'ok']]);
    assert.match(reports[0]!.error!, /no rotation "support"/);
    assert.deepEqual(store.outbox.list().map((m) => m.recipients[0]), ['whole@example.org'], 'the failed rule\'s first mail was undone with it; the other rule\'s stayed');
    assert.equal(store.assignments.list().length, 0);
    assert.equal(store.events.unprocessed().length, 0);
    assert.deepEqual(engine.processPending(), [], 'nothing runs twice');
    assert.deepEqual((store.db.prepare('SELECT rule_id, outcome FROM rule_runs ORDER BY id').all() as { rule_id: string; outcome: string }[]).map((r) => `${r.rule_id}:${r.outcome}`), ['half:failed', 'whole:ok']);
  });

  it('email outside a procedure: one message with its cc; threaded only with thread:; a role nobody holds queues nothing', () => {
    const { config, templates } = parseConfigText(`
mail: { from: "h@example.org" }
people: { alice: { name: Alice, email: alice@example.org } }
rules:
  - id: notice
    on: kernel.released
    do:
      - { email: { template: kernel-notice, to: [users@example.org, alice], cc: [list@example.org], thread: kernel } }
      - { email: { template: kernel-notice, to: [other@example.org] } }
      - { email: { template: kernel-notice, to: [release_manager] } }
`, join(t.dir, 'c.yaml'));
    const engine = engineFor(config, templates);
    const ev = sampleEvent();
    // Two events of one kernel: the second's threaded mail answers the first's; the unthreaded one answers nothing.
    store.db.prepare("INSERT INTO announcements (watcher, external_id, format, raw, received_at) VALUES ('w', 'x', 'rss', '', 'now')").run();
    store.db.prepare("INSERT INTO releases (kind, distro, distro_release, package, version, first_announcement_id, first_seen_at) VALUES ('kernel', 'ubuntu', '22.04', 'linux-image-5.15.0-91-generic', '5.15.0-91.101', 1, 'now')").run();
    store.events.append('kernel.released', ev.payload as never, 1, '2026-03-02T10:00:00Z');
    store.events.append('kernel.released', ev.payload as never, 1, '2026-03-02T10:00:00Z');
    const reports = engine.processPending();
    assert.match(reports[0]!.actions[2]!.summary, /nobody to send to \(release_manager not known yet\)/);
    const mails = store.outbox.list().reverse();
    assert.deepEqual(mails.map((m) => [m.recipients.join(' '), m.cc.join(' '), m.in_reply_to === null ? '-' : 'reply']), [
      ['"Alice" <alice@example.org> users@example.org', 'list@example.org', '-'],
      ['other@example.org', '', '-'],
      ['"Alice" <alice@example.org> users@example.org', 'list@example.org', 'reply'],
      ['other@example.org', '', '-'],
    ]);
    assert.equal(mails[2]!.in_reply_to, mails[0]!.message_id);
  });

  it('mail about events of no kernel, threaded: each event its own thread, not one thread for all of them', () => {
    const { config, templates } = parseConfigText(`
mail: { from: "h@example.org" }
rules:
  - { id: quiet, on: watcher.quiet, do: [ { email: { template: watcher-quiet, to: [ops@example.org], thread: quiet } } ] }
`, join(t.dir, 'c.yaml'));
    const engine = engineFor(config, templates);
    for (const w of ['a', 'b']) store.events.append('watcher.quiet', { watcher: w, last_new: null, quiet_for: '7d', every: '1h' } as never, null, '2026-03-02T10:00:00Z');
    assert.deepEqual(engine.processPending().map((r) => r.outcome), ['ok', 'ok']);
    assert.deepEqual(store.outbox.list().map((m) => m.in_reply_to), [null, null]);
    assert.notEqual(store.outbox.list()[0]!.thread_key, store.outbox.list()[1]!.thread_key);
  });
});
