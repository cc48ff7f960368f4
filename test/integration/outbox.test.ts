import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { kdistItem, rssFeed, World } from '../helpers/world.js';
import { silentLogger } from '../../src/log.js';
import { OutboxWorker } from '../../src/mail/outbox-worker.js';
import { smtpTransport } from '../../src/mail/transports.js';
import { Store } from '../../src/store/index.js';
import { waitFor } from '../helpers/util.js';

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

  it('stop: the message in flight finishes, nothing after it starts, even within the batch it belongs to', async () => {
    const store = Store.open(join(w.tmp.dir, 'db.sqlite'));
    const transport = smtpTransport({ host: '127.0.0.1', port: w.smtp.port, secure: false, starttls: 'never', pool: false, timeoutMs: 5000 }, 'herald@test.example', undefined);
    try {
      const at = new Date().toISOString();
      for (let i = 0; i < 10; i += 1) {
        store.outbox.enqueue({ message_id: `<m${i}@test.example>`, rule_run_id: null, event_id: null, release_id: null, template: 't', thread_key: null, recipients: ['users@example.org'], cc: [], subject: `m${i}`, body: 'b', in_reply_to: null, refs: null }, at);
      }
      const worker = new OutboxWorker(store, transport, { baseMs: 1000, maxMs: 1000, maxAttempts: 3 }, { now: () => new Date() }, silentLogger());
      w.smtp.replyDelayMs = 200;
      let stopped: Promise<void> | undefined;
      w.smtp.onReceived = () => { stopped ??= worker.stop(); };
      const pass = worker.deliverDue();
      await waitFor('the stop', () => stopped);
      await stopped;
      await pass;
      assert.equal(w.smtp.received.length, 1, 'the one in flight, and no other');
      assert.deepEqual(store.outbox.counts(), { pending: 9, sent: 1, failed: 0 });
      assert.deepEqual(await worker.deliverDue(), { sent: 0, failed: 0 }, 'a stopped worker sends nothing');
    } finally {
      transport.close();
      store.close();
    }
  });

  it('a refused message stays queued with its attempt and does not hold back the next; `failing` names the outage until a send goes through', async () => {
    const store = Store.open(join(w.tmp.dir, 'db.sqlite'));
    const transport = smtpTransport({ host: '127.0.0.1', port: w.smtp.port, secure: false, starttls: 'never', pool: false, timeoutMs: 5000 }, 'herald@test.example', undefined);
    let now = Date.parse('2026-03-02T10:00:00Z');
    const iso = () => new Date(now).toISOString();
    try {
      for (let i = 0; i < 3; i += 1) {
        store.outbox.enqueue({ message_id: `<f${i}@test.example>`, rule_run_id: null, event_id: null, release_id: null, template: 't', thread_key: null, recipients: ['users@example.org'], cc: [], subject: `f${i}`, body: 'b', in_reply_to: null, refs: null }, iso());
      }
      const worker = new OutboxWorker(store, transport, { baseMs: 60_000, maxMs: 60_000, maxAttempts: 3 }, { now: () => new Date(now) }, silentLogger());
      w.smtp.refuse(2);
      assert.deepEqual(await worker.deliverDue(), { sent: 1, failed: 2 }, 'each message of the pass is tried, refused or not');
      assert.deepEqual(w.smtp.received.map((m) => m.subject), ['f2']);
      const pending = store.outbox.list({ status: 'pending' }).map((m) => [m.subject, m.attempts, /try again later/.test(m.last_error ?? '')]).sort();
      assert.deepEqual(pending, [['f0', 1, true], ['f1', 1, true]]);
      assert.equal(worker.failing, undefined, 'the last send went through: no outage');
      w.smtp.refuse(1);
      now += 60_000;
      assert.deepEqual(await worker.deliverDue(), { sent: 1, failed: 1 });
      w.smtp.refuse(1);
      now += 120_000;
      await worker.deliverDue();
      assert.deepEqual(store.outbox.counts(), { pending: 0, sent: 2, failed: 1 }, 'f0 refused three times: given up');
      const outage = worker.failing;
      assert.ok(outage, 'the last attempt failed: an outage');
      assert.equal(outage.failures, 1);
      assert.match(outage.error, /try again later/);
      assert.equal(outage.since, iso());
      store.outbox.enqueue({ message_id: '<f3@test.example>', rule_run_id: null, event_id: null, release_id: null, template: 't', thread_key: null, recipients: ['users@example.org'], cc: [], subject: 'f3', body: 'b', in_reply_to: null, refs: null }, iso());
      assert.deepEqual(await worker.deliverDue(), { sent: 1, failed: 0 });
      assert.equal(worker.failing, undefined, 'cleared by the next send that went through');
    } finally {
      transport.close();
      store.close();
    }
  });
});

