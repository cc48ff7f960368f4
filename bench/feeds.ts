// The feeds every poll figure polls: n copies of kernel.org's kdist.xml (each
// its own title, so each its own document) on a local server, and a config
// with one rss watcher per feed.
import { join } from 'node:path';
import type { FeedServer } from '../test/helpers/feed-server.js';
import { fixture, writeConfig } from '../test/helpers/util.js';

export function serveFeeds(server: FeedServer, n: number): string[] {
  const kdist = fixture('kernel-org/kdist-2020-05-08.xml');
  return Array.from({ length: n }, (_, i) => {
    server.set(`/f${i}.xml`, kdist.replace('<title>Latest Linux Kernel Versions</title>', `<title>Feed ${i}</title>`));
    return server.url(`/f${i}.xml`);
  });
}

/** A config over these feeds, mail written to files, no HTTP server; `watcher` adds keys to each watcher. */
export function feedsConfig(dir: string, urls: string[], watcher: Record<string, unknown> = {}): string {
  return writeConfig(dir, {
    state_dir: join(dir, 'state'), http: 'off', mail: { from: 'b@bench.example', transport: 'file' },
    watchers: urls.map((url, i) => ({ id: `f${i}`, type: 'rss', url, ...watcher })),
  });
}
