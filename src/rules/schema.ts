import * as z from '../zod.js';
import { EVENT_TYPES } from '../domain.js';
import { id } from '../fields.js';
import { actionSchema } from './actions/registry.js';

// One entry of `rules:`: on an event, when its fields match, do the actions.

const conditionValue = z.union([z.string(), z.number(), z.boolean()]);

export const ruleSchema = z.strictObject({
  id,
  on: z.enum(EVENT_TYPES),
  when: z.record(z.string(), z.union([conditionValue, z.array(conditionValue).min(1)])).default({}),
  do: z.array(actionSchema).min(1, 'needs at least one action'),
  enabled: z.boolean().default(true),
});

export type RuleConfig = z.output<typeof ruleSchema>;
