import { createRequire } from 'node:module';
import type Winston from 'winston';
import { HeraldError } from './errors.js';

type Meta = Record<string, unknown>;

/** What the code logs through: winston's own Logger fits it (tests hand one in). */
export interface Logger {
  error(message: string, meta?: Meta): unknown;
  warn(message: string, meta?: Meta): unknown;
  info(message: string, meta?: Meta): unknown;
  debug(message: string, meta?: Meta): unknown;
  child(meta: Meta): Logger;
}

type Level = 'error' | 'warn' | 'info' | 'debug';

// winston's own (npm) levels, most severe first.
const LEVELS: Record<string, number> = { error: 0, warn: 1, info: 2, http: 3, verbose: 4, debug: 5, silly: 6 };

// Keys whose values never reach a log line, however deep they sit.
const SECRET_KEYS = /pass(word)?|secret|token|authorization|cookie/i;

let loaded: typeof Winston | undefined;

/**
 * winston loads with the first line that is logged, not with the program: a
 * `poll` that finds nothing new logs nothing, and loading winston was a
 * twentieth of it. In the bundle esbuild turns this require() into its own
 * bundled copy, run here on first use; from the sources Node loads it.
 */
function winston(): typeof Winston {
  return (loaded ??= (typeof require === 'function' ? require('winston') : createRequire(import.meta.url)('winston')) as typeof Winston);
}

interface Options { level: string; stream: 'stdout' | 'stderr'; silent: boolean }

function build(opts: Options): Winston.Logger {
  const w = winston();
  const redact = w.format((info) => {
    for (const key of Object.keys(info)) {
      if (SECRET_KEYS.test(key)) (info as Record<string, unknown>)[key] = '[redacted]';
    }
    return info;
  });
  return w.createLogger({
    level: opts.level,
    silent: opts.silent,
    format: w.format.combine(redact(), w.format.timestamp(), w.format.json()),
    transports: [
      new w.transports.Console(
        opts.stream === 'stderr' ? { stderrLevels: Object.keys(LEVELS) } : {},
      ),
    ],
  });
}

/**
 * Answers below its level at once (winston takes a debug line through its
 * streams before dropping it), and makes the winston logger, and each child
 * of it, when the first line passes.
 */
class LazyLogger implements Logger {
  private real: Winston.Logger | undefined;

  constructor(private readonly opts: Options, private readonly make: () => Winston.Logger) {}

  error(message: string, meta?: Meta): this { return this.emit('error', message, meta); }
  warn(message: string, meta?: Meta): this { return this.emit('warn', message, meta); }
  info(message: string, meta?: Meta): this { return this.emit('info', message, meta); }
  debug(message: string, meta?: Meta): this { return this.emit('debug', message, meta); }

  child(meta: Meta): Logger {
    return new LazyLogger(this.opts, () => this.target().child(meta));
  }

  private target(): Winston.Logger {
    return (this.real ??= this.make());
  }

  private emit(level: Level, message: string, meta: Meta | undefined): this {
    if (this.opts.silent || LEVELS[level]! > LEVELS[this.opts.level]!) return this;
    this.target()[level](message, meta);
    return this;
  }
}

/**
 * JSON lines. The daemon logs to stdout; commands whose stdout is their
 * answer (parse, status --json) log to stderr so the two never mix.
 */
export function createLogger(opts: { level?: string; stream?: 'stdout' | 'stderr'; silent?: boolean } = {}): Logger {
  const o: Options = { level: opts.level ?? 'info', stream: opts.stream ?? 'stdout', silent: opts.silent ?? false };
  if (!Object.hasOwn(LEVELS, o.level)) throw new HeraldError('ECONFIG', `log level "${o.level}": must be one of ${Object.keys(LEVELS).join(', ')}`);
  return new LazyLogger(o, () => build(o));
}

export function silentLogger(): Logger {
  return createLogger({ silent: true });
}
