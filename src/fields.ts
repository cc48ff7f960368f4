import * as z from './zod.js';
import cron from 'node-cron';
import { parseDuration } from './duration.js';

// Field types shared by the config schema and the per-module schemas
// (watcher types, actions), so each module can own its own keys.

export const duration = z.string({ error: 'must be a duration such as 30s, 15m, 4h, 1d' }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (use e.g. 500ms, 30s, 15m, 4h, 1d, 1w)` });
    return z.NEVER;
  }
  return ms;
});

export const cronExpr = z.string().refine((s) => cron.validate(s), { message: 'is not a valid cron expression' });

export const id = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be letters, digits, ".", "_" or "-"');

export const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, { message: 'must be an http(s) URL' });

export const emailAddress = z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/, 'must be an email address');
