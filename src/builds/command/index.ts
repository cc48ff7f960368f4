import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from '../../zod.js';
import { duration } from '../../fields.js';
import { formatDuration } from '../../duration.js';
import { renderRecord } from '../plan.js';
import type { Progress, Trigger } from '../types.js';

export const commandSchema = z.strictObject({
  type: z.literal('command'),
  /** Program and arguments; no shell. Each element is a template. */
  argv: z.array(z.string().min(1)).min(1),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'), z.union([z.string(), z.number(), z.boolean()])).default({}),
  cwd: z.string().optional(),
  /** The command is killed (TERM, then KILL) after this long. */
  command_timeout: duration.prefault('4h'),
});

interface Running { child: ChildProcess; result?: Progress; timer?: NodeJS.Timeout }

// Children of this process, by build and attempt. Not in the database: a
// restarted daemon has lost them (systemd stops the whole cgroup), and the
// tracker runs the build again.
const running = new Map<string, Running>();
const keyOf = (logDir: string, id: number, attempt: number) => `${logDir}\u0000${id}:${attempt}`;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch { /* already gone */ }
}

/** What the command produced: one URL or path a line in $KH_ARTIFACTS_FILE, if it wrote one. */
function readArtifacts(file: string): string[] {
  if (!existsSync(file)) return [];
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).slice(0, 200);
  } catch {
    return [];
  }
}

export const command: Trigger<typeof commandSchema> = {
  type: 'command',
  schema: commandSchema,

  render(cfg, render) {
    return { argv: cfg.argv.map((a, i) => render(a, `argv[${i}]`)), env: renderRecord(cfg.env, render, 'env') };
  },

  async dispatch(cfg, b, ctx) {
    const req = b.request as { argv: string[]; env: Record<string, string> };
    mkdirSync(ctx.logDir, { recursive: true });
    const logFile = join(ctx.logDir, `build-${b.id}-attempt-${b.attempt}.log`);
    const artifactsFile = join(ctx.logDir, `build-${b.id}-attempt-${b.attempt}.artifacts`);
    const fd = openSync(logFile, 'a');
    const entry: Running = {} as Running;
    try {
      entry.child = spawn(req.argv[0]!, req.argv.slice(1), {
        cwd: cfg.cwd, stdio: ['ignore', fd, fd], detached: true,
        env: { ...process.env, ...req.env, KH_BUILD_ID: String(b.id), KH_ATTEMPT: String(b.attempt), KH_CORRELATION: b.correlation, KH_TARGET: b.target, KH_ARTIFACTS_FILE: artifactsFile },
      });
    } finally {
      closeSync(fd);
    }
    running.set(keyOf(ctx.logDir, b.id, b.attempt), entry);
    const done = (result: Progress) => {
      if (entry.result) return;
      entry.result = result;
      if (entry.timer) clearTimeout(entry.timer);
      ctx.wake(b.id);
    };
    entry.child.on('error', (err) => done({ state: 'failed', detail: `cannot run ${req.argv[0]}: ${(err as NodeJS.ErrnoException).code ?? err.message}` }));
    entry.child.on('exit', (code, signal) => {
      if (entry.result) return;
      const artifacts = readArtifacts(artifactsFile);
      done(code === 0 ? { state: 'succeeded', detail: 'exit status 0', url: logFile, artifacts }
        : { state: 'failed', detail: signal ? `killed by ${signal}` : `exit status ${code}`, url: logFile, artifacts });
    });
    entry.timer = setTimeout(() => {
      ctx.log.warn('build command timed out: terminating', { build: b.id, timeout: formatDuration(cfg.command_timeout) });
      done({ state: 'failed', detail: `timed out after ${formatDuration(cfg.command_timeout)}`, url: logFile });
      killGroup(entry.child, 'SIGTERM');
      setTimeout(() => killGroup(entry.child, 'SIGKILL'), 5_000).unref();
    }, cfg.command_timeout);
    entry.timer.unref();
    return { external_id: entry.child.pid ? String(entry.child.pid) : undefined, url: logFile, tracking: { log: logFile } };
  },

  async poll(_cfg, b, ctx) {
    const entry = running.get(keyOf(ctx.logDir, b.id, b.attempt));
    if (!entry) return { state: 'lost', detail: 'the command was not running in this daemon (restarted?)' };
    if (!entry.result) return { state: 'running' };
    running.delete(keyOf(ctx.logDir, b.id, b.attempt));
    return entry.result;
  },

  async cancel(_cfg, b, ctx) {
    const key = keyOf(ctx.logDir, b.id, b.attempt);
    const entry = running.get(key);
    running.delete(key);
    if (!entry || entry.result) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.result = { state: 'failed', detail: 'cancelled' };
    killGroup(entry.child, 'SIGTERM');
    setTimeout(() => killGroup(entry.child, 'SIGKILL'), 5_000).unref();
  },

  shutdown(logDir) {
    for (const [key, entry] of running) {
      if (!key.startsWith(`${logDir}\u0000`)) continue;
      if (entry.timer) clearTimeout(entry.timer);
      if (!entry.result) killGroup(entry.child, 'SIGTERM');
      running.delete(key);
    }
  },
};
