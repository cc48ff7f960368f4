// A poll cycle as an operator runs one from cron: `kernel-herald poll` over 50
// unchanged feeds (every answer a 304), beside rss2email and urlwatch on the
// same feeds; and the start-up of the commands that load least.
import { join } from 'node:path';
import { FeedServer } from '../test/helpers/feed-server.js';
import { tempDir } from '../test/helpers/util.js';
import { feedsConfig, serveFeeds } from './feeds.js';
import { ensurePeers, rss2email, urlwatch } from './peers.js';
import { interleaved, interleavedRuns, medians, pairRatio, timed, type Timed } from './process.js';

export const CLI = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');

export async function pollAsProcess(feeds = 50, n = 15): Promise<Record<string, unknown>> {
  const server = new FeedServer();
  await server.start();
  const t = tempDir();
  try {
    const urls = serveFeeds(server, feeds);
    const cfg = feedsConfig(t.dir, urls);
    const runs: Record<string, () => Promise<Timed>> = { 'kernel-herald': () => timed(process.execPath, [CLI, 'poll', '--config', cfg]) };
    const peers = ensurePeers();
    if (peers.rss2email) runs.rss2email = rss2email(t.dir, urls);
    if (peers.urlwatch) runs.urlwatch = urlwatch(t.dir, urls);
    for (const run of Object.values(runs)) await run(); // each one's baseline: everything new once
    // One more run each, on its own, to count what it asked and how it was answered.
    const share: Record<string, string> = {};
    for (const [name, run] of Object.entries(runs)) {
      const before = server.requests.length;
      await run();
      const reqs = server.requests.slice(before);
      share[name] = `${reqs.filter((q) => q.status === 304).length}/${reqs.length}`;
    }
    const got = await interleavedRuns(runs, n);
    const ours = got['kernel-herald']!;
    const pairs = Object.fromEntries(Object.keys(got).filter((k) => k !== 'kernel-herald').map((k) => [k, { cpu: pairRatio(ours, got[k]!, 'cpu_s'), wall: pairRatio(ours, got[k]!, 'wall_s') }]));
    return { feeds, runs: n, median: medians(got), 'kernel-herald_over_peer_pair_by_pair': pairs, answered_304: share, ...(peers.note ? { note: peers.note } : {}) };
  } finally {
    await server.stop();
    t.cleanup();
  }
}

/** Wall time and peak memory of `--help` and `check-config` (the built-in default config) beside `node -e 0`. */
export async function startup(n = 7): Promise<Record<string, unknown>> {
  return interleaved({
    'node -e 0': () => timed(process.execPath, ['-e', '0']),
    '--help': () => timed(process.execPath, [CLI, '--help']),
    'check-config': () => timed(process.execPath, [CLI, 'check-config']),
  }, n);
}
