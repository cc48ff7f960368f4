import assert from 'node:assert/strict';
import { silentLogger } from '../../src/log.js';
import { ReplyHandler } from '../../src/rotation/replies.js';
import { buildRef } from '../../src/builds/tracker.js';
import type { MailInput } from '../../src/sources/source.js';
import { ProcedureBench } from '../helpers/procedure.js';
import { ingest } from '../../src/ingest/ingest.js';

const HOUR = 3_600_000;

const WEB100 = `
builds:
  kmod: { type: command, argv: ["true"] }
procedures:
  web100:
    phases:
      assign:  { rotation: support, mode: duty, ack_within: 1h, within: 1d }
      build:   { targets: [kmod], within: 2d }
      test:    { testers: [carol, dave], approvals: 2, within: 3d, checklist: ["install the RPMs", "reboot"] }
      publish: { within: 1d }
    remind_every: 1d
    escalate_after: 1
rules:
  - id: start
    on: kernel.released
    when: { distro: rocky }
    do:
      - procedure: { name: web100 }
      - email: { template: kernel-notice, to: [users@test.example], thread: kernel }
  - { id: testers, on: release.phase, when: { to: testing }, do: [ { email: { template: kernel-notice, to: [testers], thread: kernel } } ] }
  - { id: late, on: release.overdue, do: [ { email: { template: kernel-notice, to: [release_manager], cc: [escalation] } } ] }
  - { id: announce, on: release.phase, when: { to: announced }, do: [ { email: { template: kernel-notice, to: [users@test.example], thread: kernel } } ] }
`;

const K1 = '5.14.0-362.8.1.el9_3';
const K2 = '5.14.0-362.13.1.el9_3';

describe('procedure: release records through the rules engine (real SQLite, a test clock)', () => {
  let b: ProcedureBench;
  afterEach(() => b.close());

  it('runs the whole procedure: release manager, builds, two testers, publish, announced; each step by the people allowed to take it', () => {
    b = new ProcedureBench(WEB100);
    b.kernel(K1);
    let rec = b.record(K1);
    assert.equal(rec.phase, 'detected');
    assert.ok(rec.due_at === null, 'detected is not a phase of its own: no deadline until the machine moves');
    const a = b.store.assignments.forRelease(rec.release_id)[0]!;
    assert.equal(a.person, 'alice', 'the procedure asked the person on duty');
    assert.equal(a.rule_id, 'procedure:web100');

    b.assignments.act(a, 'ack', 'alice', 'cli');
    b.engine.processPending();
    rec = b.record(K1);
    assert.equal(rec.phase, 'building');
    assert.equal(rec.due_at, new Date(b.now + 2 * 24 * HOUR).toISOString(), 'the build phase\'s within');
    assert.deepEqual(b.store.builds.forSet({ release_id: rec.release_id, event_id: 0 }).map((x) => `${x.target}:${x.state}:${x.rule_id}`), ['kmod:queued:procedure:web100']);

    b.buildsDone(K1, true);
    rec = b.record(K1);
    assert.equal(rec.phase, 'testing');
    const testerMails = b.store.outbox.list().filter((m) => m.rule_run_id !== null && /carol|dave/.test(m.recipients.join()));
    assert.equal(testerMails.length, 2, 'one copy per tester');
    assert.notEqual(/\[KH-([0-9a-f]{20})\]/.exec(testerMails[0]!.subject)?.[1], /\[KH-([0-9a-f]{20})\]/.exec(testerMails[1]!.subject)?.[1], 'each with its own token');

    assert.equal(b.procedures.act(rec, 'tested', 'erin', 'cli').ok, false, 'erin is not a tester');
    const one = b.procedures.act(rec, 'tested', 'carol', 'cli', undefined, 'boots fine');
    assert.ok(one.ok);
    assert.match(one.message, /1 of 2 approvals/);
    assert.equal(b.procedures.act(b.record(K1), 'tested', 'carol', 'cli').ok, false, 'the same tester twice counts once');
    assert.ok(b.procedures.act(b.record(K1), 'tested', 'dave', 'cli').ok);
    b.engine.processPending();
    assert.equal(b.record(K1).phase, 'publishing');
    assert.match(b.procedures.act(b.record(K1), 'published', 'erin', 'cli').message, /only the release manager/);
    assert.ok(b.procedures.act(b.record(K1), 'published', 'alice', 'cli').ok);
    b.engine.processPending();
    assert.equal(b.record(K1).phase, 'announced');
    assert.deepEqual(b.events(), [
      `${K1} detected->assigned`, `${K1} assigned->building`, `${K1} building->testing`,
      `${K1} release.tested`, `${K1} testing->publishing`, `${K1} release.published`, `${K1} publishing->announced`,
    ]);
    assert.deepEqual(b.mails().filter((m) => m.startsWith('kernel-notice')), ['kernel-notice>users', 'kernel-notice>carol', 'kernel-notice>dave', 'kernel-notice>users']);
    const steps = b.store.procedures.timeline(rec.id).map((e) => e.step);
    assert.ok(steps.includes('tested refused') && steps.includes('published refused'), 'refusals are in the timeline');
  });

  it('every release event carries the kernel\'s context: advisory, CVEs, URLs, the release', () => {
    b = new ProcedureBench(WEB100);
    b.kernel(K1);
    const a = b.store.assignments.forRelease(b.record(K1).release_id)[0]!;
    b.assignments.act(a, 'ack', 'alice', 'cli');
    b.engine.processPending();
    const p = JSON.parse(b.store.db.prepare("SELECT payload FROM events WHERE type = 'release.phase' ORDER BY id LIMIT 1").pluck().get() as string);
    assert.equal(p.kernel.version, K1);
    assert.equal(p.advisory, 'RLSA-2026:1001');
    assert.deepEqual(p.cves, ['CVE-2026-0001']);
    assert.equal(p.release.procedure, 'web100');
    assert.equal(p.release.phase, 'building', 'the record as it stands when the event is processed');
  });

  it('a newer kernel of the stream supersedes the older (its builds cancelled); a late older one never starts', () => {
    b = new ProcedureBench(WEB100.replace(/ *assign: .*\n/, ''));
    b.kernel(K1);
    assert.equal(b.record(K1).phase, 'building');
    b.kernel(K2);
    assert.equal(b.record(K1).phase, 'superseded');
    assert.equal(b.record(K1).superseded_by, b.record(K2).id);
    assert.equal(b.record(K2).phase, 'building');
    const old = b.store.builds.forSet({ release_id: b.record(K1).release_id, event_id: 0 });
    assert.deepEqual(old.map((x) => x.state), ['cancelled']);
    assert.deepEqual(b.events('build.cancelled').length, 1);
    b.kernel('5.14.0-362.10.1.el9_3');
    assert.equal(b.record('5.14.0-362.10.1.el9_3').phase, 'superseded', 'late: already overtaken');
    assert.equal(b.store.builds.forSet({ release_id: b.record('5.14.0-362.10.1.el9_3').release_id, event_id: 0 }).length, 0, 'and nothing was built for it');
    assert.equal(b.record(K2).phase, 'building', 'the newest is untouched');
    assert.ok(b.events().includes(`${K1} release.superseded`));
  });

  it('supersede: false keeps both going', () => {
    b = new ProcedureBench(WEB100.replace(/ *assign: .*\n/, '').replace('escalate_after: 1', 'escalate_after: 1\n    supersede: false'));
    b.kernel(K1);
    b.kernel(K2);
    assert.deepEqual([b.record(K1).phase, b.record(K2).phase], ['building', 'building']);
  });

  it('a late phase is reminded once a day, naming the release manager, then the support person, then the rotation', () => {
    b = new ProcedureBench(WEB100);
    b.kernel(K1);
    const a = b.store.assignments.forRelease(b.record(K1).release_id)[0]!;
    b.assignments.act(a, 'ack', 'bob', 'cli');
    b.assignments.act(b.store.assignments.get(a.id)!, 'claim', 'bob', 'cli');
    b.engine.processPending();
    assert.equal(b.record(K1).phase, 'building');
    b.advance(2 * 24 * HOUR - 1000);
    assert.equal(b.events('release.overdue').length, 0);
    b.advance(1000);
    b.advance(HOUR);
    assert.equal(b.events('release.overdue').length, 1, 'once per remind_every, not per check');
    b.advance(24 * HOUR);
    b.advance(24 * HOUR);
    const reminders = (b.store.db.prepare("SELECT payload FROM events WHERE type = 'release.overdue' ORDER BY id").pluck().all() as string[]).map((p) => JSON.parse(p) as { reminders: number; escalation: string });
    assert.deepEqual(reminders.map((r) => `${r.reminders}:${r.escalation}`), ['1:release_manager', '2:support_person', '3:rotation']);
    const late = b.store.outbox.list().filter((m) => m.rule_run_id !== null && m.event_id !== null && b.store.events.get(m.event_id)!.type === 'release.overdue').reverse();
    assert.deepEqual(late.map((m) => m.recipients.map((r) => /<([^@]+)@/.exec(r)![1]).join()), ['bob', 'bob', 'alice', 'bob', 'alice'], 'bob (release manager) each time; alice (on duty) from the second; the rotation (alice, bob: each once) the third');
  });

  it('build-failed: rendered from a real build.failed event, to the release manager in their own copy', () => {
    b = new ProcedureBench(WEB100.replace('rules:', `rules:
  - { id: failed, on: build.failed, do: [ { email: { template: build-failed, to: [release_manager] } } ] }`));
    b.kernel(K1);
    const a = b.store.assignments.forRelease(b.record(K1).release_id)[0]!;
    b.assignments.act(a, 'ack', 'alice', 'cli');
    b.engine.processPending();
    const build = b.store.builds.forSet({ release_id: b.record(K1).release_id, event_id: 0 })[0]!;
    b.store.tx(() => {
      const row = b.store.builds.update(build.id, { state: 'failed', attempt: 2, last_error: 'exit status 2', url: '/var/lib/kernel-herald/builds/build-1-attempt-2.log' }, b.iso());
      b.store.events.append('build.failed', { build: buildRef(row, row.last_error), kernel: (build.subject.kernel ?? null) as never, driver: null }, row.release_id, b.iso());
    });
    b.engine.processPending();
    const mail = b.store.outbox.list().find((m) => m.template === 'build-failed')!;
    assert.deepEqual(mail.recipients, ['"Alice A" <alice@test.example>']);
    assert.match(mail.subject, new RegExp(`^Build failed: kmod for rocky 9 kernel ${K1.replaceAll('.', '\\.')} \\[KH-[0-9a-f]{20}\\]$`));
    assert.match(mail.body, /failed after 2 attempts:\n\n {2}exit status 2\n\n {2}\/var\/lib\/kernel-herald\/builds\/build-1-attempt-2\.log/);
    assert.match(mail.body, new RegExp(`kernel-herald build retry ${K1.replaceAll('.', '\\.')}`));
    assert.equal(b.record(K1).phase, 'building', 'a failed build keeps the kernel in building');
  });

  it('a driver goes through a procedure too (a new MLNX_OFED LTS release for the SRU), and a newer one of its branch supersedes it', () => {
    b = new ProcedureBench(`
procedures:
  sru: { phases: { test: { testers: [carol], approvals: 1 }, publish: {} } }
rules:
  - { id: mofed, on: driver.released, when: { vendor: mellanox }, do: [ { procedure: { name: sru } } ] }
  - { id: text, on: release.phase, when: { to: testing }, do: [ { email: { template: sru-bug, to: [testers] } } ] }
`);
    const driver = (version: string, n: number) => {
      ingest(b.store, { watcher: 'mofed', externalId: `d${n}`, format: 'xml', raw: '', baseline: false, announcement: {
        format: 'xml', source: 'repo', title: `mlnx-ofed-kernel-dkms ${version}`, advisory: null, cves: [], urls: ['https://linux.mellanox.com/public/repo/mlnx_ofed/'],
        releases: [{ kind: 'driver', distro: 'mellanox', distro_release: '24.10', package: 'mlnx-ofed-kernel-dkms', version, arch: ['amd64'] }],
      } }, b.iso());
      b.engine.processPending();
    };
    driver('24.10.OFED.24.10.1.1.4.1-1', 1);
    assert.equal(b.record('24.10.OFED.24.10.1.1.4.1-1').phase, 'testing');
    const sru = b.store.outbox.list().find((m) => m.template === 'sru-bug')!;
    assert.match(sru.subject, /^\[SRU\] mlnx-ofed-kernel-dkms 24\.10\.OFED\.24\.10\.1\.1\.4\.1-1 for the supported LTS releases/);
    assert.match(sru.body, /\[Impact\][\s\S]*mlnx-ofed-kernel-dkms 24\.10\.OFED\.24\.10\.1\.1\.4\.1-1 is a new release of the vendor's\n24\.10 branch/);
    driver('24.10.OFED.24.10.2.1.8.1-1', 2);
    assert.equal(b.record('24.10.OFED.24.10.1.1.4.1-1').phase, 'superseded');
    assert.equal(b.record('24.10.OFED.24.10.2.1.8.1-1').phase, 'testing');
  });

  describe('steps by reply', () => {
    const reply = (over: Partial<MailInput>): MailInput => ({ subject: 'Re: x', from: 'Carol C <carol@test.example>', text: 'tested\n', headers: {}, messageId: `<r${Math.random()}@x>`, ...over });

    function toTesting(): void {
      b = new ProcedureBench(WEB100.replace(/ *assign: .*\n/, ''));
      b.kernel(K1);
      b.buildsDone(K1, true);
      assert.equal(b.record(K1).phase, 'testing');
    }
    const copyFor = (person: string) => b.store.outbox.list().find((m) => m.recipients.some((r) => r.includes(`<${person}@`)) && m.rule_run_id !== null)!;
    const refusals = () => b.store.outbox.list().filter((m) => m.template === 'release-reply-refused').map((m) => /<([^@]+)@/.exec(m.recipients[0]!)![1]);

    it('a tester\'s reply to their own copy acts once; a stranger, another tester\'s copy, a robot and a wrong word do not', () => {
      toTesting();
      const handler = new ReplyHandler(b.assignments, b.store, { people: b.loaded.config.people }, silentLogger(), b.procedures);
      const carol = copyFor('carol');
      const dave = copyFor('dave');
      const cases: [string, MailInput][] = [
        ['a stranger with carol\'s token', reply({ from: 'mallory@evil.example', headers: { 'in-reply-to': carol.message_id } })],
        ['carol answering dave\'s copy', reply({ headers: { 'in-reply-to': dave.message_id } })],
        ['an auto-reply', reply({ from: 'carol@test.example', headers: { 'in-reply-to': carol.message_id, 'auto-submitted': 'auto-replied' } })],
        ['a sentence', reply({ text: 'I tested it and it works', headers: { 'in-reply-to': carol.message_id } })],
        ['failed without a reason', reply({ text: 'failed', headers: { 'in-reply-to': carol.message_id } })],
        ['an assignment word', reply({ text: 'claim', headers: { 'in-reply-to': carol.message_id } })],
        ['a From naming carol and a stranger', reply({ from: 'carol@test.example, mallory@evil.example', fromAddresses: ['carol@test.example', 'mallory@evil.example'], headers: { 'in-reply-to': carol.message_id } })],
      ];
      for (const [what, mail] of cases) {
        assert.equal(handler.handle(mail, 'raw'), true, `${what}: consumed as a reply`);
        assert.deepEqual(b.record(K1).approvals, [], `${what}: nothing counted`);
      }
      assert.deepEqual(refusals(), ['carol', 'carol', 'carol'], 'carol is told (up to the cap of 3); the stranger and the robot are not');
      const why = b.store.procedures.timeline(b.record(K1).id).filter((e) => e.step === 'reply refused').map((e) => `${e.person ?? '-'}: ${e.detail}`);
      assert.ok(why.includes('-: from mallory@evil.example, who is not in people:'), why.join('\n'));
      assert.ok(why.includes('-: From names 2 addresses: a reply must come from one'), why.join('\n'));
      assert.ok(why.some((w) => /^-: an automatic reply/.test(w)));
      const genuine = reply({ text: 'tested\nworks on two hosts', headers: { 'in-reply-to': carol.message_id }, messageId: '<genuine@x>' });
      handler.handle(genuine, 'raw');
      handler.handle(genuine, 'raw');
      assert.deepEqual(b.record(K1).approvals, ['carol'], 'acted on once');
      assert.equal(b.store.procedures.timeline(b.record(K1).id).find((e) => e.message_id === '<genuine@x>')?.detail, '1 of 2 approvals');
      handler.handle(reply({ from: 'dave@test.example', text: 'Tested.', headers: { references: `<x@y> ${dave.message_id}` } }), 'raw');
      b.engine.processPending();
      assert.equal(b.record(K1).phase, 'publishing');
    });

    it('a release reply that fails our server\'s authentication, or carries the tokens of two kernels, is refused; with both right it acts', () => {
      b = new ProcedureBench(WEB100.replace(/ *assign: .*\n/, '').replace('escalate_after: 1', 'escalate_after: 1\n    supersede: false'));
      for (const k of [K1, K2]) { b.kernel(k); b.buildsDone(k, true); }
      const handler = new ReplyHandler(b.assignments, b.store, { people: b.loaded.config.people, authservId: 'mx.test.example' }, silentLogger(), b.procedures);
      const carolCopy = (v: string) => b.store.outbox.list().find((m) => m.recipients.some((r) => r.includes('<carol@')) && m.rule_run_id !== null && m.release_id === b.record(v).release_id)!;
      const pass = { 'authentication-results': ['mx.test.example; dkim=pass header.d=test.example; dmarc=pass'] };
      handler.handle(reply({ headers: { 'in-reply-to': carolCopy(K1).message_id }, headerValues: { 'authentication-results': ['mx.test.example; dkim=fail header.d=test.example'] } }), 'raw');
      handler.handle(reply({ headers: { references: `${carolCopy(K1).message_id} ${carolCopy(K2).message_id}` }, headerValues: pass }), 'raw');
      assert.deepEqual([b.record(K1).approvals, b.record(K2).approvals], [[], []]);
      const why = [K1, K2].flatMap((k) => b.store.procedures.timeline(b.record(k).id)).filter((e) => e.step === 'reply refused').map((e) => e.detail).join('\n');
      assert.match(why, /did not pass authentication: .*dkim=fail/);
      assert.match(why, /tokens of mails about different kernels/);
      handler.handle(reply({ headers: { 'in-reply-to': carolCopy(K2).message_id }, headerValues: pass }), 'raw');
      assert.deepEqual([b.record(K1).approvals, b.record(K2).approvals], [[], ['carol']]);
    });

    it('a refusal notice is capped per person, so a forger cannot flood anyone', () => {
      toTesting();
      const handler = new ReplyHandler(b.assignments, b.store, { people: b.loaded.config.people }, silentLogger(), b.procedures);
      const carol = copyFor('carol');
      for (let i = 0; i < 6; i += 1) handler.handle(reply({ text: 'maybe', headers: { 'in-reply-to': carol.message_id } }), 'raw');
      assert.equal(refusals().length, 3);
    });
  });
});
