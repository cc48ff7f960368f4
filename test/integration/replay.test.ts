import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replayIngest, replayItems } from '../../src/ingest/replay.js';
import { splitMbox } from '../../src/sources/mbox.js';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/util.js';
import { World, rssFeed } from '../helpers/world.js';

/** A list archive as served: mbox of real-format announcements, one with a quoted "From " line. */
function archive(): string {
  const mails = ['centos-announce/CESA-2020-5023-kernel.eml', 'centos-announce/CESA-2020-5237-firefox.eml', 'rocky/RLSA-2023-7549-kernel.eml'].map(fixture);
  mails[1] = mails[1]!.replace('-- \nJohnny', '>From the archive\n-- \nJohnny');
  return mails.map((m) => `From list@example.org Mon Jan  1 00:00:00 2024\n${m.trimEnd()}\n`).join('\n');
}

describe('replay', function () {
  this.timeout(60_000);
  let w: World;
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => { await w.stop(); });

  it('splits an mbox and undoes ">From " quoting', () => {
    const parts = splitMbox(archive());
    assert.equal(parts.length, 3);
    assert.match(parts[1]!, /^From the archive$/m);
    assert.match(parts[0]!, /^Subject: \[CentOS-announce\] CESA-2020:5023/m);
  });

  it('--dry-run prints the events and actions, writes and sends nothing; a real replay then does it once', async () => {
    const mbox = join(w.tmp.dir, 'announce.mbox');
    writeFileSync(mbox, archive());
    const cfg = w.config([], [{ id: 'rhel-family', on: 'kernel.released', when: { distro: ['centos', 'rocky'] }, do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] }]);
    const dry = await runCli(['replay', '--dry-run', '--config', cfg, mbox]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^dry run: 3 items, 3 recognised, 0 already known, 3 events$/m);
    assert.match(dry.stdout, /event kernel\.released: centos 7 kernel 3\.10\.0-1160\.6\.1\.el7\n {2}rule rhel-family \(ok\): queued kernel-notice to users@example\.org: New kernel 3\.10\.0-1160\.6\.1\.el7 for centos 7 \[CESA-2020:5023\]/);
    assert.match(dry.stdout, /event kernel\.released: rocky 9 kernel-64k 5\.14\.0-362\.13\.1\.el9_3/);
    assert.equal(w.smtp.received.length, 0, 'nothing sent');
    assert.equal(existsSync(join(w.tmp.dir, 'state', 'kernel-herald.sqlite')), false, 'nothing written');

    const real = await runCli(['replay', '--json', '--config', cfg, mbox]);
    assert.equal(real.code, 0, real.stderr);
    assert.equal((JSON.parse(real.stdout) as { events: unknown[] }).events.length, 3);
    assert.equal(w.smtp.received.length, 3);

    const again = await runCli(['replay', '--dry-run', '--config', cfg, mbox]);
    assert.match(again.stdout, /3 already known, 0 events/, 'the dry run sees the real state');
  });

  it('a bad file exits 2 naming it', async () => {
    const bad = join(w.tmp.dir, 'bad.xml');
    writeFileSync(bad, '<rss><channel>');
    const cfg = w.config([], []);
    const r = await runCli(['replay', '--config', cfg, bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.xml: malformed XML/);
  });

  it('the same kernel from the list mail and from the feed is one record and one event, listing both', async () => {
    w.feeds.set('/rss.xml', rssFeed('https://ubuntu.com/security/notices', []));
    w.feeds.set('/security/notices/USN-6548-1.json', fixture('ubuntu-usn/USN-6548-1.json'), 'application/json');
    const cfg = w.config([{ id: 'usn', type: 'rss', url: w.feeds.url('/rss.xml') }], [{ id: 'n', on: 'kernel.released', when: { distro_release: '22.04' }, do: [{ email: { template: 'kernel-notice', to: ['u@example.org'] } }] }]);
    const d = w.daemon(cfg);
    await d.pollOnce();
    w.feeds.set('/rss.xml', rssFeed('https://ubuntu.com/security/notices', [{ title: 'USN-6548-1: Linux kernel vulnerabilities', link: w.feeds.url('/security/notices/USN-6548-1'), guid: 'USN-6548-1' }]));
    await d.pollOnce();
    assert.equal(w.smtp.received.length, 2, '22.04 generic and lowlatency');
    const mailFile = join(w.tmp.dir, 'usn.eml');
    writeFileSync(mailFile, fixture('ubuntu-usn/USN-6548-1.eml'));
    const records = replayIngest(d.store, await replayItems([mailFile]), new Date().toISOString());
    assert.deepEqual(records.map((r) => [r.source, r.events.length]), [['ubuntu-usn', 0]]);
    await d.process();
    assert.equal(w.smtp.received.length, 2, 'no second email');
    const [rel] = d.store.releases.find('linux-image-5.15.0-91-generic').filter((r) => r.distro_release === '22.04');
    assert.deepEqual(d.store.announcements.forRelease(rel!.id).map((a) => `${a.watcher}:${a.format}`), ['usn:rss', 'replay:email']);
  });
});
