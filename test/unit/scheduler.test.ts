import assert from 'node:assert/strict';
import { coalesced } from '../../src/watchers/scheduler.js';

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
});
