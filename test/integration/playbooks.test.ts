import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedMail } from 'mailparser';
import type { Daemon } from '../../src/daemon.js';
import { runCli } from '../helpers/cli.js';
import { CiServer } from '../helpers/ci-server.js';
import { Dovecot } from '../helpers/dovecot.js';
import { ccOf, imapAppend, localMail, playbook, replyTo, rlsaMail, rpmRepo, save, templateOf, toOf } from '../helpers/playbook.js';
import { fixture, waitFor } from '../helpers/util.js';
import { rssFeed, World } from '../helpers/world.js';

const DAY = 86_400_000;

describe('playbooks: each seed team\'s procedure end to end against real servers, with a test clock', function () {
  this.timeout(120_000);
  let w: World;
  let dove: Dovecot | undefined;
  const now = { t: 0 };
  const clock = { now: () => new Date(now.t) };
  const mails = () => w.smtp.received.map((m) => `${templateOf(m)}>${toOf(m)}`);
  const newMail = (from: number) => w.smtp.received.slice(from).map((m) => `${templateOf(m)}>${toOf(m)}`).sort();
  const last = (template: string, to?: string) => w.smtp.received.filter((m) => templateOf(m) === template && (!to || toOf(m) === to)).at(-1)!;

  beforeEach(async () => {
    now.t = Date.parse('2026-03-02T15:00:00Z');
    w = await new World().start();
    dove = undefined;
  });
  afterEach(async () => {
    await w.stop();
    await dove?.destroy();
  });

  it('every playbook in config/examples passes check-config', async () => {
    const files = readdirSync(join('config', 'examples')).filter((f) => f.endsWith('.yaml')).sort();
    assert.deepEqual(files, ['mofed-sru.yaml', 'ofed-rocky9.yaml', 'rdma-set.yaml', 'web100-style.yaml']);
    for (const f of files) {
      const r = await runCli(['check-config', join('config', 'examples', f)]);
      assert.equal(r.code, 0, `${f}: ${r.stderr}`);
      assert.match(r.stdout, /procedures: 1\n/);
    }
  });

  it('web100-style (002): volunteer release manager by reply, notice with CVE links, a signed build, testers by reply, overdue reminders, publish seen in the repository, "packages available" in the notice\'s thread; a newer kernel supersedes one mid-build; a restart midway', async () => {
    dove = new Dovecot();
    await dove.start();
    const K0 = '5.14.0-362.8.1.el9_3';
    const K1 = '5.14.0-362.13.1.el9_3';
    const K2 = '5.14.0-362.18.1.el9_3';
    const script = join(w.tmp.dir, 'build-web100-kernel');
    // K1's build hangs (it is superseded while it runs); K2's builds, signs and lists its RPMs.
    writeFileSync(script, `#!/bin/sh\ncase "$1" in *362.13.1*) exec sleep 60;; esac\necho "https://build.example.org/web100/$1/kernel-$1.web100.x86_64.rpm" > "$KH_ARTIFACTS_FILE"\n`, { mode: 0o755 });
    writeFileSync(join(w.tmp.dir, 'imap.pw'), dove.password);
    const kernel = (version: string, name = 'kernel') => { const [ver, rel] = version.split(/-(.*)/); return { name, ver: ver!, rel: rel!, arch: 'x86_64' }; };
    rpmRepo(w, '/mirror/', [kernel(K0), kernel(K0, 'kernel-devel')]);
    rpmRepo(w, '/team/', [kernel(`${K0}.web100`)]);

    const cfg = localMail(w, playbook('web100-style'));
    cfg.watchers[0] = { ...cfg.watchers[0], host: '127.0.0.1', port: dove.port, security: 'plain', user: dove.user, password_file: 'imap.pw', timeout: '5s' };
    cfg.watchers[1] = { ...cfg.watchers[1], url: w.feeds.url('/mirror/') };
    const target = cfg.builds['web100-kernel'];
    target.argv = [script, '{{kernel.version}}'];
    target.wait_for_packages.url = w.feeds.url('/mirror/');
    cfg.procedures.web100.phases.publish.repo.url = w.feeds.url('/team/');
    const path = save(w, cfg);
    const append = (raw: string) => imapAppend(dove!.port, dove!.user, dove!.password, raw);

    let d: Daemon = w.daemon(path, clock);
    await d.pollOnce();
    d.builds.start();
    assert.equal(w.smtp.received.length, 0, 'the baseline (mailbox and mirror) is silent');

    // K1 on the list: volunteers are asked, each with their own copy.
    await append(rlsaMail(K1, 'RLSA-2026:1001'));
    await d.pollOnce(['mail']);
    await waitFor('the volunteer requests', () => w.smtp.received.length === 2);
    assert.deepEqual(mails().sort(), ['volunteer-request>alice@example.org', 'volunteer-request>bob@example.org']);
    await append(replyTo(w.smtp.received.find((m) => toOf(m) === 'alice@example.org')!, 'Alice Example <alice@example.org>', 'claim', 'alice-k1'));
    rpmRepo(w, '/mirror/', [kernel(K0), kernel(K0, 'kernel-devel'), kernel(K1), kernel(K1, 'kernel-devel')]);
    await d.pollOnce(['mail']);
    await waitFor('the release manager\'s confirmation and the users\' notice', () => w.smtp.received.length === 4);
    assert.deepEqual(newMail(2), ['assignment>alice@example.org', 'kernel-notice>users@example.org']);
    const notice1 = last('kernel-notice');
    assert.match(notice1.subject!, new RegExp(`New kernel ${K1.replaceAll('.', '\\.')} for rocky 9 \\[RLSA-2026:1001\\]`));
    assert.match(notice1.text!, /Release manager: Alice Example <alice@example\.org>/, 'step 3 names the release manager');
    assert.match(notice1.text!, /CVE-2023-3609 +https:\/\/www\.cve\.org\/CVERecord\?id=CVE-2023-3609/);
    assert.match(notice1.text!, /https:\/\/errata\.rockylinux\.org\/RLSA-2026:1001/);
    assert.match(notice1.text!, /stay on the kernel they run/, 'what users should do until the packages are out');
    await waitFor('K1\'s build running (after the gate saw kernel-devel)', () => d.store.builds.list().some((b) => b.state === 'running'), 15_000);
    const k1Pid = Number(d.store.builds.list().find((b) => b.state === 'running')!.external_id);

    // K2 arrives while K1 builds: K1 is superseded, its build killed, users told in K1's thread.
    rpmRepo(w, '/mirror/', [kernel(K1), kernel(K1, 'kernel-devel'), kernel(K2), kernel(K2, 'kernel-devel')]);
    await append(rlsaMail(K2, 'RLSA-2026:1002'));
    await d.pollOnce(['mail']);
    await waitFor('K1\'s build cancelled', () => d.store.builds.list().some((b) => b.state === 'cancelled'), 15_000);
    const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    await waitFor('the K1 build process gone', () => !alive(k1Pid), 10_000);
    await waitFor('superseded notice and K2 requests', () => w.smtp.received.length === 7);
    assert.deepEqual(newMail(4), ['release-superseded>users@example.org', 'volunteer-request>alice@example.org', 'volunteer-request>bob@example.org']);
    const superseded = last('release-superseded');
    assert.equal(superseded.inReplyTo, notice1.messageId, 'in K1\'s thread');
    assert.match(superseded.text!, new RegExp(`newer kernel of the same line, ${K2.replaceAll('.', '\\.')}`));

    // A restart midway: everything is in the database.
    await d.stop();
    d = w.daemon(path, clock);
    d.builds.start();
    const bobK2 = w.smtp.received.filter((m) => toOf(m) === 'bob@example.org' && templateOf(m) === 'volunteer-request').at(-1)!;
    await append(replyTo(bobK2, 'Bob Example <bob@example.org>', 'claim\nI can do this one.', 'bob-k2'));
    await d.pollOnce(['mail']);
    await waitFor('the testers\' requests (after K2 built)', () => w.smtp.received.filter((m) => templateOf(m) === 'testers-request').length === 3, 20_000);
    const notice2 = w.smtp.received.filter((m) => templateOf(m) === 'kernel-notice').at(-1)!;
    assert.match(notice2.subject!, new RegExp(K2.replaceAll('.', '\\.')));
    const carolCopy = last('testers-request', 'carol@example.org');
    const daveCopy = last('testers-request', 'dave@example.org');
    assert.ok(last('testers-request', 'bob@example.org'), 'the release manager gets a copy (cc)');
    assert.equal(ccOf(carolCopy), '', 'each person\'s copy goes to them alone');
    assert.equal(carolCopy.inReplyTo, notice2.messageId, 'in K2\'s thread');
    assert.match(carolCopy.text!, new RegExp(`https://build\\.example\\.org/web100/${K2.replaceAll('.', '\\.')}/kernel-`), 'the artifact links');
    assert.match(carolCopy.text!, /1\. check the network measurement tools work on the current kernel/, 'the checklist');
    assert.notEqual(/\[KH-([0-9a-f]{20})\]/.exec(carolCopy.subject!)?.[1], /\[KH-([0-9a-f]{20})\]/.exec(daveCopy.subject!)?.[1], 'a token per tester');

    // Forged and misdirected replies: nothing moves; carol is told why, the stranger is not.
    const before = w.smtp.received.length;
    await append(replyTo(carolCopy, 'Mallory <mallory@evil.example>', 'tested', 'mallory'));
    await append(replyTo(daveCopy, 'Carol Tester <carol@example.org>', 'tested', 'carol-wrong-copy'));
    await append(replyTo(bobK2, 'Carol Tester <carol@example.org>', 'tested', 'carol-assignment-token'));
    await d.pollOnce(['mail']);
    await waitFor('the refusal notices', () => w.smtp.received.length === before + 2);
    assert.deepEqual(newMail(before), ['release-reply-refused>carol@example.org', 'reply-refused>carol@example.org']);
    assert.match(last('release-reply-refused').text!, /answer your own copy/);
    const k2 = () => d.procedures.find(K2)[0]!;
    assert.deepEqual([k2().phase, k2().approvals], ['testing', []]);

    // Testing runs late: the release manager is reminded each day, then the support person too.
    const remindersBefore = w.smtp.received.length;
    for (const step of [3 * DAY + 60_000, DAY, DAY]) {
      now.t += step;
      await d.process();
    }
    await waitFor('three reminders', () => w.smtp.received.filter((m) => templateOf(m) === 'release-overdue').length >= 4);
    assert.deepEqual(newMail(remindersBefore), ['release-overdue>alice@example.org', 'release-overdue>bob@example.org', 'release-overdue>bob@example.org', 'release-overdue>bob@example.org'],
      'bob (release manager) each day; alice, on duty, from the third');
    assert.match(last('release-overdue', 'alice@example.org').subject!, /still testing \(reminder 3\)/);

    // Both testers report it good: the first moves it on, the second is recorded.
    await append(replyTo(carolCopy, 'Carol Tester <carol@example.org>', 'tested\nworks on two hosts', 'carol-ok'));
    await append(replyTo(daveCopy, 'Dave Tester <dave@example.org>', 'Tested.', 'dave-ok'));
    await d.pollOnce(['mail']);
    assert.deepEqual([k2().phase, k2().approvals], ['publishing', ['carol', 'dave']]);

    // The packages appear in the team's repository: announced, in the notice's thread.
    rpmRepo(w, '/team/', [kernel(`${K0}.web100`), kernel(`${K2}.web100`)]);
    await d.pollOnce(['mail']);
    assert.equal(k2().phase, 'publishing', 'looked at a moment ago: not again before publish.repo.every');
    now.t += 15 * 60_000;
    await d.pollOnce(['mail']);
    await waitFor('packages available', () => w.smtp.received.some((m) => templateOf(m) === 'packages-available'));
    assert.equal(k2().phase, 'announced');
    const available = last('packages-available');
    assert.equal(toOf(available), 'users@example.org');
    assert.equal(available.inReplyTo, notice2.messageId, 'a reply to the first notice');
    assert.match(available.subject!, new RegExp(`^Re: New kernel ${K2.replaceAll('.', '\\.')}`));
    assert.match(available.text!, /Thanks to Bob Example, release manager, and to the testers \(carol, dave\)/);

    const status = await runCli(['status', '--json', '--config', path]);
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual((JSON.parse(status.stdout) as { procedures: unknown[] }).procedures, [], 'nothing left in progress');
    const timeline = await runCli(['status', K2, '--config', path]);
    assert.match(timeline.stdout, /procedure web100 \(record #2\): announced/);
    assert.match(timeline.stdout, /publishing -> announced via repo/);
    await d.stop();
  });

  it('mofed-sru (000): Ubuntu LTS GA and HWE kernels whose ABI moved, duty by reply, the SRU bug text per kernel, superseded by the next upload, reminders, two testers, published by reply; a restart midway', async () => {
    dove = new Dovecot();
    await dove.start();
    writeFileSync(join(w.tmp.dir, 'imap.pw'), dove.password);
    const notice = (id: string) => ({ title: `${id}: Linux kernel vulnerabilities`, link: w.feeds.url(`/security/notices/${id}`), guid: id });
    // The real USN-6548-1 notice (22.04 GA and 20.04 HWE 5.15 kernels), moved on to later uploads.
    const usn = (id: string, abi: number, upload: number) => fixture('ubuntu-usn/USN-6548-1.json').replaceAll('USN-6548-1', id)
      .replaceAll('5.15.0-91.101', `5.15.0-${abi}.${upload}`).replaceAll('5.15.0-91-', `5.15.0-${abi}-`);
    const feed = (...ids: string[]) => w.feeds.set('/rss.xml', rssFeed('https://ubuntu.com/security/notices', ids.map(notice)));
    w.feeds.set('/security/notices/USN-6548-1.json', fixture('ubuntu-usn/USN-6548-1.json'), 'application/json');
    w.feeds.set('/security/notices/USN-6560-1.json', usn('USN-6560-1', 92, 102), 'application/json');
    w.feeds.set('/security/notices/USN-6561-1.json', usn('USN-6561-1', 92, 103), 'application/json');
    w.feeds.set('/security/notices/USN-6570-1.json', usn('USN-6570-1', 94, 104), 'application/json');
    feed('USN-6548-1');
    const cfg = localMail(w, playbook('mofed-sru'));
    cfg.watchers[0] = { ...cfg.watchers[0], url: w.feeds.url('/rss.xml') };
    cfg.watchers[1] = { ...cfg.watchers[1], host: '127.0.0.1', port: dove.port, security: 'plain', user: dove.user, password_file: 'imap.pw', timeout: '5s' };
    const path = save(w, cfg);
    const append = (raw: string) => imapAppend(dove!.port, dove!.user, dove!.password, raw);
    const recs = () => Object.fromEntries(d.store.procedures.list().map((r) => [d.store.releases.get(r.release_id)!.version, r.phase]));

    let d: Daemon = w.daemon(path, clock);
    await d.pollOnce();
    assert.equal(w.smtp.received.length, 0);

    // A new ABI for both LTS lines: the person on duty (erin) is asked for each.
    feed('USN-6560-1', 'USN-6548-1');
    await d.pollOnce(['usn']);
    await waitFor('the two requests', () => w.smtp.received.length === 2);
    assert.deepEqual(mails(), ['assignment>erin@example.org', 'assignment>erin@example.org']);
    // A respin of the same ABI starts nothing.
    feed('USN-6561-1', 'USN-6560-1', 'USN-6548-1');
    await d.pollOnce(['usn']);
    assert.deepEqual(Object.keys(recs()).sort(), ['5.15.0-92.102', '5.15.0-92.102~20.04.1']);

    for (const [i, m] of w.smtp.received.slice(0, 2).entries()) await append(replyTo(m, 'Erin Packager <erin@example.org>', 'ack', `erin-ack-${i}`));
    await d.pollOnce(['replies']);
    await waitFor('the SRU texts', () => w.smtp.received.filter((m) => templateOf(m) === 'sru-bug').length === 4);
    const sru = w.smtp.received.find((m) => templateOf(m) === 'sru-bug' && toOf(m) === 'erin@example.org' && m.subject!.includes('22.04'))!;
    assert.match(sru.subject!, /^\[SRU\] modules for linux-image-5\.15\.0-92-generic 5\.15\.0-92\.102 for 22\.04/);
    for (const section of ['[Impact]', '[Major Changes]', '[Test Plan]', '[Regression Potential]']) assert.ok(sru.text!.includes(section), section);
    assert.match(sru.text!, /A rebuild against 5\.15\.0-92\.102 \(the previous build was against 5\.15\.0-91\.101\)/);
    assert.match(sru.text!, /1\. install the modules package from -proposed on each LTS release/);
    assert.deepEqual(Object.values(recs()), ['testing', 'testing']);

    // A restart, then the next ABI: both 92 kernels superseded, their release manager told.
    await d.stop();
    d = w.daemon(path, clock);
    feed('USN-6570-1', 'USN-6561-1', 'USN-6560-1', 'USN-6548-1');
    const before = w.smtp.received.length;
    await d.pollOnce(['usn']);
    await waitFor('superseded notices and new requests', () => w.smtp.received.length === before + 4);
    assert.deepEqual(newMail(before), ['assignment>erin@example.org', 'assignment>erin@example.org', 'release-superseded>erin@example.org', 'release-superseded>erin@example.org']);
    assert.deepEqual(recs(), { '5.15.0-92.102': 'superseded', '5.15.0-92.102~20.04.1': 'superseded', '5.15.0-94.104': 'detected', '5.15.0-94.104~20.04.1': 'detected' });

    // frank answers the old kernel's text; a stranger answers too: refused, frank told why, the stranger not.
    const frankOld = w.smtp.received.find((m) => templateOf(m) === 'sru-bug' && toOf(m) === 'frank@example.org')!;
    const beforeRefusals = w.smtp.received.length;
    await append(replyTo(frankOld, 'Frank Packager <frank@example.org>', 'tested', 'frank-old'));
    await append(replyTo(frankOld, 'Someone <someone@elsewhere.example>', 'tested', 'stranger'));
    await d.pollOnce(['replies']);
    await waitFor('the refusal', () => w.smtp.received.length === beforeRefusals + 1);
    assert.deepEqual(newMail(beforeRefusals), ['release-reply-refused>frank@example.org']);
    assert.match(last('release-reply-refused').text!, /already superseded/);

    for (const [i, m] of w.smtp.received.filter((x) => templateOf(x) === 'assignment').slice(2).entries()) await append(replyTo(m, 'Erin Packager <erin@example.org>', 'ack', `erin-ack-94-${i}`));
    await d.pollOnce(['replies']);
    await waitFor('the new SRU texts', () => w.smtp.received.filter((m) => templateOf(m) === 'sru-bug').length === 8);

    // Testing runs past its week: erin, the release manager, is reminded for each kernel.
    const beforeLate = w.smtp.received.length;
    now.t += 7 * DAY + 60_000;
    await d.process();
    await waitFor('a reminder per kernel', () => w.smtp.received.length === beforeLate + 2);
    assert.deepEqual(newMail(beforeLate), ['release-overdue>erin@example.org', 'release-overdue>erin@example.org']);

    // Both testers report the 22.04 kernel good; erin says it is published.
    const copy = (who: string) => w.smtp.received.filter((m) => templateOf(m) === 'sru-bug' && toOf(m) === `${who}@example.org` && m.subject!.includes('5.15.0-94.104 for 22.04')).at(-1)!;
    await append(replyTo(copy('frank'), 'Frank Packager <frank@example.org>', 'tested\nmlx5 and irdma load', 'frank-ok'));
    await append(replyTo(copy('erin'), 'Erin Packager <erin@example.org>', 'tested', 'erin-ok'));
    await d.pollOnce(['replies']);
    assert.equal(recs()['5.15.0-94.104'], 'publishing');
    assert.deepEqual(d.procedures.find('5.15.0-94.104')[0]!.approvals.sort(), ['erin', 'frank']);
    await append(replyTo(copy('erin'), 'Erin Packager <erin@example.org>', 'published\nin -updates since this morning', 'erin-published'));
    await d.pollOnce(['replies']);
    assert.equal(recs()['5.15.0-94.104'], 'announced');
    await waitFor('packages available', () => w.smtp.received.some((m) => templateOf(m) === 'packages-available'));
    assert.equal(toOf(last('packages-available')), 'rdma-users@example.org');
    assert.equal(recs()['5.15.0-94.104~20.04.1'], 'testing', 'the other line goes on its own way');
    await d.stop();
  });

  it('ofed-rocky9 (001): the newest Rocky 9 kernel in the mirror, the workflow dispatched with its real inputs once kernel-devel is there, the run cancelled when a newer kernel comes, "available" when the set built; a restart midway; a late build reminded before it times out', async () => {
    const ci = new CiServer();
    await ci.start();
    try {
      writeFileSync(join(w.tmp.dir, 'gh.token'), ci.token);
      const K0 = '5.14.0-362.8.1.el9_3';
      const K1 = '5.14.0-362.13.1.el9_3';
      const K2 = '5.14.0-362.18.1.el9_3';
      const pkg = (version: string, name = 'kernel') => { const [ver, rel] = version.split(/-(.*)/); return { name, ver: ver!, rel: rel!, arch: 'x86_64' }; };
      rpmRepo(w, '/mirror/', [pkg(K0), pkg(K0, 'kernel-devel')]);
      const cfg = localMail(w, playbook('ofed-rocky9'));
      cfg.watchers[0] = { ...cfg.watchers[0], url: w.feeds.url('/mirror/') };
      const t = cfg.builds['ofed-kmods'];
      Object.assign(t, { api_url: ci.url, token_file: 'gh.token', poll_every: '1m', workflow: 'build.yml' });
      t.wait_for_packages.url = w.feeds.url('/mirror/');
      const path = save(w, cfg);
      // The tracker is driven by hand with the test clock: each step is a minute later.
      const step = async (n = 1) => { for (let i = 0; i < n; i += 1) { now.t += 60_000; await d.builds.tick(); await d.process(); } };
      const builds = () => d.store.builds.list().reverse();

      let d: Daemon = w.daemon(path, clock);
      await d.pollOnce();
      assert.equal(d.store.procedures.list().length, 0, 'the baseline starts nothing');

      // K1 in the mirror, its kernel-devel not yet: the build waits at the gate.
      rpmRepo(w, '/mirror/', [pkg(K0), pkg(K0, 'kernel-devel'), pkg(K1)]);
      await d.pollOnce();
      await step(3);
      assert.deepEqual(builds().map((b) => b.state), ['waiting']);
      assert.equal(ci.count('POST', '/dispatches'), 0);
      rpmRepo(w, '/mirror/', [pkg(K0), pkg(K0, 'kernel-devel'), pkg(K1), pkg(K1, 'kernel-devel')]);
      now.t += 15 * 60_000;
      await step(2);
      assert.equal(builds()[0]!.state, 'running');
      const dispatch = JSON.parse(ci.seen.find((s) => s.method === 'POST' && s.path.endsWith('/dispatches'))!.body) as { ref: string; inputs: Record<string, unknown> };
      assert.deepEqual(dispatch.inputs, { rocky9: 'true', runner_env: 'self-hosted' }, 'the workflow\'s own inputs, no kernel');
      assert.equal((builds()[0]!.subject.kernel as { version: string }).version, K1, 'the build records which kernel the run was for');

      // A restart, then K2: K1's run is cancelled through the API, the team told.
      await d.stop();
      d = w.daemon(path, clock);
      rpmRepo(w, '/mirror/', [pkg(K1), pkg(K1, 'kernel-devel'), pkg(K2), pkg(K2, 'kernel-devel')]);
      await d.pollOnce();
      await step(2);
      assert.equal(builds().find((b) => (b.subject.kernel as { version: string }).version === K1)!.state, 'cancelled');
      assert.equal(ci.cancelled().length, 1);
      await waitFor('the superseded notice', () => mails().includes('release-superseded>ofed-team@example.org'));

      // K2 builds slowly: past the phase's 4 hours, a reminder (before the target's 6 h timeout); then it succeeds and users hear.
      ci.outcome.polls = 10_000;
      await step(3);
      now.t += 4 * 3_600_000;
      await step(1);
      await waitFor('the reminder', () => mails().includes('release-overdue>ofed-team@example.org'));
      ci.outcome.polls = 0;
      await step(3);
      await waitFor('packages available', () => mails().includes('packages-available>ofed-users@example.org'));
      assert.equal(d.procedures.find(K2)[0]!.phase, 'announced');
      assert.match(last('packages-available').subject!, new RegExp(K2.replaceAll('.', '\\.')));
      assert.equal(ci.count('POST', '/dispatches'), 2, 'one dispatch per kernel, none twice across the restart');
      await d.stop();
    } finally {
      await ci.stop();
    }
  });

  it('rdma-set (004): the set is announced only when every member built; a failed member holds it back and the mail says which; `build retry` runs only that one; a newer kernel cancels a set mid-build; a late set is reminded; a restart midway', async () => {
    const ci = new CiServer();
    await ci.start();
    try {
      writeFileSync(join(w.tmp.dir, 'gl-trigger.token'), 'glptt-trigger');
      writeFileSync(join(w.tmp.dir, 'gl-api.token'), 'glpat-reader');
      const doc = JSON.parse(fixture('kernel-org/releases.json')) as { releases: Record<string, unknown>[] };
      const publish = (...versions: string[]) => w.feeds.set('/releases.json', JSON.stringify({ ...doc, releases: [...doc.releases, ...versions.map((version) => ({ ...doc.releases[1], version }))] }), 'application/json');
      publish();
      const cfg = localMail(w, playbook('rdma-set'));
      cfg.watchers[0] = { ...cfg.watchers[0], url: w.feeds.url('/releases.json') };
      for (const t of Object.values(cfg.builds) as Record<string, unknown>[]) Object.assign(t, { url: ci.url, token_file: 'gl-trigger.token', api_token_file: 'gl-api.token', poll_every: '1m' });
      const path = save(w, cfg);
      const step = async (n = 1) => { for (let i = 0; i < n; i += 1) { now.t += 60_000; await d.builds.tick(); await d.process(); } };
      const setOf = (version: string) => d.store.builds.list().reverse().filter((b) => (b.subject.kernel as { version: string }).version === version);

      let d: Daemon = w.daemon(path, clock);
      await d.pollOnce();
      // 5.10.2: the set of four (the core and three providers) starts and runs long.
      ci.outcome.polls = 10_000;
      publish('5.10.2');
      await d.pollOnce();
      await step(2);
      assert.deepEqual(setOf('5.10.2').map((b) => `${b.target}${b.combo_key ? `[${b.combo_key}]` : ''}:${b.state}`),
        ['rdma-core:running', 'rdma-providers[provider=mlx5]:running', 'rdma-providers[provider=efa]:running', 'rdma-providers[provider=irdma]:running']);
      // 5.10.3 while it runs: the whole older set is cancelled, the maintainers told.
      publish('5.10.2', '5.10.3');
      ci.outcome.polls = 1;
      ci.failVariables = { PROVIDER: 'irdma', KERNEL: '5.10.3' };
      await d.pollOnce();
      await step(4);
      assert.deepEqual(setOf('5.10.2').map((b) => b.state), ['cancelled', 'cancelled', 'cancelled', 'cancelled']);
      assert.equal(ci.cancelled().length, 4);
      await waitFor('the superseded notice', () => mails().includes('release-superseded>rdma-maintainers@example.org'));
      // 5.10.3's irdma provider fails: no announcement, the mail names it.
      await waitFor('the set failed', () => mails().includes('build-set-failed>rdma-maintainers@example.org'));
      const failed = last('build-set-failed');
      assert.match(failed.text!, /FAILED rdma-providers provider=irdma: pipeline failed/);
      assert.match(failed.text!, /ok +rdma-providers provider=mlx5/);
      assert.ok(!mails().some((m) => m.startsWith('packages-available')), 'nothing announced');
      assert.equal(d.procedures.find('5.10.3')[0]!.phase, 'building');
      // Nobody fixes it for a day: the maintainers are reminded.
      now.t += DAY;
      await d.process();
      await waitFor('the reminder', () => mails().includes('release-overdue>rdma-maintainers@example.org'));
      assert.match(last('release-overdue').subject!, /kernel\.org 5\.10 kernel 5\.10\.3 is still building \(reminder 1\)/);

      // A restart; the failed member is retried from the shell and the set completes.
      await d.stop();
      ci.failVariables = undefined;
      const retry = await runCli(['build', 'retry', '5.10.3', '--config', path]);
      assert.equal(retry.code, 0, retry.stderr);
      assert.match(retry.stdout, /1 failed build queued again/);
      // The shell ran on the real clock: the daemon's test clock catches up with it.
      now.t = Math.max(now.t, Date.now());
      d = w.daemon(path, clock);
      await step(4);
      await waitFor('the announcement', () => mails().includes('packages-available>linux-rdma@example.org'));
      assert.equal(d.procedures.find('5.10.3')[0]!.phase, 'announced');
      assert.equal(ci.count('POST', '/trigger/pipeline'), 9, 'four for each kernel, and the one retried');
      await d.stop();
    } finally {
      await ci.stop();
    }
  });
});
