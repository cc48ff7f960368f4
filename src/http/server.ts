import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { pageAccess } from './access.js';
import type { Metrics } from './metrics.js';
import type { PageRoute } from './pages.js';

export interface Health { ok: boolean }

export interface Pages { route: PageRoute; token: string | undefined }

/**
 * /healthz (JSON, 503 when unhealthy) and /metrics (Prometheus text), open as
 * before; the pages and feeds behind the access rule of access.ts.
 */
export async function startHttp(listen: string, metrics: Metrics, health: () => Health, refresh: () => void, log: Logger, pages?: Pages): Promise<Server> {
  const idx = listen.lastIndexOf(':');
  const host = listen.slice(0, idx);
  const port = Number(listen.slice(idx + 1));
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET') { res.writeHead(405).end(); return; }
      if (req.url === '/healthz') {
        const h = health();
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h));
      } else if (req.url === '/metrics') {
        refresh();
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
      } else {
        if (!pages) { res.writeHead(404).end(); return; }
        // Who asks is settled before anything is read: a stranger learns
        // neither what exists nor costs the store a query.
        const access = pageAccess(host, pages.token, req.headers.authorization);
        if (access === 'no-credential') {
          res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('the pages are served off loopback only with a credential: set http.token_file\n');
          return;
        }
        if (access === 'unauthorized') {
          res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Basic realm="kernel-herald", charset="UTF-8"' }).end('unauthorized\n');
          return;
        }
        const page = pages.route(new URL(req.url ?? '/', 'http://x').pathname);
        if (!page) { res.writeHead(404).end(); return; }
        res.writeHead(page.status, { 'content-type': page.type, 'cache-control': 'no-cache' }).end(page.body);
      }
    })().catch((err: unknown) => {
      log.warn('http request failed', { path: req.url, error: errorMessage(err) });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  log.info('http listening', { address: `${host}:${(server.address() as AddressInfo).port}` });
  return server;
}
