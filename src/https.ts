import { createRequire } from 'node:module';

type Https = typeof import('node:https');
let loaded: Https | undefined;

/**
 * node:https, loaded by the first https URL: it brings TLS with it, a few
 * milliseconds a `poll` of plain-http feeds (or of none) need not spend.
 */
export function https(): Https {
  return (loaded ??= createRequire(import.meta.url)('node:https') as Https);
}
