import { createHash } from 'node:crypto';
import http from 'node:http';
import { HeraldError } from '../errors.js';
import { readSecret } from '../secrets.js';
import type { OutboxMessage, WebhookTarget } from '../store/outbox.js';
import { https } from '../https.js';

/**
 * What logs, status and the outbox show of a webhook's URL: a URL read from a
 * secret file is a secret itself (Slack's and Mattermost's are), so only its
 * origin is shown; a configured one is shown whole.
 */
export function displayUrl(t: Pick<WebhookTarget, 'url' | 'url_file'>): string {
  if (t.url !== undefined) return t.url;
  return `(url from ${t.url_file})`;
}

/** The id Matrix wants in a PUT's path, fixed per delivery so a repeat is the same transaction. */
export function txnId(messageId: string): string {
  return createHash('sha256').update(messageId).digest('hex').slice(0, 24);
}

/**
 * Sends a queued webhook: its URL and secret headers are read now (a rotated
 * token takes effect at the next send); any 2xx is delivered, anything else
 * an error the outbox retries with its backoff.
 */
export function deliverWebhook(msg: OutboxMessage, timeoutMs: number): Promise<void> {
  const t = msg.webhook;
  if (!t) return Promise.reject(new HeraldError('EWEBHOOK', `outbox #${msg.id}: a webhook without a target`));
  const shown = displayUrl(t);
  const raw = (t.url ?? readSecret(t.url_file!, 'webhook url_file')).replaceAll('{txn}', txnId(msg.message_id));
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return Promise.reject(new HeraldError('EWEBHOOK', `${t.method} ${shown}: not a URL`));
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'kernel-herald/0.1', ...t.headers };
  for (const [name, ref] of Object.entries(t.secret_headers)) headers[name] = readSecret(ref, `webhook header ${name}`);
  const body = Buffer.from(msg.body);
  headers['content-length'] = String(body.length);
  return new Promise<void>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https() : http).request(url, { method: t.method, headers, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) resolve();
      else reject(new HeraldError('EWEBHOOK', `${t.method} ${shown}: HTTP ${status} ${res.statusMessage ?? ''}`.trim(), { status }));
    });
    // The timeout's signal aborts the request: the only abort there is.
    req.on('error', (err: Error & { code?: string }) => {
      reject(new HeraldError('EWEBHOOK', `${t.method} ${shown}: ${err.name === 'AbortError' ? `timed out after ${timeoutMs} ms` : err.code ?? err.message}`));
    });
    req.end(body);
  });
}
