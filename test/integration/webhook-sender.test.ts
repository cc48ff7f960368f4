import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deliverWebhook, displayUrl, txnId } from '../../src/mail/webhook-sender.js';
import type { OutboxMessage, WebhookTarget } from '../../src/store/outbox.js';
import { Endpoint } from '../helpers/endpoint.js';
import { tempDir } from '../helpers/util.js';

function queued(webhook: WebhookTarget | null): OutboxMessage {
  return {
    id: 7, message_id: '<kh.1.0.abc@x>', rule_run_id: null, event_id: 1, release_id: null, template: '(event)', thread_key: null,
    recipients: [], cc: [], subject: 's', body: '{"a":1}', in_reply_to: null, refs: null, status: 'pending', attempts: 0,
    next_attempt_at: '', last_error: null, created_at: '', sent_at: null, kind: 'webhook', webhook,
  };
}
const target = (over: Partial<WebhookTarget>): WebhookTarget => ({ method: 'POST', headers: {}, secret_headers: {}, ...over });

/** The sender alone: what counts as delivered, and what each failure says. */
describe('webhook sender against a local endpoint', () => {
  const hook = new Endpoint();
  const t = tempDir();
  before(() => hook.start());
  after(async () => { await hook.stop(); t.cleanup(); });

  it('any 2xx is delivered; a 3xx, 4xx or 5xx is an error naming method, URL and status, carrying the status', async () => {
    for (const status of [200, 201, 204, 299]) {
      hook.answers.push(status);
      await deliverWebhook(queued(target({ url: hook.url('/ok') })), 2_000);
    }
    for (const [status, text] of [[300, 'Multiple Choices'], [302, 'Found'], [400, 'Bad Request'], [503, 'Service Unavailable']] as const) {
      hook.answers.push(status);
      await assert.rejects(deliverWebhook(queued(target({ url: hook.url('/no') })), 2_000), (e: Error & { code?: string; context?: { status?: number } }) =>
        e.message === `POST ${hook.url('/no')}: HTTP ${status} ${text}` && e.code === 'EWEBHOOK' && e.context?.status === status);
    }
  });

  it('sends the body as JSON with its length, the plain headers, and secret ones read from their files', async () => {
    const secret = join(t.dir, 'token');
    writeFileSync(secret, 'Bearer abc\n');
    await deliverWebhook(queued(target({ url: hook.url('/h'), method: 'PUT', headers: { 'X-A': '1' }, secret_headers: { Authorization: secret } })), 2_000);
    const r = hook.received.at(-1)!;
    assert.equal(r.method, 'PUT');
    assert.equal(r.body, '{"a":1}');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['user-agent'], 'kernel-herald/0.1');
    assert.equal(r.headers['content-length'], '7');
    assert.equal(r.headers['x-a'], '1');
    assert.equal(r.headers.authorization, 'Bearer abc');
  });

  it('a URL from a file: trimmed, {txn} filled in, shown only as the file', async () => {
    const file = join(t.dir, 'url');
    writeFileSync(file, `  ${hook.url('/room/{txn}?k=secret')}  \n`);
    await deliverWebhook(queued(target({ url_file: file })), 2_000);
    assert.equal(hook.received.at(-1)!.path, `/room/${txnId('<kh.1.0.abc@x>')}?k=secret`);
    assert.match(txnId('<a>'), /^[0-9a-f]{24}$/);
    assert.notEqual(txnId('<a>'), txnId('<b>'));
    assert.equal(displayUrl({ url_file: file }), `(url from ${file})`);
    writeFileSync(file, 'not a url\n');
    await assert.rejects(deliverWebhook(queued(target({ url_file: file })), 2_000), (e: Error) => e.message === `POST (url from ${file}): not a URL`);
  });

  it('no answer in time, a refused connection, no target: each an error that says so', async () => {
    hook.answers.push(0);
    await assert.rejects(deliverWebhook(queued(target({ url: hook.url('/hang') })), 300), (e: Error) => e.message === `POST ${hook.url('/hang')}: timed out after 300 ms`);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await assert.rejects(deliverWebhook(queued(target({ url: `http://127.0.0.1:${port}/x` })), 2_000), (e: Error) => e.message === `POST http://127.0.0.1:${port}/x: ECONNREFUSED`);
    await assert.rejects(deliverWebhook(queued(null), 2_000), (e: Error) => e.message === 'outbox #7: a webhook without a target');
  });
});
