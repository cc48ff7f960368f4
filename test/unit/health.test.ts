import assert from 'node:assert/strict';
import { assessHealth, quietDue } from '../../src/http/health.js';
import { defaultRetryMax, watcherBackoff } from '../../src/watchers/backoff.js';
import { humanDuration } from '../../src/duration.js';
import type { WatcherState } from '../../src/store/watchers.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('watcher retries', () => {
  it('start at min(every, 30s) and double up to the interval (at least 30s)', () => {
    const seq = (every: number, n: number) => Array.from({ length: n }, (_, i) => watcherBackoff(i + 1, every, defaultRetryMax(every)));
    assert.deepEqual(seq(2 * S, 6), [2 * S, 4 * S, 8 * S, 16 * S, 30 * S, 30 * S], 'every 2s: picked up within seconds, never slower than 30s');
    assert.deepEqual(seq(H, 9).map((ms) => ms / S), [30, 60, 120, 240, 480, 960, 1920, 3600, 3600], 'kernel.org hourly: the first retry after 30s, not an hour');
    assert.equal(watcherBackoff(40, 15 * M, 4 * H), 4 * H, 'retry_max caps it');
  });
});

describe('health', () => {
  const state = (over: Partial<WatcherState>): WatcherState => ({
    watcher: 'w', baseline_done: true, etag: null, last_modified: null, failures: 0, last_error: null, last_error_at: null, last_poll_at: null,
    last_success_at: null, next_poll_at: null, cursor: null, last_new_at: null, quiet_notified_at: null, ...over,
  });
  const base = { now: new Date('2026-03-02T12:00:00Z'), startedAt: new Date('2026-03-02T10:00:00Z'), writeProblem: undefined, outbox: {},
    mail: { failingSince: undefined, failures: 0, lastError: undefined, staleAfterMs: H } };

  it('is ok with fresh watchers, working mail and a writable store', () => {
    const r = assessHealth({ ...base, watchers: [{ id: 'a', staleAfterMs: 3 * H, state: state({ last_success_at: '2026-03-02T11:59:00Z' }) }] });
    assert.equal(r.ok, true);
    assert.deepEqual(r.problems, []);
  });

  it('names each cause of a 503', () => {
    const r = assessHealth({
      ...base, writeProblem: 'attempt to write a readonly database',
      watchers: [
        { id: 'stale', staleAfterMs: H, state: state({ last_success_at: '2026-03-02T10:30:00Z', failures: 4, last_error: 'HTTP 503' }) },
        { id: 'never', staleAfterMs: H, state: undefined },
        { id: 'fine', staleAfterMs: 3 * H, state: state({ last_success_at: '2026-03-02T10:30:00Z' }) },
      ],
      mail: { failingSince: '2026-03-02T10:45:00Z', failures: 9, lastError: 'connect ECONNREFUSED', staleAfterMs: H },
    });
    assert.equal(r.ok, false);
    assert.deepEqual(r.problems, [
      'store: not writable: attempt to write a readonly database',
      'watcher stale: last success 1h 30m ago (stale_after 1h): HTTP 503',
      'watcher never: no success since the start 2h ago (stale_after 1h)',
      'mail: failing for 1h 15m (stale_after 1h): connect ECONNREFUSED',
    ]);
    assert.equal(r.watchers.fine!.ok, true);
  });

  it('quiet: due once per spell, counted from the last new item (else the start)', () => {
    const start = new Date('2026-03-01T00:00:00Z');
    const at = (iso: string) => new Date(iso);
    assert.equal(quietDue(state({ last_new_at: '2026-03-01T00:00:00Z' }), start, at('2026-03-14T23:00:00Z'), 14 * 24 * H), undefined);
    assert.deepEqual(quietDue(state({ last_new_at: '2026-03-01T00:00:00Z' }), start, at('2026-03-15T01:00:00Z'), 14 * 24 * H), { since: '2026-03-01T00:00:00Z' });
    assert.equal(quietDue(state({ last_new_at: '2026-03-01T00:00:00Z', quiet_notified_at: '2026-03-15T01:00:00.000Z' }), start, at('2026-03-20T00:00:00Z'), 14 * 24 * H), undefined);
    assert.deepEqual(quietDue(undefined, start, at('2026-03-16T00:00:00Z'), 14 * 24 * H), { since: '2026-03-01T00:00:00.000Z' });
  });

  it('durations for people', () => {
    assert.deepEqual([humanDuration(0), humanDuration(12_400), humanDuration(47 * M), humanDuration(2 * H + 5 * M + 7 * S), humanDuration(50 * H)], ['0s', '12s', '47m', '2h 5m', '2d 2h']);
  });
});
