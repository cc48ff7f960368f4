import { USER_AGENT } from '../watchers/fetcher.js';
import { BuildError } from './types.js';

export interface ApiResponse { status: number; headers: Headers; text: string; json(): unknown }

/**
 * One request to a CI's API, with a timeout, classified: rate limits (403 or
 * 429 with the limit spent, or Retry-After) carry the time to wait; 5xx and
 * network errors are worth retrying; other 4xx are not. The message names the
 * method and URL, never a token.
 */
export async function api(method: string, url: string, opts: { headers?: Record<string, string>; body?: string; timeoutMs?: number; now: () => number; what: string }): Promise<ApiResponse> {
  let res: Response;
  try {
    res = await fetch(url, {
      method, headers: { 'user-agent': USER_AGENT, ...opts.headers }, ...(opts.body !== undefined ? { body: opts.body } : {}),
      redirect: 'follow', signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new BuildError(`${opts.what}: ${method} ${url}: ${cause === 'TimeoutError' ? 'timed out' : cause}`, true);
  }
  const text = await res.text();
  const out: ApiResponse = {
    status: res.status, headers: res.headers, text,
    json: () => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new BuildError(`${opts.what}: ${method} ${url}: the reply is not JSON`, true);
      }
    },
  };
  if (res.status < 400) return out;
  const detail = briefly(text);
  const retryAfter = Number(res.headers.get('retry-after'));
  const remaining = res.headers.get('x-ratelimit-remaining');
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  if ((res.status === 403 || res.status === 429) && (remaining === '0' || Number.isFinite(retryAfter) && res.headers.has('retry-after'))) {
    const at = res.headers.has('retry-after') && Number.isFinite(retryAfter) ? opts.now() + retryAfter * 1000
      : Number.isFinite(reset) && reset > 0 ? reset * 1000 : opts.now() + 60_000;
    throw new BuildError(`${opts.what}: rate-limited (${res.status}) until ${new Date(at).toISOString()}`, true, at);
  }
  if (res.status === 429) throw new BuildError(`${opts.what}: ${method} ${url}: 429 too many requests`, true, opts.now() + 60_000);
  throw new BuildError(`${opts.what}: ${method} ${url}: ${res.status}${detail ? ` ${detail}` : ''}`, res.status >= 500 || res.status === 408);
}

function briefly(text: string): string {
  let t = text;
  try {
    const j = JSON.parse(text) as { message?: unknown; error?: unknown };
    t = String(j.message ?? j.error ?? text);
  } catch { /* not JSON */ }
  return t.replace(/\s+/g, ' ').trim().slice(0, 200);
}
