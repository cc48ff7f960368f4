// Benchmarks (npm run bench [NAME...]). Figures go to bench/README.md by hand,
// with the machine and date; nothing here is asserted.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.js';
import { Daemon } from '../src/daemon.js';
import { ingest } from '../src/ingest/ingest.js';
import { silentLogger } from '../src/log.js';
import { parseDocument } from '../src/sources/parse-document.js';
import { Store } from '../src/store/index.js';
import { FeedServer } from '../test/helpers/feed-server.js';
import { fixture, tempDir } from '../test/helpers/util.js';
import { feedsConfig, serveFeeds } from './feeds.js';
import { idleDaemon } from './idle.js';
import { imapLatency } from './imap.js';
import { outboxDrain } from './outbox.js';
import { pageLatency } from './pages.js';
import { pollAsProcess, startup } from './poll.js';
import { replayScaling } from './replay.js';

async function idlePoll(feeds = 50, cycles = 10): Promise<Record<string, number>> {
  const server = new FeedServer();
  await server.start();
  const t = tempDir();
  try {
    const cfg = feedsConfig(t.dir, serveFeeds(server, feeds));
    const d = new Daemon(loadConfig(cfg), { log: silentLogger() });
    await d.pollOnce(); // baseline
    const before = server.requests.length;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let c = 0; c < cycles; c++) await d.pollOnce();
    const wall = (performance.now() - t0) / cycles;
    const cpu = process.cpuUsage(cpu0);
    const reqs = server.requests.slice(before);
    await d.stop();
    return {
      feeds, cycles,
      requests_per_cycle: reqs.length / cycles,
      not_modified_share: reqs.filter((r) => r.status === 304).length / reqs.length,
      response_body_bytes_per_cycle: 0, // every answer is a 304 without body
      cpu_ms_per_cycle: (cpu.user + cpu.system) / 1000 / cycles,
      wall_ms_per_cycle: wall,
    };
  } finally {
    await server.stop();
    t.cleanup();
  }
}

/** 10,000 announcements made from the real fixtures by renumbering their kernels. */
function* announcements(n: number): Generator<{ id: string; text: string }> {
  const usn = fixture('ubuntu-usn/USN-4163-2.md');
  const usnJson = fixture('ubuntu-usn/USN-6548-1.json');
  const kdist = fixture('kernel-org/kdist-2020-05-08.xml');
  const kdistKernels = ['5.7-rc4', '5.6.11', '5.5.19', '5.4.39', '4.19.121', '4.14.179', '4.9.222', '4.4.222', '3.16.83'];
  for (let i = 0; i < n; i++) {
    const abi = 1000 + i;
    switch (i % 3) {
      case 0: yield { id: `md${i}`, text: usn.replaceAll('4.4.0-166', `4.4.0-${abi}`).replaceAll('USN-4163-2', `USN-${abi}-2`) }; break;
      case 1: yield { id: `js${i}`, text: usnJson.replaceAll('5.15.0-91', `5.15.0-${abi}`).replaceAll('USN-6548-1', `USN-${abi}-1`) }; break;
      default: yield { id: `rss${i}`, text: kdistKernels.reduce((t, v) => t.replaceAll(v, v.includes('-rc') ? `5.${abi}-rc1` : `${v.split('.').slice(0, 2).join('.')}.${abi}`), kdist) };
    }
  }
}

async function parseIngest(n = 10_000): Promise<Record<string, number>> {
  const t = tempDir();
  const store = Store.open(join(t.dir, 'bench.sqlite'));
  try {
    let releases = 0;
    const t0 = performance.now();
    let parseMs = 0;
    for (const a of announcements(n)) {
      const p0 = performance.now();
      const ann = await parseDocument(a.text);
      parseMs += performance.now() - p0;
      releases += ann.releases.length;
      ingest(store, { watcher: 'bench', externalId: a.id, format: ann.format, raw: a.text, announcement: ann, baseline: false }, new Date().toISOString());
    }
    const total = performance.now() - t0;
    return {
      announcements: n, releases,
      events: store.db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number,
      total_s: total / 1000, parse_share: parseMs / total,
      announcements_per_s: n / (total / 1000),
    };
  } finally {
    store.close();
    t.cleanup();
  }
}

// `npm run bench` builds dist/ first: the process figures run the CLI as installed.
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);
console.log(JSON.stringify({ node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, date: new Date().toISOString().slice(0, 10) }));
if (want('startup')) console.log(JSON.stringify({ bench: 'startup', median: await startup() }));
if (want('poll')) console.log(JSON.stringify({ bench: 'poll-process', ...(await pollAsProcess()) }));
if (want('idle-poll')) console.log(JSON.stringify({ bench: 'idle-poll', ...(await idlePoll()) }));
if (want('parse+ingest')) console.log(JSON.stringify({ bench: 'parse+ingest', ...(await parseIngest()) }));
if (want('replay')) console.log(JSON.stringify({ bench: 'replay', ...(await replayScaling()) }));
if (want('idle-daemon')) console.log(JSON.stringify({ bench: 'idle-daemon', ...(await idleDaemon()) }));
if (want('outbox')) console.log(JSON.stringify({ bench: 'outbox', ...(await outboxDrain()) }));
if (want('imap')) console.log(JSON.stringify({ bench: 'imap', ...(await imapLatency()) }));
if (want('pages')) console.log(JSON.stringify({ bench: 'pages', ...(await pageLatency()) }));
