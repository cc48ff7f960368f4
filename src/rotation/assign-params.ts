// The parameters of a rotation assignment: the assign action and a procedure's assign phase take the same keys.
import * as z from '../zod.js';
import { duration, id } from '../fields.js';

const templateName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'must be a template name (file NAME.hbs)');

export const assignSchema = z.strictObject({
  rotation: id,
  /** volunteer: ask the rotation, first claim wins; duty: whoever is on duty; fair: fewest assignments lately. */
  mode: z.enum(['volunteer', 'duty', 'fair']).prefault('volunteer'),
  ack_within: duration.prefault('24h'),
  /** volunteer: how long to wait for a claim before assigning by fairness. */
  claim_within: duration.prefault('24h'),
  /** How many more people are asked after the first before the whole rotation is told; default everyone once. */
  max_escalations: z.number().int().min(0).max(100).optional(),
  /**
   * The rotation's list address. Requests to the whole rotation go there as
   * one copy; a claim answered through it is confirmed by a round trip to the
   * claimer's own address, since a list copy's token says nothing about who
   * replied. Without it, each member gets their own copy.
   */
  list: z.email('must be an email address').optional(),
  templates: z.strictObject({
    volunteer: templateName.default('volunteer-request'),
    assignment: templateName.default('assignment'),
    unanswered: templateName.default('assignment-unanswered'),
    confirm: templateName.default('reply-confirm'),
    refused: templateName.default('reply-refused'),
  }).prefault({}),
});

export type AssignActionParams = z.output<typeof assignSchema>;
