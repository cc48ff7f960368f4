import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { cliCommand, runCli } from '../helpers/cli.js';
import { fixture, waitFor } from '../helpers/util.js';
import { kdistItem, rssFeed, World } from '../helpers/world.js';
import { rhsa, suse } from '../helpers/csaf-docs.js';

const notice = { id: 'notice', on: 'kernel.released', do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] };

describe('daemon', function () {
  this.timeout(60_000);
  let w: World;
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => { await w.stop(); });

  it('type http: releases.json is split per release; a new release fires once', async () => {
    const doc = JSON.parse(fixture('kernel-org/releases.json')) as { releases: Record<string, unknown>[] };
    w.feeds.set('/releases.json', JSON.stringify(doc), 'application/json');
    const d = w.daemon(w.config([{ id: 'kjson', type: 'http', url: w.feeds.url('/releases.json') }], [notice]));
    const [base] = await d.pollOnce();
    assert.equal(base!.baseline, true);
    assert.equal(base!.recorded, 2);
    doc.releases.push({ ...doc.releases[1], version: '5.10.2' });
    w.feeds.set('/releases.json', JSON.stringify(doc), 'application/json');
    const [next] = await d.pollOnce();
    assert.deepEqual([next!.recorded, next!.events], [1, 1]);
    assert.equal(w.smtp.received.length, 1);
    assert.equal(w.smtp.received[0]!.subject, 'New kernel 5.10.2 for kernel.org 5.10');
  });

  it('type http on a CSAF changes.csv: the baseline reads the advisories already out; a new line is fetched and its kernel mailed once; an advisory not there yet is tried again', async () => {
    const rhel = { id: 'rhel', on: 'kernel.released', when: { distro: 'rhel' }, do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] };
    const older = JSON.parse(JSON.stringify(rhsa).replaceAll('427.31.1', '427.28.1').replaceAll('RHSA-2024:5363', 'RHSA-2024:4928')) as unknown;
    const line = (path: string, at: string) => `"${path}","${at}"\n`;
    w.feeds.set('/csaf/2024/rhsa-2024_4928.json', JSON.stringify(older), 'application/json');
    w.feeds.set('/csaf/2024/suse-su-2024_0926-1.json', JSON.stringify(suse), 'application/json');
    w.feeds.set('/csaf/changes.csv', line('2024/suse-su-2024_0926-1.json', '2024-08-01T10:00:00+00:00') + line('2024/rhsa-2024_4928.json', '2024-07-29T10:00:00+00:00'), 'text/csv');
    const d = w.daemon(w.config([{ id: 'redhat', type: 'http', url: w.feeds.url('/csaf/changes.csv') }], [rhel]));
    const [base] = await d.pollOnce();
    assert.deepEqual([base!.baseline, base!.recorded, base!.events], [true, 2, 0]);
    assert.deepEqual(d.store.releases.find('5.14.0-427.28.1.el9_4').map((r) => `${r.distro} ${r.distro_release}`), ['rhel 9'], 'the baseline knows the kernel already out');

    // A new advisory, listed before its file is there (a mirror still syncing): tried again, not lost.
    w.feeds.set('/csaf/changes.csv', line('2024/rhsa-2024_5363.json', '2024-08-13T08:39:50+00:00') + line('2024/suse-su-2024_0926-1.json', '2024-08-01T10:00:00+00:00') + line('2024/rhsa-2024_4928.json', '2024-07-29T10:00:00+00:00'), 'text/csv');
    const [missing] = await d.pollOnce();
    assert.deepEqual([missing!.ok, missing!.recorded], [true, 0]);
    assert.equal(w.smtp.received.length, 0);
    w.feeds.set('/csaf/2024/rhsa-2024_5363.json', JSON.stringify(rhsa), 'application/json');
    const [next] = await d.pollOnce();
    assert.deepEqual([next!.recorded, next!.events], [1, 1]);
    assert.deepEqual(w.smtp.received.map((m) => m.subject), ['New kernel 5.14.0-427.31.1.el9_4 for rhel 9 [RHSA-2024:5363]']);
    const [again] = await d.pollOnce();
    assert.deepEqual([again!.recorded, again!.events], [0, 0]);
    assert.equal(w.feeds.count('/csaf/2024/rhsa-2024_4928.json'), 1, 'an advisory already recorded is not fetched again');
  });

  it('cron: schedule polls on its ticks; /healthz and /metrics answer', async () => {
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.20', 'stable')]));
    const d = w.daemon(w.config([{ id: 'cronned', type: 'rss', url: w.feeds.url('/a.xml'), cron: '* * * * * *' }], [notice], { http: { listen: '127.0.0.1:0' } }));
    await d.start();
    await waitFor('two cron polls', () => w.feeds.count('/a.xml') >= 2, 15_000);
    assert.ok(w.feeds.count('/a.xml', 304) >= 1, 'the later polls are conditional');
    const line = w.logs.lines.find((l) => l.message === 'http listening');
    const health = await fetch(`http://${String(line!.address)}/healthz`);
    assert.equal(health.status, 200);
    const h = await health.json() as { ok: boolean; watchers: Record<string, { failures: number }> };
    assert.equal(h.ok, true);
    assert.equal(h.watchers.cronned!.failures, 0);
    const metrics = await (await fetch(`http://${String(line!.address)}/metrics`)).text();
    assert.match(metrics, /kernel_herald_polls_total\{watcher="cronned",result="(ok|not_modified)"\} \d+/);
    assert.match(metrics, /kernel_herald_outbox_messages\{kind="mail",status="pending"\} 0/);
  });

  it('file transport: one .eml per message under state_dir/mail', async () => {
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.21', 'stable')]));
    const cfgPath = w.config([{ id: 'a', type: 'rss', url: w.feeds.url('/a.xml'), backfill: true }], [notice]);
    const cfg = YAML.parse(readFileSync(cfgPath, 'utf8')) as { mail: Record<string, unknown> };
    cfg.mail = { from: 'Kernel Herald <herald@test.example>', transport: 'file' };
    writeFileSync(cfgPath, YAML.stringify(cfg));
    const d = w.daemon(cfgPath);
    await d.pollOnce();
    const dir = join(w.tmp.dir, 'state', 'mail');
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    const eml = readFileSync(join(dir, files[0]!), 'utf8');
    assert.match(eml, /^Subject: New kernel 6\.6\.21 for kernel\.org 6\.6$/m);
    assert.match(eml, /^Message-ID: <kh\.\d+\.0\.[0-9a-f]{12}@test\.example>$/m);
  });

  it('a message that failed permanently is sent once after `outbox retry`; a sent one is never retried', async () => {
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.22', 'stable')]));
    const cfgPath = w.config([{ id: 'a', type: 'rss', url: w.feeds.url('/a.xml'), backfill: true }], [notice]);
    const cfg = YAML.parse(readFileSync(cfgPath, 'utf8')) as { mail: { retry: Record<string, unknown> } };
    cfg.mail.retry = { base: '10ms', max: '10ms', max_attempts: 2 };
    writeFileSync(cfgPath, YAML.stringify(cfg));
    w.smtp.refuse(2);
    let d = w.daemon(cfgPath);
    await d.pollOnce();
    await waitFor('the message to fail for good', () => (d.store.outbox.list()[0]?.status === 'failed' ? true : (void d.process(), false)), 5000);
    await d.stop();
    assert.equal(w.smtp.received.length, 0);
    const retry = await runCli(['outbox', 'retry', '1', '--config', cfgPath]);
    assert.equal(retry.code, 0, retry.stderr);
    d = w.daemon(cfgPath);
    await d.process();
    assert.equal(w.smtp.received.length, 1);
    await d.stop();
    const again = await runCli(['outbox', 'retry', '1', '--config', cfgPath]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already sent/);
  });

  it('poll exits 1 naming the failed watcher, after processing the others', async () => {
    w.feeds.set('/ok.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.23', 'stable')]));
    const cfg = w.config([
      { id: 'ok', type: 'rss', url: w.feeds.url('/ok.xml'), backfill: true },
      { id: 'gone', type: 'rss', url: w.feeds.url('/gone.xml') },
    ], [notice]);
    const res = await runCli(['poll', '--config', cfg]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /1 watcher failed: gone/);
    assert.match(res.stdout, /^gone +FAILED/m);
    assert.equal(w.smtp.received.length, 1);
  });

  it('a poll that finds nothing new writes nothing to stderr; KERNEL_HERALD_LOG_LEVEL shows more, and an unknown level is refused', async () => {
    w.feeds.set('/ok.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.23', 'stable')]));
    const cfg = w.config([{ id: 'ok', type: 'rss', url: w.feeds.url('/ok.xml') }], [notice]);
    const first = await runCli(['poll', '--config', cfg]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /"message":"baseline recorded"/);
    const quiet = await runCli(['poll', '--config', cfg]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.match(quiet.stdout, /^ok +not-modified/m);
    assert.equal(quiet.stderr, '');
    const debug = await runCli(['poll', '--config', cfg], { KERNEL_HERALD_LOG_LEVEL: 'debug' });
    assert.equal(debug.code, 0, debug.stderr);
    assert.deepEqual(debug.stderr.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { message: string; watcher?: string })).map((l) => [l.message, l.watcher]), [['not modified', 'ok']]);
    const typo = await runCli(['poll', '--config', cfg], { KERNEL_HERALD_LOG_LEVEL: 'degub' });
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /log level "degub": must be one of error, warn, info/);
  });

  it('run: SIGHUP with a broken config keeps the running one; SIGTERM drains and exits 0', async () => {
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', []));
    const cfg = w.config([{ id: 'a', type: 'rss', url: w.feeds.url('/a.xml') }], [notice]);
    const child = spawn(process.execPath, [...cliCommand(), 'run', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitFor('started', () => out.includes('"message":"started"'), 15_000);
    await waitFor('the baseline poll', () => out.includes('baseline recorded'), 5000);
    const good = readFileSync(cfg, 'utf8');
    writeFileSync(cfg, 'watchers: [');
    child.kill('SIGHUP');
    await waitFor('the reload refusal', () => out.includes('reload refused'), 5000);
    writeFileSync(cfg, good);
    const before = out.length;
    child.kill('SIGHUP');
    await waitFor('the reload', () => out.includes('"message":"reloaded"'), 5000);
    const reload = out.slice(before).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { message: string; level: string }));
    assert.deepEqual(reload.filter((l) => l.level !== 'debug' && /^(stopped|started|reloaded)$/.test(l.message)).map((l) => l.message), ['reloaded'], 'a reload is not logged as a restart');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /"message":"stopped"/);
  });
});
