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

/**
 * "E:V-R", "V-R" or "V", split as rpm's rpmverParse() does, which refuses
 * nothing: the epoch is the digits before a ":" (an empty one is 0; "a:1" has
 * no epoch, "a:1" is the version), the release is after the last "-".
 */
export function parseEvr(text: string): Evr {
  const s = text.trim();
  let k = 0;
  while (k < s.length && isDigit(s[k])) k++;
  let epoch = 0;
  let rest = s;
  if (s[k] === ':') {
    epoch = k === 0 ? 0 : Number(s.slice(0, k));
    rest = s.slice(k + 1);
  }
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest, release: '' };
}

/**
 * What rpm compares without complaint but an operator may not mean: anything
 * but letters, digits and . _ + ~ ^ - : is a separator to rpm (so "1.1.α"
 * equals "1.1.β"), and an empty version or embedded whitespace is surely a
 * mistake. Warnings, not errors: the answer is rpm's.
 */
export function evrWarnings(text: string): string[] {
  const s = text.trim();
  const out: string[] = [];
  if (s === '') out.push('empty: rpm compares it as older than anything');
  if (/\s/.test(s)) out.push('embedded whitespace: rpm treats it as a separator');
  const odd = [...new Set([...s.replace(/\s/g, '')].filter((c) => !/[A-Za-z0-9._+~^:-]/.test(c)))];
  if (odd.length) out.push(`characters ${odd.map((c) => JSON.stringify(c)).join(' ')} are separators to rpm: versions differing only there compare equal`);
  if (s !== '' && parseEvr(s).version === '') out.push('empty version before the release');
  return out;
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
