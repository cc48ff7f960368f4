// One table of error codes, so a message's class (and the CLI's exit code) is
// decided in one place rather than by string matching at the edges.
export const ErrorCodes = {
  EUSAGE: { exit: 2, what: 'bad usage' },
  ECONFIG: { exit: 2, what: 'bad configuration' },
  EINPUT: { exit: 2, what: 'bad input' },
  ESCHEMA: { exit: 2, what: 'database schema newer than this program' },
  EFETCH: { exit: 1, what: 'fetch failed' },
  EPARSE: { exit: 1, what: 'parse failed' },
  ETEMPLATE: { exit: 2, what: 'template error' },
  ESEND: { exit: 1, what: 'send failed' },
  EWEBHOOK: { exit: 1, what: 'webhook delivery failed' },
  ERUNTIME: { exit: 1, what: 'runtime failure' },
  ELOCKED: { exit: 1, what: 'state directory in use by another process' },
  ETRANSIENT: { exit: 1, what: 'could not be done now; will be tried again' },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class HeraldError extends Error {
  readonly code: ErrorCode;
  readonly context: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HeraldError';
    this.code = code;
    this.context = context;
  }
  get exitCode(): number {
    return ErrorCodes[this.code].exit;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** SQLite could not read or write just now (busy, locked, full disk, I/O): the same work may succeed later. */
export function isStoreError(err: unknown): boolean {
  return err instanceof Error && err.name === 'SqliteError';
}

export function exitCodeOf(err: unknown): number {
  return err instanceof HeraldError ? err.exitCode : 1;
}
