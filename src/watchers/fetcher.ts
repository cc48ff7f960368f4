import http from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { HeraldError } from '../errors.js';
import { https } from '../https.js';

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

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * One GET: conditional when validators are known, bounded in time and size
 * (the decoded body, so a compressed bomb stops at the cap too). Anything but
 * 200 or 304 is an error naming the URL and status.
 *
 * node:http rather than fetch: fetch loads undici and its WebAssembly parser,
 * which cost a poll of 50 feeds about 0.1 s of CPU and 40 MB of memory.
 */
export function fetchDocument(req: FetchRequest): Promise<FetchResult> {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: '*/*', 'accept-encoding': 'gzip, deflate, br', ...req.headers };
  if (req.etag) headers['if-none-match'] = req.etag;
  if (req.lastModified) headers['if-modified-since'] = req.lastModified;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), req.timeoutMs);
  return get(req, req.url, headers, controller.signal, 0).finally(() => clearTimeout(timer));
}

function get(req: FetchRequest, url: string, headers: Record<string, string>, signal: AbortSignal, hops: number): Promise<FetchResult> {
  return new Promise<FetchResult>((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new HeraldError('EFETCH', `GET ${req.url}: not a URL: ${url}`, { url: req.url }));
      return;
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      reject(new HeraldError('EFETCH', `GET ${req.url}: unsupported protocol ${target.protocol}`, { url: req.url }));
      return;
    }
    const fail = (err: unknown) => reject(err instanceof HeraldError ? err : fetchError(req, err, signal.aborted));
    const request = (target.protocol === 'https:' ? https() : http).get(target, { headers, signal }, (res) => {
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status) && res.headers.location) {
        res.resume();
        if (hops >= MAX_REDIRECTS) { fail(new HeraldError('EFETCH', `GET ${req.url}: more than ${MAX_REDIRECTS} redirects`, { url: req.url })); return; }
        get(req, new URL(res.headers.location, target).href, headers, signal, hops + 1).then(resolve, reject);
        return;
      }
      if (status === 304) { res.resume(); resolve({ status: 304 }); return; }
      if (status !== 200) {
        res.resume();
        fail(new HeraldError('EFETCH', `GET ${req.url}: HTTP ${status} ${res.statusMessage ?? ''}`.trim(), { url: req.url, status }));
        return;
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > req.maxBytes) { res.destroy(); fail(tooLarge(req)); return; }
      readBody(req, res, decoded(res), signal).then((body) => resolve({
        status: 200, body, bytes: body.length,
        contentType: res.headers['content-type'],
        etag: header(res.headers.etag), lastModified: header(res.headers['last-modified']),
      }), fail);
    });
    request.on('error', fail);
  });
}

/** The body as sent, undone of its content-encoding. */
function decoded(res: http.IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === 'gzip' || encoding === 'x-gzip') return res.pipe(createGunzip());
  if (encoding === 'deflate') return res.pipe(createInflate());
  if (encoding === 'br') return res.pipe(createBrotliDecompress());
  return res;
}

async function readBody(req: FetchRequest, res: http.IncomingMessage, body: Readable, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += (chunk as Buffer).length;
      if (bytes > req.maxBytes) {
        res.destroy();
        throw tooLarge(req);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof HeraldError) throw err;
    throw fetchError(req, err, signal.aborted);
  }
  return Buffer.concat(chunks);
}

const header = (v: string | string[] | undefined): string | null => (Array.isArray(v) ? v[0] : v) ?? null;

function tooLarge(req: FetchRequest): HeraldError {
  return new HeraldError('EFETCH', `GET ${req.url}: response larger than the ${req.maxBytes}-byte cap (max_bytes)`, { url: req.url });
}

function fetchError(req: FetchRequest, err: unknown, aborted: boolean): HeraldError {
  if (aborted) return new HeraldError('EFETCH', `GET ${req.url}: timed out after ${req.timeoutMs} ms`, { url: req.url });
  const e = err as { code?: string; message?: string };
  return new HeraldError('EFETCH', `GET ${req.url}: ${e.code ?? e.message ?? String(err)}`, { url: req.url }, { cause: err });
}
