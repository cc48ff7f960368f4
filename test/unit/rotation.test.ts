import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { fairOrder, type PastAssignment } from '../../src/rotation/fairness.js';
import { handoffAt, membersAfter, nextChanges, onDuty, type RotationSpec } from '../../src/rotation/schedule.js';

const WEEK = 7 * 86_400_000;
const spec = (zone: string, extra: Partial<RotationSpec> = {}): RotationSpec => ({
  name: 'support', members: ['alice', 'bob', 'carol'], timezone: zone,
  handoff: { start: '2026-01-05T09:00', everyMs: WEEK }, overrides: [], leave: [], ...extra,
});
const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toMillis();

describe('rotation: schedule', () => {
  // Mondays 2026-10-19 (k=41), 10-26 (k=42), 11-02 (k=43): Berlin leaves DST on 10-25, New York on 11-01.
  for (const [zone, offsets] of [['America/New_York', ['-04:00', '-04:00', '-05:00']], ['Europe/Berlin', ['+02:00', '+01:00', '+01:00']]] as const) {
    it(`a weekly Monday 09:00 hand-off stays 09:00 local across DST in ${zone}`, () => {
      const s = spec(zone);
      const times = [41, 42, 43].map((k) => handoffAt(s, k));
      assert.deepEqual(times.map((t) => t.toFormat('yyyy-MM-dd ccc HH:mm')), ['2026-10-19 Mon 09:00', '2026-10-26 Mon 09:00', '2026-11-02 Mon 09:00']);
      assert.deepEqual(times.map((t) => t.toISO()!.slice(-6)), [...offsets]);
    });
  }

  it('the UTC instant moves by an hour when the clocks change, local time does not', () => {
    const s = spec('America/New_York');
    // 2026-11-01: DST ends in New York. Mondays 2026-10-26 and 2026-11-02.
    const k = Math.round((at('2026-10-26T09:00', s.timezone) - at('2026-01-05T09:00', s.timezone)) / WEEK);
    assert.equal(handoffAt(s, k).toUTC().toISO(), '2026-10-26T13:00:00.000Z');
    assert.equal(handoffAt(s, k + 1).toUTC().toISO(), '2026-11-02T14:00:00.000Z');
    assert.equal(onDuty(s, at('2026-11-02T08:59', s.timezone)), onDuty(s, at('2026-10-26T09:00', s.timezone)), 'still the previous person at 08:59 local');
    assert.notEqual(onDuty(s, at('2026-11-02T09:00', s.timezone)), onDuty(s, at('2026-11-02T08:59', s.timezone)));
  });

  it('members take turns, one week each', () => {
    const s = spec('Europe/Berlin');
    assert.deepEqual(['2026-01-05T09:00', '2026-01-12T09:00', '2026-01-19T09:00', '2026-01-26T09:00', '2026-01-12T08:59'].map((t) => onDuty(s, at(t, s.timezone))),
      ['alice', 'bob', 'carol', 'alice', 'alice']);
  });

  it('an override overlapping a hand-off wins for its whole span; a date-only end includes that day', () => {
    const s = spec('Europe/Berlin', { overrides: [{ person: 'carol', from: '2026-01-10', to: '2026-01-13' }] });
    assert.equal(onDuty(s, at('2026-01-09T12:00', s.timezone)), 'alice');
    assert.equal(onDuty(s, at('2026-01-10T00:00', s.timezone)), 'carol');
    assert.equal(onDuty(s, at('2026-01-12T10:00', s.timezone)), 'carol', 'across the Monday hand-off');
    assert.equal(onDuty(s, at('2026-01-13T23:59', s.timezone)), 'carol');
    assert.equal(onDuty(s, at('2026-01-14T00:00', s.timezone)), 'bob');
  });

  it('leave over a hand-off passes duty to the next member, and back', () => {
    const s = spec('Europe/Berlin', { leave: [{ person: 'bob', from: '2026-01-11', to: '2026-01-14' }] });
    assert.equal(onDuty(s, at('2026-01-12T10:00', s.timezone)), 'carol');
    assert.equal(onDuty(s, at('2026-01-15T10:00', s.timezone)), 'bob');
    assert.deepEqual(membersAfter(s, 'alice', at('2026-01-12T10:00', s.timezone)), ['carol', 'alice']);
    const changes = nextChanges(s, at('2026-01-06T00:00', s.timezone), 3);
    assert.deepEqual(changes, [
      { at: '2026-01-12T09:00:00+01:00', person: 'carol' },
      { at: '2026-01-15T00:00:00+01:00', person: 'bob' },
      { at: '2026-01-19T09:00:00+01:00', person: 'carol' },
    ]);
  });

  it('nobody on duty when everyone is away', () => {
    const s = spec('Europe/Berlin', { leave: ['alice', 'bob', 'carol'].map((person) => ({ person, from: '2026-02-01', to: '2026-02-02' })) });
    assert.equal(onDuty(s, at('2026-02-01T12:00', s.timezone)), undefined);
  });
});

describe('rotation: fairness', () => {
  it('over a sequence of kernels, nobody gets two before every available member got one', () => {
    const members = ['alice', 'bob', 'carol', 'dave'];
    const history: PastAssignment[] = [];
    const away = new Set(['dave']);
    const picks: string[] = [];
    for (let i = 0; i < 9; i++) {
      const now = 1_000_000 + i * 1000;
      const next = fairOrder(members, history, now, 90 * 86_400_000, (p) => !away.has(p))[0]!;
      picks.push(next);
      history.push({ person: next, at: now });
    }
    assert.deepEqual(picks, ['alice', 'bob', 'carol', 'alice', 'bob', 'carol', 'alice', 'bob', 'carol']);
  });
  it('ties go to the longest since the last assignment; old assignments fall out of the window', () => {
    const day = 86_400_000;
    const h: PastAssignment[] = [{ person: 'alice', at: 100 * day }, { person: 'bob', at: 50 * day }, { person: 'carol', at: 1 * day }];
    assert.deepEqual(fairOrder(['alice', 'bob', 'carol'], h, 101 * day, 90 * day, () => true), ['carol', 'bob', 'alice']);
  });
});
