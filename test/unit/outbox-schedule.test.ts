import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OutboxSchedule } from '../../src/mail/outbox-schedule.js';
import type { OutboxWorker } from '../../src/mail/outbox-worker.js';
import { Store } from '../../src/store/index.js';
import type { NewMessage } from '../../src/store/outbox.js';
import { memoryLogger, tempDir, waitFor } from '../helpers/util.js';

const message = (n: number): NewMessage => ({
  message_id: `<s${n}@test.example>`, rule_run_id: null, event_id: null, release_id: null, template: 't', thread_key: null,
  recipients: ['users@example.org'], cc: [], subject: `s${n}`, body: 'b', in_reply_to: null, refs: null,
});

/**
 * The schedule alone, on a real SQLite file: the worker marks what is due
 * as sent and counts its passes (how a pass sends is the outbox worker's
 * business, tested with it), and the store counts its data_version checks
 * with their times.
 */
describe('outbox schedule: when a pass reads the outbox', function () {
  this.timeout(20_000);
  let t: ReturnType<typeof tempDir>;
  let store: Store;
  let passes: number[];
  let checks: number[];
  let fail: Error | undefined;
  let logs: ReturnType<typeof memoryLogger>;
  let schedule: OutboxSchedule;
  const path = () => join(t.dir, 'db.sqlite');

  let hold: Promise<void> | undefined;
  // The worker sends nothing, as when the store could not record a send.
  let stuck = false;
  // The worker sends one due message a pass, leaving the rest due.
  let onePerPass = false;

  function start(everyMs: number, opts: { checkThrows?: (n: number) => boolean; stallMs?: number } = {}): void {
    const dataVersion = store.dataVersion.bind(store);
    store.dataVersion = () => {
      checks.push(Date.now());
      if (opts.checkThrows?.(checks.length)) throw new Error('disk I/O error');
      return dataVersion();
    };
    // Sends what is due by marking it sent, as the worker would after the server said yes.
    const worker = { deliverDue: async () => {
      passes.push(Date.now());
      await hold;
      if (fail) throw fail;
      if (stuck) return { sent: 0, failed: 0 };
      const now = new Date().toISOString();
      const due = store.outbox.due(now, onePerPass ? 1 : 50);
      for (const m of due) store.outbox.markSent(m.id, now);
      return { sent: due.length, failed: 0 };
    } } as unknown as OutboxWorker;
    schedule = new OutboxSchedule(store, worker, { now: () => new Date() }, everyMs, logs.log, opts.stallMs);
  }

  beforeEach(() => {
    t = tempDir();
    store = Store.open(path());
    passes = [];
    checks = [];
    fail = undefined;
    hold = undefined;
    stuck = false;
    onePerPass = false;
    logs = memoryLogger();
  });
  afterEach(() => {
    schedule.stop();
    store.close();
    t.cleanup();
  });

  it('arm() is a pass at once, asked for with nothing changed; then, idle, a check each interval and no pass', async () => {
    start(40);
    schedule.arm();
    schedule.arm();
    schedule.arm(); // asked three times in a row: one chain of timers, not three
    await waitFor('the pass asked for', () => passes.length >= 1);
    await waitFor('six idle checks', () => checks.length >= 7);
    assert.equal(passes.length, 1, 'idle checks read nothing');
    const gaps = checks.slice(2).map((c, i) => c - checks[i + 1]!);
    assert.ok(gaps.every((g) => g >= 35), `checks ${gaps.join(', ')} ms apart: the interval is 40 ms`);
  });

  it('a commit by another connection, or mail this process queued, makes the next check a pass', async () => {
    start(30);
    schedule.arm();
    await waitFor('the first pass', () => passes.length === 1);
    await waitFor('an idle check', () => checks.length >= 2);
    const other = Store.open(path());
    try {
      other.outbox.enqueue(message(1), new Date().toISOString());
    } finally {
      other.close();
    }
    await waitFor('the pass for the other process', () => passes.length === 2);
    store.outbox.enqueue(message(2), new Date().toISOString());
    await waitFor('the pass for this process', () => passes.length === 3);
    const settled = checks.length;
    await waitFor('idle checks again', () => checks.length >= settled + 3);
    assert.equal(passes.length, 3);
  });

  it('a retry falling due before the interval is passed at its time, with nothing else happening', async () => {
    const at = Date.now();
    const id = store.outbox.enqueue(message(3), new Date(at).toISOString());
    store.outbox.markFailedAttempt(id, 'refused', new Date(at + 300).toISOString());
    start(5000);
    schedule.arm();
    await waitFor('the first pass', () => passes.length === 1);
    await waitFor('the retry', () => passes.length === 2, 3000);
    assert.ok(passes[1]! >= at + 290, 'not before the retry falls due');
    // Not a pause either: the pass before it found nothing due, which is no stall.
    assert.ok(passes[1]! < at + 800, `at its time, not at the interval or after a pause: ${passes[1]! - at} ms`);
  });

  it('a pass that leaves mail due is repeated after a pause that doubles, not at once; a pass that delivers ends the pauses', async () => {
    store.outbox.enqueue(message(7), new Date().toISOString());
    stuck = true;
    start(60_000, { stallMs: 300 });
    schedule.arm();
    await waitFor('three passes', () => passes.length === 3, 5000);
    const gaps = [passes[1]! - passes[0]!, passes[2]! - passes[1]!];
    assert.ok(gaps[0]! >= 290 && gaps[0]! < 590, `first pause ${gaps[0]} ms: 300`);
    assert.ok(gaps[1]! >= 590 && gaps[1]! < 1180, `second pause ${gaps[1]} ms: 600`);
    // Delivered: the next mail stuck again pauses from the start, not from where the last stall left off.
    stuck = false;
    schedule.arm();
    await waitFor('the delivering pass', () => passes.length === 4 && store.outbox.counts().pending === 0);
    stuck = true;
    store.outbox.enqueue(message(8), new Date().toISOString());
    schedule.arm();
    await waitFor('two more passes', () => passes.length === 6, 5000);
    assert.ok(passes[5]! - passes[4]! < 590, `after a delivery the pause starts again at 300 ms: ${passes[5]! - passes[4]!}`);
  });

  it('a pass that throws while mail is due is paused like one that delivers nothing', async () => {
    store.outbox.enqueue(message(12), new Date().toISOString());
    fail = new Error('boom');
    start(60_000, { stallMs: 300 });
    schedule.arm();
    await waitFor('two passes', () => passes.length === 2, 5000);
    assert.ok(passes[1]! - passes[0]! >= 290, `paused ${passes[1]! - passes[0]!} ms: 300`);
  });

  it('a pass that delivers something while more stays due is followed at once, not paused', async () => {
    for (const n of [9, 10, 11]) store.outbox.enqueue(message(n), new Date().toISOString());
    onePerPass = true;
    start(60_000, { stallMs: 300 });
    schedule.arm();
    await waitFor('all three sent', () => store.outbox.counts().sent === 3, 5000);
    assert.ok(passes[2]! - passes[0]! < 290, `three passes in ${passes[2]! - passes[0]!} ms: no pause between`);
  });

  it('a failing pass is logged and the schedule goes on; a store that cannot say whether anything changed gets a pass', async () => {
    fail = new Error('boom');
    start(30);
    schedule.arm();
    await waitFor('the failed pass logged', () => logs.lines.some((l) => l.message === 'outbox pass failed' && l.error === 'boom'));
    fail = undefined;
    store.outbox.enqueue(message(4), new Date().toISOString());
    await waitFor('the next pass', () => passes.length >= 2);

    schedule.stop();
    store.close();
    store = Store.open(path());
    passes = [];
    start(30, { checkThrows: () => true });
    schedule.arm();
    await waitFor('passes while the check fails', () => passes.length >= 3);

    // It fails once, between two checks that work: that check is a pass too, and nothing throws.
    schedule.stop();
    store.close();
    store = Store.open(path());
    passes = [];
    checks = [];
    start(30, { checkThrows: (n) => n === 4 });
    schedule.arm();
    await waitFor('checks past the failing one', () => checks.length >= 8);
    // The pass asked for; one at the check that failed; one more at the next check, which has nothing to compare with.
    assert.equal(passes.length, 3);
  });

  it('stop during a pass: when the pass ends, nothing is armed again', async () => {
    let release: () => void = () => undefined;
    hold = new Promise<void>((r) => { release = r; });
    start(20);
    schedule.arm();
    await waitFor('the pass under way', () => passes.length === 1);
    schedule.stop();
    release();
    store.outbox.enqueue(message(6), new Date().toISOString());
    const marker: number[] = [];
    const other = new OutboxSchedule(store, { deliverDue: async () => { marker.push(1); return { sent: 0, failed: 0 }; } } as unknown as OutboxWorker, { now: () => new Date() }, 20, logs.log);
    other.arm();
    const before = checks.length;
    await waitFor('time passing', () => marker.length >= 1 && checks.length >= before + 4);
    other.stop();
    assert.equal(passes.length, 1, 'no pass after the stop');
  });

  it('stop: no timer is left, so nothing more runs', async () => {
    start(20);
    schedule.arm();
    await waitFor('the first pass', () => passes.length === 1);
    schedule.stop();
    schedule.arm();
    store.outbox.enqueue(message(5), new Date().toISOString());
    const before = checks.length;
    // Another schedule on the same store, still running, marks the time passing.
    const clockPasses: number[] = [];
    const marker = new OutboxSchedule(store, { deliverDue: async () => { clockPasses.push(1); return { sent: 0, failed: 0 }; } } as unknown as OutboxWorker, { now: () => new Date() }, 20, logs.log);
    marker.arm();
    await waitFor('time passing', () => clockPasses.length >= 1 && checks.length >= before + 4);
    marker.stop();
    assert.equal(passes.length, 1, 'no pass after stop');
  });
});
