import * as z from '../zod.js';
import { duration, id } from '../fields.js';
import type { RotationSpec } from './schedule.js';

// The `rotations:` section: who takes turns, in which time zone, and who is away.

const localDateTime = z.string().regex(/^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?)?$/, 'must be a local date or date-time such as 2026-01-05 or 2026-01-05T09:00 (no offset: the rotation\'s timezone applies)');

const period = z.strictObject({ person: id, from: localDateTime, to: localDateTime });

export const rotationSchema = z.strictObject({
  members: z.array(id).min(1, 'needs at least one member'),
  timezone: z.string().min(1).default('UTC'),
  handoff: z.strictObject({ start: localDateTime, every: duration.prefault('1w') }),
  overrides: z.array(period).default([]),
  leave: z.array(period).default([]),
  /** How far back fairness counts assignments. */
  fair_window: duration.prefault('90d'),
});

export type RotationConfig = z.output<typeof rotationSchema>;

export function rotationSpec(name: string, r: RotationConfig): RotationSpec {
  return { name, members: r.members, timezone: r.timezone, handoff: { start: r.handoff.start, everyMs: r.handoff.every }, overrides: r.overrides, leave: r.leave };
}
