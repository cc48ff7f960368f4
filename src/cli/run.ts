import type { Command } from 'commander';
import { loadConfig, resolveConfigPath } from '../config/load.js';
import { Daemon } from '../daemon.js';
import { errorMessage } from '../errors.js';
import { createLogger } from '../log.js';

export function register(program: Command): void {
  program.command('run')
    .description('run the daemon (SIGTERM/SIGINT: drain and stop; SIGHUP: reload the config)')
    .option('--config <file>', 'config file (default: $KERNEL_HERALD_CONFIG, /etc/kernel-herald/config.yaml if present, else the built-in default)')
    .action(async (opts: { config?: string }) => {
      const path = resolveConfigPath(opts.config);
      let loaded = loadConfig(path);
      const log = createLogger({ level: loaded.config.log_level });
      let daemon = new Daemon(loaded, { log });
      await daemon.start();
      let busy: Promise<void> = Promise.resolve();
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log.info('stopping', { signal });
          busy = busy.then(() => daemon.stop()).then(resolve, resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
        process.on('SIGHUP', () => {
          busy = busy.then(async () => {
            try {
              loaded = loadConfig(path);
            } catch (err) {
              log.error('reload refused: config invalid; keeping the running config', { error: errorMessage(err) });
              return;
            }
            // Build commands this process started keep running across a reload.
            await daemon.stop({ reload: true });
            daemon = new Daemon(loaded, { log });
            await daemon.start();
            log.info('reloaded', { config: loaded.origin });
          });
        });
      });
    });
}
