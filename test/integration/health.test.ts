import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Endpoint } from '../helpers/endpoint.js';
import { waitFor } from '../helpers/util.js';
import { kdistItem, rssFeed, World } from '../helpers/world.js';

/** /healthz and /metrics of a real daemon on a test clock: each cause of a 503, and the quiet-source alarm. */
describe('health, metrics and the quiet-source alarm', function () {
  this.timeout(30_000);
  let w: World;
  const now = { t: Date.parse('2026-03-02T10:00:00Z') };
  const clock = { now: () => new Date(now.t) };
  const MIN = 60_000;
  beforeEach(async () => { now.t = Date.parse('2026-03-02T10:00:00Z'); w = await new World().start(); });
  afterEach(async () => { await w.stop(); });

  const get = async (port: number, path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, text: await res.text() };
  };
  const portOf = () => Number(String(w.logs.lines.find((l) => l.message === 'http listening')!.address).split(':').pop());

  it('503 when a watcher has not succeeded for its stale_after, naming it; 200 again once it recovers', async () => {
    w.feeds.handle('/down.xml', (_req, res) => { res.writeHead(500).end('boom'); });
    w.feeds.set('/up.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.1', 'stable')]));
    const d = w.daemon(w.config([
      { id: 'down', type: 'rss', url: w.feeds.url('/down.xml'), every: '1h' },
      { id: 'up', type: 'rss', url: w.feeds.url('/up.xml'), every: '1h', stale_after: '1d' },
    ], [], { http: { listen: '127.0.0.1:0' } }), clock);
    await d.start();
    await d.pollOnce();
    assert.equal((await get(portOf(), '/healthz')).status, 200, 'failing, but not for long yet');
    now.t += 3 * 60 * MIN + MIN;
    const r = await get(portOf(), '/healthz');
    assert.equal(r.status, 503);
    const body = JSON.parse(r.text) as { ok: boolean; problems: string[]; watchers: Record<string, { ok: boolean }> };
    assert.deepEqual(body.problems.map((p) => p.split(':')[0]), ['watcher down']);
    assert.match(body.problems[0]!, /no success since the start 3h 1m ago \(stale_after 3h\): .*500/);
    assert.equal(body.watchers.up!.ok, true);
    w.feeds.set('/down.xml', rssFeed('https://www.kernel.org', []));
    await d.pollOnce(['down']);
    assert.equal((await get(portOf(), '/healthz')).status, 200);
  });

  it('503 when the store takes no writes, and when mail has failed for longer than mail.stale_after', async () => {
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.2', 'stable')]));
    const cfg = w.config([{ id: 'a', type: 'rss', url: w.feeds.url('/a.xml'), backfill: true, every: '1h' }],
      [{ id: 'n', on: 'kernel.released', do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] }],
      { http: { listen: '127.0.0.1:0' } });
    const d = w.daemon(cfg, clock);
    await d.pollOnce(); // so the start's own poll is not due while the lock is held
    await d.start();
    // Another process holding the write lock: what a full disk or a read-only mount also look like from here.
    const other = new Database(join(w.tmp.dir, 'state', 'kernel-herald.sqlite'));
    other.exec('BEGIN EXCLUSIVE');
    let r = await get(portOf(), '/healthz');
    other.exec('ROLLBACK');
    other.close();
    assert.equal(r.status, 503);
    assert.match((JSON.parse(r.text) as { problems: string[] }).problems[0]!, /^store: not writable: database is locked/);

    w.smtp.refuse(1000);
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.2', 'stable'), kdistItem('6.6.3', 'stable')]));
    await d.pollOnce();
    assert.equal(w.smtp.refusals, 1);
    assert.equal((await get(portOf(), '/healthz')).status, 200, 'mail failing for a moment is not yet a problem');
    now.t += 61 * MIN;
    await d.process();
    r = await get(portOf(), '/healthz');
    assert.equal(r.status, 503);
    assert.match((JSON.parse(r.text) as { problems: string[] }).problems.join('\n'), /^mail: failing for 1h 1m \(stale_after 1h\): .*try again later/m);
    w.smtp.refuse(0);
    now.t += 61 * MIN;
    await d.process();
    assert.equal((await get(portOf(), '/healthz')).status, 200);
    assert.ok(w.logs.lines.some((l) => l.message === 'mail delivery recovered'));
  });

  it('/metrics: per-watcher last success and last new item, builds, open assignments, outbox age, process metrics', async () => {
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.3', 'stable')]));
    const d = w.daemon(w.config([{ id: 'a', type: 'rss', url: w.feeds.url('/a.xml'), backfill: true, every: '1h' }], [], { http: { listen: '127.0.0.1:0' } }), clock);
    await d.start();
    await d.pollOnce();
    const m = (await get(portOf(), '/metrics')).text;
    const at = now.t / 1000;
    assert.match(m, new RegExp(`kernel_herald_watcher_last_success_timestamp_seconds\\{watcher="a"\\} ${at}`));
    assert.match(m, /kernel_herald_watcher_last_new_item_timestamp_seconds\{watcher="a"\} \d+/);
    assert.match(m, /kernel_herald_assignments_open\{state="asking"\} 0/);
    assert.match(m, /kernel_herald_outbox_oldest_pending_age_seconds\{kind="mail"\} 0/);
    assert.match(m, /kernel_herald_mail_failing_since_timestamp_seconds 0/);
    assert.match(m, /kernel_herald_healthy 1/);
    assert.match(m, /kernel_herald_process_resident_memory_bytes \d+/);
    assert.match(m, /# TYPE kernel_herald_builds gauge/);
  });

  it('/metrics: the outbox by kind, so a chat endpoint down does not read as mail stuck', async () => {
    const hook = new Endpoint();
    await hook.start();
    try {
      hook.answers.push(500, 500, 500);
      w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.5', 'stable')]));
      const d = w.daemon(w.config([{ id: 'a', type: 'rss', url: w.feeds.url('/a.xml'), backfill: true, every: '1h' }],
        [{ id: 'chat', on: 'kernel.released', do: [{ webhook: { url: hook.url('/h') } }] }], { http: { listen: '127.0.0.1:0' } }), clock);
      await d.start();
      await d.pollOnce();
      await waitFor('the refused delivery', () => hook.received.length >= 1);
      now.t += 30_000; // before its retry falls due
      const m = (await get(portOf(), '/metrics')).text;
      assert.match(m, /kernel_herald_outbox_messages\{kind="webhook",status="pending"\} 1/);
      assert.match(m, /kernel_herald_outbox_messages\{kind="mail",status="pending"\} 0/);
      assert.match(m, /kernel_herald_outbox_oldest_pending_age_seconds\{kind="webhook"\} 30/);
      assert.match(m, /kernel_herald_outbox_oldest_pending_age_seconds\{kind="mail"\} 0/);
      assert.match(m, /kernel_herald_mail_failing_since_timestamp_seconds 0/);
    } finally {
      await hook.stop();
    }
  });

  it('a watcher with expect_every that records nothing new emits watcher.quiet once per quiet spell, routable by rules', async () => {
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.4', 'stable')]));
    const d = w.daemon(w.config([{ id: 'a', type: 'rss', url: w.feeds.url('/a.xml'), every: '1h', expect_every: '14d' }],
      [{ id: 'quiet', on: 'watcher.quiet', when: { id: 'a' }, do: [{ email: { template: 'watcher-quiet', to: ['ops@example.org'] } }] }]), clock);
    await d.pollOnce();
    now.t += 14 * 24 * 60 * MIN - MIN;
    await d.process();
    assert.equal(w.smtp.received.length, 0, 'not yet');
    now.t += 2 * MIN;
    await d.process();
    assert.equal(w.smtp.received.length, 1);
    assert.match(w.smtp.received[0]!.subject!, /^kernel-herald: nothing new from a since 2026-03-02T10:00/);
    now.t += 7 * 24 * 60 * MIN;
    await d.process();
    assert.equal(w.smtp.received.length, 1, 'once per quiet spell');
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.4', 'stable'), kdistItem('6.6.5', 'stable')]));
    await d.pollOnce();
    now.t += 14 * 24 * 60 * MIN + MIN;
    await d.process();
    assert.equal(w.smtp.received.length, 2, 'a new spell after something new');
  });

  it('recovers as fast as the source allows: a feed failing at start is retried within its interval, logged once with a count', async () => {
    let fail = 3;
    w.feeds.handle('/flaky.xml', (_req, res) => {
      if (fail > 0) { fail -= 1; res.writeHead(503).end('busy'); return; }
      res.writeHead(200, { 'content-type': 'application/xml' }).end(rssFeed('https://www.kernel.org', [kdistItem('6.6.9', 'stable')]));
    });
    const d = w.daemon(w.config([{ id: 'flaky', type: 'rss', url: w.feeds.url('/flaky.xml'), every: '300ms' }], []));
    await d.start();
    await waitFor('the recovery', () => w.logs.lines.some((l) => l.watcher === 'flaky' && l.message === 'watcher recovered'), 5_000);
    const failed = w.logs.lines.filter((l) => l.watcher === 'flaky' && l.message === 'watcher failed');
    assert.equal(failed.length, 1, 'three failures with one error: one line');
    assert.equal(w.logs.lines.find((l) => l.message === 'watcher recovered')!.after_failures, 3);
  });

  it('a restart polls at once when the stored next time has passed', async () => {
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.30', 'stable')]));
    const cfg = w.config([{ id: 'a', type: 'rss', url: w.feeds.url('/a.xml'), every: '1h' }], []);
    const first = w.daemon(cfg, clock);
    await first.pollOnce();
    await first.stop();
    now.t += 61 * MIN;
    const late = w.daemon(cfg, clock);
    await late.start();
    await waitFor('the poll at start', () => w.feeds.count('/a.xml') === 2, 2_000);
  });
});
