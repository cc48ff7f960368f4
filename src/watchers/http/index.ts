import { createHash } from 'node:crypto';
import { HeraldError } from '../../errors.js';
import { parseJson } from '../../sources/document.js';
import { detectSource } from '../../sources/registry.js';
import { FetchingWatcher, type WatchItem } from '../fetching-watcher.js';
import type { WatcherDeps } from '../types.js';
import { httpSchema, type HttpWatcherConfig } from './schema.js';

/**
 * A JSON document (kernel.org releases.json, an Ubuntu notice) or a text
 * index a source knows (a CSAF provider's changes.csv). A source that knows
 * the document splits it into items with stable ids; otherwise the whole
 * document is one item, keyed by its content.
 */
export class HttpWatcher extends FetchingWatcher {
  protected async items(text: string): Promise<WatchItem[]> {
    const from = { url: this.documentUrl() };
    if (!/^\s*[[{]/.test(text)) {
      const input = { format: 'text' as const, text };
      const source = this.pinned ?? detectSource(input);
      if (source?.split && source.detect(input)) {
        return source.split(text, from).map((it) => ({ externalId: it.id, input: { format: 'json', value: it.value }, raw: JSON.stringify(it.value) }));
      }
      // Not an index we know: read as JSON, whose error says what is wrong.
    }
    const value = parseJson(text);
    const source = this.pinned ?? detectSource({ format: 'json', value });
    if (!source) throw new HeraldError('EINPUT', 'no known source recognises this JSON document (set source: to pin one)');
    if (source.split) {
      return source.split(value, from).map((it) => ({ externalId: it.id, input: { format: 'json', value: it.value }, raw: JSON.stringify(it.value) }));
    }
    const id = createHash('sha256').update(text).digest('hex').slice(0, 32);
    return [{ externalId: id, input: { format: 'json', value }, raw: text }];
  }
}

export const httpWatcherType = {
  type: 'http' as const,
  schema: httpSchema,
  create: (cfg: HttpWatcherConfig, deps: WatcherDeps) => new HttpWatcher(cfg, deps),
};
