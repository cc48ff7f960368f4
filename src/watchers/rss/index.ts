import { parseFeed } from '../../sources/document.js';
import { FetchingWatcher, type WatchItem } from '../fetching-watcher.js';
import type { WatcherDeps } from '../types.js';
import { rssSchema, type RssWatcherConfig } from './schema.js';

/** RSS 2.0 or Atom, through rss-parser; one item per entry, keyed by guid/id. */
export class RssWatcher extends FetchingWatcher {
  protected async items(text: string): Promise<WatchItem[]> {
    const feed = await parseFeed(text);
    return feed.items.map((item) => ({
      externalId: item.id,
      input: { format: feed.format, feed: feed.feed, item },
      raw: JSON.stringify(item),
    }));
  }
}

export const rssWatcherType = {
  type: 'rss' as const,
  schema: rssSchema,
  create: (cfg: RssWatcherConfig, deps: WatcherDeps) => new RssWatcher(cfg, deps),
};
