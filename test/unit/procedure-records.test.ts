import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcedureBench, WEB100_BASE } from '../helpers/procedure.js';
import { ProcedureService } from '../../src/procedure/service.js';
import { silentLogger } from '../../src/log.js';
import { tokenTag } from '../../src/rotation/reply.js';

// What each change of a release record writes, line by line: the timeline
// (step, person, channel, detail), the release.* events and their payloads,
// the refusal mail. The other procedure tests look at phases; these pin the
// rows, so a step noted twice, under the wrong channel or not at all fails.

const BASE = WEB100_BASE;
const K1 = '5.14.0-362.8.1.el9_3';
const K2 = '5.14.0-362.13.1.el9_3';
const HOUR = 3_600_000;

describe('procedure service: what each change writes (timeline, events, refusal mail)', () => {
  let b: ProcedureBench;
  afterEach(() => b.close());

  const payloads = <T>(type: string): T[] => (b.store.db.prepare('SELECT payload FROM events WHERE type = ? ORDER BY id').pluck().all(type) as string[]).map((p) => JSON.parse(p) as T);

  it('a start and its builds are written by the rule: each phase once, no line for the start itself, the outcome of the builds', () => {
    b = new ProcedureBench(BASE);
    b.kernel(K1);
    assert.deepEqual(b.timeline(K1), ['started|-|rule|rule start', 'detected -> assigned|-|rule|', 'assigned -> building|-|rule|'],
      'events of the kernel seen while building (its phase events) move nothing and note nothing');
    b.buildsDone(K1, false);
    b.buildsDone(K1, true);
    assert.deepEqual(b.timeline(K1).slice(3), ['builds-done|-|rule|a build failed', 'builds-done|-|rule|every build succeeded', 'building -> testing|-|rule|']);
  });

  it('steps carry who, how and why into the timeline and the events; a step given no note has none', () => {
    b = ProcedureBench.testing(BASE, K1);
    assert.ok(b.procedures.act(b.record(K1), 'failed', 'carol', 'cli', undefined, 'no boot on arm').ok);
    assert.ok(b.procedures.act(b.record(K1), 'tested', 'carol', 'cli', undefined, 'fine here').ok);
    const last = b.procedures.act(b.record(K1), 'tested', 'dave', 'cli');
    assert.equal(last.record.phase, 'publishing');
    assert.deepEqual(b.timeline(K1).slice(5), ['test-failed|carol|cli|no boot on arm', 'tested|carol|cli|1 of 2 approvals', 'tested|dave|cli|', 'testing -> publishing|dave|cli|']);
    const failed = payloads<{ person: { id: string }; note: string; via: string; kernel: { version: string } }>('release.test_failed');
    assert.deepEqual(failed.map((p) => [p.person.id, p.note, p.via, p.kernel.version]), [['carol', 'no boot on arm', 'cli', K1]]);
    const tested = payloads<{ person: { id: string; name: string }; note: string; via: string }>('release.tested');
    assert.deepEqual(tested.map((p) => [p.person.id, p.person.name, p.note, p.via]), [['dave', 'Dave D', '', 'cli']]);
    // A step that needs a reason and is given no note at all is refused like a blank one.
    assert.equal(b.procedures.act(b.record(K1), 'abandon', 'alice', 'cli').ok, false);
    assert.equal(b.record(K1).phase, 'publishing');
  });

  it('a reply handled once more answers not ok, and a refused reply is noted as mail', () => {
    b = ProcedureBench.testing(BASE, K1);
    b.procedures.refuseReply(b.record(K1).id, 'not a step word', 'carol', '<r1@x>', false);
    assert.deepEqual(b.timeline(K1).at(-1), 'reply refused|carol|email|not a step word');
    const again = b.procedures.actByReply(b.record(K1).id, 'tested', 'carol', '<r1@x>', '');
    assert.equal(again.ok, false);
    assert.deepEqual(b.record(K1).approvals, []);
  });

  it('start: the error is ECONFIG; a late older kernel is created superseded by the rule; the newer one supersedes the older, its builds counted', () => {
    b = new ProcedureBench(BASE.replace('distro: rocky', 'distro: centos'));
    b.kernel(K2);
    b.kernel(K1);
    const ev = (v: string) => b.store.events.get((b.store.db.prepare("SELECT e.id FROM events e JOIN releases r ON r.id = e.release_id WHERE e.type = 'kernel.released' AND r.version = ?").pluck().get(v) as number))!;
    const isConfig = (e: unknown) => (e as { code?: string }).code === 'ECONFIG';
    assert.throws(() => b.procedures.start(ev(K1), 'start', 'web200'), isConfig);
    assert.throws(() => b.procedures.start({ ...ev(K1), type: 'release.phase' } as never, 'start', 'web100'), isConfig);
    const newer = b.procedures.start(ev(K2), 'start', 'web100');
    assert.equal(newer.created, true);
    assert.equal(newer.record.phase, 'building');
    const late = b.procedures.start(ev(K1), 'start', 'web100');
    assert.deepEqual([late.created, late.record.phase, late.record.superseded_by], [true, 'superseded', newer.record.id]);
    assert.deepEqual(b.timeline(K1), ['started|-|rule|rule start', `superseded|-|rule|by release record ${newer.record.id}`, 'detected -> superseded|-|rule|'],
      'it had no builds: none cancelled');
  });

  it('a newer kernel supersedes the older: noted by the rule, with the builds it stopped (one, or two)', () => {
    for (const [targets, count] of [['[kmod]', '1 build'], ['[kmod, kmod2]', '2 builds']] as const) {
      b = new ProcedureBench(BASE.replace('targets: [kmod]', `targets: ${targets}`));
      b.kernel(K1);
      b.kernel(K2);
      const older = b.record(K1);
      assert.deepEqual(b.timeline(K1).slice(3), [`superseded|-|rule|by release record ${b.record(K2).id}`, 'building -> superseded|-|rule|', `builds cancelled|-|rule|${count}`]);
      assert.equal(older.superseded_by, b.record(K2).id);
      b.close();
    }
    b = new ProcedureBench(BASE);
  });

  it('supersede: false: a late older kernel still starts', () => {
    b = new ProcedureBench(BASE.replace('  web100:\n', '  web100:\n    supersede: false\n'));
    b.kernel(K2);
    b.kernel(K1);
    assert.deepEqual([b.record(K1).phase, b.record(K2).phase], ['building', 'building']);
  });

  it('a kernel in two procedures: each start finds its own record', () => {
    b = new ProcedureBench(BASE.replace('rules:\n', '  web200:\n    phases:\n      publish: { within: 1d }\nrules:\n')
      + '  - { id: second, on: kernel.released, do: [ { procedure: { name: web200 } } ] }\n');
    b.kernel(K1);
    const records = b.procedures.find(K1);
    assert.deepEqual(records.map((r) => r.procedure).sort(), ['web100', 'web200']);
    const origin = b.store.events.get(records[0]!.event_id)!;
    for (const name of ['web100', 'web200']) {
      const again = b.procedures.start(origin, 'x', name);
      assert.deepEqual([again.created, again.record.procedure], [false, name]);
    }
  });

  it('builds cancelled are noted only when there were some (abandoned while waiting for a release manager)', () => {
    b = new ProcedureBench(BASE.replace('phases:\n', 'phases:\n      assign:  { rotation: support, mode: duty, ack_within: 1h, within: 1d }\n'));
    b.kernel(K1);
    assert.equal(b.record(K1).phase, 'detected');
    assert.ok(b.procedures.act(b.record(K1), 'abandon', 'alice', 'cli', undefined, 'not ours').ok);
    assert.ok(!b.timeline(K1).some((s) => s.startsWith('builds cancelled')), b.timeline(K1).join('\n'));
  });

  it('a release manager who answered by mail is noted as mail', () => {
    b = new ProcedureBench(BASE.replace('phases:\n', 'phases:\n      assign:  { rotation: support, mode: duty, ack_within: 1h, within: 1d }\n'));
    b.kernel(K1);
    const [a] = b.store.assignments.forRelease(b.record(K1).release_id);
    assert.ok(b.assignments.act(a!, 'ack', 'alice', 'email', '<ack@x>').ok);
    b.engine.processPending();
    assert.ok(b.timeline(K1).includes('assigned|alice|email|'), b.timeline(K1).join('\n'));
  });

  it('a step on a record whose procedure left the config is refused, not thrown', () => {
    b = ProcedureBench.testing(BASE, K1);
    const c = b.loaded.config;
    const without = new ProcedureService({ store: b.store, clock: b.clock, log: silentLogger(), templates: b.loaded.templates, people: c.people,
      mail: { from: c.mail.from, domain: 'test.example' }, procedures: {}, assignments: b.assignments, builds: b.builds });
    for (const [verb, person] of [['tested', 'carol'], ['published', 'alice']] as const) {
      const r = without.act(b.record(K1), verb, person, 'cli');
      assert.equal(r.ok, false);
      assert.match(r.message, /procedure "web100" is no longer configured/);
    }
    assert.equal(b.record(K1).phase, 'testing');
  });

  it('without a test phase, anyone in people may say tested after publishing began; the quorum is one', () => {
    b = new ProcedureBench(BASE.replace(/ {6}test: .*\n/, ''));
    b.kernel(K1);
    b.buildsDone(K1, true);
    assert.equal(b.record(K1).phase, 'publishing');
    const r = b.procedures.act(b.record(K1), 'tested', 'erin', 'cli');
    assert.ok(r.ok, r.message);
    assert.match(r.message, /tested by erin recorded \(1 of 1 approvals\)/);
  });

  it('a refusal by mail: to the person alone, with a token that resolves to them, the tag in the subject, a Message-ID of its own; capped per person', () => {
    b = ProcedureBench.testing(BASE, K1);
    const id = b.record(K1).id;
    for (let i = 0; i < 4; i++) b.procedures.actByReply(id, 'abandon', 'alice', `<a${i}@x>`, '');
    b.procedures.actByReply(id, 'failed', 'carol', '<c0@x>', '');
    b.procedures.refuseReply(id, 'gone from people', 'zed', '<z0@x>', true);
    const mails = b.store.outbox.list().reverse().filter((m) => m.template === 'release-reply-refused');
    assert.deepEqual(mails.map((m) => [m.recipients.join(','), m.cc.length]), [
      ['"Alice A" <alice@test.example>', 0], ['"Alice A" <alice@test.example>', 0], ['"Alice A" <alice@test.example>', 0], ['"Carol C" <carol@test.example>', 0],
    ], 'three to alice at most; carol is told all the same; someone not in people is told nothing');
    assert.equal(new Set(mails.map((m) => m.message_id)).size, 4);
    for (const m of mails) {
      const [, token] = /^<kh\.([^.>]+)\.[0-9a-f]{8}\.refused@test\.example>$/.exec(m.message_id) ?? [];
      assert.ok(token, m.message_id);
      const who = m.recipients[0]!.includes('alice') ? 'alice' : 'carol';
      assert.deepEqual(b.procedures.resolveToken(token), { recordId: id, person: who });
      assert.ok(m.subject.endsWith(` ${tokenTag(token)}`), m.subject);
      assert.match(m.subject, new RegExp(`^Your answer was not taken: rocky 9 kernel ${K1.replace(/\./g, '\\.')}`));
      assert.match(m.body, new RegExp(`Hello ${who === 'alice' ? 'Alice A' : 'Carol C'},`));
      assert.match(m.body, /needs a reason: write it on the lines after the word/);
      assert.match(m.body, new RegExp(`release record #${id}\\)`));
    }
    assert.equal(b.timeline(K1).filter((s) => s.startsWith('refusal mailed|alice|email|"abandon" needs a reason')).length, 3);
  });

  it('each kernel its own refusal token for the same person; a team template sees the token and its tag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kh-tpl-'));
    try {
      writeFileSync(join(dir, 'release-reply-refused.hbs'), '---\nsubject: "Not taken {{kernel.version}}"\n---\ntoken={{reply.token}} tag={{reply.tag}}\n');
      b = new ProcedureBench(`templates_dir: ${dir}\n${BASE.replace('  web100:\n', '  web100:\n    supersede: false\n')}`);
      b.kernel(K1);
      b.kernel(K2);
      for (const v of [K1, K2]) b.procedures.actByReply(b.record(v).id, 'abandon', 'alice', `<${v}@x>`, '');
      const mails = b.store.outbox.list().reverse().filter((m) => m.template === 'release-reply-refused');
      assert.equal(mails.length, 2);
      const tokens = mails.map((m) => /token=(\S+) tag=(\S+)/.exec(m.body)!);
      for (const [, token, tag] of tokens) assert.equal(tag, tokenTag(token!));
      assert.notEqual(tokens[0]![1], tokens[1]![1]);
      assert.deepEqual(tokens.map((t) => b.procedures.resolveToken(t[1]!)?.recordId), [b.record(K1).id, b.record(K2).id]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a late phase: the timer notes whom the reminder names, and release.overdue carries the kernel', () => {
    b = ProcedureBench.testing(BASE, K1);
    const due = b.record(K1).due_at;
    b.now += 3 * 24 * HOUR + HOUR;
    assert.equal(b.procedures.checkDeadlines(), 1);
    assert.equal(b.procedures.checkDeadlines(), 0, 'once per remind_every');
    assert.deepEqual(b.timeline(K1).at(-1), `overdue|-|timer|testing was due ${due}; reminder 1, to the release manager`);
    const [p] = payloads<{ kernel: { version: string }; release: { id: number; procedure: string }; phase: string; due: string; reminders: number; escalation: string }>('release.overdue');
    assert.deepEqual([p!.kernel.version, p!.release.id, p!.release.procedure, p!.phase, p!.due, p!.reminders, p!.escalation], [K1, b.record(K1).id, 'web100', 'testing', due, 1, 'release_manager']);
  });
});
