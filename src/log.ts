import winston from 'winston';

export type Logger = winston.Logger;

// Keys whose values never reach a log line, however deep they sit.
const SECRET_KEYS = /pass(word)?|secret|token|authorization|cookie/i;

const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (SECRET_KEYS.test(key)) (info as Record<string, unknown>)[key] = '[redacted]';
  }
  return info;
});

/**
 * JSON lines. The daemon logs to stdout; commands whose stdout is their
 * answer (parse, status --json) log to stderr so the two never mix.
 */
export function createLogger(opts: { level?: string; stream?: 'stdout' | 'stderr'; silent?: boolean } = {}): Logger {
  const stream = opts.stream ?? 'stdout';
  return winston.createLogger({
    level: opts.level ?? 'info',
    silent: opts.silent ?? false,
    format: winston.format.combine(redact(), winston.format.timestamp(), winston.format.json()),
    transports: [
      new winston.transports.Console(
        stream === 'stderr' ? { stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] } : {},
      ),
    ],
  });
}

export function silentLogger(): Logger {
  return createLogger({ silent: true });
}
