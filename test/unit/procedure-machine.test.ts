import assert from 'node:assert/strict';
import { deadlinePhase, reminder, step, type MachineSpec, type MachineState } from '../../src/procedure/machine.js';

const full: MachineSpec = { assign: true, build: true, test: { approvals: 2 }, publish: true };
const at = (phase: MachineState['phase'], approvals: string[] = []): MachineState => ({ phase, approvals });
const phases = (r: ReturnType<typeof step>) => r.emits.filter((e) => e.type === 'release.phase').map((e) => e.type === 'release.phase' ? `${e.from}->${e.to}` : '');

describe('procedure: the phase machine (state, input) -> (state, events, effects)', () => {
  it('start: with an assign phase it asks for a release manager and stays detected', () => {
    const r = step(full, at('detected'), { kind: 'start' });
    assert.equal(r.state.phase, 'detected');
    assert.deepEqual(r.effects, ['start-assignment']);
    assert.deepEqual(r.emits, []);
  });

  it('a release manager found: detected -> assigned -> building, and the builds start', () => {
    const r = step(full, at('detected'), { kind: 'assigned' });
    assert.equal(r.state.phase, 'building');
    assert.deepEqual(phases(r), ['detected->assigned', 'assigned->building']);
    assert.deepEqual(r.effects, ['start-builds']);
  });

  it('without assign and build phases, start goes straight to testing', () => {
    const r = step({ assign: false, build: false, test: { approvals: 1 }, publish: false }, at('detected'), { kind: 'start' });
    assert.equal(r.state.phase, 'testing');
    assert.deepEqual(phases(r), ['detected->assigned', 'assigned->testing']);
    assert.deepEqual(r.effects, []);
  });

  it('with no phases at all a kernel is announced at once', () => {
    const r = step({ assign: false, build: false, test: undefined, publish: false }, at('detected'), { kind: 'start' });
    assert.equal(r.state.phase, 'announced');
  });

  it('builds: a failed set stays building; a good one moves to testing with no approvals', () => {
    assert.equal(step(full, at('building'), { kind: 'builds-done', ok: false }).state.phase, 'building');
    const r = step(full, at('building', ['stale']), { kind: 'builds-done', ok: true });
    assert.equal(r.state.phase, 'testing');
    assert.deepEqual(r.state.approvals, []);
  });

  it('testing: two approvals needed; the same tester twice counts once; a failure resets the count', () => {
    let r = step(full, at('testing'), { kind: 'tested', person: 'carol', note: '' });
    assert.equal(r.state.phase, 'testing');
    assert.equal(r.noted, '1 of 2 approvals');
    assert.deepEqual(r.emits, []);
    assert.match(step(full, r.state, { kind: 'tested', person: 'carol', note: '' }).refused ?? '', /already reported it good/);
    const failed = step(full, r.state, { kind: 'test-failed', person: 'dave', note: 'no boot' });
    assert.deepEqual(failed.state.approvals, []);
    assert.equal(failed.emits[0]?.type, 'release.test_failed');
    r = step(full, r.state, { kind: 'tested', person: 'dave', note: 'fine' });
    assert.equal(r.state.phase, 'publishing');
    assert.deepEqual(r.emits.map((e) => e.type), ['release.tested', 'release.phase']);
  });

  it('a tester who reports it good after the quorum moved it on is recorded, not refused; twice is refused', () => {
    const r = step(full, at('publishing', ['carol', 'dave']), { kind: 'tested', person: 'erin', note: '' });
    assert.deepEqual([r.state.phase, r.state.approvals, r.noted, r.emits.length], ['publishing', ['carol', 'dave', 'erin'], 'recorded after testing ended', 0]);
    assert.match(step(full, r.state, { kind: 'tested', person: 'erin', note: '' }).refused ?? '', /not being tested/);
  });

  it('publishing: published -> announced; published elsewhere is refused', () => {
    const r = step(full, at('publishing'), { kind: 'published', person: 'alice', note: '' });
    assert.equal(r.state.phase, 'announced');
    assert.deepEqual(r.emits.map((e) => e.type), ['release.published', 'release.phase']);
    assert.match(step(full, at('testing'), { kind: 'published', person: 'alice', note: '' }).refused ?? '', /not being published \(phase testing\)/);
  });

  it('abandon and supersede end it from any open phase and cancel builds; a final phase refuses everything', () => {
    for (const phase of ['detected', 'building', 'testing', 'publishing'] as const) {
      const a = step(full, at(phase), { kind: 'abandon', person: 'alice', note: 'no' });
      assert.equal(a.state.phase, 'abandoned');
      assert.deepEqual(a.effects, ['cancel-builds']);
      assert.deepEqual(a.emits, [{ type: 'release.abandoned', person: 'alice', note: 'no' }, { type: 'release.phase', from: phase, to: 'abandoned' }]);
      const s = step(full, at(phase), { kind: 'superseded', by: 9 });
      assert.equal(s.state.phase, 'superseded');
      assert.deepEqual(s.emits, [{ type: 'release.superseded', by: 9 }, { type: 'release.phase', from: phase, to: 'superseded' }]);
    }
    for (const phase of ['announced', 'superseded', 'abandoned'] as const) {
      assert.match(step(full, at(phase), { kind: 'tested', person: 'x', note: '' }).refused ?? '', new RegExp(`already ${phase}`));
      assert.match(step(full, at(phase), { kind: 'superseded', by: 1 }).refused ?? '', /already/);
    }
  });

  it('inputs that do not fit the phase are refused with the phase named', () => {
    assert.match(step(full, at('building'), { kind: 'tested', person: 'carol', note: '' }).refused ?? '', /not being tested \(phase building\)/);
    assert.match(step(full, at('testing'), { kind: 'assigned' }).refused ?? '', /already known/);
    assert.match(step(full, at('detected'), { kind: 'builds-done', ok: true }).refused ?? '', /not building/);
    assert.match(step(full, at('building'), { kind: 'start' }).refused ?? '', /already started/);
    assert.match(step(full, at('publishing'), { kind: 'test-failed', person: 'carol', note: 'oops' }).refused ?? '', /not being tested \(phase publishing\)/);
  });

  it('a refused input changes nothing: the same state, no events, no work started or stopped', () => {
    const before = at('publishing', ['carol']);
    for (const input of [{ kind: 'start' }, { kind: 'test-failed', person: 'carol', note: 'x' }, { kind: 'builds-done', ok: true }] as const) {
      const r = step(full, before, input);
      assert.ok(r.refused, input.kind);
      assert.deepEqual({ state: r.state, emits: r.emits, effects: r.effects }, { state: before, emits: [], effects: [] }, input.kind);
    }
  });

  it('deadlines: each phase is bounded by its config phase', () => {
    assert.deepEqual(['detected', 'assigned', 'building', 'testing', 'publishing', 'announced'].map((p) => deadlinePhase(p as never)), ['assign', 'build', 'build', 'test', 'publish', undefined]);
  });

  it('reminders: none before the deadline, one per interval after it, naming more people as they go on', () => {
    const due = '2026-01-01T00:00:00Z';
    const t0 = Date.parse(due);
    const day = 86_400_000;
    assert.equal(reminder({ due_at: due, reminders: 0, reminded_at: null }, t0 - 1, day, 2), undefined);
    assert.equal(reminder({ due_at: null, reminders: 0, reminded_at: null }, t0, day, 2), undefined);
    assert.deepEqual(reminder({ due_at: due, reminders: 0, reminded_at: null }, t0, day, 2), { n: 1, escalation: 'release_manager' });
    assert.equal(reminder({ due_at: due, reminders: 1, reminded_at: due }, t0 + day - 1, day, 2), undefined);
    const seq = [1, 2, 3, 4, 5].map((n) => reminder({ due_at: due, reminders: n - 1, reminded_at: n > 1 ? due : null }, t0 + day, day, 2)!.escalation);
    assert.deepEqual(seq, ['release_manager', 'release_manager', 'support_person', 'support_person', 'rotation']);
  });
});
