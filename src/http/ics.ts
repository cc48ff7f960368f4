import { DateTime } from 'luxon';
import { dutyPeriods, offsetChanges } from '../rotation/calendar.js';
import type { RotationSpec } from '../rotation/schedule.js';

// A rotation as an iCalendar feed (RFC 5545) that calendars subscribe to:
// each duty period an event in the rotation's own time zone, with the
// VTIMEZONE that zone needs over the window, so a 09:00 hand-off shows at
// 09:00 local on both sides of a daylight-saving change.

export interface CalendarRequest {
  spec: RotationSpec;
  /** Person id to display name. */
  names: Record<string, string>;
  /** Only this person's periods, when given. */
  person?: string;
  from: number;
  to: number;
  /** DTSTAMP: when the feed was generated. */
  now: number;
}

const DAY = 86_400_000;
/** What a subscription shows: the last month and the next half year. */
export const CALENDAR_WINDOW = { backMs: 30 * DAY, aheadMs: 183 * DAY };

export function rotationCalendar(r: CalendarRequest): string {
  const zone = r.spec.timezone;
  const local = (t: number) => DateTime.fromMillis(t, { zone }).toFormat("yyyyMMdd'T'HHmmss");
  const utc = (t: number) => DateTime.fromMillis(t, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss'Z'");
  const periods = dutyPeriods(r.spec, r.from, r.to).filter((p) => r.person === undefined || p.person === r.person);
  const title = r.person === undefined ? `${r.spec.name} rotation` : `${r.spec.name} rotation: ${r.names[r.person] ?? r.person}`;
  const lines = [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//kernel-herald//rotation calendar//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH',
    `X-WR-CALNAME:${text(title)}`, `X-WR-TIMEZONE:${zone}`,
    ...vtimezone(zone, r.from, r.to),
  ];
  for (const p of periods) {
    lines.push(
      'BEGIN:VEVENT',
      // Stable across restarts and regenerations: the same period is the same event.
      `UID:${r.spec.name}.${p.person}.${utc(p.start)}@kernel-herald`,
      `DTSTAMP:${utc(r.now)}`,
      `DTSTART;TZID=${zone}:${local(p.start)}`,
      `DTEND;TZID=${zone}:${local(p.end)}`,
      `SUMMARY:${text(`On duty: ${r.names[p.person] ?? p.person} (${r.spec.name})`)}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}

/**
 * The zone's observances over the window: the one in force at its start, then
 * one per offset change (no RRULE: the changes are listed as they fall).
 */
function vtimezone(zone: string, from: number, to: number): string[] {
  const start = DateTime.fromMillis(from, { zone });
  const observance = (at: number, before: number, after: number, dst: boolean) => {
    const kind = dst ? 'DAYLIGHT' : 'STANDARD';
    // DTSTART is the local time of the change as the clock read before it.
    const localBefore = DateTime.fromMillis(at, { zone: 'utc' }).plus({ minutes: before }).toFormat("yyyyMMdd'T'HHmmss");
    const name = DateTime.fromMillis(at, { zone }).toFormat('ZZZZ');
    return [`BEGIN:${kind}`, `DTSTART:${localBefore}`, `TZOFFSETFROM:${offset(before)}`, `TZOFFSETTO:${offset(after)}`, `TZNAME:${text(name)}`, `END:${kind}`];
  };
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`, ...observance(from, start.offset, start.offset, start.isInDST)];
  for (const c of offsetChanges(zone, from, to)) lines.push(...observance(c.at, c.before, c.after, c.after > c.before));
  lines.push('END:VTIMEZONE');
  return lines;
}

function offset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}${String(m % 60).padStart(2, '0')}`;
}

/** RFC 5545 TEXT: backslash, semicolon, comma and newline escaped. */
export function text(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Content lines longer than 75 octets continue on lines starting with a space, never inside a UTF-8 character. */
export function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + n > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += n;
  }
  parts.push(current);
  return parts.join('\r\n ');
}
