import { DateTime } from 'luxon';
import { handoffAt, handoffIndex, onDuty, periodBounds, type RotationSpec } from './schedule.js';

// A rotation as a calendar: who is on duty, period by period, over a window.

export interface DutyPeriod { person: string; start: number; end: number }

/**
 * Every stretch of duty overlapping [from, to), cut at the window's edges:
 * hand-offs, overrides and leave all start or end one. Nobody on duty (all
 * away) is a gap, not a period.
 */
export function dutyPeriods(spec: RotationSpec, from: number, to: number): DutyPeriod[] {
  const cuts = new Set<number>([from, to]);
  for (let k = handoffIndex(spec, from) + 1; ; k++) {
    const t = handoffAt(spec, k).toMillis();
    if (t >= to) break;
    cuts.add(t);
  }
  for (const p of [...spec.overrides, ...spec.leave]) {
    const b = periodBounds(p, spec.timezone);
    if (!b) continue;
    for (const t of [b.from, b.to]) if (t > from && t < to) cuts.add(t);
  }
  const times = [...cuts].sort((a, b) => a - b);
  const out: DutyPeriod[] = [];
  for (let i = 0; i < times.length - 1; i++) {
    const person = onDuty(spec, times[i]!);
    if (person === undefined) continue;
    const last = out[out.length - 1];
    if (last && last.person === person && last.end === times[i]) last.end = times[i + 1]!;
    else out.push({ person, start: times[i]!, end: times[i + 1]! });
  }
  return out;
}

/** The zone's offset changes in [from, to), to the minute: what a VTIMEZONE lists. */
export function offsetChanges(zone: string, from: number, to: number): { at: number; before: number; after: number }[] {
  const offset = (t: number) => DateTime.fromMillis(t, { zone }).offset;
  const out: { at: number; before: number; after: number }[] = [];
  const DAY = 86_400_000;
  for (let t = from; t < to; t += DAY) {
    const end = Math.min(t + DAY, to);
    if (offset(t) === offset(end)) continue;
    // Offsets change on the minute: search between t and end for the first minute with the new offset.
    let lo = Math.floor(t / 60_000);
    let hi = Math.ceil(end / 60_000);
    const was = offset(t);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offset(mid * 60_000) === was) lo = mid;
      else hi = mid;
    }
    out.push({ at: hi * 60_000, before: was, after: offset(hi * 60_000) });
  }
  return out;
}
