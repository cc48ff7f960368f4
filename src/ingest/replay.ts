import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Announcement } from '../domain.js';
import { HeraldError, errorMessage } from '../errors.js';
import type { Store } from '../store/index.js';
import { decodeBody, documentInputs, parseMail } from '../sources/document.js';
import { looksLikeMbox, splitMbox } from '../sources/mbox.js';
import { detectSource } from '../sources/registry.js';
import type { SourceInput } from '../sources/source.js';
import { ingest } from './ingest.js';

export const REPLAY_WATCHER = 'replay';

export interface ReplayItem { file: string; externalId: string; input: SourceInput; raw: string }

function itemId(input: SourceInput, raw: string): string {
  if (input.format === 'email' && input.mail.messageId) return input.mail.messageId;
  if ((input.format === 'rss' || input.format === 'atom') && input.item.id) return `${input.feed.id || input.feed.link}#${input.item.id}`;
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** The items of saved files: each mail of an mbox, each entry of a feed, or the file itself. */
export async function replayItems(files: string[]): Promise<ReplayItem[]> {
  const out: ReplayItem[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = decodeBody(readFileSync(file));
    } catch (err) {
      throw new HeraldError('EINPUT', `${file}: ${errorMessage(err)}`);
    }
    try {
      if (looksLikeMbox(text)) {
        for (const raw of splitMbox(text)) {
          const input: SourceInput = { format: 'email', mail: await parseMail(raw) };
          out.push({ file, externalId: itemId(input, raw), input, raw });
        }
        continue;
      }
      const doc = await documentInputs(text);
      for (const input of doc.inputs) {
        const raw = input.format === 'rss' || input.format === 'atom' ? JSON.stringify(input.item) : text;
        out.push({ file, externalId: itemId(input, raw), input, raw });
      }
    } catch (err) {
      throw new HeraldError('EINPUT', `${file}: ${errorMessage(err)}`);
    }
  }
  return out;
}

export interface ReplayRecord { file: string; externalId: string; source: string | null; title: string; duplicate: boolean; events: number[] }

/** Each item through the same ingest as the watchers; items no source knows are reported, not recorded. */
/** Announcements per transaction: one commit per announcement is what made a long replay slow. */
export const REPLAY_BATCH = 500;

/**
 * Every item parsed first, so a document a source claims but cannot read
 * stops the replay, named, before anything is written; then ingested in
 * transactions of REPLAY_BATCH (each announcement still all or nothing,
 * a savepoint inside its batch). Replaying again skips what is known.
 */
export function replayIngest(store: Store, items: ReplayItem[], at: string): ReplayRecord[] {
  const parsed = items.map((it) => {
    const source = detectSource(it.input);
    let announcement: Announcement | undefined;
    try {
      announcement = source?.parse(it.input);
    } catch (err) {
      throw new HeraldError('EINPUT', `${it.file}: ${it.externalId}: ${errorMessage(err)}`);
    }
    return { it, source, announcement };
  });
  const out: ReplayRecord[] = [];
  for (let i = 0; i < parsed.length; i += REPLAY_BATCH) {
    store.tx(() => {
      for (const { it, source, announcement } of parsed.slice(i, i + REPLAY_BATCH)) {
        if (!source) { out.push({ file: it.file, externalId: it.externalId, source: null, title: '', duplicate: false, events: [] }); continue; }
        const r = ingest(store, { watcher: REPLAY_WATCHER, externalId: it.externalId, format: it.input.format, raw: it.raw, announcement, baseline: false }, at);
        out.push({ file: it.file, externalId: it.externalId, source: source.id, title: announcement?.title ?? '', duplicate: r.duplicate, events: r.events });
      }
    });
  }
  return out;
}
