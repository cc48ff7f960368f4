import Handlebars from 'handlebars';
import type { BuildRow } from '../store/builds.js';

// Pure parts of a build: its matrix, its rendered request, when a set is done.

export type Matrix = Record<string, (string | number)[]>;

/** Every combination, in key order then value order; no matrix is one empty combination. */
export function expandMatrix(matrix: Matrix | undefined): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}];
  for (const [key, values] of Object.entries(matrix ?? {})) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: String(v) })));
  }
  return combos;
}

export function comboKey(combo: Record<string, string>): string {
  return Object.entries(combo).map(([k, v]) => `${k}=${v}`).join(',');
}

const hb = Handlebars.create();

/**
 * Renders one templated value. Strict: a name that is not in the event
 * ({{kernel.verison}}) is an error, not an empty input dispatched to a CI.
 */
export function renderValue(template: string, context: Record<string, unknown>, key: string): string {
  try {
    return hb.compile(template, { noEscape: true, strict: true })(context);
  } catch (err) {
    const why = ((err as Error).message.split('\n')[0] ?? '').replace(/ in \[object Object\]/, '').replace(/ - (\d+:\d+)$/, ' (at $1)');
    throw new Error(`${key}: "${template}": ${why}`);
  }
}

export function renderRecord(values: Record<string, string | number | boolean>, render: (t: string, key: string) => string, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, render(String(v), `${prefix}.${k}`)]));
}

export interface Completion { done: boolean; ok: boolean }

/**
 * The all-or-nothing set: done when every build of it has ended, ok when
 * every one succeeded. An empty set is not done (nothing was started).
 */
export function completion(builds: Pick<BuildRow, 'state'>[]): Completion {
  const done = builds.length > 0 && builds.every((b) => b.state === 'succeeded' || b.state === 'failed' || b.state === 'cancelled');
  return { done, ok: done && builds.every((b) => b.state === 'succeeded') };
}

/** Exponential backoff for failed dispatches. */
export function retryDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
