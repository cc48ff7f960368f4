import { loadConfig, type LoadedConfig } from '../config/load.js';
import { databasePath } from '../daemon.js';
import { createLogger, type Logger } from '../log.js';
import { Store } from '../store/index.js';

export function cliLogger(level = 'warn'): Logger {
  return createLogger({ level: process.env.KERNEL_HERALD_LOG_LEVEL ?? level, stream: 'stderr' });
}

export function openStore(configPath?: string): { loaded: LoadedConfig; store: Store } {
  const loaded = loadConfig(configPath);
  return { loaded, store: Store.open(databasePath(loaded.config)) };
}

/** A plain aligned table; `--json` callers print the rows instead. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
