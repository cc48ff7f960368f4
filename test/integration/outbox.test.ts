import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { kdistItem, rssFeed, World } from '../helpers/world.js';

describe('outbox: a send the store could not record', function () {
  this.timeout(30_000);
  let w: World;
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => { await w.stop(); });

  it('is never sent again by the same process: it is recorded first once the store takes writes, then the rest goes', async () => {
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.40', 'stable'), kdistItem('6.6.41', 'stable')]));
    const d = w.daemon(w.config([{ id: 'a', type: 'rss', url: w.feeds.url('/a.xml'), backfill: true }],
      [{ id: 'n', on: 'kernel.released', do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] }]));
    // While the first message waits for its reply, another process takes the write lock.
    const other = new Database(join(w.tmp.dir, 'state', 'kernel-herald.sqlite'));
    w.smtp.replyDelayMs = 100;
    w.smtp.onReceived = () => { if (!other.inTransaction) other.exec('BEGIN EXCLUSIVE'); };
    await d.pollOnce();
    assert.equal(w.smtp.received.length, 1, 'accepted once, then delivery paused');
    assert.ok(w.logs.lines.some((l) => /not recorded as sent/.test(String(l.message))));
    await d.process();
    assert.equal(w.smtp.received.length, 1, 'still locked: nothing sent, nothing resent');
    other.exec('ROLLBACK');
    other.close();
    w.smtp.onReceived = undefined;
    await d.process();
    assert.equal(w.smtp.received.length, 2, 'the first recorded, not resent; the second sent');
    assert.equal(new Set(w.smtp.received.map((m) => m.messageId)).size, 2);
    assert.deepEqual(d.store.outbox.counts(), { pending: 0, sent: 2, failed: 0 });
  });
});
