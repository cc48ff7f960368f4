import type { Phase } from '../store/procedures.js';

// The phase machine, pure: (state, input) -> (state, events, effects). The
// service around it reads and writes the store; this decides.

/** Which of the optional phases a procedure has, and the test phase's quorum. */
export interface MachineSpec {
  assign: boolean;
  build: boolean;
  test: { approvals: number } | undefined;
  publish: boolean;
}

export interface MachineState { phase: Phase; approvals: string[] }

export type Input =
  | { kind: 'start' }
  | { kind: 'assigned' }
  | { kind: 'builds-done'; ok: boolean }
  | { kind: 'tested'; person: string; note: string }
  | { kind: 'test-failed'; person: string; note: string }
  | { kind: 'published'; person: string | null; note: string }
  | { kind: 'abandon'; person: string; note: string }
  | { kind: 'superseded'; by: number };

export type Emit =
  | { type: 'release.phase'; from: Phase; to: Phase }
  | { type: 'release.tested'; person: string; note: string; approvals: string[] }
  | { type: 'release.test_failed'; person: string; note: string }
  | { type: 'release.published'; person: string | null; note: string }
  | { type: 'release.abandoned'; person: string; note: string }
  | { type: 'release.superseded'; by: number };

/** What the service must do beside writing the state: start the phase's work, or stop it. */
export type Effect = 'start-assignment' | 'start-builds' | 'cancel-builds';

export interface Step {
  state: MachineState;
  emits: Emit[];
  effects: Effect[];
  /** Set when the input cannot act in this state: why, for the person who sent it. */
  refused?: string;
  /** A tester's approval counted, the quorum not reached yet. */
  noted?: string;
}

const FINAL: readonly Phase[] = ['announced', 'superseded', 'abandoned'];

export function isFinal(phase: Phase): boolean {
  return FINAL.includes(phase);
}

/** The phase a record goes to once the work of `from` is done, with the phases it passes through. */
function advance(spec: MachineSpec, from: Phase, st: MachineState, emits: Emit[], effects: Effect[]): MachineState {
  const go = (to: Phase) => {
    emits.push({ type: 'release.phase', from: st.phase, to });
    st = { ...st, phase: to };
  };
  let at = from;
  for (;;) {
    switch (at) {
      case 'detected':
        go('assigned');
        at = 'assigned';
        continue;
      case 'assigned':
        if (spec.build) { go('building'); effects.push('start-builds'); return st; }
        at = 'building';
        continue;
      case 'building':
        if (spec.test) { go('testing'); return { ...st, approvals: [] }; }
        at = 'testing';
        continue;
      case 'testing':
        if (spec.publish) { go('publishing'); return st; }
        at = 'publishing';
        continue;
      default:
        go('announced');
        return st;
    }
  }
}

export function step(spec: MachineSpec, state: MachineState, input: Input): Step {
  const emits: Emit[] = [];
  const effects: Effect[] = [];
  const refuse = (why: string): Step => ({ state, emits: [], effects: [], refused: why });
  if (isFinal(state.phase)) return refuse(`the kernel is already ${state.phase}`);

  switch (input.kind) {
    case 'start':
      if (state.phase !== 'detected') return refuse('the procedure has already started');
      if (spec.assign) return { state, emits, effects: ['start-assignment'] };
      return { state: advance(spec, 'detected', state, emits, effects), emits, effects };

    case 'assigned':
      if (state.phase !== 'detected') return refuse(`a release manager is already known (phase ${state.phase})`);
      return { state: advance(spec, 'detected', state, emits, effects), emits, effects };

    case 'builds-done':
      if (state.phase !== 'building') return refuse(`the kernel is not building (phase ${state.phase})`);
      // A failed set stays in building: the release manager retries the builds, and the deadline keeps running.
      if (!input.ok) return { state, emits, effects };
      return { state: advance(spec, 'building', state, emits, effects), emits, effects };

    case 'tested': {
      // A second tester's "works for me" after the quorum moved it on is welcome, not an error.
      if (state.phase === 'publishing' && !state.approvals.includes(input.person)) {
        return { state: { ...state, approvals: [...state.approvals, input.person] }, emits, effects, noted: 'recorded after testing ended' };
      }
      if (state.phase !== 'testing') return refuse(`the kernel is not being tested (phase ${state.phase})`);
      if (state.approvals.includes(input.person)) return refuse(`${input.person} has already reported it good`);
      const approvals = [...state.approvals, input.person];
      const needed = spec.test?.approvals ?? 1;
      if (approvals.length < needed) return { state: { ...state, approvals }, emits, effects, noted: `${approvals.length} of ${needed} approvals` };
      emits.push({ type: 'release.tested', person: input.person, note: input.note, approvals });
      return { state: advance(spec, 'testing', { ...state, approvals }, emits, effects), emits, effects };
    }

    case 'test-failed':
      if (state.phase !== 'testing') return refuse(`the kernel is not being tested (phase ${state.phase})`);
      // Approvals given before the failure no longer count: the next round starts from none.
      emits.push({ type: 'release.test_failed', person: input.person, note: input.note });
      return { state: { ...state, approvals: [] }, emits, effects };

    case 'published':
      if (state.phase !== 'publishing') return refuse(`the kernel is not being published (phase ${state.phase})`);
      emits.push({ type: 'release.published', person: input.person, note: input.note });
      return { state: advance(spec, 'publishing', state, emits, effects), emits, effects };

    case 'abandon':
      emits.push({ type: 'release.abandoned', person: input.person, note: input.note }, { type: 'release.phase', from: state.phase, to: 'abandoned' });
      return { state: { ...state, phase: 'abandoned' }, emits, effects: ['cancel-builds'] };

    case 'superseded':
      emits.push({ type: 'release.superseded', by: input.by }, { type: 'release.phase', from: state.phase, to: 'superseded' });
      return { state: { ...state, phase: 'superseded' }, emits, effects: ['cancel-builds'] };
  }
}

/** The config phase whose `within` bounds a record's current phase. */
export function deadlinePhase(phase: Phase): 'assign' | 'build' | 'test' | 'publish' | undefined {
  switch (phase) {
    case 'detected': return 'assign';
    case 'assigned':
    case 'building': return 'build';
    case 'testing': return 'test';
    case 'publishing': return 'publish';
    default: return undefined;
  }
}

export type Escalation = 'release_manager' | 'support_person' | 'rotation';

/**
 * Whether a late phase is due a reminder now, and whom it names: the release
 * manager for the first `escalateAfter` reminders, the support person as well
 * for as many again, then the whole rotation.
 */
export function reminder(r: { due_at: string | null; reminders: number; reminded_at: string | null }, now: number, remindEveryMs: number, escalateAfter: number): { n: number; escalation: Escalation } | undefined {
  if (!r.due_at || Date.parse(r.due_at) > now) return undefined;
  if (r.reminded_at && Date.parse(r.reminded_at) + remindEveryMs > now) return undefined;
  const n = r.reminders + 1;
  const escalation: Escalation = n <= escalateAfter ? 'release_manager' : n <= 2 * escalateAfter ? 'support_person' : 'rotation';
  return { n, escalation };
}
