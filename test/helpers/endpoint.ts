import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received { method: string; path: string; headers: IncomingMessage['headers']; body: string }

/** A webhook endpoint on 127.0.0.1: records each request, answers with the next status queued (200 when none; 0 leaves it unanswered). */
export class Endpoint {
  readonly received: Received[] = [];
  readonly answers: number[] = [];
  private server: Server | undefined;
  port = 0;
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        const status = this.answers.shift() ?? 200;
        if (status !== 0) res.writeHead(status).end('{}');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server!.address() as AddressInfo).port;
  }
  url(path: string): string { return `http://127.0.0.1:${this.port}${path}`; }
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
