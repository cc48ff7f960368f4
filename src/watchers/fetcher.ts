import { HeraldError } from '../errors.js';

export interface FetchRequest {
  url: string;
  etag?: string | null;
  lastModified?: string | null;
  timeoutMs: number;
  maxBytes: number;
  headers?: Record<string, string>;
}

export type FetchResult =
  | { status: 304 }
  | { status: 200; body: Buffer; contentType: string | undefined; etag: string | null; lastModified: string | null; bytes: number };

export const USER_AGENT = 'kernel-herald/0.1 (+https://github.com/kernel-herald)';

/**
 * One GET: conditional when validators are known, bounded in time and size.
 * Anything but 200 or 304 is an error naming the URL and status.
 */
export async function fetchDocument(req: FetchRequest): Promise<FetchResult> {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: '*/*', ...req.headers };
  if (req.etag) headers['if-none-match'] = req.etag;
  if (req.lastModified) headers['if-modified-since'] = req.lastModified;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), req.timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(req.url, { headers, signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      throw fetchError(req, err, controller.signal.aborted);
    }
    if (res.status === 304) {
      await res.body?.cancel();
      return { status: 304 };
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new HeraldError('EFETCH', `GET ${req.url}: HTTP ${res.status} ${res.statusText}`.trim(), { url: req.url, status: res.status });
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > req.maxBytes) {
      await res.body?.cancel();
      throw tooLarge(req);
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of res.body ?? []) {
        bytes += chunk.length;
        if (bytes > req.maxBytes) {
          controller.abort();
          throw tooLarge(req);
        }
        chunks.push(Buffer.from(chunk));
      }
    } catch (err) {
      if (err instanceof HeraldError) throw err;
      throw fetchError(req, err, controller.signal.aborted);
    }
    return {
      status: 200, body: Buffer.concat(chunks), bytes,
      contentType: res.headers.get('content-type') ?? undefined,
      etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified'),
    };
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(req: FetchRequest): HeraldError {
  return new HeraldError('EFETCH', `GET ${req.url}: response larger than the ${req.maxBytes}-byte cap (max_bytes)`, { url: req.url });
}

function fetchError(req: FetchRequest, err: unknown, aborted: boolean): HeraldError {
  if (aborted) return new HeraldError('EFETCH', `GET ${req.url}: timed out after ${req.timeoutMs} ms`, { url: req.url });
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err as Error).message;
  return new HeraldError('EFETCH', `GET ${req.url}: ${why}`, { url: req.url }, { cause: err });
}
