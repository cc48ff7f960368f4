import * as z from '../../../zod.js';

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name');

export const webhookSchema = z.strictObject({
  /** The endpoint; `{txn}` in it becomes an id fixed per delivery (Matrix's PUT .../send/m.room.message/{txn}). */
  url: z.url({ protocol: /^https?$/ }).optional(),
  /** A file (or `credential:NAME`) holding the URL, for endpoints whose URL is the secret (Slack, Mattermost). */
  url_file: z.string().min(1).optional(),
  method: z.enum(['POST', 'PUT']).default('POST'),
  /** A template whose body renders JSON; without one, the event itself as JSON. */
  template: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'must be a template name (file NAME.hbs)').optional(),
  headers: z.record(headerName, z.string()).default({}),
  /** Header values read from files (or credentials) when sent: tokens never enter the database. */
  secret_headers: z.record(headerName, z.string().min(1)).default({}),
}).refine((w) => (w.url === undefined) !== (w.url_file === undefined), { message: 'give exactly one of url and url_file' });

export type WebhookParams = z.output<typeof webhookSchema>;
