import * as z from '../../zod.js';
import { duration, id } from '../../fields.js';
import { everyWatcherFields } from '../common.js';

export const imapSchema = z.strictObject({
  type: z.literal('imap'),
  id,
  host: z.string().min(1),
  /** Default 993 with security tls, else 143. */
  port: z.number().int().min(1).max(65535).optional(),
  /** tls: TLS from the first byte; starttls: upgrade required; plain: cleartext, for loopback only. */
  security: z.enum(['tls', 'starttls', 'plain']).default('tls'),
  /** A CA certificate (PEM) to trust for this server, beside the system ones: a private CA or a self-signed server. */
  ca_file: z.string().optional(),
  user: z.string().min(1),
  password_file: z.string().min(1),
  mailbox: z.string().min(1).default('INBOX'),
  backfill: z.boolean().default(false),
  /** How often to look even while IDLE is up (and the poll interval without IDLE). */
  every: duration.prefault('5m'),
  timeout: duration.prefault('30s'),
  /** Messages larger than this are logged and skipped. */
  max_bytes: z.number().int().min(1024).default(5 * 1024 * 1024),
  source: z.string().optional(),
  /** Only mail matching all of these is read: List-Id and From contain, Subject matches (regex). */
  filters: z.strictObject({ list_id: z.string().optional(), from: z.string().optional(), subject: z.string().optional() }).optional(),
  reconnect: z.strictObject({ min: duration.prefault('1s'), max: duration.prefault('5m') }).prefault({}),
  /** The first visit records at most this many of the newest messages as its baseline. */
  baseline_limit: z.number().int().min(0).default(500),
  ...everyWatcherFields,
});

export type ImapWatcherConfig = z.output<typeof imapSchema>;
