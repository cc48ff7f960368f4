import type { Command } from 'commander';
import { SUMMARY } from './commands.js';
import { loadConfig } from '../config/load.js';
import { Daemon } from '../daemon.js';
import { HeraldError } from '../errors.js';
import { cliLogger, lockOrExplain } from './common.js';
import { printJson, table } from './format.js';

export function register(program: Command): void {
  program.command('poll')
    .description(SUMMARY.poll)
    .argument('[watcher...]', 'watcher ids (default: all)')
    .option('--config <file>', 'config file')
    .option('--json', 'print the outcome as JSON')
    .action(async (ids: string[], opts: { config?: string; json?: boolean }) => {
      const loaded = loadConfig(opts.config);
      // Beside a running daemon, a poll would deliver the same outbox: refused, naming the daemon.
      const lock = lockOrExplain(loaded.config.state_dir, 'poll');
      const daemon = new Daemon(loaded, { log: cliLogger('info') });
      try {
        const outcomes = await daemon.pollOnce(ids);
        const outbox = daemon.store.outbox.counts();
        if (opts.json) printJson({ watchers: outcomes, outbox });
        else {
          process.stdout.write(`${table(['WATCHER', 'RESULT', 'ITEMS', 'NEW', 'EVENTS', 'ERROR'], outcomes.map((o) => [
            o.watcher, o.ok ? (o.notModified ? 'not-modified' : o.baseline ? 'baseline' : 'ok') : 'FAILED', o.items, o.recorded, o.events, o.error,
          ]))}\noutbox: ${outbox.pending} pending, ${outbox.sent} sent, ${outbox.failed} failed\n`);
        }
        const failed = outcomes.filter((o) => !o.ok);
        if (failed.length) throw new HeraldError('ERUNTIME', `${failed.length} watcher${failed.length > 1 ? 's' : ''} failed: ${failed.map((o) => o.watcher).join(', ')}`);
      } finally {
        await daemon.stop();
        lock.release();
      }
    });
}
