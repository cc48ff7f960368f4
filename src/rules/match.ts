import picomatch from 'picomatch';
import type { HeraldEvent } from '../domain.js';

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
  return getPath(payload[subject], key);
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

/** One condition: a list means any of; an array-valued field matches if any element does. */
export function conditionMatches(value: unknown, cond: ConditionValue | ConditionValue[]): boolean {
  const alternatives = Array.isArray(cond) ? cond : [cond];
  const values = Array.isArray(value) ? value : [value];
  return alternatives.some((c) => values.some((v) => scalarMatches(v, c)));
}

export function ruleMatches(rule: { on: string; when: Conditions }, event: Pick<HeraldEvent, 'type' | 'payload'>): boolean {
  if (rule.on !== event.type) return false;
  return Object.entries(rule.when).every(([key, cond]) => conditionMatches(fieldOf(event, key), cond));
}
