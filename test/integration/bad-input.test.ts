import assert from 'node:assert/strict';
import { fixture } from '../helpers/util.js';
import { kdistItem, rssFeed, World } from '../helpers/world.js';

describe('bad input: each failing watcher is logged, records nothing, and the others go on', function () {
  this.timeout(30_000);
  let w: World;
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => { await w.stop(); });

  it('malformed XML, billion laughs, over the size cap, non-UTF-8, HTTP 500, a timeout', async () => {
    w.feeds.set('/good.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.10', 'stable')]));
    w.feeds.set('/malformed.xml', '<?xml version="1.0"?><rss version="2.0"><channel><item><title>6.6.11: stable</title></item>');
    w.feeds.set('/lol.xml', `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><rss version="2.0"><channel><title>&lol9;</title><item><title>6.6.12: stable</title><guid>x</guid></item></channel></rss>`);
    w.feeds.set('/huge.xml', `<?xml version="1.0"?><rss version="2.0"><channel>${'<item><title>6.6.13: stable</title></item>'.repeat(3000)}</channel></rss>`);
    w.feeds.set('/latin.xml', Buffer.concat([Buffer.from('<?xml version="1.0"?><rss version="2.0"><channel><item><title>6.6.14: stable caf'), Buffer.from([0xe9, 0xff]), Buffer.from('</title></item></channel></rss>')]));
    w.feeds.handle('/500.xml', (_req, res) => { res.writeHead(500, 'Internal Server Error').end('boom'); });
    w.feeds.handle('/hang.xml', () => { /* never answers */ });
    const bad = ['malformed', 'lol', 'huge', 'latin', '500', 'hang'];
    const cfg = w.config([
      { id: 'good', type: 'rss', url: w.feeds.url('/good.xml'), backfill: true },
      ...bad.map((b) => ({ id: b, type: 'rss', url: w.feeds.url(`/${b}.xml`), backfill: true, timeout: '300ms', max_bytes: 50_000 })),
    ], [{ id: 'notice', on: 'kernel.released', do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] }]);
    const d = w.daemon(cfg);
    const outcomes = await d.pollOnce();
    const by = Object.fromEntries(outcomes.map((o) => [o.watcher, o]));
    assert.equal(by.good!.ok, true);
    assert.equal(by.good!.events, 1);
    assert.equal(w.smtp.received.length, 1, 'the good watcher got its email through');
    const expected: Record<string, RegExp> = {
      malformed: /malformed XML at line 1/, lol: /declares entities/, huge: /larger than the 50000-byte cap/,
      latin: /not valid utf-8/, 500: /HTTP 500/, hang: /timed out after 300 ms/,
    };
    for (const b of bad) {
      assert.equal(by[b]!.ok, false, `${b} failed`);
      assert.match(by[b]!.error!, expected[b]!, b);
      const line = w.logs.lines.find((l) => l.watcher === b && l.message === 'watcher failed');
      assert.ok(line, `a log line names watcher ${b}`);
      assert.equal(d.store.watchers.get(b).failures, 1);
      assert.equal(d.store.watchers.get(b).baseline_done, false);
    }
    assert.equal(d.store.db.prepare(`SELECT COUNT(*) FROM announcements WHERE watcher != 'good'`).pluck().get(), 0, 'nothing recorded for a bad feed');

    // The same error again is not logged again; a fixed feed recovers.
    await d.pollOnce(['500']);
    assert.equal(w.logs.lines.filter((l) => l.watcher === '500' && l.message === 'watcher failed').length, 1, 'logged once per change');
    w.feeds.set('/500.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.15', 'stable')]));
    const [fixed] = await d.pollOnce(['500']);
    assert.equal(fixed!.ok, true);
    assert.ok(w.logs.lines.some((l) => l.watcher === '500' && l.message === 'watcher recovered'));
    assert.equal(d.store.watchers.get('500').failures, 0);
  });

  it('a hostile item (a notice JSON that does not parse) is logged and skipped, and the rest of the feed goes through', async () => {
    const link = (n: string) => w.feeds.url(`/security/notices/USN-${n}`);
    w.feeds.set('/rss.xml', rssFeed('https://ubuntu.com/security/notices', []));
    const cfg = w.config([{ id: 'usn', type: 'rss', url: w.feeds.url('/rss.xml') }], [{ id: 'n', on: 'kernel.released', when: { flavour: 'generic', distro_release: '22.04' }, do: [{ email: { template: 'kernel-notice', to: ['u@example.org'] } }] }]);
    const d = w.daemon(cfg);
    await d.pollOnce();
    w.feeds.set('/security/notices/USN-9999-1.json', '{"id": "USN-9999-1", "release_packages": "not a map"}', 'application/json');
    w.feeds.set('/security/notices/USN-6548-1.json', fixture('ubuntu-usn/USN-6548-1.json'), 'application/json');
    w.feeds.set('/rss.xml', rssFeed('https://ubuntu.com/security/notices', [
      { title: 'USN-9999-1: Linux kernel vulnerabilities', link: link('9999-1'), guid: 'USN-9999-1' },
      { title: 'USN-6548-1: Linux kernel vulnerabilities', link: link('6548-1'), guid: 'USN-6548-1' },
    ]));
    const [o] = await d.pollOnce();
    assert.equal(o!.ok, true);
    assert.equal(o!.recorded, 2);
    assert.equal(w.smtp.received.length, 1);
    assert.ok(w.logs.lines.some((l) => l.message === 'item could not be parsed; recorded and skipped' && l.item === 'USN-9999-1'));
  });

  it('a huge feed is worked through max_items at a time, oldest first: the baseline fires nothing, new items fire once each', async () => {
    const items = (from: number, n: number) => Array.from({ length: n }, (_, i) => kdistItem(`6.1.${from + n - 1 - i}`, 'longterm')); // newest first
    w.feeds.set('/big.xml', rssFeed('https://www.kernel.org', items(1, 25)));
    const cfg = w.config([{ id: 'big', type: 'rss', url: w.feeds.url('/big.xml'), every: '1h', max_items: 10 }],
      [{ id: 'notice', on: 'kernel.released', do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] }]);
    const d = w.daemon(cfg);
    const baseline = [];
    for (let i = 0; i < 3; i += 1) baseline.push((await d.pollOnce())[0]!);
    assert.deepEqual(baseline.map((o) => [o.baseline, o.recorded, o.events]), [[true, 10, 0], [true, 10, 0], [true, 5, 0]], 'the baseline spans three polls');
    assert.ok(w.logs.lines.some((l) => l.message === 'more new items than max_items: the rest follow on the next poll' && l.deferred === 15));
    assert.equal(d.store.watchers.get('big').baseline_done, true);

    w.feeds.set('/big.xml', rssFeed('https://www.kernel.org', [...items(26, 12), ...items(1, 25)]));
    const first = (await d.pollOnce())[0]!;
    assert.deepEqual([first.baseline, first.recorded, first.events], [false, 10, 10]);
    assert.equal(d.store.watchers.get('big').next_poll_at, d.store.watchers.get('big').last_success_at, 'the rest is due at once');
    assert.deepEqual(w.smtp.received.map((m) => m.subject!.split(' ')[2]).sort(), Array.from({ length: 10 }, (_, i) => `6.1.${26 + i}`).sort(), 'the oldest ten first');
    assert.equal((await d.pollOnce())[0]!.events, 2);
    assert.equal((await d.pollOnce())[0]!.events, 0);
    assert.equal(w.smtp.received.length, 12);
  });
});
