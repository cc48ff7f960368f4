import type { Metrics } from './metrics.js';

/**
 * Metrics nobody will read: one-shot commands and a daemon with `http: off`
 * count nothing, and never load prom-client or start its collectors.
 */
export function nullMetrics(): Metrics {
  const noop = { inc() {}, set() {}, reset() {} };
  return new Proxy({}, { get: () => noop }) as unknown as Metrics;
}
