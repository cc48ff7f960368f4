import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';
import { STOP_BUDGET_MS } from '../../src/daemon.js';
import { SQLITE_ADDON } from '../../src/store/db.js';

const ROOT = join(import.meta.dirname, '..', '..');
const UNIT = join(ROOT, 'systemd', 'kernel-herald.service');
const unit = readFileSync(UNIT, 'utf8');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** `Key=value` lines of the unit, commented-out ones included when asked (the credential lines ship disabled). */
function directives(key: string, withCommented = false): string[] {
  const re = new RegExp(`^${withCommented ? '#?' : ''}${key}=(.*)$`, 'gm');
  return [...unit.matchAll(re)].map((m) => m[1]!.trim());
}

describe('install as a service: the unit, the README and the package agree', function () {
  this.timeout(60_000);

  it('the README gives the unit\'s command, paths and state directory', () => {
    const [exec] = directives('ExecStart');
    assert.equal(exec, '/usr/bin/node /opt/kernel-herald/dist/cli/main.js run --config /etc/kernel-herald/config.yaml');
    assert.ok(readme.includes(exec!), 'the README quotes ExecStart');
    assert.match(readme, /install -d \/opt\/kernel-herald\n/);
    assert.deepEqual(directives('StateDirectory'), ['kernel-herald']);
    assert.ok(readme.includes('state_dir: /var/lib/kernel-herald'), 'the README sets state_dir to the StateDirectory');
    assert.ok(readme.includes('journalctl -u kernel-herald'));
  });

  it('every credential has the same name in the unit and the README, and each is read as $CREDENTIALS_DIRECTORY/NAME', () => {
    const inUnit = directives('LoadCredential', true).map((v) => {
      const [name, path] = v.split(':');
      assert.equal(path, `/etc/kernel-herald/credentials/${name}`, `${name}: its file is named after it`);
      return name!;
    }).sort();
    assert.ok(inUnit.length >= 6, 'smtp, imap and the build tokens');
    const inReadme = [...readme.matchAll(/^\s*\| `([a-z-]+)` \| .*credential:([a-z-]+)`/gm)].map((m) => {
      assert.equal(m[1], m[2], 'the table row names one credential');
      return m[1]!;
    }).sort();
    assert.deepEqual(inReadme, inUnit);
    assert.ok(readme.includes('LoadCredential=smtp-password:/etc/kernel-herald/credentials/smtp-password'));
  });

  it('systemd gives a stop more time than the daemon takes', () => {
    const [timeout] = directives('TimeoutStopSec');
    assert.ok(Number(timeout) * 1000 >= STOP_BUDGET_MS + 10_000, `TimeoutStopSec=${timeout}`);
    assert.ok(STOP_BUDGET_MS < 10_000);
  });

  it('is hardened: systemd-analyze security scores it at most 1.5', () => {
    // test/setup.sh installs systemd-analyze (Debian's systemd) with the other test tools.
    const out = spawnSync('systemd-analyze', ['security', '--offline=true', UNIT], { encoding: 'utf8' });
    const score = /Overall exposure level for kernel-herald\.service: ([\d.]+)/.exec(`${out.stdout}${out.stderr}`)?.[1];
    assert.ok(score, out.stderr);
    assert.ok(Number(score) <= 1.5, `exposure ${score}`);
  });

  it('the package ships dist, the lock, migrations, templates and the unit, and installs with npm ci --omit=dev (no build step)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    for (const hook of ['prepare', 'preinstall', 'install', 'postinstall']) assert.equal(pkg.scripts[hook], undefined, `no ${hook} script: npm ci --omit=dev has no TypeScript`);
    assert.equal(pkg.dependencies.typescript, undefined);
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { files: { path: string }[] }[];
    const files = new Set(packed[0]!.files.map((f) => f.path));
    for (const f of ['dist/cli/main.js', 'npm-shrinkwrap.json', 'systemd/kernel-herald.service', 'config/kernel-herald.example.yaml', 'config/templates/reply-refused.hbs']) assert.ok(files.has(f), f);
    const migrations = readdirSync(join(ROOT, 'migrations')).map((f) => `migrations/${f}`);
    for (const m of migrations) assert.ok(files.has(m), m);
    assert.ok(![...files].some((f) => f.startsWith('test/') || f.startsWith('src/')), 'no sources or tests');
    for (const f of ['dist/cli/core.cjs', 'dist/cli/core.cache']) assert.ok(files.has(f), `${f}: the program and the code cache it starts from`);
    assert.ok(!files.has('dist/meta.json'), "the bundler's report stays out of the package");
  });

  it('the bundle needs from node_modules only runtime dependencies (npm ci --omit=dev installs nothing else)', () => {
    // Written by `npm run bundle`, which the pack above ran.
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'meta.json'), 'utf8')) as { outputs: Record<string, { imports: { path: string; external?: boolean }[]; inputs: Record<string, unknown> }> };
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const external = new Set(Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)));
    // better-sqlite3's JavaScript is bundled; its compiled part is named where its install puts it.
    assert.ok(Object.values(meta.outputs).some((o) => Object.keys(o.inputs).some((f) => f.endsWith('node_modules/better-sqlite3/lib/database.js'))));
    assert.ok(existsSync(createRequire(join(ROOT, 'dist', 'cli', 'core.cjs')).resolve(SQLITE_ADDON)), SQLITE_ADDON);
    assert.ok('better-sqlite3' in pkg.dependencies);
    for (const p of external) assert.ok(isBuiltin(p) || p in pkg.dependencies, `${p} is neither built in nor a runtime dependency`);
  });
});
