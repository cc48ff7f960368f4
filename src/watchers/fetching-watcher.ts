import { errorMessage } from '../errors.js';
import { ingest } from '../ingest/ingest.js';
import { decodeBody, parseJson } from '../sources/document.js';
import { detectSource, sourceById } from '../sources/registry.js';
import type { Source, SourceInput } from '../sources/source.js';
import type { Announcement } from '../domain.js';
import { defaultRetryMax } from './backoff.js';
import { noteFailure, noteRecovery } from './failure.js';
import { DEFAULT_EVERY_MS } from './common.js';
import { fetchDocument } from './fetcher.js';
import type { PollOutcome, Watcher, WatcherDeps } from './types.js';

/** Detail documents fetched per baseline poll (Ubuntu notices): enough for the recent kernels, bounded for a long feed. */
export const BASELINE_DETAILS = 50;

export interface FetchingWatcherConfig {
  id: string;
  type: string;
  url: string;
  every?: number | undefined;
  cron?: string | undefined;
  backfill: boolean;
  timeout: number;
  max_bytes: number;
  source?: string | undefined;
  headers?: Record<string, string> | undefined;
  retry_max?: number | undefined;
  max_items: number;
}

export interface WatchItem {
  externalId: string;
  raw: string;
  /** What a source parses; or, for a watcher that reads structured metadata itself, the announcement. */
  input?: SourceInput;
  announcement?: Announcement;
}

/**
 * What rss and http watchers share: fetch (conditionally), split into items,
 * record each new item once, baseline on the first visit, back off on failure.
 */
export abstract class FetchingWatcher implements Watcher {
  readonly id: string;
  readonly schedule: { everyMs?: number; cron?: string };
  protected readonly pinned: Source | undefined;

  constructor(protected readonly cfg: FetchingWatcherConfig, protected readonly deps: WatcherDeps) {
    this.id = cfg.id;
    this.schedule = cfg.cron ? { cron: cfg.cron } : { everyMs: cfg.every ?? DEFAULT_EVERY_MS };
    this.pinned = cfg.source ? sourceById(cfg.source) : undefined;
  }

  /** The document's items, in feed order. Throws on a document it cannot read. */
  protected abstract items(text: string): Promise<WatchItem[]>;

  /** The document polled with a conditional GET; a repository's index, for instance, is not the configured URL itself. */
  protected documentUrl(): string {
    return this.cfg.url;
  }

  private get everyMs(): number {
    return this.schedule.everyMs ?? DEFAULT_EVERY_MS;
  }

  async poll(): Promise<PollOutcome> {
    const { store, clock } = this.deps;
    const log = this.deps.log.child({ watcher: this.id });
    const state = store.watchers.get(this.id);
    const outcome: PollOutcome = { watcher: this.id, ok: false, notModified: false, baseline: false, items: 0, recorded: 0, events: 0 };
    try {
      const res = await fetchDocument({
        url: this.documentUrl(), etag: state.etag, lastModified: state.last_modified,
        timeoutMs: this.cfg.timeout, maxBytes: this.cfg.max_bytes, ...(this.cfg.headers ? { headers: this.cfg.headers } : {}),
      });
      const now = clock.now();
      if (res.status === 304) {
        store.watchers.recordSuccess(this.id, now.toISOString(), { next_poll_at: this.nextPoll(now) });
        noteRecovery(state.failures, log);
        log.debug('not modified');
        return { ...outcome, ok: true, notModified: true };
      }
      const items = await this.items(decodeBody(res.body, res.contentType));
      const baseline = !state.baseline_done && !this.cfg.backfill;
      let fresh = items.filter((item) => !store.announcements.exists(this.id, item.externalId));
      // Bounded work per poll. Feeds list the newest first, so the last ones
      // are the oldest: those go now, the newer ones on the next poll.
      const deferred = Math.max(0, fresh.length - this.cfg.max_items);
      if (deferred > 0) fresh = fresh.slice(deferred);
      let complete = deferred === 0;
      const budget = { details: BASELINE_DETAILS };
      for (const item of fresh) {
        const r = await this.recordItem(item, baseline, log, budget);
        if (r === undefined) { complete = false; continue; }
        outcome.recorded += 1;
        outcome.events += r;
      }
      // Validators are kept only when every item made it in: otherwise a 304
      // next time would hide the items that still need another try. A
      // baseline is done only when the whole document is recorded, or the
      // rest would fire as news.
      store.watchers.recordSuccess(this.id, clock.now().toISOString(), {
        ...(complete ? { etag: res.etag, last_modified: res.lastModified } : {}),
        baseline_done: !baseline || deferred === 0, next_poll_at: deferred > 0 ? clock.now().toISOString() : this.nextPoll(clock.now()),
      });
      noteRecovery(state.failures, log);
      if (deferred > 0) log.warn('more new items than max_items: the rest follow on the next poll', { new_items: fresh.length + deferred, max_items: this.cfg.max_items, deferred });
      log.info(baseline ? 'baseline recorded' : 'polled', { items: items.length, recorded: outcome.recorded, events: outcome.events, bytes: res.bytes });
      return { ...outcome, ok: true, baseline, items: items.length };
    } catch (err) {
      const message = errorMessage(err);
      noteFailure(store, log, this.id, state, message, clock.now(), this.everyMs, this.cfg.retry_max ?? defaultRetryMax(this.everyMs));
      return { ...outcome, error: message };
    }
  }

  /** Events emitted, or undefined when the item must be tried again next poll. */
  private async recordItem(item: WatchItem, baseline: boolean, log: WatcherDeps['log'], budget: { details: number }): Promise<number | undefined> {
    if (item.announcement) return this.store(item, item.announcement, undefined, baseline, log);
    if (!item.input) return 0;
    const source = this.pinned ?? detectSource(item.input);
    let detail: unknown;
    let detailText: string | undefined;
    // The baseline fetches details too (bounded), so the kernels already out are
    // known: the first new one then has its previous version and ABI to compare.
    let detailUrl = source?.detailUrl?.(item.input);
    if (detailUrl && baseline) {
      if (budget.details <= 0) detailUrl = undefined;
      else budget.details -= 1;
    }
    if (detailUrl) {
      try {
        const res = await fetchDocument({ url: detailUrl, timeoutMs: this.cfg.timeout, maxBytes: this.cfg.max_bytes });
        if (res.status !== 200) throw new Error(`unexpected ${res.status}`);
        detailText = decodeBody(res.body, res.contentType);
        detail = parseJson(detailText);
      } catch (err) {
        if (baseline) {
          // Old news: recorded without its details rather than held up.
          log.warn('detail fetch failed during the baseline; recorded without it', { item: item.externalId, url: detailUrl, error: errorMessage(err) });
          detail = undefined;
          detailText = undefined;
        } else {
          log.warn('detail fetch failed; item will be retried', { item: item.externalId, url: detailUrl, error: errorMessage(err) });
          return undefined;
        }
      }
    }
    let announcement: Announcement | undefined;
    try {
      announcement = source?.parse(item.input, detail);
    } catch (err) {
      // Recorded without an announcement: a parser bug or a hostile item is
      // skipped once and kept for inspection, not retried forever.
      log.error('item could not be parsed; recorded and skipped', { item: item.externalId, source: source?.id, error: errorMessage(err) });
    }
    return this.store(item, announcement, detailText, baseline, log);
  }

  private store(item: WatchItem, announcement: Announcement | undefined, detailText: string | undefined, baseline: boolean, log: WatcherDeps['log']): number {
    const res = ingest(this.deps.store, {
      watcher: this.id, externalId: item.externalId, format: item.input?.format ?? announcement?.format ?? 'json', raw: item.raw,
      ...(detailText !== undefined ? { detail: detailText } : {}), announcement, baseline,
    }, this.deps.clock.now().toISOString());
    if (!baseline && res.events.length > 0) log.info('new releases', { item: item.externalId, events: res.events, source: announcement?.source });
    return res.events.length;
  }

  private nextPoll(now: Date): string | null {
    return this.schedule.everyMs ? new Date(now.getTime() + this.schedule.everyMs).toISOString() : null;
  }
}
