import { loadConfig, type LoadedConfig } from '../config/load.js';
import { databasePath } from '../daemon.js';
import { createLogger, type Logger } from '../log.js';
import { Store } from '../store/index.js';
import { HeraldError } from '../errors.js';
import { StateLock } from '../state-lock.js';

export function cliLogger(level = 'warn'): Logger {
  return createLogger({ level: process.env.KERNEL_HERALD_LOG_LEVEL || level, stream: 'stderr' });
}

export function openStore(configPath?: string): { loaded: LoadedConfig; store: Store } {
  const loaded = loadConfig(configPath);
  return { loaded, store: Store.open(databasePath(loaded.config)) };
}

/**
 * The state lock for a one-shot command that writes and delivers (`poll`,
 * `replay`). A running daemon already does that work on its own schedule, so
 * the command refuses rather than deliver the same outbox beside it.
 */
export function lockOrExplain(stateDir: string, what: string): StateLock {
  try {
    return StateLock.acquire(stateDir, what);
  } catch (err) {
    if (err instanceof HeraldError && err.code === 'ELOCKED') {
      throw new HeraldError('ELOCKED', `${err.message}. A running daemon polls and delivers on its own; stop it to run \`${what}\` by hand${what === 'replay' ? ', or use `replay --dry-run`' : ''}`);
    }
    throw err;
  }
}
