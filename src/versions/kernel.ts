import { HeraldError } from '../errors.js';

// kernel.org versions: 6.6.8, 6.7, 6.7-rc3. A release candidate comes before
// its release; a missing sublevel is 0 (6.7 = 6.7.0).
const PATTERN = /^(\d+)\.(\d+)(?:\.(\d+))?(?:-rc(\d+))?$/;

export interface KernelVersion { major: number; minor: number; sublevel: number; rc: number | null }

export function parseKernel(text: string): KernelVersion {
  const m = PATTERN.exec(text.trim());
  if (!m) throw new HeraldError('EINPUT', `"${text}" is not a kernel.org version (e.g. 6.6.8, 6.7, 6.7-rc3)`);
  return { major: Number(m[1]), minor: Number(m[2]), sublevel: Number(m[3] ?? 0), rc: m[4] === undefined ? null : Number(m[4]) };
}

export function compareKernel(a: string, b: string): -1 | 0 | 1 {
  const x = parseKernel(a);
  const y = parseKernel(b);
  const d = x.major - y.major || x.minor - y.minor || x.sublevel - y.sublevel
    || (x.rc ?? Infinity) - (y.rc ?? Infinity);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

export function kernelSeries(text: string): string {
  const v = parseKernel(text);
  return `${v.major}.${v.minor}`;
}
