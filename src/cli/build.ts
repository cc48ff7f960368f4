import type { Command } from 'commander';
import { SUMMARY } from './commands.js';
import { systemClock } from '../clock.js';
import { BuildTracker } from '../builds/tracker.js';
import { HeraldError } from '../errors.js';
import type { BuildRow } from '../store/builds.js';
import type { Store } from '../store/index.js';
import { cliLogger, openStore } from './common.js';
import { printJson, table } from './format.js';

function buildsOf(store: Store, kernel: string | undefined): BuildRow[] {
  if (!kernel) return store.builds.list({ limit: 200 }).reverse();
  const found = store.releases.find(kernel);
  if (found.length === 0) throw new HeraldError('EUSAGE', `no kernel or driver "${kernel}" recorded`);
  return found.flatMap((r) => store.builds.forRelease(r.id));
}

export function buildLine(b: Pick<BuildRow, 'id' | 'target' | 'combo_key' | 'state' | 'attempt' | 'max_attempts' | 'url' | 'last_error'>): string {
  return `build #${b.id} ${b.target}${b.combo_key ? ` [${b.combo_key}]` : ''} ${b.state} (attempt ${b.attempt}/${b.max_attempts})${b.url ? ` ${b.url}` : ''}${b.last_error ? ` -- ${b.last_error}` : ''}`;
}

export function register(program: Command): void {
  const build = program.command('build').description(SUMMARY.build);
  build.command('list', { isDefault: true })
    .description('builds, all or of one kernel, with state and links')
    .argument('[kernel]', 'release id, version or package')
    .option('--config <file>', 'config file')
    .option('--json', 'print JSON')
    .action((kernel: string | undefined, opts: { config?: string; json?: boolean }) => {
      const { store } = openStore(opts.config);
      try {
        const rows = buildsOf(store, kernel);
        if (opts.json) { printJson(rows); return; }
        process.stdout.write(`${table(['ID', 'RELEASE', 'TARGET', 'MATRIX', 'STATE', 'ATTEMPT', 'URL', 'ERROR'], rows.map((b) => [b.id, b.release_id, b.target, b.combo_key, b.state, `${b.attempt}/${b.max_attempts}`, b.url, b.last_error]))}\n`);
      } finally {
        store.close();
      }
    });
  build.command('retry')
    .description('queue the failed builds of a kernel again (only the failed ones); the daemon dispatches them')
    .argument('<kernel>', 'release id, version or package')
    .option('--target <name>', 'only this target')
    .option('--config <file>', 'config file')
    .action((kernel: string, opts: { target?: string; config?: string }) => {
      const { loaded, store } = openStore(opts.config);
      try {
        if (opts.target && !(opts.target in loaded.config.builds)) throw new HeraldError('EUSAGE', `--target: no build target "${opts.target}" (configured: ${Object.keys(loaded.config.builds).join(', ') || 'none'})`);
        const rows = buildsOf(store, kernel).filter((b) => !opts.target || b.target === opts.target);
        if (rows.length === 0) throw new HeraldError('EUSAGE', `no builds for "${kernel}"${opts.target ? ` of target ${opts.target}` : ''}`);
        const tracker = new BuildTracker({ store, clock: systemClock, log: cliLogger(), stateDir: loaded.config.state_dir, targets: loaded.config.builds });
        const again = tracker.retry(rows);
        if (again.length === 0) { process.stdout.write(`nothing to retry: no failed build among ${rows.length}\n`); return; }
        process.stdout.write(`${again.length} failed build${again.length === 1 ? '' : 's'} queued again:\n${again.map((b) => `  ${buildLine(b)}`).join('\n')}\n(the daemon dispatches them)\n`);
      } finally {
        store.close();
      }
    });
}
