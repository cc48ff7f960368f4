/**
 * The points, in the order a kernel passes them: inside a rule run
 * (`rule-run-recorded`, `rule-action-done`, `rules-before-processed`), after
 * the rules (`after-rules`), around a send (`before-send`, `smtp-accepted`:
 * the server said yes, the row does not say sent yet), between a dispatch and
 * its record (`build-dispatched`), between an IMAP message's records and its
 * cursor (`imap-before-cursor`).
 *
 * Fault injection for the crash-safety tests: with KERNEL_HERALD_CRASH_AT=NAME
 * the process dies by SIGKILL at that point, exactly as a power cut would
 * leave it; NAME#N dies the Nth time the point is passed (mid-batch crashes).
 * Unset in production, it costs one comparison.
 */
const passes = new Map<string, number>();

export function crashPoint(name: string): void {
  const at = process.env.KERNEL_HERALD_CRASH_AT;
  if (!at || !at.startsWith(name)) return;
  if (at === name) process.kill(process.pid, 'SIGKILL');
  const n = (passes.get(name) ?? 0) + 1;
  passes.set(name, n);
  if (at === `${name}#${n}`) process.kill(process.pid, 'SIGKILL');
}
