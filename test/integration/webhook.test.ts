import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { txnId } from '../../src/mail/webhook-sender.js';
import { Endpoint } from '../helpers/endpoint.js';
import { kdistItem, rssFeed, World } from '../helpers/world.js';

describe('webhook action against a local HTTP endpoint', function () {
  this.timeout(30_000);
  let w: World;
  let hook: Endpoint;
  const now = { t: Date.parse('2026-03-02T10:00:00Z') };
  const clock = { now: () => new Date(now.t) };
  beforeEach(async () => { now.t = Date.parse('2026-03-02T10:00:00Z'); w = await new World().start(); hook = new Endpoint(); await hook.start(); });
  afterEach(async () => { await w.stop(); await hook.stop(); });

  const feed = (...versions: string[]) => w.feeds.set('/k.xml', rssFeed('https://www.kernel.org', versions.map((v) => kdistItem(v, 'stable'))));
  const rule = (webhook: Record<string, unknown>) => ({ id: 'chat', on: 'kernel.released', do: [{ webhook }] });

  it('a new kernel is posted once, as the Slack template renders it, with plain and secret headers; the secret stays out of the database and logs', async () => {
    const token = join(w.tmp.dir, 'chat-token');
    writeFileSync(token, 'Bearer s3cret-chat\n');
    feed('6.6.1');
    const cfg = w.config([{ id: 'k', type: 'rss', url: w.feeds.url('/k.xml') }],
      [rule({ url: hook.url('/hooks/kernels'), template: 'slack-kernel-notice', headers: { 'X-Team': 'kmods' }, secret_headers: { Authorization: token } })]);
    const d = w.daemon(cfg, clock);
    await d.pollOnce();
    assert.equal(hook.received.length, 0, 'the baseline posts nothing');
    feed('6.6.2', '6.6.1');
    await d.pollOnce();
    assert.equal(hook.received.length, 1);
    const r = hook.received[0]!;
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/hooks/kernels');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['x-team'], 'kmods');
    assert.equal(r.headers.authorization, 'Bearer s3cret-chat');
    assert.match((JSON.parse(r.body) as { text: string }).text, /^New kernel \*6\.6\.2\* for kernel\.org /);
    await d.pollOnce();
    assert.equal(hook.received.length, 1, 'nothing twice');
    assert.equal(w.smtp.received.length, 0, 'a webhook is not mail');
    assert.ok(!readFileSync(join(w.tmp.dir, 'state', 'kernel-herald.sqlite')).includes('s3cret-chat'));
    assert.ok(!JSON.stringify(w.logs.lines).includes('s3cret-chat'));
    assert.ok(w.logs.lines.some((l) => l.message === 'webhook delivered'));
  });

  it('a 500 is retried after the backoff and delivered once; a restart sends nothing again; mail is not reported failing', async () => {
    feed('6.6.1');
    const cfg = w.config([{ id: 'k', type: 'rss', url: w.feeds.url('/k.xml') }], [rule({ url: hook.url('/h') })]);
    let d = w.daemon(cfg, clock);
    await d.pollOnce();
    feed('6.6.2', '6.6.1');
    hook.answers.push(500);
    await d.pollOnce();
    assert.equal(hook.received.length, 1);
    assert.ok(w.logs.lines.some((l) => l.message === 'webhook delivery failed; it is retried' && /HTTP 500/.test(String(l.error))));
    assert.ok(!w.logs.lines.some((l) => String(l.message).startsWith('mail delivery failing')));
    await d.process();
    assert.equal(hook.received.length, 1, 'not before the backoff');
    now.t += 60_000;
    await d.process();
    assert.equal(hook.received.length, 2);
    assert.equal(hook.received[0]!.body, hook.received[1]!.body, 'the same delivery, tried again');
    // Without a template: the event as JSON.
    const event = JSON.parse(hook.received[1]!.body) as { type: string; payload: { kernel: { version: string } } };
    assert.equal(event.type, 'kernel.released');
    assert.equal(event.payload.kernel.version, '6.6.2');
    await d.stop();
    d = w.daemon(cfg, clock);
    now.t += 3_600_000;
    await d.pollOnce();
    await d.process();
    assert.equal(hook.received.length, 2, 'nothing again after a restart');
  });

  it('a 400 fails at once (asking again changes nothing); a 408, a 302 and a 429 are tried again; two deliveries go out in one pass', async () => {
    feed('6.6.1');
    const cfg = w.config([{ id: 'k', type: 'rss', url: w.feeds.url('/k.xml') }], [rule({ url: hook.url('/gone') }), { id: 'slow', on: 'kernel.released', do: [{ webhook: { url: hook.url('/busy') } }] }]);
    const d = w.daemon(cfg, clock);
    await d.pollOnce();
    feed('6.6.2', '6.6.1');
    hook.answers.push(400, 408);
    await d.pollOnce();
    const status = () => Object.fromEntries(d.store.outbox.list().map((m) => [m.recipients[0]!.replace(/^.*\//, ''), m.status]));
    assert.deepEqual(status(), { gone: 'failed', busy: 'pending' });
    assert.ok(w.logs.lines.some((l) => l.message === 'webhook failed permanently; use `outbox retry`' && /HTTP 400/.test(String(l.error))));
    for (const answer of [302, 429]) {
      hook.answers.push(answer);
      now.t += 60_000;
      await d.process();
      assert.deepEqual(status(), { gone: 'failed', busy: 'pending' }, `after a ${answer}`);
    }
    now.t += 60_000;
    await d.process();
    assert.deepEqual(status(), { gone: 'failed', busy: 'sent' });
    assert.equal(hook.received.length, 5);
    // A second kernel: both rules' deliveries go out in the same pass.
    feed('6.6.3', '6.6.2', '6.6.1');
    await d.pollOnce();
    assert.equal(hook.received.length, 7);
  });

  it('Matrix: PUT to a URL read from a secret file, {txn} fixed per delivery; only "(url from FILE)" is shown', async () => {
    const urlFile = join(w.tmp.dir, 'matrix-url');
    writeFileSync(urlFile, `${hook.url('/_matrix/client/v3/rooms/!r:x/send/m.room.message/{txn}')}?access_token=s3cret-room\n`);
    feed('6.6.1');
    const cfg = w.config([{ id: 'k', type: 'rss', url: w.feeds.url('/k.xml') }], [rule({ url_file: urlFile, method: 'PUT', template: 'matrix-kernel-notice' })]);
    const d = w.daemon(cfg, clock);
    await d.pollOnce();
    feed('6.6.2', '6.6.1');
    await d.pollOnce();
    assert.equal(hook.received.length, 1);
    const r = hook.received[0]!;
    assert.equal(r.method, 'PUT');
    const [row] = d.store.outbox.list();
    assert.equal(r.path, `/_matrix/client/v3/rooms/!r:x/send/m.room.message/${txnId(row!.message_id)}?access_token=s3cret-room`);
    assert.deepEqual(JSON.parse(r.body).msgtype, 'm.text');
    assert.deepEqual(row!.recipients, [`(url from ${urlFile})`]);
    assert.ok(!JSON.stringify(w.logs.lines).includes('s3cret-room'));
  });

  it('config: exactly one of url and url_file; a template that does not render JSON fails the rule run, named', async () => {
    assert.throws(() => w.daemon(w.config([], [rule({ template: 'slack-kernel-notice' })])), /webhook: give exactly one of url and url_file/);
    assert.throws(() => w.daemon(w.config([], [rule({ url: 'ftp://x/y' })])), /webhook\.url/);
    feed('6.6.1');
    const d = w.daemon(w.config([{ id: 'k', type: 'rss', url: w.feeds.url('/k.xml') }], [rule({ url: hook.url('/h'), template: 'kernel-notice' })]), clock);
    await d.pollOnce();
    feed('6.6.2', '6.6.1');
    await d.pollOnce();
    assert.equal(hook.received.length, 0);
    assert.ok(w.logs.lines.some((l) => /webhook template kernel-notice did not render JSON/.test(JSON.stringify(l))));
  });
});
