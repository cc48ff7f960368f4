import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { Store } from '../../src/store/index.js';
import { killAll, startCli, type RunningCli } from '../helpers/cli.js';
import { Dovecot } from '../helpers/dovecot.js';
import { fixture, waitFor } from '../helpers/util.js';
import { kdistItem, rssFeed, World } from '../helpers/world.js';

describe('SIGTERM', function () {
  this.timeout(120_000);
  let w: World;
  const procs: RunningCli[] = [];
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => {
    await killAll(procs);
    await w.stop();
  });
  const run = async (cfg: string) => {
    const p = startCli(['run', '--config', cfg]);
    procs.push(p);
    await waitFor('the daemon to start', () => p.lines.some((l) => l.message === 'started'), 20_000);
    return p;
  };
  const term = async (p: RunningCli) => {
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    const end = await p.exited;
    return { ...end, ms: Date.now() - t0 };
  };

  it('with 40 mails queued for a slow server: finishes the one in flight, exits within 10 s, and the rest goes after the restart', async () => {
    w.smtp.replyDelayMs = 300;
    w.feeds.set('/kdist.xml', rssFeed('https://www.kernel.org', Array.from({ length: 40 }, (_, i) => kdistItem(`6.1.${i + 1}`, 'longterm'))));
    const cfg = w.config([{ id: 'kdist', type: 'rss', url: w.feeds.url('/kdist.xml'), backfill: true, every: '1h' }], [{
      id: 'notice', on: 'kernel.released', when: { distro: 'kernel.org' }, do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }],
    }]);
    const first = await run(cfg);
    await waitFor('the sending to be under way', () => w.smtp.received.length >= 2, 20_000);
    const atTerm = w.smtp.received.length;
    const end = await term(first);
    // The one in flight finishes (and one may have been accepted as we counted); nothing new starts.
    assert.ok(w.smtp.received.length <= atTerm + 2, `${w.smtp.received.length - atTerm} mails went out after SIGTERM`);
    assert.ok(!first.lines.some((l) => l.message === 'stopping: work still under way was left for the next start'), 'the outbox stopped at once, not at the budget');
    assert.equal(end.code, 0, first.stderr());
    assert.ok(end.ms < 10_000, `exited after ${end.ms} ms`);
    const sentBefore = new Set(w.smtp.received.map((m) => m.messageId)).size;
    assert.ok(sentBefore < 40, 'the queue was not drained on the way out');
    assert.ok(first.lines.some((l) => l.message === 'stopped'));

    const second = await run(cfg);
    await waitFor('all 40', () => new Set(w.smtp.received.map((m) => m.messageId)).size === 40, 60_000);
    assert.equal((await term(second)).code, 0);
    assert.ok(w.smtp.received.length - 40 <= w.smtp.cut + w.smtp.unconfirmed, 'a duplicate only from SMTP\'s window');
    const store = Store.open(join(w.tmp.dir, 'state', 'kernel-herald.sqlite'));
    try { assert.deepEqual(store.outbox.counts(), { pending: 0, sent: 40, failed: 0 }); } finally { store.close(); }
  });

  it('a daemon whose IMAP watcher saw new mail while idling is gone within 10 s', async () => {
    const dove = new Dovecot();
    await dove.start();
    try {
      writeFileSync(join(w.tmp.dir, 'imap.pw'), dove.password);
      const cfg = w.config([{ id: 'lists', type: 'imap', host: '127.0.0.1', port: dove.port, security: 'plain', user: dove.user, password_file: 'imap.pw', every: '5m', timeout: '5s' }], [{
        id: 'notice', on: 'kernel.released', when: { distro: 'centos' }, do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }],
      }]);
      const p = await run(cfg);
      await waitFor('the baseline', () => p.lines.some((l) => l.message === 'baseline recorded'), 10_000);
      const c = new ImapFlow({ host: '127.0.0.1', port: dove.port, secure: false, auth: { user: dove.user, pass: dove.password }, logger: false });
      await c.connect();
      await c.append('INBOX', fixture('centos-announce/CESA-2020-5023-kernel.eml').replace(/\r?\n/g, '\r\n'));
      await c.logout();
      await waitFor('the pushed mail', () => w.smtp.received.length === 1, 10_000);
      const end = await term(p);
      assert.equal(end.code, 0, p.stderr());
      assert.ok(end.ms < 10_000, `exited after ${end.ms} ms`);
    } finally {
      await dove.destroy();
    }
  });
});
