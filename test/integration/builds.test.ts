import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildsCompletedPayload } from '../../src/domain.js';
import type { Daemon } from '../../src/daemon.js';
import { CiServer } from '../helpers/ci-server.js';
import * as R from '../helpers/repos.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/util.js';
import { kdistItem, rssFeed, World } from '../helpers/world.js';

describe('builds against a local CI server and real commands', function () {
  this.timeout(60_000);
  let w: World;
  let ci: CiServer;
  let d: Daemon | undefined;

  const fast = { poll_every: '100ms', retry: { base: '100ms', max: '400ms' } };
  function config(builds: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}): string {
    writeFileSync(join(w.tmp.dir, 'gh.token'), `${ci.token}\n`);
    writeFileSync(join(w.tmp.dir, 'bad.token'), 'wrong\n');
    writeFileSync(join(w.tmp.dir, 'gl-trigger.token'), 'glptt-trigger');
    writeFileSync(join(w.tmp.dir, 'gl-api.token'), 'glpat-reader');
    writeFileSync(join(w.tmp.dir, 'jenkins.token'), 'jenkins-api-token');
    mkdirSync(join(w.tmp.dir, 'templates'), { recursive: true });
    writeFileSync(join(w.tmp.dir, 'templates', 'built.hbs'), '---\nsubject: "{{kernel.version}}: {{#if ok}}all built{{else}}builds failed{{/if}}"\n---\n{{#each builds}}{{target}} {{state}} {{url}}\n{{/each}}');
    return w.config([{ id: 'kdist', type: 'rss', url: w.feeds.url('/kdist.xml'), every: '1h', backfill: true }], [
      { id: 'build', on: 'kernel.released', when: { distro: 'kernel.org' }, do: Object.keys(builds).map((target) => ({ build: { target } })) },
      { id: 'tell', on: 'builds.completed', do: [{ email: { template: 'built', to: ['users@test.example'] } }] },
    ], { templates_dir: 'templates', builds, ...extra });
  }
  const builds = () => d!.store.builds.list().reverse();
  const completions = () => d!.store.db.prepare("SELECT payload FROM events WHERE type = 'builds.completed' ORDER BY id").pluck().all().map((p) => JSON.parse(p as string) as BuildsCompletedPayload);
  const eventTypes = () => d!.store.db.prepare("SELECT type FROM events WHERE type LIKE 'build%' ORDER BY id").pluck().all() as string[];
  /** Builds started by a procedure over every target given (the supersession tests). */
  function procedureConfig(targets: Record<string, Record<string, unknown>>): string {
    config(targets);
    return w.config([{ id: 'kdist', type: 'rss', url: w.feeds.url('/kdist.xml'), every: '1h', backfill: true }],
      [{ id: 'start', on: 'kernel.released', when: { distro: 'kernel.org' }, do: [{ procedure: { name: 'kmods' } }] }],
      { builds: targets, procedures: { kmods: { phases: { build: { targets: Object.keys(targets) } } } } });
  }
  /** 6.6.9 is announced: 6.6.8's procedure is superseded and its builds cancelled. */
  async function supersede(): Promise<void> {
    w.feeds.set('/kdist.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.9', 'stable'), kdistItem('6.6.8', 'stable')]));
    await d!.pollOnce(['kdist']);
  }
  const buildsOf = (version: string) => builds().filter((b) => (b.subject.kernel as { version: string }).version === version);

  async function kernel(cfg: string): Promise<Daemon> {
    d = w.daemon(cfg);
    await d.pollOnce(['kdist']);
    d.builds.start();
    return d;
  }

  beforeEach(async () => {
    w = await new World().start();
    ci = new CiServer();
    await ci.start();
    w.feeds.set('/kdist.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.8', 'stable')]));
    d = undefined;
  });
  afterEach(async () => {
    await w.stop();
    await ci.stop();
  });

  it('github-workflow with a matrix: one dispatch per combination with rendered inputs, followed to success (through a rate-limited status check); builds.completed goes through the rules; the token stays out of the database and logs', async () => {
    ci.fail('GET /repos/example/kmod/actions/runs/', 429, { 'retry-after': '1' }, '{"message":"You have exceeded a secondary rate limit"}');
    await kernel(config({
      mods: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', ref: 'release', api_url: ci.url, token_file: 'gh.token',
        inputs: { kernel: '{{kernel.version}}', arch: '{{matrix.arch}}' }, matrix: { arch: ['x86_64', 'aarch64'] }, ...fast },
    }));
    await waitFor('builds.completed', () => completions().length === 1, 15_000);
    const dispatches = ci.seen.filter((s) => s.path.endsWith('/dispatches')).map((s) => JSON.parse(s.body) as { ref: string; inputs: Record<string, string>; return_run_details: boolean });
    assert.deepEqual(dispatches.map((x) => x.inputs).sort((a, b) => a.arch!.localeCompare(b.arch!)), [{ kernel: '6.6.8', arch: 'aarch64' }, { kernel: '6.6.8', arch: 'x86_64' }]);
    assert.ok(dispatches.every((x) => x.ref === 'release' && x.return_run_details === true));
    assert.ok(ci.seen.every((s) => s.auth === `Bearer ${ci.token}`));
    const [done] = completions();
    assert.equal(done!.ok, true);
    assert.deepEqual(done!.builds.map((b) => `${b.target}[${b.matrix.arch}] ${b.state}`), ['mods[x86_64] succeeded', 'mods[aarch64] succeeded']);
    assert.ok(done!.builds.every((b) => /^https:\/\/github\.example\/example\/kmod\/actions\/runs\/\d+$/.test(b.url!)));
    assert.deepEqual(eventTypes().filter((t) => t !== 'builds.completed').sort(), ['build.started', 'build.started', 'build.succeeded', 'build.succeeded']);
    await waitFor('the rule\'s mail', () => w.smtp.received.length === 1);
    assert.equal(w.smtp.received[0]!.subject, '6.6.8: all built');
    assert.ok(w.logs.lines.some((l) => l.message === 'build status check failed; will look again' && /rate-limited \(429\)/.test(String(l.error))), 'the rate limit was met and waited out');
    const dbFile = readFileSync(join(w.tmp.dir, 'state', 'kernel-herald.sqlite'));
    await d!.stop();
    const all = Buffer.concat([dbFile, readFileSync(join(w.tmp.dir, 'state', 'kernel-herald.sqlite'))]).toString('latin1');
    assert.ok(!all.includes(ci.token), 'no token in the database');
    assert.ok(!JSON.stringify(w.logs.lines).includes(ci.token), 'no token in the logs');

    const status = await runCli(['status', '6.6.8', '--config', join(w.tmp.dir, 'config.yaml')]);
    assert.match(status.stdout, /build #1 mods \[arch=x86_64\] succeeded \(attempt 1\/3\) https:\/\/github\.example/);
  });

  it('github-workflow without run details (older GitHub Enterprise): the run is found by its correlation id', async () => {
    ci.githubDetails = false;
    await kernel(config({ mods: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', correlation_input: 'correlation', inputs: { kernel: '{{kernel.version}}' }, ...fast } }));
    await waitFor('builds.completed', () => completions().length === 1, 15_000);
    const b = builds()[0]!;
    assert.equal(b.state, 'succeeded');
    const run = ci.runs.get(Number(b.external_id))!;
    assert.equal(run.inputs.correlation, b.correlation, 'the run found is the one this build dispatched');
    assert.ok(ci.count('GET', '/runs?event=workflow_dispatch') >= 1);
  });

  it('a dispatch whose answer failed after the run started is looked up, not dispatched again; a look-up that fails is tried again', async () => {
    ci.startThenFail = 1;
    ci.fail('GET /repos/example/kmod/actions/workflows/build.yml/runs?', 503);
    await kernel(config({ mods: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', correlation_input: 'correlation', ...fast } }));
    await waitFor('builds.completed', () => completions().length === 1, 15_000);
    const b = builds()[0]!;
    assert.equal(b.state, 'succeeded');
    assert.equal(ci.count('POST', '/dispatches'), 1, 'one dispatch: the 502 was ambiguous, and the run was found');
    assert.equal(ci.runs.size, 1);
    assert.ok(ci.count('GET', '/runs?event=workflow_dispatch') >= 2, 'the failed look-up was tried again');
    assert.ok(w.logs.lines.some((l) => l.message === 'found the run of an unanswered dispatch'));
  });

  it('GitLab and Jenkins dispatches whose answer failed after the run started are found by their KH_CORRELATION, not dispatched again', async () => {
    ci.startThenFail = 2;
    await kernel(config({
      lab: { type: 'gitlab-pipeline', url: ci.url, project: 'group/kmod', token_file: 'gl-trigger.token', api_token_file: 'gl-api.token', ...fast },
      jen: { type: 'jenkins', job_url: `${ci.url}/job/kmod/`, user: 'herald', token_file: 'jenkins.token', ...fast },
    }));
    await waitFor('builds.completed', () => completions().length === 1, 15_000);
    const byTarget = Object.fromEntries(builds().map((b) => [b.target, b]));
    assert.deepEqual([byTarget.lab!.state, byTarget.jen!.state], ['succeeded', 'succeeded']);
    assert.equal(ci.count('POST', '/trigger/pipeline'), 1, 'one GitLab pipeline');
    assert.equal(ci.count('POST', '/buildWithParameters'), 1, 'one Jenkins build');
    assert.equal(ci.runs.size, 2);
    assert.equal(w.logs.lines.filter((l) => l.message === 'found the run of an unanswered dispatch').length, 2);
  });

  for (const kind of ['github', 'github-uncorrelated', 'gitlab', 'jenkins'] as const) {
    it(`killed between a ${kind} dispatch and its record: the restart finds the run, and nothing is dispatched twice`, async () => {
      const targets = {
        github: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', correlation_input: 'correlation', ...fast },
        // A workflow that takes no correlation input: the run is told by its ref and time, and by no other build following it.
        'github-uncorrelated': { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', ...fast },
        gitlab: { type: 'gitlab-pipeline', url: ci.url, project: 'group/kmod', token_file: 'gl-trigger.token', api_token_file: 'gl-api.token', ...fast },
        jenkins: { type: 'jenkins', job_url: `${ci.url}/job/kmod/`, user: 'herald', token_file: 'jenkins.token', ...fast },
      };
      const cfg = config({ t: targets[kind] });
      const crashed = await runCli(['run', '--config', cfg], { KERNEL_HERALD_CRASH_AT: 'build-dispatched' });
      assert.equal(crashed.signal, 'SIGKILL', crashed.stderr);
      assert.equal(ci.runs.size, 1, 'the dispatch reached the CI');
      d = w.daemon(cfg);
      assert.equal(builds()[0]!.state, 'dispatching', 'not recorded as started');
      d.builds.start();
      await waitFor('builds.completed', () => completions().length === 1, 15_000);
      assert.equal(builds()[0]!.state, 'succeeded');
      assert.equal(ci.runs.size, 1, 'no second dispatch');
    });
  }

  it('without correlation_input, two runs started in the window of an unanswered dispatch cannot be told apart: the build fails saying so, and nothing is dispatched again', async () => {
    const cfg = config({ mods: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', ...fast } });
    // Someone started the same workflow by hand at the same moment.
    await fetch(`${ci.url}/repos/example/kmod/actions/workflows/build.yml/dispatches`, { method: 'POST', headers: { authorization: `Bearer ${ci.token}` }, body: JSON.stringify({ ref: 'main', inputs: {} }) });
    ci.startThenFail = 1;
    await kernel(cfg);
    await waitFor('builds.completed', () => completions().length === 1, 15_000);
    const b = builds()[0]!;
    assert.equal(b.state, 'failed');
    assert.match(b.last_error!, /2 runs of build\.yml on main started since; without correlation_input they cannot be told apart/);
    assert.equal(ci.count('POST', '/dispatches'), 2, 'the manual one and ours: none more');
  });

  it('a server that answers 204 without correlation_input fails the build with what to set, instead of guessing which run is its own', async () => {
    ci.githubDetails = false;
    await kernel(config({ mods: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', ...fast } }));
    await waitFor('builds.completed', () => completions().length === 1, 15_000);
    const b = builds()[0]!;
    assert.equal(b.state, 'failed');
    assert.match(b.last_error!, /did not say which \(HTTP 204, no run details\): set correlation_input/);
    assert.equal(ci.count('POST', '/dispatches'), 1, 'not retried');
  });

  it('rate limits wait for the reset without spending an attempt; a 5xx is retried; 401 and 404 fail at once with the reason', async () => {
    ci.fail('POST /repos/example/ok/actions/workflows/build.yml/dispatches', 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1) }, '{"message":"API rate limit exceeded"}');
    ci.fail('POST /repos/example/ok/actions/workflows/build.yml/dispatches', 502);
    await kernel(config({
      ok: { type: 'github-workflow', repo: 'example/ok', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', ...fast },
      badtoken: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'bad.token', ...fast },
      missing: { type: 'github-workflow', repo: 'example/kmod', workflow: 'nope.yml', api_url: ci.url, token_file: 'gh.token', ...fast },
    }));
    await waitFor('builds.completed', () => completions().length === 1, 20_000);
    const byTarget = Object.fromEntries(builds().map((b) => [b.target, b]));
    assert.equal(byTarget.ok!.state, 'succeeded');
    assert.equal(byTarget.ok!.attempt, 2, 'the 502 cost an attempt, the rate limit did not');
    assert.ok(w.logs.lines.some((l) => l.message === 'build dispatch rate-limited'));
    assert.equal(byTarget.badtoken!.state, 'failed');
    assert.match(byTarget.badtoken!.last_error!, /401 Bad credentials/);
    assert.equal(byTarget.badtoken!.attempt, 1, 'a 401 is not retried');
    assert.match(byTarget.missing!.last_error!, /404 Not Found/);
    assert.equal(completions()[0]!.ok, false);
    assert.ok(!JSON.stringify(w.logs.lines).includes('wrong'), 'not even a bad token is logged');
  });

  it('gitlab-pipeline fails while jenkins succeeds: the set is not ok; `build retry` runs only the failed one again and the set completes ok', async () => {
    ci.failPipelines = 1;
    const cfg = config({
      gl: { type: 'gitlab-pipeline', url: ci.url, project: 'kernel/kmod', ref: 'main', variables: { KERNEL: '{{kernel.version}}' }, token_file: 'gl-trigger.token', api_token_file: 'gl-api.token', ...fast },
      jk: { type: 'jenkins', job_url: `${ci.url}/job/kmod/`, user: 'herald', token_file: 'jenkins.token', parameters: { KERNEL: '{{kernel.version}}' }, ...fast },
    });
    await kernel(cfg);
    await waitFor('the first completion', () => completions().length === 1, 15_000);
    assert.equal(completions()[0]!.ok, false);
    assert.deepEqual(completions()[0]!.builds.map((b) => `${b.target} ${b.state} ${b.detail ?? ''}`), ['gl failed pipeline failed', 'jk succeeded ']);
    const gl = builds().find((b) => b.target === 'gl')!;
    assert.deepEqual([...ci.runs.values()].find((r) => r.name === 'pipeline')!.inputs, { KERNEL: '6.6.8', KH_CORRELATION: gl.correlation });
    await d!.stop();

    const res = await runCli(['build', 'retry', '6.6.8', '--config', cfg]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /1 failed build queued again/);
    d = w.daemon(cfg);
    d.builds.start();
    await waitFor('the second completion', () => completions().length === 2, 15_000);
    assert.equal(completions()[1]!.ok, true);
    assert.equal(ci.count('POST', '/trigger/pipeline'), 2);
    assert.equal(ci.count('POST', '/buildWithParameters'), 1, 'the build that succeeded is not run again');
    assert.equal(builds().find((b) => b.target === 'gl')!.attempt, 2);
    await waitFor('both mails', () => w.smtp.received.length === 2);
    assert.deepEqual(w.smtp.received.map((m) => m.subject), ['6.6.8: builds failed', '6.6.8: all built']);
    const again = await runCli(['build', 'retry', '6.6.8', '--config', cfg]);
    assert.match(again.stdout, /nothing to retry/);
  });

  it('jenkins: queue item, then the build, to its result', async () => {
    await kernel(config({ jk: { type: 'jenkins', job_url: `${ci.url}/job/kmod/`, user: 'herald', token_file: 'jenkins.token', parameters: { KERNEL: '{{kernel.version}}' }, ...fast } }));
    await waitFor('builds.completed', () => completions().length === 1, 15_000);
    const b = builds()[0]!;
    assert.equal(b.state, 'succeeded');
    assert.equal(b.url, `${ci.url}/job/kmod/42/`);
    assert.equal(b.external_id, '42');
    assert.ok(ci.count('GET', '/queue/item/') >= 2);
  });

  it('commands: exit 0 succeeds, exit 3 fails, a hang is killed at its timeout; output goes to a log file; no shell', async () => {
    const script = join(w.tmp.dir, 'build.sh');
    writeFileSync(script, '#!/bin/sh\necho "building $KERNEL for $1"\nexit "$2"\n', { mode: 0o755 });
    await kernel(config({
      good: { type: 'command', argv: [script, '{{kernel.version}};rm -rf /', '0'], env: { KERNEL: '{{kernel.version}}' }, ...fast },
      bad: { type: 'command', argv: [script, 'x', '3'], ...fast },
      hang: { type: 'command', argv: ['sleep', '30'], command_timeout: '300ms', max_attempts: 1, ...fast },
    }));
    await waitFor('builds.completed', () => completions().length === 1, 15_000);
    const byTarget = Object.fromEntries(builds().map((b) => [b.target, b]));
    assert.equal(byTarget.good!.state, 'succeeded');
    assert.equal(readFileSync(byTarget.good!.url!, 'utf8'), 'building 6.6.8 for 6.6.8;rm -rf /\n', 'the argument reached the script verbatim');
    assert.equal(byTarget.bad!.state, 'failed');
    assert.equal(byTarget.bad!.last_error, 'exit status 3');
    assert.equal(byTarget.hang!.state, 'failed');
    assert.match(byTarget.hang!.last_error!, /timed out after 300ms/);
  });

  it('a command still running at the target\'s timeout is killed, not left behind', async () => {
    await kernel(config({ slow: { type: 'command', argv: ['sleep', '30'], command_timeout: '1h', timeout: '400ms', max_attempts: 1, ...fast } }));
    await waitFor('builds.completed', () => completions().length === 1, 15_000);
    const b = builds()[0]!;
    assert.match(b.last_error!, /still running after 400ms \(timeout\)/);
    const pid = Number(b.external_id);
    const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
    await waitFor('the command to be gone', () => !alive(), 10_000);
  });

  it('a restart while builds run resumes tracking: a CI run is polled to its end without a second dispatch; a lost command runs again', async () => {
    ci.outcome.polls = 6;
    const cfg = config({
      gh: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', ...fast, poll_every: '200ms' },
      cmd: { type: 'command', argv: ['sh', '-c', 'echo $KH_ATTEMPT >> "$0"; [ "$KH_ATTEMPT" = 2 ] || sleep 30', join(w.tmp.dir, 'attempts')], ...fast },
    });
    await kernel(cfg);
    await waitFor('both running', () => builds().every((b) => b.state === 'running') && ci.runs.size === 1 && [...ci.runs.values()][0]!.polls >= 1, 10_000);
    await d!.stop();
    d = w.daemon(cfg);
    d.builds.start();
    await waitFor('builds.completed', () => completions().length === 1, 20_000);
    assert.equal(ci.count('POST', '/dispatches'), 1, 'no second dispatch');
    const byTarget = Object.fromEntries(builds().map((b) => [b.target, b]));
    assert.equal(byTarget.gh!.state, 'succeeded');
    assert.equal(byTarget.cmd!.state, 'succeeded');
    assert.equal(byTarget.cmd!.attempt, 2);
    assert.equal(readFileSync(join(w.tmp.dir, 'attempts'), 'utf8'), '1\n2\n');
  });

  it('wait_for_packages: a build waits until its package is in the repository (RPM), or fails at the gate\'s deadline (APT)', async () => {
    const publishRpm = (pkgs: R.RpmPkg[]) => {
      const primary = R.xz(R.primaryXml(pkgs));
      w.feeds.set('/el9/repodata/p-primary.xml.xz', primary, 'application/x-xz');
      w.feeds.set('/el9/repodata/repomd.xml', R.repomdXml([{ type: 'primary', href: 'repodata/p-primary.xml.xz', body: primary }]));
    };
    publishRpm([{ name: 'kernel-ml-devel', ver: '6.6.7', rel: '1.el9', arch: 'x86_64' }]);
    const pk = R.xz(R.packagesIndex([{ name: 'linux-headers-6.6.7', version: '6.6.7-1', arch: 'amd64', source: 'linux' }]));
    w.feeds.set('/deb/dists/stable/main/binary-amd64/Packages.xz', pk, 'application/x-xz');
    w.feeds.set('/deb/dists/stable/InRelease', R.inRelease('stable', [{ path: 'main/binary-amd64/Packages.xz', body: pk }]), 'text/plain');
    await kernel(config({
      rpm: { type: 'command', argv: ['true'], ...fast, wait_for_packages: { url: w.feeds.url('/el9/'), format: 'rpm', package: 'kernel-ml-devel', version: '{{kernel.version}}-1.el9', every: '100ms' } },
      deb: { type: 'command', argv: ['true'], ...fast, wait_for_packages: { url: w.feeds.url('/deb'), format: 'apt', suite: 'stable', package: 'linux-headers-{{kernel.version}}', version: '{{kernel.version}}-1', every: '100ms', within: '700ms' } },
    }));
    await waitFor('a few gate checks', () => w.feeds.count('/el9/repodata/repomd.xml') >= 3);
    assert.equal(builds().find((b) => b.target === 'rpm')!.state, 'waiting', 'not there yet: not dispatched');
    publishRpm([{ name: 'kernel-ml-devel', ver: '6.6.7', rel: '1.el9', arch: 'x86_64' }, { name: 'kernel-ml-devel', ver: '6.6.8', rel: '1.el9', arch: 'x86_64' }]);
    await waitFor('builds.completed', () => completions().length === 1, 15_000);
    const byTarget = Object.fromEntries(builds().map((b) => [b.target, b]));
    assert.equal(byTarget.rpm!.state, 'succeeded');
    assert.equal(byTarget.deb!.state, 'failed');
    assert.match(byTarget.deb!.last_error!, /linux-headers-6\.6\.8 6\.6\.8-1 did not appear in http:\/\/127\.0\.0\.1:\d+\/deb by /);
    assert.equal(byTarget.deb!.attempt, 0, 'never dispatched');
  });

  it('a config reload (SIGHUP) keeps a running command: the new daemon follows it without running it again', async () => {
    const marker = join(w.tmp.dir, 'runs');
    const go = join(w.tmp.dir, 'go');
    // The command runs until the test says so: it outlives the reload by construction, not by timing.
    const cfg = config({ cmd: { type: 'command', argv: ['sh', '-c', 'echo run >> "$0"; while [ ! -e "$1" ]; do sleep 0.05; done', marker, go], ...fast } });
    await kernel(cfg);
    await waitFor('running', () => builds()[0]?.state === 'running');
    await d!.stop({ reload: true });
    d = w.daemon(cfg);
    d.builds.start();
    writeFileSync(go, '');
    await waitFor('builds.completed', () => completions().length === 1, 15_000);
    assert.equal(builds()[0]!.state, 'succeeded');
    assert.equal(builds()[0]!.attempt, 1);
    assert.equal(readFileSync(marker, 'utf8'), 'run\n');
  });

  it('each build records what it produced: GitHub, GitLab and Jenkins artifacts from their APIs, a command\'s from $KH_ARTIFACTS_FILE', async () => {
    const script = join(w.tmp.dir, 'build.sh');
    writeFileSync(script, '#!/bin/sh\nprintf "https://repo.example/t/kmod-%s.rpm\\n# a comment\\n\\nhttps://repo.example/t/kmod-devel.rpm\\n" "$1" > "$KH_ARTIFACTS_FILE"\n', { mode: 0o755 });
    await kernel(config({
      gh: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', ...fast },
      gl: { type: 'gitlab-pipeline', url: ci.url, project: 'group/kmod', token_file: 'gl-trigger.token', api_token_file: 'gl-api.token', ...fast },
      jk: { type: 'jenkins', job_url: `${ci.url}/job/kmod/`, user: 'herald', token_file: 'jenkins.token', ...fast },
      cmd: { type: 'command', argv: [script, '{{kernel.version}}'], ...fast },
    }));
    await waitFor('builds.completed', () => completions().length === 1, 20_000);
    const by = Object.fromEntries(builds().map((b) => [b.target, b]));
    assert.deepEqual(Object.values(by).map((b) => b.state), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    assert.deepEqual(by.gh!.artifacts, [`https://github.example/example/kmod/actions/runs/${by.gh!.external_id}/artifacts/${Number(by.gh!.external_id) * 10 + 1}`]);
    assert.deepEqual(by.gl!.artifacts, [`https://gitlab.example/p/-/jobs/${Number(by.gl!.external_id) * 10 + 1}/artifacts/download`], 'only the job that kept artifacts');
    assert.deepEqual(by.jk!.artifacts, [`${ci.url}/job/kmod/42/artifact/out/x86_64/kmod.rpm`]);
    assert.deepEqual(by.cmd!.artifacts, ['https://repo.example/t/kmod-6.6.8.rpm', 'https://repo.example/t/kmod-devel.rpm']);
    const done = completions()[0]!;
    assert.deepEqual(done.builds.find((b) => b.target === 'cmd')!.artifacts, by.cmd!.artifacts, 'events carry them');
  });

  it('a command that exits is recorded at once, not at its next look (the clock stands still: only the exit can move it)', async () => {
    const frozen = Date.now();
    d = w.daemon(config({ cmd: { type: 'command', argv: ['true'], ...fast, poll_every: '1h' } }), { now: () => new Date(frozen) });
    await d.pollOnce(['kdist']);
    d.builds.start();
    await waitFor('the build recorded', () => builds()[0]?.state === 'succeeded', 15_000);
  });

  it('a newer kernel supersedes one whose builds run: the GitHub run, GitLab pipeline and Jenkins build are cancelled through their APIs, the command is killed', async () => {
    ci.outcome.polls = 1000;
    const targets = {
      gh: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', ...fast },
      gl: { type: 'gitlab-pipeline', url: ci.url, project: 'group/kmod', token_file: 'gl-trigger.token', api_token_file: 'gl-api.token', ...fast },
      jk: { type: 'jenkins', job_url: `${ci.url}/job/kmod/`, user: 'herald', token_file: 'jenkins.token', ...fast },
      cmd: { type: 'command', argv: ['sleep', '60'], ...fast },
    };
    const cfg = procedureConfig(targets);
    await kernel(cfg);
    await waitFor('every build of 6.6.8 running, the jenkins one out of the queue', () => builds().length === 4 && builds().every((b) => b.state === 'running') && builds().find((b) => b.target === 'jk')!.tracking.build_url, 20_000);
    const pid = Number(builds().find((b) => b.target === 'cmd')!.external_id);
    await supersede();
    d!.builds.wake();
    const old = () => buildsOf('6.6.8');
    await waitFor('the old builds cancelled', () => old().every((b) => b.state === 'cancelled'), 20_000);
    assert.equal(ci.cancelled().length, 3, 'one cancel call per CI run');
    const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
    await waitFor('the command to be gone', () => !alive(), 10_000);
    assert.equal(d!.store.procedures.forRelease(old()[0]!.release_id!)[0]!.phase, 'superseded');
    assert.equal(eventTypes().filter((t) => t === 'build.cancelled').length, 4);
    assert.equal(completions().length, 0, 'a cancelled set is not reported as completed');
  });

  it('a superseded kernel: builds waiting at their gate are cancelled and never dispatched, finished ones keep their result, and the timeline counts what was cancelled', async () => {
    const publishRpm = (pkgs: R.RpmPkg[]) => {
      const primary = R.xz(R.primaryXml(pkgs));
      w.feeds.set('/el9/repodata/p-primary.xml.xz', primary, 'application/x-xz');
      w.feeds.set('/el9/repodata/repomd.xml', R.repomdXml([{ type: 'primary', href: 'repodata/p-primary.xml.xz', body: primary }]));
    };
    publishRpm([{ name: 'kernel-ml-devel', ver: '6.6.7', rel: '1.el9', arch: 'x86_64' }]);
    const ran = join(w.tmp.dir, 'gated-ran');
    const targets = {
      done: { type: 'command', argv: ['true'], ...fast },
      gated: { type: 'command', argv: ['touch', ran], ...fast, wait_for_packages: { url: w.feeds.url('/el9/'), format: 'rpm', package: 'kernel-ml-devel', version: '{{kernel.version}}-1.el9', every: '100ms' } },
    };
    const cfg = procedureConfig(targets);
    await kernel(cfg);
    const old = () => Object.fromEntries(buildsOf('6.6.8').map((b) => [b.target, b]));
    await waitFor('done built, gated waiting', () => old().done?.state === 'succeeded' && old().gated?.state === 'waiting', 10_000);
    await supersede();
    assert.deepEqual([old().done!.state, old().gated!.state], ['succeeded', 'cancelled']);
    // The package appears after all: what was cancelled stays cancelled.
    publishRpm([{ name: 'kernel-ml-devel', ver: '6.6.8', rel: '1.el9', arch: 'x86_64' }, { name: 'kernel-ml-devel', ver: '6.6.9', rel: '1.el9', arch: 'x86_64' }]);
    const fresh = () => buildsOf('6.6.9');
    await waitFor('the new kernel built', () => fresh().length === 2 && fresh().every((b) => b.state === 'succeeded'), 15_000);
    assert.deepEqual([old().done!.state, old().gated!.state, old().gated!.attempt], ['succeeded', 'cancelled', 0]);
    const record = d!.store.procedures.forRelease(old().done!.release_id!)[0]!;
    assert.deepEqual(d!.store.procedures.timeline(record.id).filter((e) => e.step === 'builds cancelled').map((e) => e.detail), ['1 build']);
  });

  it('dispatch failures are counted and bounded: a 5xx is retried up to max_attempts, recorded each time, then fails saying how many; a status check answering 404 fails the build at once; a failed build reports build.failed', async () => {
    for (let i = 0; i < 3; i++) ci.fail('POST /repos/example/down/actions/workflows/build.yml/dispatches', 502);
    ci.fail('GET /repos/example/gone/actions/runs/', 404, {}, '{"message":"Not Found"}');
    ci.outcome.polls = 1;
    await kernel(config({
      down: { type: 'github-workflow', repo: 'example/down', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', ...fast, max_attempts: 2 },
      gone: { type: 'github-workflow', repo: 'example/gone', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', ...fast },
      fine: { type: 'github-workflow', repo: 'example/fine', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', ...fast },
    }));
    await waitFor('builds.completed', () => completions().length === 1, 20_000);
    const byTarget = Object.fromEntries(builds().map((b) => [b.target, b]));
    assert.equal(byTarget.down!.state, 'failed');
    assert.equal(byTarget.down!.attempt, 2);
    assert.match(byTarget.down!.last_error!, /502.*\(after 2 attempts\)$/);
    assert.equal(ci.count('POST', '/repos/example/down/actions/workflows/build.yml/dispatches'), 2, 'no third dispatch');
    assert.ok(w.logs.lines.filter((l) => l.message === 'build dispatch failed; will retry' && l.target === 'down').length === 1);
    assert.equal(byTarget.gone!.state, 'failed');
    assert.match(byTarget.gone!.last_error!, /404/);
    assert.equal(byTarget.gone!.attempt, 1, 'a run the CI says is not there is not dispatched again');
    assert.equal(byTarget.fine!.state, 'succeeded');
    assert.equal(byTarget.fine!.attempt, 1);
    assert.ok(byTarget.down!.tracking.dispatch_at, 'when the last attempt was made is kept, for a later look-up');
    const types = (target: string) => (d!.store.db.prepare("SELECT type, payload FROM events WHERE type LIKE 'build.%' ORDER BY id").all() as { type: string; payload: string }[])
      .filter((e) => (JSON.parse(e.payload) as { build: { target: string } }).build.target === target).map((e) => e.type);
    assert.deepEqual(types('down'), ['build.failed']);
    assert.deepEqual(types('gone'), ['build.started', 'build.failed']);
    assert.deepEqual(types('fine'), ['build.started', 'build.succeeded']);
    assert.equal(completions()[0]!.ok, false);
  });

  it('an error that is not the CI\'s (the token file gone): a look-up after an unanswered dispatch is tried again, never turned into a second dispatch', async () => {
    const gh = { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', correlation_input: 'correlation', ...fast };
    const cfg = config({ gh });
    const token = join(w.tmp.dir, 'gh.token');
    ci.startThenFail = 1;
    const held = ci.hold('POST /repos/example/kmod/actions/workflows/build.yml/dispatches');
    await kernel(cfg);
    await held.reached;
    rmSync(token);
    held.release();
    await waitFor('a failed look-up', () => w.logs.lines.some((l) => l.message === 'looking for the run of an unanswered dispatch failed; will look again'), 10_000);
    assert.equal(builds()[0]!.state, 'dispatching', 'still looking');
    assert.match(builds()[0]!.last_error!, /gh\.token/);
    writeFileSync(token, `${ci.token}\n`);
    await waitFor('builds.completed', () => completions().length === 1, 15_000);
    assert.equal(builds()[0]!.state, 'succeeded');
    assert.equal(ci.count('POST', '/dispatches'), 1, 'found, not dispatched again');
  });

  it('a status check that cannot even be made (the token file gone) fails the build with the reason', async () => {
    ci.outcome.polls = 1000;
    const cfg = config({ gh: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', ...fast } });
    await kernel(cfg);
    await waitFor('running', () => builds()[0]?.state === 'running', 10_000);
    rmSync(join(w.tmp.dir, 'gh.token'));
    await waitFor('failed', () => builds()[0]!.state === 'failed', 10_000);
    assert.match(builds()[0]!.last_error!, /gh\.token/);
  });

  it('a dispatch that cannot even be made (no token file) fails at once, without spending more attempts', async () => {
    await kernel(config({ gh: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'missing.token', ...fast } }));
    await waitFor('builds.completed', () => completions().length === 1, 10_000);
    assert.equal(builds()[0]!.state, 'failed');
    assert.equal(builds()[0]!.attempt, 1);
    assert.match(builds()[0]!.last_error!, /missing\.token/);
    assert.doesNotMatch(builds()[0]!.last_error!, /after \d+ attempts/);
    assert.equal(ci.count('POST', '/dispatches'), 0);
  });

  it('a lost command with no attempts left fails instead of running again', async () => {
    const attempts = join(w.tmp.dir, 'attempts');
    const cfg = config({ cmd: { type: 'command', argv: ['sh', '-c', 'echo $KH_ATTEMPT >> "$0"; sleep 30', attempts], ...fast, max_attempts: 1 } });
    await kernel(cfg);
    await waitFor('running, its first attempt written', () => builds()[0]?.state === 'running' && existsSync(attempts), 10_000);
    await d!.stop();
    d = w.daemon(cfg);
    d.builds.start();
    await waitFor('builds.completed', () => completions().length === 1, 20_000);
    assert.equal(builds()[0]!.state, 'failed');
    assert.equal(builds()[0]!.attempt, 1);
    assert.match(builds()[0]!.last_error!, /not running in this daemon/);
    assert.equal(readFileSync(attempts, 'utf8'), '1\n', 'not run again');
  });

  it('a build whose target was removed from the config (a reload) fails saying so, instead of waiting for ever', async () => {
    const cfg = config({ cmd: { type: 'command', argv: ['sleep', '30'], ...fast } });
    await kernel(cfg);
    await waitFor('running', () => builds()[0]?.state === 'running', 10_000);
    await d!.stop();
    d = w.daemon(config({ other: { type: 'command', argv: ['true'], ...fast } }));
    d.builds.start();
    await waitFor('the orphan failed', () => builds()[0]!.state === 'failed', 10_000);
    assert.match(builds()[0]!.last_error!, /target "cmd" is no longer configured as command/);
  });

  it('a build whose target now names another kind of CI under the same name fails saying so, instead of asking the wrong CI', async () => {
    const cfg = config({ cmd: { type: 'command', argv: ['sleep', '30'], ...fast } });
    await kernel(cfg);
    await waitFor('running', () => builds()[0]?.state === 'running', 10_000);
    await d!.stop();
    d = w.daemon(config({ cmd: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', ...fast } }));
    d.builds.start();
    await waitFor('failed', () => builds()[0]!.state === 'failed', 10_000);
    assert.match(builds()[0]!.last_error!, /target "cmd" is no longer configured as command/);
    assert.equal(ci.seen.length, 0, 'GitHub was never asked about a command\'s build');
  });

  it('a cancel that comes after a dispatch went unanswered finds the run it may have started, and stops it', async () => {
    ci.outcome.polls = 1000;
    ci.startThenFail = 1;
    // A slow retry: the look-up for the unanswered dispatch would come only after the cancel.
    const targets = { gh: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', correlation_input: 'correlation', poll_every: '100ms', retry: { base: '1h', max: '1h' } } };
    const cfg = procedureConfig(targets);
    await kernel(cfg);
    await waitFor('the unanswered dispatch', () => w.logs.lines.some((l) => l.message === 'build dispatch failed; will retry'), 10_000);
    const old = () => buildsOf('6.6.8')[0]!;
    assert.equal(old().external_id, null, 'no answer, so no run id');
    await supersede();
    d!.builds.wake();
    await waitFor('the old build cancelled', () => old().state === 'cancelled', 10_000);
    const run = [...ci.runs.values()][0]!; // the first run: 6.6.8's, started by the unanswered dispatch
    assert.ok(ci.cancelled().includes(run.id), 'the run started by the unanswered dispatch was found and stopped');
  });

  it('a cancel after a dispatch that never reached the CI finds no run, and the build ends cancelled all the same', async () => {
    ci.fail('POST /repos/example/kmod/actions/workflows/build.yml/dispatches', 502);
    const targets = { gh: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', correlation_input: 'correlation', poll_every: '100ms', retry: { base: '1h', max: '1h' } } };
    const cfg = procedureConfig(targets);
    await kernel(cfg);
    await waitFor('the failed dispatch', () => w.logs.lines.some((l) => l.message === 'build dispatch failed; will retry'), 10_000);
    await supersede();
    d!.builds.wake();
    const old = () => buildsOf('6.6.8')[0]!;
    await waitFor('the old build cancelled', () => old().state === 'cancelled', 10_000);
    assert.equal(ci.cancelled().length, 0, 'no run to stop');
  });

  it('a cancel that comes while a status check is in flight wins over the success it reports: the build ends cancelled, nothing reports it built', async () => {
    ci.outcome.polls = 0; // the first status check says: completed, success
    const targets = { gh: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', inputs: { kernel: '{{kernel.version}}' }, ...fast } };
    const cfg = procedureConfig(targets);
    const held = ci.hold('GET /repos/example/kmod/actions/runs/');
    await kernel(cfg);
    await held.reached;
    await supersede();
    const old = () => buildsOf('6.6.8')[0]!;
    assert.equal(old().state, 'cancelling');
    held.release();
    await waitFor('the old build cancelled', () => old().state === 'cancelled', 20_000);
    const forOld = (d!.store.db.prepare("SELECT type FROM events WHERE type LIKE 'build%' AND release_id = ? ORDER BY id").pluck().all(old().release_id) as string[]);
    assert.deepEqual(forOld, ['build.started', 'build.cancelled'], 'no build.succeeded, no builds.completed for the superseded kernel');
    assert.ok(!ci.cancelled().includes(Number(old().external_id)), 'the run had ended by itself: nothing to stop');
    assert.equal(d!.store.procedures.forRelease(old().release_id!)[0]!.phase, 'superseded');
  });

  it('a cancel that comes while a dispatch is in flight wins: the run it started is stopped, and a build of the same kernel not dispatched yet is not dispatched', async () => {
    ci.outcome.polls = 1000;
    const targets = { gh: { type: 'github-workflow', repo: 'example/kmod', workflow: 'build.yml', api_url: ci.url, token_file: 'gh.token', inputs: { kernel: '{{kernel.version}}', arch: '{{matrix.arch}}' }, matrix: { arch: ['x86_64', 'aarch64'] }, ...fast } };
    const cfg = procedureConfig(targets);
    const held = ci.hold('POST /repos/example/kmod/actions/workflows/build.yml/dispatches');
    await kernel(cfg);
    await held.reached;
    // The tracker waits on the first dispatch with both builds of 6.6.8 in hand; a newer kernel arrives meanwhile.
    await supersede();
    held.release();
    const old = () => buildsOf('6.6.8');
    await waitFor('the old builds cancelled', () => old().length === 2 && old().every((b) => b.state === 'cancelled'), 20_000);
    const dispatched = ci.seen.filter((s) => s.path.endsWith('/dispatches')).map((s) => (JSON.parse(s.body) as { inputs: Record<string, string> }).inputs.kernel);
    assert.equal(dispatched.filter((k) => k === '6.6.8').length, 1, 'the build still queued when the cancel came was not dispatched');
    const run = old().find((b) => b.external_id)!;
    assert.ok(run, 'the run the held dispatch started is recorded');
    assert.ok(ci.cancelled().includes(Number(run.external_id)), 'and stopped through the API');
    assert.equal(completions().length, 0);
    const forOld = d!.store.db.prepare("SELECT type FROM events WHERE type LIKE 'build%' AND release_id = ? ORDER BY id").pluck().all(run.release_id) as string[];
    assert.deepEqual(forOld, ['build.cancelled', 'build.cancelled'], 'a run started for a kernel already cancelled is not reported as started');
  });
});
