import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliCommand } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');

function run(entry: string, args: string[]) {
  return spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', env: { ...process.env, KERNEL_HERALD_CODE_CACHE: 'report' } });
}

describe('the installed entry: the bundled program started from its V8 code cache', function () {
  this.timeout(120_000);
  let entry: string;
  // A copy under the repository, so node_modules still resolves upwards.
  const copy = join(ROOT, 'var', 'test-launch', 'dist', 'cli');

  before(() => {
    [entry] = process.env.KH_TEST_CLI === 'src' ? [join(ROOT, 'dist', 'cli', 'main.js')] : cliCommand();
    rmSync(join(ROOT, 'var', 'test-launch'), { recursive: true, force: true });
    mkdirSync(copy, { recursive: true });
    for (const f of ['main.js', 'package.json', 'core.cjs']) copyFileSync(join(ROOT, 'dist', 'cli', f), join(copy, f));
  });
  after(() => rmSync(join(ROOT, 'var', 'test-launch'), { recursive: true, force: true }));

  it('the build writes a cache that V8 takes, and the command runs from it', () => {
    const r = run(entry!, ['check-config']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^code cache: used$/m);
    assert.match(r.stdout, /: OK$/m);
  });

  it('the entry starts as CommonJS, so Node never sets up its ES module loader (the package itself is "type": "module")', () => {
    const probe = join(ROOT, 'var', 'test-launch', 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => process.stderr.write(`module jobs: ${process.moduleLoadList.filter((m) => m.endsWith('esm/module_job')).length}\\n`));\n");
    const r = spawnSync(process.execPath, ['--require', probe, entry!, '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^module jobs: 0$/m);
  });

  it('installed without its dependencies, a command that needs the store says what to reinstall', () => {
    // Outside the repository, so no node_modules is found upwards.
    const bare = mkdtempSync(join(tmpdir(), 'kernel-herald-bare-'));
    try {
      for (const f of ['main.js', 'package.json', 'core.cjs']) copyFileSync(join(ROOT, 'dist', 'cli', f), join(bare, f));
      writeFileSync(join(bare, 'config.yaml'), 'state_dir: ./state\nhttp: off\nmail: { from: k@example.org, transport: file }\nwatchers: []\n');
      const r = spawnSync(process.execPath, [join(bare, 'main.js'), 'status', '--config', join(bare, 'config.yaml')], { cwd: bare, encoding: 'utf8' });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /^kernel-herald: error: cannot find SQLite \(better-sqlite3\/build\/Release\/better_sqlite3\.node\): Cannot find module .*; reinstall the dependencies \(npm ci --omit=dev\)$/m);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('the bundle is ASCII only, so V8 holds its source at one byte a character (a UTF-8 character anywhere doubles it)', () => {
    const bytes = readFileSync(join(ROOT, 'dist', 'cli', 'core.cjs'));
    const at = bytes.findIndex((b) => b > 0x7f);
    assert.equal(at, -1, `non-ASCII byte at ${at}: ${bytes.subarray(Math.max(0, at - 40), at + 10).toString('latin1')}`);
  });

  it('without a cache, or with one that is damaged or made for other code, the program compiles from source and runs', () => {
    const none = run(join(copy, 'main.js'), ['--version']);
    assert.equal(none.status, 0, none.stderr);
    assert.match(none.stderr, /^code cache: none$/m);
    assert.match(none.stdout, /^\d+\.\d+\.\d+$/m);

    const cache = readFileSync(join(ROOT, 'dist', 'cli', 'core.cache'));
    const damaged = Buffer.from(cache);
    for (let i = 0; i < 64; i++) damaged[i] ^= 0xff; // the header V8 checks: magic, version, source and flag hashes
    writeFileSync(join(copy, 'core.cache'), damaged);
    const bad = run(join(copy, 'main.js'), ['--version']);
    assert.equal(bad.status, 0, bad.stderr);
    assert.match(bad.stderr, /^code cache: rejected$/m);

    // The right cache for other code: the bundle changed after the build.
    writeFileSync(join(copy, 'core.cache'), cache);
    writeFileSync(join(copy, 'core.cjs'), `${readFileSync(join(copy, 'core.cjs'), 'utf8')}\n// changed\n`);
    const stale = run(join(copy, 'main.js'), ['--version']);
    assert.equal(stale.status, 0, stale.stderr);
    assert.match(stale.stderr, /^code cache: rejected$/m);
    assert.match(stale.stdout, /^\d+\.\d+\.\d+$/m);
  });
});
