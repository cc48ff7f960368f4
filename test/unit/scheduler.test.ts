import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Scheduler, coalesced } from '../../src/watchers/scheduler.js';
import type { Watcher } from '../../src/watchers/types.js';
import { Store } from '../../src/store/index.js';
import { memoryLogger } from '../helpers/util.js';

describe('scheduler: watchers falling due close together share a wake-up', () => {
  const now = 1_796_178_796_123; // ms, 123 ms past a whole second

  it('fires on the next whole second at or after the poll is due, never before', () => {
    for (const delay of [1, 400, 876, 877, 878, 59_999, 60_000, 60_001]) {
      const fire = now + coalesced(delay, now);
      assert.ok(fire >= now + delay, `delay ${delay}: fired ${fire - now - delay} ms early`);
      assert.equal(fire % 1000, 0, `delay ${delay}: on the second`);
      assert.ok(fire - (now + delay) < 1000, `delay ${delay}: within a second of due`);
    }
  });

  it('two watchers due 300 ms apart within one second fire together; a second apart, apart', () => {
    const a = now + coalesced(10_000, now);
    const b = (now + 300) + coalesced(10_000, now + 300);
    assert.equal(a, b);
    const c = (now + 1000) + coalesced(10_000, now + 1000);
    assert.equal(c - a, 1000);
  });

  it('a poll due now stays due now, and a short interval gets a finer grid (a tenth of it)', () => {
    assert.equal(coalesced(0, now), 0);
    assert.equal(coalesced(-5, now), 0);
    const fast = now + coalesced(95, now, 100); // every 100ms: a 10 ms grid
    assert.equal(fast % 10, 0);
    assert.ok(fast >= now + 95 && fast < now + 105);
    assert.equal(coalesced(3, now, 5), 3, 'every 5ms: a 1 ms grid changes nothing');
  });

  it('the timers of the scheduler use it: two watchers due 8 ms apart poll in one wake-up', async () => {
    const store = Store.open(':memory:');
    const polled = new Map<string, number>();
    const wall = new Map<string, number>();
    let both: () => void = () => undefined;
    const done = new Promise<void>((resolve) => { both = resolve; });
    const watcher = (id: string): Watcher => ({
      id, schedule: { everyMs: 100 }, // a 10 ms grid
      poll: async () => {
        // The first poll of each: with nothing recorded, a watcher is due again at once.
        if (!polled.has(id)) { polled.set(id, performance.now()); wall.set(id, Date.now()); }
        if (polled.size === 2) both();
        return { watcher: id, ok: true, notModified: true, baseline: false, items: 0, recorded: 0, events: 0 };
      },
    });
    // Due 1 and 9 ms past a whole second, at least 20 ms from now: both on the next line of a 10 ms
    // grid, 10 ms later, where a minute's grid (whole seconds) would put them a second later.
    const base = Math.ceil((Date.now() + 20) / 1000) * 1000;
    store.watchers.recordSuccess('a', new Date().toISOString(), { next_poll_at: new Date(base + 1).toISOString() });
    store.watchers.recordSuccess('b', new Date().toISOString(), { next_poll_at: new Date(base + 9).toISOString() });
    const scheduler = new Scheduler([watcher('a'), watcher('b')], store, { now: () => new Date() }, memoryLogger().log, async () => undefined);
    scheduler.start();
    try {
      await done;
    } finally {
      await scheduler.stop();
      store.close();
    }
    const gap = Math.abs(polled.get('a')! - polled.get('b')!);
    assert.ok(gap < 2, `polled ${gap.toFixed(1)} ms apart: one timer tick`);
    // On the watcher's own grid (a tenth of its interval), not the minute's.
    assert.ok(wall.get('a')! >= base + 9 && wall.get('a')! < base + 500, `polled ${wall.get('a')! - base} ms after the second before it`);
  });
});
