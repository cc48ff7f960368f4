import { HeraldError } from '../errors.js';

// dpkg's version order: a port of verrevcmp() and dpkg_version_compare()
// (lib/dpkg/version.c). "~" sorts before everything, even the end; letters
// before non-letters; digit runs compare numerically.

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c >= '0' && c <= '9') return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  const digit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !digit(a[i])) || (j < b.length && !digit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++; j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (digit(a[i]) && digit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++; j++;
    }
    if (digit(a[i])) return 1;
    if (digit(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

export interface DebVersion { epoch: number; upstream: string; revision: string }

/** Lenient, as dpkg is when comparing: epoch before the first ":", revision after the last "-". */
export function splitDeb(text: string): DebVersion {
  const s = text.trim();
  const colon = s.indexOf(':');
  const epoch = colon >= 0 && /^\d+$/.test(s.slice(0, colon)) ? Number(s.slice(0, colon)) : 0;
  const rest = colon >= 0 && /^\d+$/.test(s.slice(0, colon)) ? s.slice(colon + 1) : s;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

/**
 * As dpkg's parseversion(): what it calls an error throws (empty, embedded
 * whitespace, a bad or huge epoch, an empty upstream version); what it only
 * warns about (an upstream version not starting with a digit, characters
 * outside the allowed sets) comes back as warnings, and dpkg compares it all
 * the same.
 */
export function parseDeb(text: string): DebVersion & { warnings: string[] } {
  const s = text.trim();
  const bad = (why: string) => new HeraldError('EINPUT', `"${text}" is not a Debian version: ${why}`);
  if (s === '') throw bad('empty');
  if (/\s/.test(s)) throw bad('embedded whitespace');
  const colon = s.indexOf(':');
  if (colon >= 0) {
    const e = s.slice(0, colon);
    if (!/^\d+$/.test(e)) throw bad(`epoch "${e}" is not a number`);
    if (Number(e) > 2 ** 31 - 1) throw bad('epoch too big');
    if (s.slice(colon + 1) === '') throw bad('nothing after the epoch\'s colon');
  }
  const v = splitDeb(s);
  if (v.upstream === '') throw bad('empty upstream version');
  const warnings: string[] = [];
  if (!/^[0-9]/.test(v.upstream)) warnings.push('upstream version does not start with a digit');
  if (!/^[A-Za-z0-9.+~:-]+$/.test(v.upstream)) warnings.push('invalid character in upstream version');
  if (!/^[A-Za-z0-9.+~]*$/.test(v.revision)) warnings.push('invalid character in revision');
  return { ...v, warnings };
}

export function compareDebParts(a: DebVersion, b: DebVersion): -1 | 0 | 1 {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  const r = verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
  return r < 0 ? -1 : r > 0 ? 1 : 0;
}

export function compareDeb(a: string, b: string): -1 | 0 | 1 {
  return compareDebParts(splitDeb(a), splitDeb(b));
}
