import { DateTime, IANAZone } from 'luxon';

// Who is on duty: pure functions of a rotation and an instant.

export interface Period { person: string; from: string; to: string }

export interface RotationSpec {
  name: string;
  members: string[];
  timezone: string;
  handoff: { start: string; everyMs: number };
  overrides: Period[];
  leave: Period[];
}

const DAY = 86_400_000;

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** A local date-time ("2026-01-05T09:00") or date ("2026-12-21") in the rotation's zone. */
export function localTime(text: string, zone: string): DateTime | undefined {
  const dt = DateTime.fromISO(text, { zone });
  return dt.isValid ? dt : undefined;
}

/** A period as instants. A date-only "to" includes that whole day. */
export function periodBounds(p: Period, zone: string): { from: number; to: number } | undefined {
  const from = localTime(p.from, zone);
  let to = localTime(p.to, zone);
  if (!from || !to) return undefined;
  if (/^\d{4}-\d\d-\d\d$/.test(p.to.trim())) to = to.plus({ days: 1 });
  return { from: from.toMillis(), to: to.toMillis() };
}

function within(p: Period, zone: string, at: number): boolean {
  const b = periodBounds(p, zone);
  return !!b && at >= b.from && at < b.to;
}

/**
 * The k-th hand-off. A whole number of days steps in local calendar days, so a
 * weekly Monday 09:00 hand-off stays 09:00 local on both sides of a DST change;
 * anything shorter steps in elapsed time.
 */
export function handoffAt(spec: RotationSpec, k: number): DateTime {
  const start = localTime(spec.handoff.start, spec.timezone)!;
  const every = spec.handoff.everyMs;
  return every % DAY === 0 ? start.plus({ days: (every / DAY) * k }) : start.plus({ milliseconds: every * k });
}

/** The index of the last hand-off at or before the instant. */
export function handoffIndex(spec: RotationSpec, at: number): number {
  const start = localTime(spec.handoff.start, spec.timezone)!.toMillis();
  let k = Math.floor((at - start) / spec.handoff.everyMs);
  // The elapsed-time estimate is off by at most one step around DST changes.
  while (handoffAt(spec, k + 1).toMillis() <= at) k += 1;
  while (handoffAt(spec, k).toMillis() > at) k -= 1;
  return k;
}

export function onLeave(spec: RotationSpec, person: string, at: number): boolean {
  return spec.leave.some((l) => l.person === person && within(l, spec.timezone, at));
}

/** The rotation's own choice at an instant, before overrides and leave. */
export function scheduledAt(spec: RotationSpec, at: number): string {
  const n = spec.members.length;
  return spec.members[((handoffIndex(spec, at) % n) + n) % n]!;
}

/**
 * Who is on duty: an override wins (the last one listed, if several); else the
 * scheduled member, or, when they are on leave, the next member in order who
 * is not. Undefined when everyone is away.
 */
export function onDuty(spec: RotationSpec, at: number): string | undefined {
  const override = [...spec.overrides].reverse().find((o) => within(o, spec.timezone, at));
  if (override) return override.person;
  const n = spec.members.length;
  const k = ((handoffIndex(spec, at) % n) + n) % n;
  for (let i = 0; i < n; i++) {
    const p = spec.members[(k + i) % n]!;
    if (!onLeave(spec, p, at)) return p;
  }
  return undefined;
}

/** Members in rotation order starting after `person` (for escalation), skipping those on leave. */
export function membersAfter(spec: RotationSpec, person: string | undefined, at: number): string[] {
  const n = spec.members.length;
  const i = person === undefined ? -1 : spec.members.indexOf(person);
  const order = Array.from({ length: n }, (_, j) => spec.members[(i + 1 + j + n) % n]!);
  return order.filter((p) => !onLeave(spec, p, at));
}

export interface Change { at: string; person: string | undefined }

/** The next `count` changes of who is on duty after an instant: hand-offs, overrides and leave all move it. */
export function nextChanges(spec: RotationSpec, after: number, count: number): Change[] {
  const candidates = new Set<number>();
  let k = handoffIndex(spec, after) + 1;
  const horizonSteps = count * 2 + 2;
  for (let i = 0; i < horizonSteps; i++) candidates.add(handoffAt(spec, k + i).toMillis());
  const horizon = Math.max(...candidates);
  for (const p of [...spec.overrides, ...spec.leave]) {
    const b = periodBounds(p, spec.timezone);
    if (!b) continue;
    for (const t of [b.from, b.to]) if (t > after && t <= horizon) candidates.add(t);
  }
  const out: Change[] = [];
  let current = onDuty(spec, after);
  for (const t of [...candidates].sort((a, b) => a - b)) {
    const p = onDuty(spec, t);
    if (p === current) continue;
    current = p;
    out.push({ at: DateTime.fromMillis(t, { zone: spec.timezone }).toISO({ suppressMilliseconds: true })!, person: p });
    if (out.length === count) break;
  }
  return out;
}
