import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { Clock } from '../../src/clock.js';
import { Daemon } from '../../src/daemon.js';
import { FeedServer } from './feed-server.js';
import { SmtpSink } from './smtp-sink.js';
import { memoryLogger, tempDir, writeConfig } from './util.js';

/** A temp state dir, a feed server and an SMTP sink on 127.0.0.1, and a config wiring them. */
export class World {
  readonly feeds = new FeedServer();
  readonly smtp = new SmtpSink();
  readonly tmp = tempDir();
  readonly logs = memoryLogger();
  private daemons: Daemon[] = [];

  async start(): Promise<this> {
    await this.feeds.start();
    await this.smtp.start();
    return this;
  }

  config(watchers: Record<string, unknown>[], rules: Record<string, unknown>[], extra: Record<string, unknown> = {}): string {
    return writeConfig(this.tmp.dir, {
      state_dir: join(this.tmp.dir, 'state'),
      http: 'off',
      mail: {
        from: 'Kernel Herald <herald@test.example>', transport: 'smtp',
        smtp: { host: '127.0.0.1', port: this.smtp.port, pool: false, timeout: '5s', starttls: 'never' },
        retry: { base: '50ms', max: '200ms', max_attempts: 50 }, every: '100ms',
      },
      watchers, rules, ...extra,
    });
  }

  daemon(configPath: string, clock?: Clock): Daemon {
    const d = new Daemon(loadConfig(configPath), { log: this.logs.log, ...(clock ? { clock } : {}) });
    this.daemons.push(d);
    return d;
  }

  async stop(): Promise<void> {
    for (const d of this.daemons) await d.stop();
    await this.feeds.stop();
    await this.smtp.stop();
    this.tmp.cleanup();
  }
}

export function rssFeed(channelLink: string, items: { title: string; link: string; guid: string; description?: string }[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Feed</title><link>${channelLink}</link><description>d</description>${items.map((i) =>
    `<item><title>${i.title}</title><link>${i.link}</link><description>${i.description ?? ''}</description><pubDate>Mon, 11 Dec 2023 16:35:21 +0000</pubDate><guid isPermaLink="false">${i.guid}</guid></item>`).join('')}</channel></rss>`;
}

export function kdistItem(version: string, moniker: string) {
  return { title: `${version}: ${moniker}`, link: 'https://www.kernel.org', guid: `kernel.org,${moniker},${version},2023-12-13` };
}
