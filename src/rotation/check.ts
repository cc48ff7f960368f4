import { localTime, isValidZone, periodBounds } from './schedule.js';
import { didYouMean } from '../suggest.js';
import type { RotationConfig } from './schema.js';

/** What the schema cannot see: people exist, the zone is real, periods make sense. */
export function rotationProblems(rotations: Record<string, RotationConfig>, people: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [name, r] of Object.entries(rotations)) {
    const at = `rotations.${name}`;
    if (!isValidZone(r.timezone)) problems.push(`${at}.timezone: unknown time zone "${r.timezone}" (use an IANA name such as Europe/Berlin or UTC)`);
    const seen = new Set<string>();
    r.members.forEach((m, i) => {
      if (!(m in people)) problems.push(`${at}.members[${i}]: "${m}" is not in people:${didYouMean(m, Object.keys(people))}`);
      if (seen.has(m)) problems.push(`${at}.members[${i}]: "${m}" is listed twice`);
      seen.add(m);
    });
    if (!isValidZone(r.timezone)) continue;
    if (!localTime(r.handoff.start, r.timezone)) problems.push(`${at}.handoff.start: "${r.handoff.start}" is not a valid local time`);
    if (r.handoff.every < 3_600_000) problems.push(`${at}.handoff.every: hand-offs less than an hour apart are surely a mistake`);
    for (const kind of ['overrides', 'leave'] as const) {
      r[kind].forEach((p, i) => {
        const where = `${at}.${kind}[${i}]`;
        if (!(p.person in people)) problems.push(`${where}.person: "${p.person}" is not in people:${didYouMean(p.person, Object.keys(people))}`);
        else if (kind === 'leave' && !r.members.includes(p.person)) problems.push(`${where}.person: "${p.person}" is not a member of this rotation`);
        const b = periodBounds(p, r.timezone);
        if (!b) problems.push(`${where}: from/to are not valid local times`);
        else if (b.to <= b.from) problems.push(`${where}: to (${p.to}) is not after from (${p.from})`);
      });
    }
  }
  return problems;
}
