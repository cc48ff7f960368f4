import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Store } from '../../src/store/index.js';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/util.js';
import { World } from '../helpers/world.js';

describe('crash safety', function () {
  this.timeout(60_000);
  let w: World;
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => { await w.stop(); });

  it('killed between the rule run and the send, a restart sends each message once, and a further run sends nothing', async () => {
    w.feeds.set('/kdist.xml', fixture('kernel-org/kdist.xml'));
    const cfg = w.config([{ id: 'kdist', type: 'rss', url: w.feeds.url('/kdist.xml'), backfill: true }], [{
      id: 'notice', on: 'kernel.released', when: { distro: 'kernel.org' },
      do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }],
    }]);

    const crashed = await runCli(['poll', '--config', cfg], { KERNEL_HERALD_CRASH_AT: 'after-rules' });
    assert.equal(crashed.signal, 'SIGKILL', `expected a SIGKILL, got code ${crashed.code}: ${crashed.stderr}`);
    assert.equal(w.smtp.received.length, 0, 'nothing was sent before the crash');
    const store = Store.open(join(w.tmp.dir, 'state', 'kernel-herald.sqlite'));
    try {
      assert.deepEqual(store.outbox.counts(), { pending: 3, sent: 0, failed: 0 }, 'the rule run and its mail were committed together');
    } finally { store.close(); }

    const resumed = await runCli(['poll', '--config', cfg]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(w.smtp.received.length, 3);
    assert.equal(new Set(w.smtp.received.map((m) => m.messageId)).size, 3);

    const again = await runCli(['poll', '--config', cfg]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(w.smtp.received.length, 3, 'a restart sends nothing twice');
  });
});
