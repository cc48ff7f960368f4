import { HeraldError } from '../errors.js';

// rpm's version order: a port of rpmvercmp() (rpmio/rpmvercmp.c) and of the
// EVR comparison around it. Segments are maximal runs of digits or of
// letters; everything else separates. "~" sorts before anything, even the end;
// "^" sorts after the end but before anything else.

const isAlnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);

export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;

    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++; j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++; j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;

    const numeric = isDigit(a[i]);
    const inSeg = numeric ? isDigit : isAlpha;
    const si = i;
    const sj = j;
    while (i < a.length && inSeg(a[i])) i++;
    while (j < b.length && inSeg(b[j])) j++;
    let sa = a.slice(si, i);
    let sb = b.slice(sj, j);
    // Different segment types: the numeric one is newer.
    if (sb === '') return numeric ? 1 : -1;
    if (numeric) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
  }
  if (i >= a.length && j >= b.length) return 0;
  // Whichever has characters left wins; a leftover that is only separators does not count as more.
  return i < a.length ? 1 : -1;
}

export interface Evr { epoch: number; version: string; release: string }

const EVR_CHARS = /^[A-Za-z0-9._+~^-]+$/;

/** "E:V-R", "V-R" or "V": the release is after the last hyphen. */
export function parseEvr(text: string): Evr {
  const s = text.trim();
  const colon = s.indexOf(':');
  let epoch = 0;
  let rest = s;
  if (colon >= 0) {
    const e = s.slice(0, colon);
    if (!/^\d+$/.test(e)) throw new HeraldError('EINPUT', `"${text}" is not an rpm version: epoch "${e}" is not a number`);
    epoch = Number(e);
    rest = s.slice(colon + 1);
  }
  if (rest === '' || !EVR_CHARS.test(rest)) throw new HeraldError('EINPUT', `"${text}" is not an rpm version${rest === '' ? ': empty' : ': unexpected characters'}`);
  const dash = rest.lastIndexOf('-');
  const version = dash >= 0 ? rest.slice(0, dash) : rest;
  const release = dash >= 0 ? rest.slice(dash + 1) : '';
  if (version === '') throw new HeraldError('EINPUT', `"${text}" is not an rpm version: empty version before the release`);
  return { epoch, version, release };
}

export function compareEvr(a: Evr, b: Evr): -1 | 0 | 1 {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  const v = rpmvercmp(a.version, b.version);
  if (v !== 0) return v;
  // rpm compares releases only when both have one.
  if (a.release === '' || b.release === '') return 0;
  return rpmvercmp(a.release, b.release);
}

export function compareRpm(a: string, b: string): -1 | 0 | 1 {
  return compareEvr(parseEvr(a), parseEvr(b));
}
