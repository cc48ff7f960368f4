import type { Announcement } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import { looksLikeCsaf, parseCsaf } from '../csaf/index.js';
import type { Source, SourceInput } from '../source.js';

// A CSAF 2.0 provider's changes.csv (CSAF 2.0 section 7.1.17): every advisory
// file beside it, with when it last changed, newest first, one per line:
//   "2024/rhsa-2024_5363.json","2024-08-13T08:39:50+00:00"
// Red Hat and SUSE publish one at the root of their CSAF directories. Each
// line is an item keyed by its path (a later change to a known advisory is
// not news); the advisory itself is fetched as the item's detail and read by
// the CSAF parser. Paths say nothing of the package, so every new advisory is
// fetched: max_items bounds a visit, max_bytes must allow kernel advisories
// (several megabytes at Red Hat).

const LINE = /^"?([^",\s]+\.json)"?\s*,\s*"?(\d{4}-\d\d-\d\dT[^",\s]*)"?\s*$/;

/** One line of the file, as the item the watcher records. */
interface Change { csaf_change: string; url: string; changed: string }

function isChange(v: unknown): v is Change {
  return typeof v === 'object' && v !== null && typeof (v as Change).csaf_change === 'string' && typeof (v as Change).url === 'string';
}

/** The advisory id a provider's file name carries: rhsa-2024_5363.json is RHSA-2024:5363, suse-su-2024_0926-1.json SUSE-SU-2024:0926-1. */
export function advisoryFromPath(path: string): string | null {
  const m = /([a-z]+(?:-[a-z]+)*)-(\d{4})_([0-9][0-9-]*)\.json$/i.exec(path);
  return m ? `${m[1]!.toUpperCase()}-${m[2]}:${m[3]}` : null;
}

/** The file's lines as changes, each resolved against the file's own URL and kept below its directory. */
export function splitChanges(text: string, fileUrl: string): { id: string; value: Change }[] {
  const dir = new URL('.', fileUrl).href;
  const out: { id: string; value: Change }[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = LINE.exec(line.trim());
    if (!m) throw new HeraldError('EPARSE', `changes.csv line ${i + 1}: not "path.json","timestamp": ${JSON.stringify(line.slice(0, 120))}`);
    const path = m[1]!;
    const url = new URL(path, dir).href;
    // A hostile or broken file must not send us elsewhere: only files below its own directory.
    if (!url.startsWith(dir) || path.includes('..')) throw new HeraldError('EPARSE', `changes.csv line ${i + 1}: ${path} is not below ${dir}`);
    if (seen.has(path)) return;
    seen.add(path);
    out.push({ id: path, value: { csaf_change: path, url, changed: m[2]! } });
  });
  return out;
}

export const csafChanges: Source = {
  id: 'csaf-changes',
  description: 'a CSAF 2.0 provider\'s changes.csv (Red Hat, SUSE): each new advisory fetched and read as CSAF',
  detect(input: SourceInput): boolean {
    if (input.format === 'json') return isChange(input.value);
    if (input.format !== 'text') return false;
    const first = input.text.split(/\r?\n/, 5).find((l) => l.trim() !== '');
    return first !== undefined && LINE.test(first.trim());
  },
  split(value: unknown, from?: { url: string }) {
    if (typeof value !== 'string' || !from) throw new HeraldError('EPARSE', 'csaf-changes: expects the text of changes.csv and its URL');
    return splitChanges(value, from.url);
  },
  detailUrl(input: SourceInput): string | undefined {
    return input.format === 'json' && isChange(input.value) ? input.value.url : undefined;
  },
  parse(input: SourceInput, detail?: unknown): Announcement {
    if (input.format === 'text') {
      // The file itself (the `parse` command): what it lists; its advisories are read when a watcher follows it.
      const changes = splitChanges(input.text, 'https://provider.invalid/csaf/changes.csv');
      return { format: 'text', source: 'csaf-changes', title: `changes.csv: ${changes.length} advisories${changes[0] ? `, newest ${changes[0].id} (${changes[0].value.changed})` : ''}`, advisory: null, cves: [], urls: [], releases: [] };
    }
    if (input.format !== 'json' || !isChange(input.value)) throw new HeraldError('EPARSE', `csaf-changes: cannot parse ${input.format} input`);
    if (detail !== undefined) {
      if (!looksLikeCsaf(detail)) throw new HeraldError('EPARSE', `${input.value.url}: not a CSAF 2.0 document`);
      return parseCsaf(detail);
    }
    // Without the advisory (a baseline past its fetch budget): its id and where it is, nothing more.
    const c = input.value;
    return { format: 'json', source: 'csaf', title: c.csaf_change, advisory: advisoryFromPath(c.csaf_change), cves: [], urls: [c.url], releases: [] };
  },
};
