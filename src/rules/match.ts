import picomatch from 'picomatch';
import type { HeraldEvent } from '../domain.js';
import { compareVersions, schemeFor, type Scheme } from '../versions/index.js';

export type ConditionValue = string | number | boolean;
export type Conditions = Record<string, ConditionValue | ConditionValue[]>;

const GLOB = /[*?[\]{}]/;
const matchers = new Map<string, (s: string) => boolean>();

function globMatcher(pattern: string): (s: string) => boolean {
  let m = matchers.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true, nobrace: false });
    matchers.set(pattern, m);
  }
  return m;
}

/**
 * A field of an event: a dotted path into the payload, and for the subject of
 * the event (kernel, driver) its own fields without prefix, so a rule can say
 * `distro: centos` rather than `kernel.distro: centos`.
 */
export function fieldOf(event: Pick<HeraldEvent, 'type' | 'payload'>, key: string): unknown {
  const payload = event.payload as unknown as Record<string, unknown>;
  const direct = getPath(payload, key);
  if (direct !== undefined) return direct;
  const subject = event.type.split('.')[0]!;
  const own = getPath(payload[subject], key);
  if (own !== undefined) return own;
  // Follow-up events (assignment.*, build.*) are about a kernel or driver too.
  return getPath(payload.kernel ?? payload.driver, key);
}

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function scalarMatches(value: unknown, cond: ConditionValue): boolean {
  if (value === undefined || value === null) return false;
  if (typeof cond === 'boolean') return value === cond || String(value) === String(cond);
  const text = String(value);
  const want = String(cond);
  if (typeof cond === 'string' && GLOB.test(cond)) return globMatcher(want)(text);
  return text === want;
}

const COMPARISON = /^\s*(>=|<=|==|=|>|<)\s*(\S+)\s*$/;

/** ">= 5.15.0-91" -> { op, operand }; anything else is not a comparison. */
export function parseComparison(cond: ConditionValue): { op: string; operand: string } | undefined {
  if (typeof cond !== 'string') return undefined;
  const m = COMPARISON.exec(cond);
  return m ? { op: m[1] === '==' ? '=' : m[1]!, operand: m[2]! } : undefined;
}

function comparisonHolds(value: unknown, c: { op: string; operand: string }, scheme: Scheme | undefined): boolean {
  if (typeof value !== 'string' || !scheme) return false;
  let r: number;
  try {
    r = compareVersions(scheme, value, c.operand);
  } catch {
    return false;
  }
  switch (c.op) {
    case '>=': return r >= 0;
    case '<=': return r <= 0;
    case '>': return r > 0;
    case '<': return r < 0;
    default: return r === 0;
  }
}

/**
 * One condition. A list means any of, except a list of version comparisons,
 * which is a range: every one must hold (`[">= 5.15.0-91", "< 5.15.0-100"]`).
 * Comparisons use the version scheme of the event's distro. An array-valued
 * field matches if any element does.
 */
export function conditionMatches(value: unknown, cond: ConditionValue | ConditionValue[], scheme?: Scheme): boolean {
  const list = Array.isArray(cond) ? cond : [cond];
  const comparisons = list.map(parseComparison);
  if (comparisons.every((c) => c !== undefined)) return comparisons.every((c) => comparisonHolds(value, c!, scheme));
  const values = Array.isArray(value) ? value : [value];
  return list.some((c, i) => (comparisons[i] ? comparisonHolds(value, comparisons[i]!, scheme) : values.some((v) => scalarMatches(v, c))));
}

export function ruleMatches(rule: { on: string; when: Conditions }, event: Pick<HeraldEvent, 'type' | 'payload'>): boolean {
  if (rule.on !== event.type) return false;
  const distro = fieldOf(event, 'distro');
  const scheme = typeof distro === 'string' ? schemeFor(distro) : undefined;
  return Object.entries(rule.when).every(([key, cond]) => conditionMatches(fieldOf(event, key), cond, scheme));
}
