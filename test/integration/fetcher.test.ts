import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { fetchDocument, USER_AGENT } from '../../src/watchers/fetcher.js';
import { FeedServer } from '../helpers/feed-server.js';

const limits = { timeoutMs: 2_000, maxBytes: 10_000 };

describe('fetchDocument against a local HTTP server', () => {
  const server = new FeedServer();
  before(() => server.start());
  after(() => server.stop());

  it('a 200 gives the body and validators; the next GET is conditional and a 304', async () => {
    server.set('/doc.xml', '<rss/>');
    const first = await fetchDocument({ url: server.url('/doc.xml'), ...limits });
    assert.equal(first.status, 200);
    if (first.status !== 200) return;
    assert.equal(first.body.toString(), '<rss/>');
    assert.equal(first.bytes, 6);
    assert.equal(first.contentType, 'application/xml');
    assert.match(first.etag ?? '', /^"[0-9a-f]{16}"$/);
    assert.ok(first.lastModified);
    const again = await fetchDocument({ url: server.url('/doc.xml'), etag: first.etag, lastModified: first.lastModified, ...limits });
    assert.deepEqual(again, { status: 304 });
    assert.deepEqual(server.requests.filter((r) => r.path === '/doc.xml').map((r) => [r.status, r.conditional]), [[200, false], [304, true]]);
    // Each validator alone makes the request conditional.
    assert.deepEqual(await fetchDocument({ url: server.url('/doc.xml'), etag: first.etag, ...limits }), { status: 304 });
    assert.deepEqual(await fetchDocument({ url: server.url('/doc.xml'), lastModified: first.lastModified, ...limits }), { status: 304 });
  });

  it('sends who it is, what it accepts and the watcher\'s own headers', async () => {
    let seen: Record<string, string | string[] | undefined> = {};
    server.handle('/h', (req, res) => { seen = req.headers; res.writeHead(200).end('x'); });
    await fetchDocument({ url: server.url('/h'), headers: { authorization: 'Bearer t' }, ...limits });
    assert.equal(seen['user-agent'], USER_AGENT);
    assert.equal(seen['accept-encoding'], 'gzip, deflate, br');
    assert.equal(seen.authorization, 'Bearer t');
    assert.equal(seen['if-none-match'], undefined);
  });

  it('follows redirects, relative ones too, up to five', async () => {
    server.set('/final', 'here');
    server.handle('/r1', (_q, res) => res.writeHead(301, { location: '/r2' }).end());
    server.handle('/r2', (_q, res) => res.writeHead(302, { location: server.url('/final') }).end());
    const r = await fetchDocument({ url: server.url('/r1'), ...limits });
    assert.equal(r.status === 200 && r.body.toString(), 'here');
    server.handle('/loop', (_q, res) => res.writeHead(307, { location: '/loop' }).end());
    await assert.rejects(fetchDocument({ url: server.url('/loop'), ...limits }), (e: Error) => e.message === `GET ${server.url('/loop')}: more than 5 redirects`);
    assert.equal(server.count('/loop'), 6);
  });

  it('undoes gzip, deflate and brotli', async () => {
    const text = '<feed>'.padEnd(3000, 'k') + '</feed>';
    for (const [enc, body] of [['gzip', gzipSync(text)], ['deflate', deflateSync(text)], ['br', brotliCompressSync(text)]] as const) {
      server.handle(`/${enc}`, (_q, res) => res.writeHead(200, { 'content-encoding': enc }).end(body));
      const r = await fetchDocument({ url: server.url(`/${enc}`), ...limits });
      assert.equal(r.status === 200 && r.body.toString(), text, enc);
    }
    server.handle('/badgz', (_q, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end('not gzip'));
    await assert.rejects(fetchDocument({ url: server.url('/badgz'), ...limits }), /GET .*\/badgz: Z_DATA_ERROR/);
  });

  it('refuses a body over max_bytes: declared, streamed without a length, or inflated from a small compressed one', async () => {
    const cap = /response larger than the 10000-byte cap \(max_bytes\)/;
    server.set('/big', Buffer.alloc(10_001, 'a'));
    await assert.rejects(fetchDocument({ url: server.url('/big'), ...limits }), cap);
    server.set('/exact', Buffer.alloc(10_000, 'a'));
    const exact = await fetchDocument({ url: server.url('/exact'), ...limits });
    assert.equal(exact.status === 200 && exact.bytes, 10_000);
    server.handle('/stream', (_q, res) => { res.writeHead(200); for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000, 'b')); res.end('b'); });
    await assert.rejects(fetchDocument({ url: server.url('/stream'), ...limits }), cap);
    // A declared length over the cap is refused before the body is waited for.
    server.handle('/liar', (_q, res) => { res.writeHead(200, { 'content-length': 10_001 }); res.write('a'); });
    await assert.rejects(fetchDocument({ url: server.url('/liar'), timeoutMs: 5_000, maxBytes: 10_000 }), cap);
    const bomb = gzipSync(Buffer.alloc(1_000_000, 0));
    assert.ok(bomb.length < 10_000);
    server.handle('/bomb', (_q, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': bomb.length }).end(bomb));
    await assert.rejects(fetchDocument({ url: server.url('/bomb'), ...limits }), cap);
  });

  it('names the URL and what went wrong: a status, a timeout mid-body, a refused connection, a bad protocol', async () => {
    server.handle('/500', (_q, res) => res.writeHead(500, 'Internal Server Error').end());
    await assert.rejects(fetchDocument({ url: server.url('/500'), ...limits }), (e: Error & { code?: string }) =>
      e.message === `GET ${server.url('/500')}: HTTP 500 Internal Server Error` && e.code === 'EFETCH');
    server.handle('/slow', (_q, res) => { res.writeHead(200); res.write('part'); });
    await assert.rejects(fetchDocument({ url: server.url('/slow'), timeoutMs: 300, maxBytes: 100 }), (e: Error) => e.message === `GET ${server.url('/slow')}: timed out after 300 ms`);
    server.handle('/slowgz', (_q, res) => { res.writeHead(200, { 'content-encoding': 'gzip' }); res.write(gzipSync('x'.repeat(5000)).subarray(0, 20)); });
    await assert.rejects(fetchDocument({ url: server.url('/slowgz'), timeoutMs: 300, maxBytes: 100_000 }), /\/slowgz: timed out after 300 ms/);
    server.handle('/hang', () => undefined);
    await assert.rejects(fetchDocument({ url: server.url('/hang'), timeoutMs: 300, maxBytes: 100 }), /\/hang: timed out after 300 ms/);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await assert.rejects(fetchDocument({ url: `http://127.0.0.1:${port}/x`, ...limits }), (e: Error) => e.message === `GET http://127.0.0.1:${port}/x: ECONNREFUSED`);
    await assert.rejects(fetchDocument({ url: 'ftp://127.0.0.1/x', ...limits }), /unsupported protocol ftp:/);
  });
});
