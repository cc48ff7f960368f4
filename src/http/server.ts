import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { Metrics } from './metrics.js';

export interface Health { ok: boolean }

/** /healthz (JSON, 503 when unhealthy) and /metrics (Prometheus text). */
export async function startHttp(listen: string, metrics: Metrics, health: () => Health, refresh: () => void, log: Logger): Promise<Server> {
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
        res.writeHead(404).end();
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
