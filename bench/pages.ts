// The status pages, the calendar and the feed over a store of 1,000 kernels in
// progress (each its own stream, so none supersedes another): time from the
// request to the last byte of the answer, on 127.0.0.1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Metrics } from '../src/http/metrics.js';
import { pageRoutes } from '../src/http/pages.js';
import { startHttp } from '../src/http/server.js';
import { silentLogger } from '../src/log.js';
import { ProcedureBench, WEB100_BASE } from '../test/helpers/procedure.js';
import { round } from './process.js';

const get = (agent: http.Agent, url: string) => new Promise<number>((resolve, reject) => {
  const t0 = performance.now();
  http.get(url, { agent }, (res) => { res.resume(); res.on('end', () => resolve(performance.now() - t0)); }).on('error', reject);
});

export async function pageLatency(kernels = 1000, runs = 30): Promise<Record<string, unknown>> {
  const b = new ProcedureBench(WEB100_BASE);
  try {
    for (let i = 0; i < kernels; i++) {
      const version = `5.14.0-${100 + i}.1.el9`;
      b.kernel(version, { releases: [{ kind: 'kernel', distro: 'rocky', distro_release: '9', package: `kernel-lab${i}`, version, arch: ['x86_64'] }] });
    }
    const c = b.loaded.config;
    const route = pageRoutes({ rotations: c.rotations, people: c.people, clock: b.clock, from: c.mail.from, announcements: () => b.store.outbox.sentWith(['kernel-notice'], 50), store: b.store, watchers: [{ id: 'w', type: 'imap' }] });
    const server = await startHttp('127.0.0.1:0', new Metrics(), () => ({ ok: true }), () => undefined, silentLogger(), { route, token: undefined });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new http.Agent({ keepAlive: true });
    const release = b.store.procedures.open()[kernels - 1]!.release_id;
    const out: Record<string, unknown> = { kernels_in_progress: b.store.procedures.open().length };
    for (const path of ['/', `/kernel/${release}`, '/rotation/support.ics', '/feed.atom']) {
      await get(agent, base + path);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await get(agent, base + path));
      times.sort((x, y) => x - y);
      out[path.replace(/\d+$/, 'ID')] = { p50_ms: round(times[Math.floor(runs / 2)]!, 1), max_ms: round(times[runs - 1]!, 1) };
    }
    agent.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    return out;
  } finally {
    b.close();
  }
}
