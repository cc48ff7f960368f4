// What each command is for, in one line: read by the top-level help without
// loading any command's implementation (a command loads only when it runs).

export const SUMMARY = {
  run: 'run the daemon (SIGTERM/SIGINT: drain and stop; SIGHUP: reload the config)',
  'check-config': 'validate the config, its templates and rules; print a summary',
  parse: 'detect the format (email, RSS, Atom, JSON, text) and source of each file and print its Announcement JSON',
  poll: 'run one poll cycle of every (or the named) watcher, process it fully, deliver the outbox, exit',
  status: 'kernels seen, outbox and watchers; with KERNEL (id or version), that kernel\'s timeline',
  outbox: 'the email queue',
  vercmp: 'compare two versions: print -1, 0 or 1 (A older, equal, newer than B)',
  replay: 'push saved announcements (mbox, .eml, feed files) through the pipeline; --dry-run prints what would follow',
  rotation: 'who is on duty, and the next hand-offs (overrides and leave included)',
  claim: 'take an assignment as release manager (the twin of replying "claim")',
  ack: 'accept an assignment you were asked to take (the twin of replying "ack")',
  decline: 'decline an assignment you were asked to take; the next person is asked (the twin of replying "decline")',
  tested: 'report a kernel\'s build good after testing it (the twin of replying "tested")',
  'test-failed': 'report a kernel\'s build bad after testing it; approvals start over (the twin of replying "failed")',
  published: 'the packages are in the repository: the kernel is announced (the twin of replying "published")',
  abandon: 'stop the procedure for a kernel; its builds are cancelled (the twin of replying "abandon")',
  build: 'builds: list them, retry failed ones',
} as const;

export type CommandName = keyof typeof SUMMARY;
