import type { Announcement } from '../domain.js';
import { releaseKey } from '../domain.js';
import { HeraldError } from '../errors.js';
import { documentInputs } from './document.js';
import { detectSource, sourceById } from './registry.js';
import type { Source, SourceInput } from './source.js';
import { unique } from './source.js';

/** Parse one input with a pinned source, or the first source that recognises it. */
export function parseInput(input: SourceInput, pinned?: Source, detail?: unknown): Announcement | undefined {
  const source = pinned ?? detectSource(input);
  return source?.parse(input, detail);
}

/**
 * A whole file as one Announcement (the `parse` command): a feed's items are
 * merged, so the file's releases, CVEs and links are all in one answer.
 */
export async function parseDocument(text: string, opts: { source?: string } = {}): Promise<Announcement> {
  const pinned = opts.source ? sourceById(opts.source) : undefined;
  if (opts.source && !pinned) throw new HeraldError('EUSAGE', `unknown source "${opts.source}"`);
  const doc = await documentInputs(text);
  const parsed = doc.inputs.map((input) => parseInput(input, pinned)).filter((a): a is Announcement => a !== undefined);
  if (parsed.length === 0) {
    if (doc.inputs.length === 0 && (doc.format === 'rss' || doc.format === 'atom')) {
      return { format: doc.format, source: 'unknown', title: doc.title, advisory: null, cves: [], urls: [], releases: [] };
    }
    throw new HeraldError('EINPUT', `no known source recognises this ${doc.format} document`);
  }
  if (parsed.length === 1 && doc.format !== 'rss' && doc.format !== 'atom') return parsed[0]!;
  return mergeAnnouncements(doc.title, parsed);
}

export function mergeAnnouncements(title: string, anns: Announcement[]): Announcement {
  const first = anns[0]!;
  const advisories = unique(anns.map((a) => a.advisory).filter((a): a is string => a !== null));
  const seen = new Set<string>();
  const releases = anns.flatMap((a) => a.releases).filter((r) => {
    const k = releaseKey(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return {
    format: first.format,
    source: unique(anns.map((a) => a.source)).join(','),
    title: title || first.title,
    advisory: advisories.length === 1 ? advisories[0]! : null,
    cves: unique(anns.flatMap((a) => a.cves)).sort(),
    urls: unique(anns.flatMap((a) => a.urls)),
    releases,
  };
}
