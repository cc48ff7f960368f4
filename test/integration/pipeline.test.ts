import assert from 'node:assert/strict';
import { fixture, waitFor } from '../helpers/util.js';
import { kdistItem, rssFeed, World } from '../helpers/world.js';

const kernelRule = (when: Record<string, unknown>) => ({
  id: 'notice', on: 'kernel.released', when,
  do: [{ email: { template: 'kernel-notice', to: ['users@example.org'], thread: 'kernel' } }],
});

describe('pipeline end to end (HTTP feeds, SMTP, SQLite)', function () {
  this.timeout(30_000);
  let w: World;
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => { await w.stop(); });

  it('first poll is silent; a new kernel notice sends exactly one email; the next poll is a 304 and sends nothing', async () => {
    const python = { title: 'USN-6547-1: Python vulnerabilities', link: w.feeds.url('/security/notices/USN-6547-1'), guid: 'USN-6547-1' };
    const kernel = { title: 'USN-6548-1: Linux kernel vulnerabilities', link: w.feeds.url('/security/notices/USN-6548-1'), guid: 'USN-6548-1' };
    w.feeds.set('/rss.xml', rssFeed('https://ubuntu.com/security/notices', [python]));
    w.feeds.set('/security/notices/USN-6548-1.json', fixture('ubuntu-usn/USN-6548-1.json'), 'application/json');
    const cfg = w.config([{ id: 'usn', type: 'rss', url: w.feeds.url('/rss.xml') }], [kernelRule({ distro_release: '22.04', flavour: 'generic' })]);
    const d = w.daemon(cfg);

    const [first] = await d.pollOnce();
    assert.equal(first!.baseline, true);
    assert.equal(first!.recorded, 1);
    assert.equal(w.smtp.received.length, 0, 'baseline sends nothing');

    w.feeds.set('/rss.xml', rssFeed('https://ubuntu.com/security/notices', [kernel, python]));
    const [second] = await d.pollOnce();
    assert.equal(second!.events, 3, 'three kernels in the notice (22.04 generic, lowlatency; 20.04 generic)');
    assert.equal(w.smtp.received.length, 1, 'one rule matches one of them');
    const mail = w.smtp.received[0]!;
    assert.equal(mail.subject, 'New kernel 5.15.0-91.101 for ubuntu 22.04 (generic) [USN-6548-1]');
    assert.match(mail.text ?? '', /Package: +linux-image-5\.15\.0-91-generic/);
    assert.match(mail.text ?? '', /CVE-2023-31085 +https:\/\/www\.cve\.org\/CVERecord\?id=CVE-2023-31085/);
    assert.match(mail.messageId ?? '', /^<kh\.\d+\.0\.[0-9a-f]{12}@test\.example>$/);
    assert.equal(w.feeds.count('/security/notices/USN-6548-1.json'), 1, 'the detail JSON was fetched for the kernel notice only');

    const before304 = w.feeds.count('/rss.xml', 304);
    const [third] = await d.pollOnce();
    assert.equal(third!.notModified, true);
    assert.equal(w.feeds.count('/rss.xml', 304), before304 + 1);
    assert.equal(w.smtp.received.length, 1, 'nothing sent twice');
  });

  it('first poll is silent even when every rule matches the kernels in it; the next new one fires once', async () => {
    w.feeds.set('/k.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.7', 'stable'), kdistItem('6.1.68', 'longterm')]));
    const d = w.daemon(w.config([{ id: 'k', type: 'rss', url: w.feeds.url('/k.xml') }], [kernelRule({ distro: 'kernel.org' })]));
    const [first] = await d.pollOnce();
    assert.deepEqual([first!.baseline, first!.recorded, first!.events], [true, 2, 0]);
    assert.deepEqual(d.store.outbox.counts(), { pending: 0, sent: 0, failed: 0 }, 'nothing queued for what was already there');
    w.feeds.set('/k.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.8', 'stable'), kdistItem('6.6.7', 'stable'), kdistItem('6.1.68', 'longterm')]));
    await d.pollOnce();
    assert.deepEqual(w.smtp.received.map((m) => m.subject), ['New kernel 6.6.8 for kernel.org 6.6']);
  });

  it('an Ubuntu baseline records the kernels of its notices (details fetched), so the first new kernel knows its previous version', async () => {
    const notice = (id: string) => ({ title: `${id}: Linux kernel vulnerabilities`, link: w.feeds.url(`/security/notices/${id}`), guid: id });
    w.feeds.set('/rss.xml', rssFeed('https://ubuntu.com/security/notices', [notice('USN-6548-1')]));
    w.feeds.set('/security/notices/USN-6548-1.json', fixture('ubuntu-usn/USN-6548-1.json'), 'application/json');
    // The next upload of the same kernels: the real notice with its versions moved on by one ABI.
    w.feeds.set('/security/notices/USN-6560-1.json', fixture('ubuntu-usn/USN-6548-1.json').replaceAll('USN-6548-1', 'USN-6560-1').replaceAll('5.15.0-91', '5.15.0-92').replaceAll('-92.101', '-92.102'), 'application/json');
    const d = w.daemon(w.config([{ id: 'usn', type: 'rss', url: w.feeds.url('/rss.xml') }], [kernelRule({ distro_release: '22.04', flavour: 'generic' })]));
    const [base] = await d.pollOnce();
    assert.deepEqual([base!.baseline, base!.events], [true, 0]);
    assert.equal(w.feeds.count('/security/notices/USN-6548-1.json'), 1, 'the baseline fetched the notice\'s details');
    assert.deepEqual(d.store.outbox.counts(), { pending: 0, sent: 0, failed: 0 });

    w.feeds.set('/rss.xml', rssFeed('https://ubuntu.com/security/notices', [notice('USN-6560-1'), notice('USN-6548-1')]));
    await d.pollOnce();
    assert.equal(w.smtp.received.length, 1);
    const ev = d.store.events.forRelease(d.store.outbox.list()[0]!.release_id!)[0]!;
    const k = (ev.payload as { kernel: { version: string; previous_version: string | null; abi_changed: boolean } }).kernel;
    assert.deepEqual([k.version, k.previous_version, k.abi_changed], ['5.15.0-92.102', '5.15.0-91.101', true]);
  });

  it('the same kernel in two feeds gives one record, one event, one email', async () => {
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.7', 'stable')]));
    w.feeds.set('/b.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.7', 'stable')]));
    const cfg = w.config([
      { id: 'kdist-a', type: 'rss', url: w.feeds.url('/a.xml') },
      { id: 'kdist-b', type: 'rss', url: w.feeds.url('/b.xml') },
    ], [kernelRule({ distro: 'kernel.org' })]);
    const d = w.daemon(cfg);
    await d.pollOnce();
    const item = kdistItem('6.6.8', 'stable');
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [item, kdistItem('6.6.7', 'stable')]));
    w.feeds.set('/b.xml', rssFeed('https://www.kernel.org', [{ ...item, guid: 'mirror-6.6.8' }, kdistItem('6.6.7', 'stable')]));
    const outcomes = await d.pollOnce();
    assert.deepEqual(outcomes.map((o) => o.recorded), [1, 1]);
    assert.equal(outcomes.reduce((n, o) => n + o.events, 0), 1);
    assert.equal(w.smtp.received.length, 1);
    assert.equal(w.smtp.received[0]!.subject, 'New kernel 6.6.8 for kernel.org 6.6');
    const [rel] = d.store.releases.find('6.6.8');
    assert.deepEqual(d.store.announcements.forRelease(rel!.id).map((a) => a.watcher).sort(), ['kdist-a', 'kdist-b']);
  });

  it('an SMTP server refusing for a while, then accepting, gets every message once', async () => {
    w.feeds.set('/kdist.xml', fixture('kernel-org/kdist-2020-05-08.xml'));
    w.smtp.refuse(4);
    const cfg = w.config([{ id: 'kdist', type: 'rss', url: w.feeds.url('/kdist.xml'), backfill: true }], [kernelRule({ distro: 'kernel.org', distro_release: ['mainline', '5.6', '5.5'] })]);
    const d = w.daemon(cfg);
    await d.start();
    await waitFor('three messages through', () => w.smtp.received.length >= 3, 10_000);
    await waitFor('the outbox to settle', () => d.store.outbox.counts().sent === 3);
    assert.ok(w.smtp.refusals >= 4, `refused ${w.smtp.refusals} times`);
    const ids = w.smtp.received.map((m) => m.messageId);
    assert.equal(new Set(ids).size, 3, 'no message twice');
    assert.deepEqual(w.smtp.received.map((m) => m.subject).sort(), [
      'New kernel 5.5.19 for kernel.org 5.5', 'New kernel 5.6.11 for kernel.org 5.6', 'New kernel 5.7-rc4 for kernel.org mainline',
    ]);
    assert.ok(d.store.outbox.list().some((m) => m.attempts > 1), 'some message needed a retry');
  });

  it('thread: later messages of a kernel thread reply to its first', async () => {
    w.feeds.set('/a.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.9', 'stable')]));
    const rule = (id: string) => ({ ...kernelRule({ distro: 'kernel.org' }), id });
    const cfg = w.config([{ id: 'kdist', type: 'rss', url: w.feeds.url('/a.xml'), backfill: true }], [rule('one'), rule('two')]);
    const d = w.daemon(cfg);
    await d.pollOnce();
    assert.equal(w.smtp.received.length, 2);
    const [root, reply] = [...w.smtp.received].sort((a, b) => (a.inReplyTo ? 1 : 0) - (b.inReplyTo ? 1 : 0));
    assert.equal(root!.inReplyTo, undefined);
    assert.equal(reply!.inReplyTo, root!.messageId);
    assert.equal(reply!.references, root!.messageId);
  });
});
