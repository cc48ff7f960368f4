import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A real HTTP server on 127.0.0.1 serving documents with ETag and
 * Last-Modified, answering conditional requests with 304, and counting what it
 * was asked and what it answered.
 */
export class FeedServer {
  private server: Server | undefined;
  private readonly docs = new Map<string, { body: Buffer; type: string; etag: string; modified: string }>();
  private readonly handlers = new Map<string, Handler>();
  readonly requests: { path: string; status: number; conditional: boolean }[] = [];
  port = 0;

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  set(path: string, body: string | Buffer, type = 'application/xml'): void {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    const etag = `"${createHash('sha1').update(buf).digest('hex').slice(0, 16)}"`;
    this.docs.set(path, { body: buf, type, etag, modified: new Date(Date.now() - 1000).toUTCString() });
    this.handlers.delete(path);
  }

  /** Replace a path's behaviour entirely (500s, hangs, endless bodies). */
  handle(path: string, handler: Handler): void {
    this.handlers.set(path, handler);
  }

  count(path: string, status?: number): number {
    return this.requests.filter((r) => r.path === path && (status === undefined || r.status === status)).length;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const conditional = req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined;
      res.on('finish', () => this.requests.push({ path, status: res.statusCode, conditional }));
      const h = this.handlers.get(path);
      if (h) { h(req, res); return; }
      const doc = this.docs.get(path);
      if (!doc) { res.writeHead(404).end('not found'); return; }
      if (req.headers['if-none-match'] === doc.etag || (!req.headers['if-none-match'] && req.headers['if-modified-since'] === doc.modified)) {
        res.writeHead(304, { etag: doc.etag, 'last-modified': doc.modified }).end();
        return;
      }
      res.writeHead(200, { 'content-type': doc.type, etag: doc.etag, 'last-modified': doc.modified, 'content-length': doc.body.length }).end(doc.body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
