import type { Command } from 'commander';
import { SUMMARY } from './commands.js';
import { loadConfig, resolveConfigPath } from '../config/load.js';
import { Daemon } from '../daemon.js';
import { errorMessage } from '../errors.js';
import { createLogger } from '../log.js';
import { StateLock } from '../state-lock.js';

export function register(program: Command): void {
  program.command('run')
    .description(SUMMARY.run)
    .option('--config <file>', 'config file (default: $KERNEL_HERALD_CONFIG, /etc/kernel-herald/config.yaml if present, else the built-in default)')
    .action(async (opts: { config?: string }) => {
      const path = resolveConfigPath(opts.config);
      let loaded = loadConfig(path);
      const log = createLogger({ level: loaded.config.log_level });
      // Held for the process's life, across reloads; the kernel frees it on any death.
      const lock = StateLock.acquire(loaded.config.state_dir, 'run');
      let daemon: Daemon;
      try {
        daemon = new Daemon(loaded, { log });
        await daemon.start();
      } catch (err) {
        lock.release();
        throw err;
      }
      let busy: Promise<void> = Promise.resolve();
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log.info('stopping', { signal });
          busy = busy.then(() => daemon.stop()).finally(() => lock.release()).then(resolve, resolve);
          // Stopped is stopped: a socket or timer some library left behind must not hold the process.
          void busy.then(() => setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref());
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
        process.on('SIGHUP', () => {
          busy = busy.then(async () => {
            const running = loaded;
            try {
              loaded = loadConfig(path);
            } catch (err) {
              log.error('reload refused: config invalid; keeping the running config', { error: errorMessage(err) });
              return;
            }
            if (loaded.config.state_dir !== running.config.state_dir) {
              log.error('reload refused: state_dir changed; restart to move it', { running: running.config.state_dir, new: loaded.config.state_dir });
              loaded = running;
              return;
            }
            // Build commands this process started keep running across a reload.
            await daemon.stop({ reload: true });
            daemon = new Daemon(loaded, { log });
            await daemon.start({ reload: true });
            log.info('reloaded', { config: loaded.origin });
          });
        });
      });
    });
}
