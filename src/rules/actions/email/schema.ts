import * as z from '../../../zod.js';

const recipient = z.string().min(1);

export const emailSchema = z.strictObject({
  template: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'must be a template name (file NAME.hbs)'),
  to: z.union([recipient, z.array(recipient).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])),
  cc: z.union([recipient, z.array(recipient)]).optional().transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
  /** Messages with the same thread key for the same release form one thread. */
  thread: z.string().regex(/^[a-z0-9_-]+$/i).optional(),
});

export type EmailParams = z.output<typeof emailSchema>;
