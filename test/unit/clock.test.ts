import assert from 'node:assert/strict';
import { mock } from 'node:test';
import { everyMinute } from '../../src/clock.js';

describe('everyMinute', () => {
  afterEach(() => mock.timers.reset());

  it('fires at the start of each wall-clock minute, not a minute after it was armed, until stopped', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.parse('2026-03-01T10:00:30.500Z') });
    const at: string[] = [];
    const task = everyMinute(() => at.push(new Date().toISOString()));
    mock.timers.tick(29_499);
    assert.deepEqual(at, []);
    mock.timers.tick(1);
    assert.deepEqual(at, ['2026-03-01T10:01:00.000Z']);
    mock.timers.tick(60_000);
    mock.timers.tick(60_000);
    assert.deepEqual(at, ['2026-03-01T10:01:00.000Z', '2026-03-01T10:02:00.000Z', '2026-03-01T10:03:00.000Z']);
    task.stop();
    for (let i = 0; i < 5; i++) mock.timers.tick(60_000);
    assert.equal(at.length, 3);
  });
});
