// A child process measured by GNU time: CPU (user + system), peak resident
// memory and wall time, while this process keeps serving the feeds it polls.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Timed { cpu_s: number; peak_mib: number; wall_s: number; code: number | null }

export const TIME = '/usr/bin/time';

export function haveTime(): boolean {
  return existsSync(TIME);
}

export async function timed(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Timed> {
  const dir = mkdtempSync(join(tmpdir(), 'kh-bench-time-'));
  const out = join(dir, 'time');
  try {
    const child = spawn(TIME, ['-f', '%U %S %M %e', '-o', out, cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...opts.env }, cwd: opts.cwd });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const line = readFileSync(out, 'utf8').trim().split('\n').pop() ?? '';
    const [user, sys, kib, wall] = line.split(' ').map(Number);
    if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-400)}`);
    return { cpu_s: user! + sys!, peak_mib: kib! / 1024, wall_s: wall!, code };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs each of several commands `n` times, interleaved (A B A B ...), and keeps every run. */
export async function interleavedRuns(runs: Record<string, () => Promise<Timed>>, n: number): Promise<Record<string, Timed[]>> {
  const got: Record<string, Timed[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (let i = 0; i < n; i++) for (const [k, run] of Object.entries(runs)) got[k]!.push(await run());
  return got;
}

/** The median of each figure of each command's runs. */
export function medians(got: Record<string, Timed[]>): Record<string, { cpu_s: number; peak_mib: number; wall_s: number }> {
  return Object.fromEntries(Object.entries(got).map(([k, ts]) => [k, {
    cpu_s: round(median(ts.map((t) => t.cpu_s))), peak_mib: round(median(ts.map((t) => t.peak_mib))), wall_s: round(median(ts.map((t) => t.wall_s))),
  }]));
}

/** Runs each of several commands `n` times, interleaved, and keeps the median of each figure. */
export async function interleaved(runs: Record<string, () => Promise<Timed>>, n: number): Promise<Record<string, { cpu_s: number; peak_mib: number; wall_s: number }>> {
  return medians(await interleavedRuns(runs, n));
}

/**
 * The median of a's figure over b's, run by run: the runs were interleaved,
 * so each pair ran on the machine as it was at that moment.
 */
export function pairRatio(a: Timed[], b: Timed[], figure: 'cpu_s' | 'wall_s'): number {
  return round(median(a.map((t, i) => t[figure] / b[i]![figure])));
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Whether a command is on PATH. */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
