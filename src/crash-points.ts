/**
 * Fault injection for the crash-safety tests: with KERNEL_HERALD_CRASH_AT=NAME
 * the process dies by SIGKILL at that point, exactly as a power cut would
 * leave it. Unset in production, it costs one comparison.
 */
export function crashPoint(name: string): void {
  if (process.env.KERNEL_HERALD_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
