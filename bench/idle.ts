// The daemon as it runs for weeks: 20 feeds polled every minute, nothing new.
// Resident memory once its first polls are done and a minute later, and CPU
// over the first minute and over the one after it, read from /proc.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { FeedServer } from '../test/helpers/feed-server.js';
import { tempDir, waitFor } from '../test/helpers/util.js';
import { feedsConfig, serveFeeds } from './feeds.js';
import { CLI } from './poll.js';
import { round } from './process.js';

const TICKS = 100; // USER_HZ on Linux

function procStat(pid: number): { cpu_s: number; rss_mib: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { cpu_s: (Number(fields[11]) + Number(fields[12])) / TICKS, rss_mib: Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024 };
}

export async function idleDaemon(watchers = 20, sampleS = 60): Promise<Record<string, unknown>> {
  const server = new FeedServer();
  await server.start();
  const t = tempDir();
  const cfg = feedsConfig(t.dir, serveFeeds(server, watchers), { every: '1m' });
  const child = spawn(process.execPath, [CLI, 'run', '--config', cfg], { stdio: 'ignore' });
  try {
    await waitFor('every feed polled once', () => new Set(server.requests.map((r) => r.path)).size >= watchers, 60_000);
    await new Promise((r) => setTimeout(r, 2000)); // the polls' own work settles (this is a measurement, not a test)
    const first = procStat(child.pid!);
    // The first minute still pays for start-up (its garbage collected, code
    // compiled by the optimiser); weeks of running look like the minutes after it.
    await new Promise((r) => setTimeout(r, 60_000));
    const a = procStat(child.pid!);
    const t0 = Date.now();
    const before = server.requests.length;
    await new Promise((r) => setTimeout(r, sampleS * 1000));
    const b = procStat(child.pid!);
    // The polls the CPU figure covers: a daemon that stopped polling would look idle too.
    const polled = server.requests.slice(before);
    const elapsed = (Date.now() - t0) / 1000;
    return {
      watchers, sampled_s: round(elapsed, 1), rss_mib_after_first_polls: round(first.rss_mib, 1), rss_mib_after_sample: round(b.rss_mib, 1),
      cpu_percent_first_minute: round((100 * (a.cpu_s - first.cpu_s)) / 60, 3), cpu_percent: round((100 * (b.cpu_s - a.cpu_s)) / elapsed, 3),
      requests_in_sample: polled.length, answered_304_in_sample: polled.filter((r) => r.status === 304).length,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    await server.stop();
    t.cleanup();
  }
}
