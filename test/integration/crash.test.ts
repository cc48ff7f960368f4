import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Store } from '../../src/store/index.js';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/util.js';
import { World } from '../helpers/world.js';

/**
 * The CLI killed (SIGKILL, as a power cut) at each point between deciding and
 * committing, then run again: the exact promise at that point holds.
 */
describe('crash safety at every point between deciding and committing', function () {
  this.timeout(60_000);
  let w: World;
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => { await w.stop(); });

  const setup = () => {
    w.feeds.set('/kdist.xml', fixture('kernel-org/kdist-2020-05-08.xml'));
    return w.config([{ id: 'kdist', type: 'rss', url: w.feeds.url('/kdist.xml'), backfill: true }], [{
      id: 'notice', on: 'kernel.released', when: { distro: 'kernel.org', distro_release: ['mainline', '5.6', '5.5'] },
      do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }],
    }]);
  };
  const counts = () => {
    const store = Store.open(join(w.tmp.dir, 'state', 'kernel-herald.sqlite'));
    try {
      return {
        outbox: store.outbox.counts(),
        runs: store.db.prepare('SELECT COUNT(*) FROM rule_runs').pluck().get() as number,
        processed: store.db.prepare('SELECT COUNT(*) FROM events WHERE processed_at IS NOT NULL').pluck().get() as number,
      };
    } finally { store.close(); }
  };
  const crash = async (cfg: string, point: string) => {
    const r = await runCli(['poll', '--config', cfg], { KERNEL_HERALD_CRASH_AT: point });
    assert.equal(r.signal, 'SIGKILL', `expected a SIGKILL at ${point}, got code ${r.code}: ${r.stderr}`);
  };
  const resume = async (cfg: string) => {
    const r = await runCli(['poll', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
  };
  const ids = () => w.smtp.received.map((m) => m.messageId);

  for (const point of ['rule-run-recorded', 'rule-action-done', 'rules-before-processed']) {
    it(`killed inside a rule run (${point}): nothing of it was committed, and the restart runs it once`, async () => {
      const cfg = setup();
      await crash(cfg, point);
      assert.deepEqual(counts(), { outbox: { pending: 0, sent: 0, failed: 0 }, runs: 0, processed: 0 }, 'the rule run, its mail and the processed mark commit together, or not at all');
      await resume(cfg);
      assert.equal(w.smtp.received.length, 3);
      assert.equal(new Set(ids()).size, 3);
      await resume(cfg);
      assert.equal(w.smtp.received.length, 3, 'nothing twice');
    });
  }

  it('killed between the rule run and the send (after-rules): the rule run and its mail were committed together; the restart sends each once', async () => {
    const cfg = setup();
    await crash(cfg, 'after-rules');
    assert.equal(w.smtp.received.length, 0, 'nothing was sent before the crash');
    assert.deepEqual(counts(), { outbox: { pending: 3, sent: 0, failed: 0 }, runs: 3, processed: 9 }, 'every kernel.released event processed; the rule matched three');
    await resume(cfg);
    assert.equal(w.smtp.received.length, 3);
    assert.equal(new Set(ids()).size, 3);
    await resume(cfg);
    assert.equal(w.smtp.received.length, 3, 'a restart sends nothing twice');
  });

  it('killed just before a send: nothing was sent or marked; the restart sends each once', async () => {
    const cfg = setup();
    await crash(cfg, 'before-send');
    assert.equal(w.smtp.received.length, 0);
    assert.deepEqual(counts().outbox, { pending: 3, sent: 0, failed: 0 }, 'a message is marked sent only after the server took it');
    await resume(cfg);
    assert.deepEqual([w.smtp.received.length, new Set(ids()).size], [3, 3]);
  });

  it('killed after the server accepted and before the row says sent (SMTP\'s own window): that one message goes again, with the same Message-ID', async () => {
    const cfg = setup();
    await crash(cfg, 'smtp-accepted');
    assert.equal(w.smtp.received.length, 1);
    const first = w.smtp.received[0]!;
    assert.deepEqual(counts().outbox, { pending: 3, sent: 0, failed: 0 });
    await resume(cfg);
    assert.equal(w.smtp.received.length, 4, 'the one in the window twice, the others once');
    assert.equal(new Set(ids()).size, 3);
    const again = w.smtp.received.slice(1).find((m) => m.messageId === first.messageId)!;
    assert.equal(again.subject, first.subject);
    assert.equal(again.date?.toISOString(), first.date?.toISOString(), 'the same message, not a new one');
  });
});
