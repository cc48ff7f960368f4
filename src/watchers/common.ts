import * as z from '../zod.js';
import { cronExpr, duration, httpUrl, id } from '../fields.js';

/** Keys every watcher has: how much it reads per visit, when it counts as unhealthy, and when as quiet. */
export const everyWatcherFields = {
  /** /healthz turns 503 when the last success is older than this (default: 3 intervals). */
  stale_after: duration.optional(),
  /** Nothing new for this long emits watcher.quiet: a feed that silently stopped is not "no news". */
  expect_every: duration.optional(),
  /** At most this many new items are recorded per poll (oldest first); the rest follow at once on the next poll. */
  max_items: z.number().int().min(1).max(1_000_000).default(1000),
  /** Failed polls are retried after min(every, 30s), doubling up to this (default: the interval, at least 30s). */
  retry_max: duration.optional(),
};

/** Keys every HTTP-fetching watcher shares. */
export const fetchingWatcherFields = {
  id,
  url: httpUrl,
  every: duration.optional(),
  cron: cronExpr.optional(),
  backfill: z.boolean().default(false),
  timeout: duration.prefault('30s'),
  max_bytes: z.number().int().min(1024).default(10 * 1024 * 1024),
  /** Pin the source instead of auto-detecting it. */
  source: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  ...everyWatcherFields,
};

export const DEFAULT_EVERY_MS = 15 * 60_000;
