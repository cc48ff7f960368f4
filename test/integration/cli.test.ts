import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src/store/index.js';
import { cliCommand, runCli } from '../helpers/cli.js';
import { FIXTURES, tempDir, writeConfig } from '../helpers/util.js';

describe('CLI: exit codes and output', function () {
  this.timeout(60_000);
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => { t = tempDir(); });
  afterEach(() => { t.cleanup(); });

  it('--help exits 0 for the program and a command; an unknown command or option exits 2', async () => {
    const top = await runCli(['--help']);
    assert.equal(top.code, 0);
    // The environment it reads, each named in the README too.
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    for (const name of ['KERNEL_HERALD_CONFIG', 'KERNEL_HERALD_LOG_LEVEL', 'KERNEL_HERALD_CODE_CACHE']) {
      assert.match(top.stdout, new RegExp(`^  ${name}`, 'm'), name);
      assert.ok(readme.includes(name), `${name} in the README`);
    }
    const help = await runCli(['parse', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: kernel-herald parse/);
    assert.equal((await runCli(['frobnicate'])).code, 2);
    assert.equal((await runCli(['status', '--bogus'])).code, 2);
  });

  it('parse prints the Announcement JSON, an array for several files, and exits 2 naming a bad file', async () => {
    const one = await runCli(['parse', join(FIXTURES, 'ubuntu-usn/USN-6548-1.eml')]);
    assert.equal(one.code, 0, one.stderr);
    const a = JSON.parse(one.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(a), ['format', 'source', 'title', 'advisory', 'cves', 'urls', 'releases']);
    const two = await runCli(['parse', join(FIXTURES, 'kernel-org/kdist-2020-05-08.xml'), join(FIXTURES, 'nvidia/releases.atom')]);
    assert.equal((JSON.parse(two.stdout) as unknown[]).length, 2);
    const bad = join(t.dir, 'bad.xml');
    writeFileSync(bad, '<rss><channel><item>');
    const res = await runCli(['parse', bad]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, new RegExp(`${bad}: malformed XML`));
  });

  it('parse refuses a file over --max-bytes before reading it, naming its size', async () => {
    const big = join(t.dir, 'big.json');
    writeFileSync(big, JSON.stringify({ releases: Array.from({ length: 2000 }, (_, i) => ({ version: `6.6.${i}` })) }));
    const res = await runCli(['parse', '--max-bytes', '1000', big]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, new RegExp(`${big}: \\d+ bytes, over --max-bytes 1000`));
    assert.equal((await runCli(['parse', '--max-bytes', 'lots', big])).code, 2);
  });

  it('check-config exits 2 listing every problem as path: what is wrong', async () => {
    const cfg = writeConfig(t.dir, { statedir: 'x', mail: { from: 'a@b.c' }, watchers: [{ id: 'w', type: 'rss', url: 'nope' }] });
    const res = await runCli(['check-config', cfg]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /statedir: unknown key/);
    assert.match(res.stderr, /watchers\[0\]\.url: must be an http\(s\) URL/);
    const ok = await runCli(['check-config', '--json', join(FIXTURES, '..', '..', 'config', 'kernel-herald.example.yaml')]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { watchers: unknown[] }).watchers.length, 8);
  });

  it('check-config reports schema and reference problems in one pass, with "did you mean"', async () => {
    const cfg = writeConfig(t.dir, {
      statedir: './x', http: { listen: 'off' }, mail: { from: 'H <h@example.org>' },
      people: { alice: { name: 'Alice', email: 'alice@example.org' }, bob: { name: 'Bob', email: 'not-an-address' } },
      rotations: { support: { members: ['alise', 'bob'], handoff: { start: '2026-01-05T09:00' } } },
      watchers: [{ id: 'a', type: 'rss', url: 'nope' }, { id: 'b', type: 'rss', url: 'https://example.org/f.xml', evry: '5m' }],
      rules: [
        { id: 'r1', on: 'kernel.released', do: [{ email: { template: 'kernel-notise', to: ['alice'] } }] },
        { id: 'r2', on: 'kernel.released', do: [{ emial: { template: 'kernel-notice', to: ['alice'] } }] },
        { id: 'r3', on: 'kernel.released', do: [{ assign: { rotation: 'suport' } }, { build: { target: 'web100' } }] },
      ],
    });
    const res = await runCli(['check-config', cfg]);
    assert.equal(res.code, 2);
    const lines = res.stderr.split('\n').slice(1).map((l) => l.trim()).filter(Boolean).sort();
    assert.deepEqual(lines, [
      'people.bob.email: must be an email address',
      'rotations.support.members[0]: "alise" is not in people: (did you mean "alice"?)',
      'rules[0].do[0].email.template: no template "kernel-notise" in ' + join(FIXTURES, '..', '..', 'config', 'templates') + ' (did you mean "kernel-notice"?)',
      'rules[1].do[0].emial: unknown action (known: assign, build, email, procedure, webhook) (did you mean "email"?)',
      'rules[2].do[0].assign.rotation: no rotation "suport" in rotations: (did you mean "support"?)',
      'rules[2].do[1].build.target: no build target "web100" in builds:',
      'statedir: unknown key (did you mean "state_dir"?)',
      'watchers[0].url: must be an http(s) URL',
      'watchers[1].evry: unknown key (did you mean "every"?)',
    ], 'bob\'s broken entry is named once, not again as an unknown member');
  });

  it('check-config warns of a missing secret of any kind, accepts http listen: off', async () => {
    const cfg = writeConfig(t.dir, { state_dir: join(t.dir, 's'), http: { listen: 'off' }, mail: { from: 'a@b.c' },
      watchers: [{ id: 'm', type: 'imap', host: 'imap.example.org', user: 'u', password_file: 'imap.pw' }],
      rules: [{ id: 'chat', on: 'kernel.released', do: [{ email: { template: 'kernel-notice', to: ['a@b.c'] } }, { webhook: { url_file: 'hook.url', secret_headers: { Authorization: 'hook.token' } } }] }] });
    const res = await runCli(['check-config', cfg]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, new RegExp(`warning: watchers\\[0\\]\\.password_file: ${join(t.dir, 'imap.pw')} does not exist yet`));
    // A webhook's files, named where they stand and made absolute against the config's folder.
    assert.match(res.stderr, new RegExp(`warning: rules\\[0\\]\\.do\\[1\\]\\.webhook\\.url_file: ${join(t.dir, 'hook.url')} does not exist yet`));
    assert.match(res.stderr, new RegExp(`warning: rules\\[0\\]\\.do\\[1\\]\\.webhook\\.secret_headers\\.Authorization: ${join(t.dir, 'hook.token')} does not exist yet`));
    assert.match(res.stdout, /http:\s+off/);
  });

  it('no command is a usage error (exit 2, help on stderr); a closed pipe ends the output quietly', async () => {
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: kernel-herald/);
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [...cliCommand(), 'vercmp', '--scheme', 'rpm', '--stdin'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.stdout.once('data', () => child.stdout.destroy()); // `| head -1`
    child.stdin.on('error', () => undefined); // it exits before reading it all
    child.stdin.end('1.0 1.1\n'.repeat(200_000));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 0);
    assert.doesNotMatch(stderr, /EPIPE|Error/);
  });

  it('run refuses (exit 2) a database newer than the code', async () => {
    const cfg = writeConfig(t.dir, { state_dir: join(t.dir, 's'), http: 'off', mail: { from: 'a@b.c' } });
    const store = Store.open(join(t.dir, 's', 'kernel-herald.sqlite'));
    store.db.prepare("INSERT INTO schema_migrations VALUES (42, '0042_x', 'now')").run();
    store.close();
    const res = await runCli(['run', '--config', cfg]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /schema version 42, newer than this program knows/);
  });

  it('status --json and outbox list --json answer on an empty state; outbox retry of an unknown id exits 2', async () => {
    const cfg = writeConfig(t.dir, { state_dir: join(t.dir, 's'), http: 'off', mail: { from: 'a@b.c' } });
    const st = await runCli(['status', '--json', '--config', cfg]);
    assert.equal(st.code, 0, st.stderr);
    assert.deepEqual((JSON.parse(st.stdout) as { outbox: unknown }).outbox, { pending: 0, sent: 0, failed: 0 });
    const ol = await runCli(['outbox', 'list', '--json', '--config', cfg]);
    assert.deepEqual(JSON.parse(ol.stdout), []);
    const rt = await runCli(['outbox', 'retry', '7', '--config', cfg]);
    assert.equal(rt.code, 2);
    assert.match(rt.stderr, /no outbox message 7/);
  });
});

describe('CLI: vercmp', function () {
  this.timeout(30_000);
  it('prints -1, 0 or 1 per scheme; a malformed version exits 2 naming it', async () => {
    const r = await runCli(['vercmp', '--scheme', 'deb', '5.15.0-91.101', '5.15.0-92.102']);
    assert.deepEqual([r.code, r.stdout], [0, '-1\n']);
    assert.equal((await runCli(['vercmp', '--scheme', 'rpm', '--', '1.0^git1', '1.0'])).stdout, '1\n');
    assert.equal((await runCli(['vercmp', '--scheme', 'kernel', '6.7', '6.7.0'])).stdout, '0\n');
    const bad = await runCli(['vercmp', '--scheme', 'kernel', '6.7', 'six']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"six" is not a kernel\.org version/);
  });
  it('warns where rpm and dpkg warn, and answers as they do', async () => {
    const rpm = await runCli(['vercmp', '--scheme', 'rpm', '1.1.α', '1.1.β']);
    assert.deepEqual([rpm.code, rpm.stdout], [0, '0\n']);
    assert.match(rpm.stderr, /warning: "1\.1\.α": characters "α" are separators to rpm/);
    const deb = await runCli(['vercmp', '--scheme', 'deb', 'a-0', 'b-0']);
    assert.deepEqual([deb.code, deb.stdout], [0, '-1\n']);
    assert.match(deb.stderr, /warning: "a-0": upstream version does not start with a digit \(compared as dpkg does\)/);
    const refused = await runCli(['vercmp', '--scheme', 'deb', 'a:1', '1']);
    assert.equal(refused.code, 2, 'what dpkg calls an error is still refused');
  });
  it('--stdin answers one line per pair, and stops at a bad line naming it', async () => {
    const r = await runCli(['vercmp', '--scheme', 'rpm', '--stdin'], {}, '1.0 2.0\n2.0\t1.0\n1.0~rc1 1.0~rc1\n');
    assert.deepEqual([r.code, r.stdout], [0, '-1\n1\n0\n']);
    const bad = await runCli(['vercmp', '--scheme', 'rpm', '--stdin'], {}, '1.0 2.0\n1.0\n');
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '-1\n');
    assert.match(bad.stderr, /stdin line 2: expected two versions, found 1/);
  });
});
