import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HeraldError } from './errors.js';

/**
 * One process at a time may act on a state directory: two daemons on one
 * state would each deliver the outbox, and every mail would go out twice.
 *
 * The lock is flock(2) on `STATE_DIR/kernel-herald.lock`, taken by util-linux
 * flock(1) on a descriptor this process opened and keeps: a flock belongs to
 * the open file description, so it stays held after flock(1) exits and the
 * kernel drops it when this process dies, however it dies. No stale lock is
 * ever left for an operator to remove. The file's text names the holder.
 */
export class StateLock {
  private constructor(private fd: number | undefined, readonly path: string) {}

  static file(stateDir: string): string {
    return join(stateDir, 'kernel-herald.lock');
  }

  /** Takes the lock or throws ELOCKED naming the holder. `what` is written for the next one to read ("run", "poll"). */
  static acquire(stateDir: string, what: string): StateLock {
    const path = StateLock.file(stateDir);
    try {
      mkdirSync(stateDir, { recursive: true });
    } catch (err) {
      throw new HeraldError('ECONFIG', `state_dir: cannot create ${stateDir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    let fd: number;
    try {
      // Appending, not truncating: the holder's note must survive our failed attempt.
      fd = openSync(path, 'a+', 0o644);
    } catch (err) {
      throw new HeraldError('ERUNTIME', `cannot open the lock file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const r = spawnSync('flock', ['--nonblock', '--exclusive', '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
    if (r.error || (r.status !== 0 && r.status !== 1)) {
      closeSync(fd);
      const why = r.error ? (r.error as NodeJS.ErrnoException).code ?? r.error.message : `exit ${r.status}: ${String(r.stderr).trim()}`;
      throw new HeraldError('ERUNTIME', `cannot lock ${path} with flock(1) (util-linux): ${why}`);
    }
    if (r.status === 1) {
      const holder = readFileSync(path, 'utf8').trim();
      closeSync(fd);
      throw new HeraldError('ELOCKED', `${stateDir} is in use by another kernel-herald (${holder || 'holder unknown'}); one process per state_dir`, { path });
    }
    ftruncateSync(fd, 0);
    writeSync(fd, `pid ${process.pid} (${what}) since ${new Date().toISOString()}\n`);
    return new StateLock(fd, path);
  }

  /** Closing the descriptor releases the lock. The file stays: removing it would race the next holder. */
  release(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
