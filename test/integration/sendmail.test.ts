import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { fixture } from '../helpers/util.js';
import { World } from '../helpers/world.js';

/** A stand-in for the local MTA's sendmail(1): a real process that keeps its arguments and the message it is piped. */
function fakeSendmail(dir: string, exit = 0): string {
  const path = join(dir, exit === 0 ? 'sendmail' : 'sendmail-down');
  writeFileSync(path, `#!/bin/sh\nn=$(date +%s%N)\necho "$@" > "${dir}/args.$n"\ncat > "${dir}/msg.$n"\n${exit === 0 ? '' : 'echo "sendmail: queue directory not writable" >&2\n'}exit ${exit}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('sendmail transport (pipe to the local MTA)', function () {
  this.timeout(30_000);
  let w: World;
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => { await w.stop(); });

  const cfg = (path: string) => {
    w.feeds.set('/kdist.xml', fixture('kernel-org/kdist-2020-05-08.xml'));
    return w.config([{ id: 'kdist', type: 'rss', url: w.feeds.url('/kdist.xml'), backfill: true }], [{
      id: 'notice', on: 'kernel.released', when: { distro: 'kernel.org', distro_release: ['mainline', '5.6', '5.5'] }, do: [{ email: { template: 'kernel-notice', to: ['users@example.org'], cc: ['list@example.org'] } }],
    }], { mail: { from: 'Kernel Herald <herald@test.example>', transport: 'sendmail', sendmail: { path }, retry: { base: '1h' } } });
  };

  it('pipes each message to `sendmail -i -t`, recipients from its headers', async () => {
    const d = w.daemon(cfg(fakeSendmail(w.tmp.dir)));
    await d.pollOnce();
    const files = readdirSync(w.tmp.dir);
    const args = files.filter((f) => f.startsWith('args.')).map((f) => readFileSync(join(w.tmp.dir, f), 'utf8').trim());
    assert.deepEqual(args, ['-i -t', '-i -t', '-i -t']);
    const mail = await simpleParser(readFileSync(join(w.tmp.dir, files.find((f) => f.startsWith('msg.'))!)));
    assert.equal(mail.headers.get('x-kernel-herald-template'), 'kernel-notice');
    assert.match(String(mail.to && 'text' in mail.to ? mail.to.text : ''), /users@example.org/);
    assert.match(String(mail.cc && 'text' in mail.cc ? mail.cc.text : ''), /list@example.org/);
    assert.deepEqual(d.store.outbox.counts(), { pending: 0, sent: 3, failed: 0 });
  });

  it('a failing MTA leaves the mail queued, with its exit status and first stderr line, logged once', async () => {
    const d = w.daemon(cfg(fakeSendmail(w.tmp.dir, 75)));
    await d.pollOnce();
    assert.deepEqual(d.store.outbox.counts(), { pending: 3, sent: 0, failed: 0 });
    assert.match(d.store.outbox.list()[0]!.last_error!, /exited 75: sendmail: queue directory not writable/);
    assert.equal(w.logs.lines.filter((l) => l.message === 'mail delivery failing; messages stay queued and are retried').length, 1, 'one line for three messages');
  });
});
