import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { fold, rotationCalendar, text } from '../../src/http/ics.js';
import { dutyPeriods, offsetChanges } from '../../src/rotation/calendar.js';
import type { RotationSpec } from '../../src/rotation/schedule.js';

const WEEK = 7 * 86_400_000;
const t = (s: string) => Date.parse(s);
const iso = (ms: number) => new Date(ms).toISOString();

const spec: RotationSpec = {
  name: 'support', members: ['alice', 'bob'], timezone: 'America/New_York',
  handoff: { start: '2026-03-02T09:00', everyMs: WEEK }, overrides: [], leave: [],
};
const names = { alice: 'Alice Example', bob: 'Bob, Jr.' };

/** Events as an independent parser reads them, times resolved through the feed's own VTIMEZONE. */
function parse(ics: string) {
  const cal = new ICAL.Component(ICAL.parse(ics));
  for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  return {
    cal,
    events: events.map((e) => ({
      uid: e.uid, summary: e.summary,
      start: iso(e.startDate.toJSDate().getTime()), end: iso(e.endDate.toJSDate().getTime()),
      localStart: `${e.startDate.hour}:${String(e.startDate.minute).padStart(2, '0')}`, zone: e.startDate.zone.tzid,
    })),
  };
}

describe('rotation calendar (iCalendar)', () => {
  afterEach(() => ICAL.TimezoneService.reset());

  it('duty periods: hand-offs cut them, an override takes its stretch, leave passes to the next member, the window cuts the ends', () => {
    const s = { ...spec, overrides: [{ person: 'bob', from: '2026-03-04T12:00', to: '2026-03-05T12:00' }], leave: [{ person: 'alice', from: '2026-03-16', to: '2026-03-17' }] };
    const p = dutyPeriods(s, t('2026-03-01T00:00:00Z'), t('2026-03-24T00:00:00Z')).map((x) => [x.person, iso(x.start), iso(x.end)]);
    assert.deepEqual(p, [
      ['bob', '2026-03-01T00:00:00.000Z', '2026-03-02T14:00:00.000Z'],
      ['alice', '2026-03-02T14:00:00.000Z', '2026-03-04T17:00:00.000Z'],
      ['bob', '2026-03-04T17:00:00.000Z', '2026-03-05T17:00:00.000Z'],
      ['alice', '2026-03-05T17:00:00.000Z', '2026-03-09T13:00:00.000Z'],
      // bob's week, then alice's: on leave for the 16th, so bob goes on until the 17th.
      ['bob', '2026-03-09T13:00:00.000Z', '2026-03-18T04:00:00.000Z'],
      ['alice', '2026-03-18T04:00:00.000Z', '2026-03-23T13:00:00.000Z'],
      ['bob', '2026-03-23T13:00:00.000Z', '2026-03-24T00:00:00.000Z'],
    ]);
  });

  it('nobody on duty (everyone on leave) is a gap, not a period', () => {
    const s = { ...spec, leave: [{ person: 'alice', from: '2026-03-03', to: '2026-03-03' }, { person: 'bob', from: '2026-03-03', to: '2026-03-03' }] };
    const p = dutyPeriods(s, t('2026-03-02T14:00:00Z'), t('2026-03-05T00:00:00Z')).map((x) => [x.person, iso(x.start), iso(x.end)]);
    assert.deepEqual(p, [['alice', '2026-03-02T14:00:00.000Z', '2026-03-03T05:00:00.000Z'], ['alice', '2026-03-04T05:00:00.000Z', '2026-03-05T00:00:00.000Z']]);
  });

  it('the zone\'s offset changes, to the minute', () => {
    assert.deepEqual(offsetChanges('America/New_York', t('2026-01-01T00:00:00Z'), t('2027-01-01T00:00:00Z')), [
      { at: t('2026-03-08T07:00:00Z'), before: -300, after: -240 },
      { at: t('2026-11-01T06:00:00Z'), before: -240, after: -300 },
    ]);
    assert.deepEqual(offsetChanges('Asia/Kolkata', t('2026-01-01T00:00:00Z'), t('2027-01-01T00:00:00Z')), []);
  });

  it('parses with ical.js: the 09:00 hand-off is 09:00 local on both sides of the March change, in the rotation\'s zone', () => {
    const ics = rotationCalendar({ spec, names, from: t('2026-03-02T00:00:00Z'), to: t('2026-03-23T00:00:00Z'), now: t('2026-03-01T12:00:00Z') });
    const { cal, events } = parse(ics);
    assert.equal(cal.getFirstPropertyValue('version'), '2.0');
    // Each observance starts at the local time the clock read before the change.
    assert.ok(ics.includes('BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n'), ics);
    assert.ok(cal.getFirstPropertyValue('prodid'));
    assert.deepEqual(events.map((e) => [e.summary, e.start, e.end, e.localStart, e.zone]), [
      ['On duty: Bob, Jr. (support)', '2026-03-02T00:00:00.000Z', '2026-03-02T14:00:00.000Z', '19:00', 'America/New_York'],
      ['On duty: Alice Example (support)', '2026-03-02T14:00:00.000Z', '2026-03-09T13:00:00.000Z', '9:00', 'America/New_York'],
      ['On duty: Bob, Jr. (support)', '2026-03-09T13:00:00.000Z', '2026-03-16T13:00:00.000Z', '9:00', 'America/New_York'],
      ['On duty: Alice Example (support)', '2026-03-16T13:00:00.000Z', '2026-03-23T00:00:00.000Z', '9:00', 'America/New_York'],
    ]);
    // The same in autumn, when the clocks go back.
    const autumn = parse(rotationCalendar({ spec, names, from: t('2026-10-26T00:00:00Z'), to: t('2026-11-10T00:00:00Z'), now: t('2026-10-01T00:00:00Z') })).events;
    assert.deepEqual(autumn.filter((e) => e.localStart === '9:00').map((e) => e.start), ['2026-10-26T13:00:00.000Z', '2026-11-02T14:00:00.000Z', '2026-11-09T14:00:00.000Z']);
  });

  it('a person\'s feed holds their periods only; ids are the same on every generation', () => {
    const req = { spec, names, from: t('2026-03-02T00:00:00Z'), to: t('2026-03-30T00:00:00Z') };
    const a = parse(rotationCalendar({ ...req, person: 'alice', now: t('2026-03-01T00:00:00Z') })).events;
    assert.ok(a.length === 2 && a.every((e) => e.summary === 'On duty: Alice Example (support)'));
    const again = parse(rotationCalendar({ ...req, person: 'alice', now: t('2026-03-05T00:00:00Z') })).events;
    assert.deepEqual(again.map((e) => e.uid), a.map((e) => e.uid));
    assert.equal(new Set(parse(rotationCalendar({ ...req, now: 0 })).events.map((e) => e.uid)).size, 5);
  });

  it('content lines: CRLF, folded at 75 octets without splitting a character, text escaped', () => {
    const ics = rotationCalendar({ spec: { ...spec, name: 'a-rotation-with-a-rather-long-name-for-its-calendar' }, names: { alice: 'Ålice Ëxample; the one, really', bob: 'B' }, from: t('2026-03-02T00:00:00Z'), to: t('2026-03-09T00:00:00Z'), now: 0 });
    assert.ok(ics.endsWith('END:VCALENDAR\r\n'));
    assert.ok(!/[^\r]\n/.test(ics), 'every line ends with CRLF');
    for (const line of ics.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, line);
    const summaries = parse(ics).events.map((e) => e.summary);
    assert.ok(summaries.includes('On duty: Ålice Ëxample; the one, really (a-rotation-with-a-rather-long-name-for-its-calendar)'));
    assert.equal(text('a\\b;c,d\ne'), 'a\\\\b\\;c\\,d\\ne');
    assert.equal(fold('é'.repeat(40)), `${'é'.repeat(37)}\r\n ${'é'.repeat(3)}`);
    assert.deepEqual(fold('a'.repeat(200)).split('\r\n').map((l) => l.length), [75, 75, 52]);
  });
});
