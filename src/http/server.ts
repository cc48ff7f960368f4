import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const page = pages?.route(path);
        if (!page) { res.writeHead(404).end(); return; }
        const access = pageAccess(host, pages!.token, req.headers.authorization);
        if (access === 'no-credential') {
          res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('the pages are served off loopback only with a credential: set http.token_file\n');
        } else if (access === 'unauthorized') {
          res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Basic realm="kernel-herald", charset="UTF-8"' }).end('unauthorized\n');
        } else {
          res.writeHead(page.status, { 'content-type': page.type, 'cache-control': 'no-cache' }).end(page.body);
        }
      }
    })().catch(() => { res.writeHead(500).end(); });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  log.info('http listening', { address: `${host}:${(server.address() as AddressInfo).port}` });
  return server;
}
