import { z } from 'zod';
import { cronExpr, duration, httpUrl, id } from '../config/fields.js';

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
};

export const DEFAULT_EVERY_MS = 15 * 60_000;
