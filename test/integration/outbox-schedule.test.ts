import assert from 'node:assert/strict';
import { join } from 'node:path';
import { World } from '../helpers/world.js';
import { Store } from '../../src/store/index.js';
import type { NewMessage } from '../../src/store/outbox.js';
import { waitFor } from '../helpers/util.js';

const message = (n: number): NewMessage => ({
  message_id: `<q${n}@test.example>`, rule_run_id: null, event_id: null, release_id: null, template: 'kernel-notice', thread_key: null,
  recipients: ['users@example.org'], cc: [], subject: `queued ${n}`, body: 'b', in_reply_to: null, refs: null,
});

describe('outbox schedule: the regular pass reads the outbox only when something may be waiting', function () {
  this.timeout(30_000);
  let w: World;
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => { await w.stop(); });

  it('idle, it checks whether another process wrote and reads nothing; mail queued by another process, or by this one, still goes at the next pass', async () => {
    // mail.every is 100ms in the test world.
    const d = w.daemon(w.config([], []));
    let checks = 0;
    let reads = 0;
    const dataVersion = d.store.dataVersion.bind(d.store);
    d.store.dataVersion = () => { checks += 1; return dataVersion(); };
    const due = d.store.outbox.due.bind(d.store.outbox);
    d.store.outbox.due = (...args) => { reads += 1; return due(...args); };
    await d.start();

    await waitFor('a first regular pass', () => checks >= 3);
    const before = reads;
    await waitFor('six more regular passes', () => checks >= 9);
    // One read allowed: the minutely deadline check may fall in the window and ask for a pass.
    assert.ok(reads - before <= 1, `${reads - before} outbox reads in six idle passes`);

    // A CLI command queues mail through its own connection.
    const other = Store.open(join(w.tmp.dir, 'state', 'kernel-herald.sqlite'));
    try {
      other.outbox.enqueue(message(1), new Date().toISOString());
    } finally {
      other.close();
    }
    // Within 2 s (twenty passes), so the minutely deadline check, which also asks for a pass, is unlikely to be what sent it.
    await waitFor('the mail another process queued', () => w.smtp.received.length === 1, 2000);

    // Queued by this process without asking for a pass (its own writes leave the pragma as it is).
    d.store.outbox.enqueue(message(2), new Date().toISOString());
    await waitFor('the mail this process queued', () => w.smtp.received.length === 2, 2000);
    assert.deepEqual(w.smtp.received.map((m) => m.subject), ['queued 1', 'queued 2']);
  });

  it('a retry falls due with nothing else happening: it is sent at its time', async () => {
    const d = w.daemon(w.config([], []));
    await d.start();
    w.smtp.refuse(1);
    d.store.outbox.enqueue(message(3), new Date().toISOString());
    await waitFor('the refused attempt', () => w.smtp.refusals === 1);
    // Nothing is queued or written now: only the retry time (50ms later here) can wake the pass.
    // The server has the message before this side reads its answer and records it.
    await waitFor('the retry, at its time, recorded', () => w.smtp.received.length === 1 && d.store.outbox.counts().sent === 1, 2000);
  });
});
