import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Store } from '../../src/store/index.js';
import { killAll, startCli, type RunningCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/util.js';
import { kdistItem, rssFeed, World } from '../helpers/world.js';

const KERNELS = 50;

/**
 * The daemon against a feed of 50 kernels and an SMTP sink, SIGKILLed again
 * and again at random moments, then left to finish. Every kernel is recorded
 * once; every mail arrives; a mail arrives twice only when a kill fell in
 * SMTP's own window (DATA ended, reply not yet sent), and then with the same
 * Message-ID.
 */
describe('SIGKILL at random moments', function () {
  this.timeout(180_000);
  let w: World;
  const procs: RunningCli[] = [];
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => {
    await killAll(procs);
    await w.stop();
  });

  async function killLoop(replyDelayMs: number, kills: number): Promise<{ duplicates: number; cut: number; unconfirmed: number; killedInSend: number }> {
    w.smtp.replyDelayMs = replyDelayMs;
    w.feeds.set('/kdist.xml', rssFeed('https://www.kernel.org', Array.from({ length: KERNELS }, (_, i) => kdistItem(`6.6.${i + 1}`, 'stable'))));
    const cfg = w.config([{ id: 'kdist', type: 'rss', url: w.feeds.url('/kdist.xml'), backfill: true, every: '1h' }], [{
      id: 'notice', on: 'kernel.released', when: { distro: 'kernel.org' },
      do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }],
    }], {
      mail: {
        from: 'Kernel Herald <herald@test.example>', transport: 'smtp', every: '100ms',
        smtp: { host: '127.0.0.1', port: w.smtp.port, pool: true, timeout: '5s', starttls: 'never' },
        retry: { base: '50ms', max: '200ms', max_attempts: 50 },
      },
    });
    // A seeded sequence of kill moments, so a failure can be replayed.
    let seed = 42 + replyDelayMs;
    const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    let killedInSend = 0;
    for (let k = 0; k < kills; k += 1) {
      const p = startCli(['run', '--config', cfg]);
      procs.push(p);
      await waitFor('the daemon to start', () => p.lines.some((l) => l.message === 'started'), 20_000);
      const delay = Math.floor(random() * (replyDelayMs > 0 ? 1500 : 400));
      await new Promise((r) => setTimeout(r, delay)); // the kill moment itself is what is random
      const cutBefore = w.smtp.cut;
      p.child.kill('SIGKILL');
      await p.exited;
      // The sink sees the connection close a moment after the kill.
      await new Promise((r) => setTimeout(r, 50));
      if (w.smtp.cut > cutBefore) killedInSend += 1;
    }
    const last = startCli(['run', '--config', cfg]);
    procs.push(last);
    await waitFor('the last daemon to start', () => last.lines.some((l) => l.message === 'started'), 20_000);
    await waitFor('every mail', () => new Set(w.smtp.received.map((m) => m.messageId)).size === KERNELS, 60_000);
    const pending = () => {
      const s = Store.open(join(w.tmp.dir, 'state', 'kernel-herald.sqlite'));
      try { return s.outbox.counts().pending; } finally { s.close(); }
    };
    await waitFor('the outbox to drain', () => pending() === 0, 20_000);
    last.child.kill('SIGTERM');
    const end = await last.exited;
    assert.equal(end.code, 0, `exit ${end.code} ${end.signal}: ${last.stderr()} ${JSON.stringify(last.lines.slice(-3))}`);

    const store = Store.open(join(w.tmp.dir, 'state', 'kernel-herald.sqlite'));
    try {
      assert.equal(store.db.prepare("SELECT COUNT(*) FROM events WHERE type = 'kernel.released'").pluck().get(), KERNELS, 'every kernel recorded once');
      assert.deepEqual(store.outbox.counts(), { pending: 0, sent: KERNELS, failed: 0 });
    } finally { store.close(); }
    const byId = new Map<string, string[]>();
    for (const m of w.smtp.received) byId.set(m.messageId!, [...(byId.get(m.messageId!) ?? []), m.subject ?? '']);
    assert.equal(byId.size, KERNELS, 'nothing lost');
    for (const [id, subjects] of byId) assert.equal(new Set(subjects).size, 1, `${id}: a resend is the same message`);
    return { duplicates: w.smtp.received.length - KERNELS, cut: w.smtp.cut, unconfirmed: w.smtp.unconfirmed, killedInSend };
  }

  it('a slow SMTP server (300 ms before its reply to DATA): duplicates only for kills inside that window, each with the original Message-ID', async () => {
    const r = await killLoop(300, 20);
    assert.ok(r.killedInSend > 0, 'some kills fell inside a send (else this test proves nothing)');
    assert.ok(r.duplicates <= r.cut + r.unconfirmed, `${r.duplicates} duplicates; ${r.cut} cut before the reply, ${r.unconfirmed} closed before the next command`);
    assert.ok(r.cut <= r.killedInSend, 'at most one message in the window at a kill');
  });

  it('a fast SMTP server: a duplicate only where a kill fell between the end of DATA and the client reading the reply', async () => {
    const r = await killLoop(0, 20);
    // Server side, the window is microseconds; client side it lasts until the
    // reply is read, which is the connections left with a reply and no next command.
    assert.ok(r.duplicates <= r.cut + r.unconfirmed, `${r.duplicates} duplicates; ${r.cut} cut before the reply, ${r.unconfirmed} closed before the next command`);
    assert.ok(r.duplicates <= 2, `${r.duplicates} duplicates in 20 kills`);
  });
});
