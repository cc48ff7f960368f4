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
 * leave it. Unset in production, it costs one comparison.
 */
export function crashPoint(name: string): void {
  if (process.env.KERNEL_HERALD_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
