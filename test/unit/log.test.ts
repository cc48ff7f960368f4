import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const LOG = join(import.meta.dirname, '..', '..', 'src', 'log.ts');

interface Line { level: string; message: string; timestamp?: string; [k: string]: unknown }

// In a fresh process: what the logger writes is the process's own output, and
// whether winston was loaded is only meaningful where nothing else loaded it.
function run(body: string): { stdout: Line[]; stderr: Line[]; report: Record<string, unknown> } {
  const script = `
    const { createRequire } = await import('node:module');
    const { createLogger, silentLogger } = await import(${JSON.stringify(LOG)});
    const winstonLoaded = () => Object.keys(createRequire(${JSON.stringify(LOG)}).cache).some((k) => /[\\\\/]node_modules[\\\\/]winston[\\\\/]/.test(k));
    const report = {};
    ${body}
    setImmediate(() => process.stdout.write('REPORT ' + JSON.stringify(report) + '\\n'));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = (s: string) => s.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
  const report = r.stdout.split('\n').find((l) => l.startsWith('REPORT '));
  return { stdout: lines(r.stdout), stderr: lines(r.stderr), report: JSON.parse(report!.slice(7)) as Record<string, unknown> };
}

describe('log', function () {
  this.timeout(30_000);
  let out: ReturnType<typeof run>;
  before(() => {
    out = run(`
      const log = createLogger({ level: 'info', stream: 'stderr' });
      const child = log.child({ watcher: 'w1' }).child({ item: 'i1' });
      log.debug('below the level');
      child.debug('below the level, in a child');
      silentLogger().error('silenced');
      report.before = winstonLoaded();
      child.info('in a child', { password: 'hunter2', smtp_token: 'x', n: 1 });
      log.warn('plain');
      log.error('with meta', { error: 'boom' });
      report.after = winstonLoaded();
      createLogger({ level: 'debug' }).debug('to stdout at debug');
      for (const level of ['degub', 'constructor', '']) {
        try { createLogger({ level }); report[level] = 'accepted'; } catch (e) { report[level] = e.code + ': ' + e.message; }
      }
    `);
  });

  it('writes nothing below its level, nor when silent, and loads winston only with the first line that passes', () => {
    assert.equal(out.report.before, false);
    assert.equal(out.report.after, true);
    assert.deepEqual(out.stderr.map((l) => l.message), ['in a child', 'plain', 'with meta']);
  });

  it('one JSON line each, with its level, a timestamp, the children\'s keys, and secrets redacted', () => {
    const [child, plain, meta] = out.stderr;
    assert.deepEqual({ ...child, timestamp: undefined }, { level: 'info', message: 'in a child', watcher: 'w1', item: 'i1', password: '[redacted]', smtp_token: '[redacted]', n: 1, timestamp: undefined });
    assert.match(String(child!.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual([plain!.level, Object.keys(plain!).sort()], ['warn', ['level', 'message', 'timestamp']]);
    assert.deepEqual([meta!.level, meta!.error], ['error', 'boom']);
  });

  it('the daemon logs to stdout by default, at the level it is given', () => {
    assert.deepEqual(out.stdout.map((l) => [l.level, l.message]), [['debug', 'to stdout at debug']]);
  });

  it('refuses a level it does not know, naming the ones it does', () => {
    assert.equal(out.report.degub, 'ECONFIG: log level "degub": must be one of error, warn, info, http, verbose, debug, silly');
    assert.match(String(out.report.constructor), /^ECONFIG: log level "constructor"/);
    assert.match(String(out.report['']), /^ECONFIG: log level ""/);
  });
});
