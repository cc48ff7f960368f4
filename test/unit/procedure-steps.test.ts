import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcedureBench, WEB100_BASE } from '../helpers/procedure.js';
import { ProcedureService } from '../../src/procedure/service.js';
import { silentLogger } from '../../src/log.js';

// The decisions in the procedure service that commit something (a phase, a
// timeline line, a refusal mail): who may take a step, what is refused and
// told, what starts, what supersedes what. Each assertion is about what was
// written, so a guard that flips changes a row, not just a message.

const BASE = WEB100_BASE;
const K1 = '5.14.0-362.8.1.el9_3';
const K2 = '5.14.0-362.13.1.el9_3';

describe('procedure service: steps, refusals and starts, as committed', () => {
  let b: ProcedureBench;
  afterEach(() => b.close());

  const refusalMails = () => b.store.outbox.list().filter((m) => m.template === 'release-reply-refused').map((m) => m.recipients.join(','));

  it('a step needing a reason is refused without one (blank counts as none), noted, and told only when it came by mail', () => {
    b = ProcedureBench.testing(BASE, K1);
    for (const note of ['', '  \n ']) {
      const r = b.procedures.act(b.record(K1), 'failed', 'carol', 'cli', undefined, note);
      assert.equal(r.ok, false);
      assert.match(r.message, /"failed" needs a reason: give --note \(or --reason\)/);
    }
    assert.equal(refusalMails().length, 0, 'the shell prints the refusal: no mail');
    const byMail = b.procedures.actByReply(b.record(K1).id, 'abandon', 'alice', '<no-reason@x>', '');
    assert.match(byMail.message, /"abandon" needs a reason: write it on the lines after the word/);
    assert.deepEqual(refusalMails(), ['"Alice A" <alice@test.example>']);
    assert.equal(b.record(K1).phase, 'testing', 'nothing moved');
    const refused = b.timeline(K1).filter((s) => s.includes('refused'));
    assert.deepEqual(refused.map((s) => s.split('|').slice(0, 3).join('|')), ['failed refused|carol|cli', 'failed refused|carol|cli', 'abandon refused|alice|email']);
    // With a reason, the same steps go through.
    assert.ok(b.procedures.act(b.record(K1), 'failed', 'carol', 'cli', undefined, 'oops on boot').ok);
  });

  it('who may act: testers (or the team) test; only the team publishes; someone not in people never acts', () => {
    b = ProcedureBench.testing(BASE, K1);
    assert.match(b.procedures.act(b.record(K1), 'tested', 'mallory', 'cli').message, /mallory is not in people:/);
    assert.match(b.procedures.act(b.record(K1), 'tested', 'erin', 'cli').message, /erin is not one of the testers \(carol, dave\)/);
    assert.ok(b.procedures.act(b.record(K1), 'tested', 'alice', 'cli').ok, 'alice is on the rotation: the team may test too');
    assert.deepEqual(b.record(K1).approvals, ['alice']);
    const r = b.procedures.act(b.record(K1), 'tested', 'carol', 'cli');
    assert.ok(r.ok);
    assert.match(r.message, /tested by carol; now publishing/);
    assert.match(b.procedures.act(b.record(K1), 'published', 'carol', 'cli').message, /only the release manager, the support person or the rotation may say "published"/);
    assert.match(b.procedures.act(b.record(K1), 'published', 'bob', 'cli').message, /only the release manager/, 'no assign phase: the rotation is not the team, the person on duty is');
    assert.equal(b.record(K1).phase, 'publishing');
    assert.ok(b.procedures.act(b.record(K1), 'published', 'alice', 'cli').ok, 'alice is on duty');
    b.engine.processPending();
    assert.equal(b.record(K1).phase, 'announced');
  });

  it('without testers: anyone in people may test; the message counts approvals against the procedure', () => {
    b = ProcedureBench.testing(BASE.replace('testers: [carol, dave], approvals: 2', 'approvals: 2'), K1);
    const r = b.procedures.act(b.record(K1), 'tested', 'erin', 'cli');
    assert.ok(r.ok);
    assert.match(r.message, /tested by erin recorded \(1 of 2 approvals\)/);
    assert.equal(b.record(K1).phase, 'testing');
  });

  it('with nobody on duty and no release manager, anyone in people may publish (nobody is left unable to)', () => {
    b = new ProcedureBench(BASE);
    // The whole rotation on leave.
    for (const person of ['alice', 'bob']) b.loaded.config.rotations.support!.leave.push({ person, from: '2026-01-01', to: '2026-12-31' });
    b.kernel(K1);
    b.buildsDone(K1, true);
    assert.ok(b.procedures.act(b.record(K1), 'tested', 'carol', 'cli').ok);
    assert.ok(b.procedures.act(b.record(K1), 'tested', 'dave', 'cli').ok);
    b.engine.processPending();
    assert.equal(b.record(K1).phase, 'publishing');
    const r = b.procedures.act(b.record(K1), 'published', 'erin', 'cli');
    assert.ok(r.ok, r.message);
  });

  it('a reply already handled does nothing twice, refused or acted on', () => {
    b = ProcedureBench.testing(BASE, K1);
    const first = b.procedures.refuseReply(b.record(K1).id, 'a reason', 'carol', '<dup@x>', true);
    assert.match(first, /: a reason$/);
    assert.equal(b.procedures.refuseReply(b.record(K1).id, 'a reason', 'carol', '<dup@x>', true), 'reply <dup@x> was already handled');
    assert.equal(b.procedures.actByReply(b.record(K1).id, 'tested', 'carol', '<dup@x>', '').message, 'reply <dup@x> was already handled');
    assert.deepEqual(b.record(K1).approvals, []);
    assert.equal(b.timeline(K1).filter((s) => s.startsWith('reply refused')).length, 1);
    assert.deepEqual(refusalMails(), ['"Carol C" <carol@test.example>']);
    b.procedures.refuseReply(b.record(K1).id, 'quiet', 'carol', '<quiet@x>', false);
    b.procedures.refuseReply(b.record(K1).id, 'nobody', null, '<nobody@x>', true);
    assert.equal(refusalMails().length, 1, 'not told when tell is false or nobody is known');
    assert.equal(b.timeline(K1).filter((s) => s.startsWith('reply refused')).length, 3, 'but each is noted');
  });

  it('start: refused on any other event or an unknown procedure; a second start for the same kernel returns the first record', () => {
    b = new ProcedureBench(BASE);
    b.kernel(K1);
    const rec = b.record(K1);
    const origin = b.store.events.get(rec.event_id)!;
    assert.throws(() => b.procedures.start({ ...origin, type: 'release.phase' } as never, 'r', 'web100'), /procedure web100: starts on kernel.released or driver.released only \(rule r is on release.phase\)/);
    assert.throws(() => b.procedures.start({ ...origin, release_id: null }, 'r', 'web100'), /starts on kernel.released or driver.released only/);
    assert.throws(() => b.procedures.start(origin, 'r', 'web200'), /no procedure "web200" in procedures:/);
    const again = b.procedures.start(origin, 'r', 'web100');
    assert.equal(again.created, false);
    assert.equal(again.record.id, rec.id);
    assert.equal(again.record.phase, 'building');
    assert.equal(b.timeline(K1).filter((s) => s.startsWith('started')).length, 1);
  });

  it('only a live newer kernel supersedes: an abandoned newer one lets a late older one start', () => {
    b = new ProcedureBench(BASE);
    b.kernel(K2);
    assert.ok(b.procedures.act(b.record(K2), 'abandon', 'alice', 'cli', undefined, 'bad build').ok);
    assert.equal(b.record(K2).phase, 'abandoned');
    b.kernel(K1);
    assert.equal(b.record(K1).phase, 'building', 'the newer one is abandoned: the older starts');
    assert.equal(b.record(K2).phase, 'abandoned', 'and the abandoned one stays abandoned, not superseded');
    assert.ok(b.timeline(K1).some((s) => s.startsWith('started|-|rule|rule start')));
  });

  it('the release manager comes only from the procedure\'s own assignment, and builds end a phase only while building', () => {
    b = new ProcedureBench(BASE.replace('phases:\n', 'phases:\n      assign:  { rotation: support, mode: duty, ack_within: 1h, within: 1d }\n')
      + '  - { id: other, on: kernel.released, do: [ { assign: { rotation: support } } ] }\n');
    b.kernel(K1);
    const [procAssign, otherAssign] = b.store.assignments.forRelease(b.record(K1).release_id).sort((x, y) => x.id - y.id);
    assert.equal(procAssign!.rule_id, 'procedure:web100');
    assert.equal(otherAssign!.rule_id, 'other');
    b.assignments.act(otherAssign!, 'ack', 'alice', 'cli');
    b.engine.processPending();
    assert.equal(b.record(K1).phase, 'detected', 'another rule\'s assignment names no release manager');
    b.buildsDone(K1, true);
    assert.equal(b.record(K1).phase, 'detected', 'builds ending before the build phase move nothing');
    assert.ok(b.assignments.act(procAssign!, 'ack', 'alice', 'cli').ok);
    b.engine.processPending();
    assert.equal(b.record(K1).phase, 'building');
    assert.ok(b.timeline(K1).some((s) => /^assigned\|alice\|cli\|/.test(s)), b.timeline(K1).join('\n'));
  });

  it('mail in a procedure: each person their own copy with their token (once in the subject), lists one shared copy, cc kept or promoted, never both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kh-tpl-'));
    try {
      writeFileSync(join(dir, 'tagged.hbs'), '---\nsubject: "Please test {{kernel.version}} {{reply.tag}}"\n---\nAnswer on the first line; keep {{reply.tag}} in the subject.\n');
      b = new ProcedureBench(`templates_dir: ${dir}\n${BASE}`
        + '  - { id: both, on: release.phase, when: { to: testing }, do: [ { email: { template: tagged, to: [testers, users@test.example], cc: [list@test.example] } } ] }\n'
        + '  - { id: ccd, on: release.phase, when: { to: testing }, do: [ { email: { template: tagged, to: [testers], cc: [list@test.example] } } ] }\n');
      b.kernel(K1);
      b.buildsDone(K1, true);
      const mails = b.store.outbox.list().reverse().filter((m) => m.template === 'tagged');
      const shape = mails.map((m) => `${m.recipients.join(',')} | cc ${m.cc.join(',') || '-'}`);
      assert.deepEqual(shape, [
        'users@test.example | cc list@test.example',
        '"Carol C" <carol@test.example> | cc -',
        '"Dave D" <dave@test.example> | cc -',
        'list@test.example | cc -',
        '"Carol C" <carol@test.example> | cc -',
        '"Dave D" <dave@test.example> | cc -',
      ]);
      const carol = mails.filter((m) => m.recipients[0]!.includes('carol'));
      const tag = /\[KH-[0-9a-f]{20}\]/.exec(carol[0]!.subject)![0];
      for (const m of carol) {
        assert.equal(m.subject.split(tag).length - 1, 1, `the tag once in: ${m.subject}`);
        assert.ok(m.body.includes(tag), 'the template sees the reply token');
      }
      assert.ok(carol[1]!.subject.includes(tag), 'one token per person and record, whatever the mail');
      assert.ok(!mails[0]!.subject.includes('[KH-'), 'the shared copy carries no one\'s token');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('release.superseded names the kernel that took over; a procedure gone from the config (a reload) reminds nobody and breaks nothing', () => {
    b = new ProcedureBench(BASE);
    b.kernel(K1);
    b.kernel(K2);
    const ev = b.store.db.prepare("SELECT payload FROM events WHERE type = 'release.superseded'").pluck().get() as string;
    const by = (JSON.parse(ev) as { by: { id: number; version: string; release: number } }).by;
    assert.deepEqual(by, { id: b.record(K2).release_id, version: K2, release: b.record(K2).id });
    b.now += 10 * 24 * 3_600_000; // long past every deadline
    const c = b.loaded.config;
    const without = new ProcedureService({ store: b.store, clock: b.clock, log: silentLogger(), templates: b.loaded.templates, people: c.people,
      mail: { from: c.mail.from, domain: 'test.example' }, procedures: {}, assignments: b.assignments, builds: b.builds });
    assert.equal(without.checkDeadlines(), 0);
    assert.equal(b.store.db.prepare("SELECT COUNT(*) FROM events WHERE type = 'release.overdue'").pluck().get(), 0);
    assert.ok(b.procedures.checkDeadlines() > 0, 'with its procedure configured, the same record is overdue');
  });
});
