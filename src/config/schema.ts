import * as z from '../zod.js';
import { duration, emailAddress, id } from '../fields.js';
import { watcherSchema } from '../watchers/registry.js';
import { ruleSchema } from '../rules/schema.js';
import { rotationSchema } from '../rotation/schema.js';
import { targetSchema, type TargetConfig } from '../builds/registry.js';
import { proceduresSchema } from '../procedure/schema.js';

const listen = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be HOST:PORT or "off"');

const smtp = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(25),
  secure: z.boolean().default(false),
  starttls: z.enum(['opportunistic', 'required', 'never']).prefault('opportunistic'),
  user: z.string().optional(),
  password_file: z.string().optional(),
  pool: z.boolean().default(true),
  timeout: duration.prefault('30s'),
});

const retry = z.strictObject({
  base: duration.prefault('30s'),
  max: duration.prefault('1h'),
  max_attempts: z.number().int().min(1).max(1000).default(12),
});

const mail = z.strictObject({
  from: z.string().min(3),
  transport: z.enum(['smtp', 'sendmail', 'file']).prefault('file'),
  smtp: smtp.optional(),
  sendmail: z.strictObject({ path: z.string().min(1).default('/usr/sbin/sendmail'), timeout: duration.prefault('60s') }).prefault({}),
  /** /healthz turns 503 when mail has been failing for longer than this. */
  stale_after: duration.prefault('1h'),
  dir: z.string().optional(),
  reply_to: emailAddress.optional(),
  /**
   * The authserv-id the receiving server stamps in Authentication-Results
   * (RFC 8601). Set, a reply to a request acts only when that server's
   * header is there and reports no DKIM or DMARC failure.
   */
  authserv_id: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a host name such as mx.example.org').optional(),
  retry: retry.prefault({}),
  every: duration.prefault('1m'),
});

const person = z.strictObject({ name: z.string().min(1), email: emailAddress });


/**
 * How long bulky records are kept. Kernels, their events and rule runs, and
 * each mail's row stay as long as the database: they are the history and the
 * dedup keys. What goes is what only explains them: the raw announcement text,
 * the body of sent mail, the .eml files and the build logs.
 */
const retention = z.strictObject({
  raw: duration.prefault('180d'),
  mail: duration.prefault('180d'),
  build_logs: duration.prefault('90d'),
});

export const configSchema = z.strictObject({
  state_dir: z.string().min(1).default('./var'),
  log_level: z.enum(['error', 'warn', 'info', 'debug']).prefault('info'),
  templates_dir: z.string().optional(),
  http: z.union([z.literal('off'), z.strictObject({ listen: z.union([z.literal('off'), listen]), token_file: z.string().min(1).optional() })]).default({ listen: '127.0.0.1:9464' })
    .transform((h) => (h !== 'off' && h.listen === 'off' ? 'off' as const : h as 'off' | { listen: string; token_file?: string | undefined })),
  mail,
  people: z.record(id, person).default({}),
  rotations: z.record(id, rotationSchema).default({}),
  builds: z.record(id, targetSchema).default({}),
  procedures: proceduresSchema,
  watchers: z.array(watcherSchema).default([]),
  rules: z.array(ruleSchema).default([]),
  retention: retention.prefault({}),
});

export type Config = Omit<z.output<typeof configSchema>, 'builds'> & { builds: Record<string, TargetConfig> };
export type { RuleConfig } from '../rules/schema.js';
export type MailConfig = Config['mail'];
