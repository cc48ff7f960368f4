import type { Command } from 'commander';
import { SUMMARY } from './commands.js';
import { HeraldError } from '../errors.js';
import type { Store } from '../store/index.js';
import { openStore } from './common.js';
import { printJson, table } from './format.js';
import { buildLine } from './build.js';
import { databasePath, retentionDirs } from '../daemon.js';
import { stateSizes } from '../store/retention.js';
import { inProgress, kernelTimeline } from '../status/views.js';

export function register(program: Command): void {
  program.command('status')
    .description(SUMMARY.status)
    .argument('[kernel]', 'release id, version or package')
    .option('--config <file>', 'config file')
    .option('--all', 'include releases recorded silently at a baseline')
    .option('--json', 'print JSON')
    .action((kernel: string | undefined, opts: { config?: string; all?: boolean; json?: boolean }) => {
      const { loaded, store } = openStore(opts.config);
      try {
        if (kernel) {
          const found = store.releases.find(kernel);
          if (found.length === 0) throw new HeraldError('EUSAGE', `no kernel or driver "${kernel}" recorded`);
          const timelines = found.map((r) => kernelTimeline(store, r.id));
          if (opts.json) { printJson(timelines.length === 1 ? timelines[0] : timelines); return; }
          for (const t of timelines) {
            const r = t.release;
            const lines = [`#${r.id} ${r.kind} ${r.distro} ${r.distro_release} ${r.package} ${r.version}${r.flavour ? ` (${r.flavour})` : ''}${r.baseline ? ' [baseline]' : ''}`];
            if (t.release_manager) lines.push(`  release manager: ${t.release_manager}`);
            for (const p of t.procedures) {
              lines.push(`  procedure ${p.procedure} (record #${p.id}): ${p.phase} since ${p.phase_at}${p.due_at ? `, due ${p.due_at}` : ''}${p.reminders ? `, ${p.reminders} reminder${p.reminders === 1 ? '' : 's'}` : ''}${p.approvals.length ? `, approved by ${p.approvals.join(', ')}` : ''}`);
              for (const l of p.timeline) lines.push(`    ${l.at}  ${l.step}${l.person ? ` ${l.person}` : ''} via ${l.via}${l.detail ? `: ${l.detail}` : ''}`);
            }
            for (const a of t.announcements) lines.push(`  ${a.received_at}  announced by ${a.watcher}${a.id === r.first_announcement_id ? ' (first)' : ''}: ${a.title}`);
            for (const e of t.events) {
              lines.push(`  ${e.created_at}  event ${e.type} #${e.id}${e.processed_at ? '' : ' (rules pending)'}`);
              for (const rr of e.rule_runs) lines.push(`  ${rr.ran_at}  rule ${rr.rule_id}: ${rr.outcome}${rr.error ? ` (${rr.error})` : ''}`);
            }
            for (const a of t.assignments) {
              const now = a.state === 'accepted' ? `release manager ${a.person}` : a.state === 'asking' ? `asking ${a.person} until ${a.deadline}` : a.state === 'claiming' ? `waiting for a claim until ${a.deadline}` : 'nobody took it';
              lines.push(`  assignment #${a.id} (${a.rotation}, ${a.mode}): ${now}`);
              for (const l of a.log) lines.push(`    ${l.at}  ${l.step}${l.person ? ` ${l.person}` : ''} via ${l.via}${l.detail ? `: ${l.detail}` : ''}`);
            }
            for (const b of t.builds) lines.push(`  ${buildLine(b)}`);
            for (const m of t.mail) lines.push(`  ${m.sent_at ?? m.next_attempt_at}  mail #${m.id} ${m.status}: ${m.subject} -> ${m.recipients.join(', ')}${m.last_error ? ` (${m.last_error})` : ''}`);
            process.stdout.write(`${lines.join('\n')}\n`);
          }
          return;
        }
        const releases = store.releases.list({ includeBaseline: !!opts.all, limit: 100 });
        const assignments = store.assignments.list({ open: true }).map(({ token: _t, subject: _s, params: _p, ...a }) => a);
        const builds = store.builds.list({ open: true }).map(({ request: _r, subject: _s, tracking: _t, ...b }) => b);
        const procedures = inProgress(store, Date.now());
        const summary = { procedures, releases, assignments, builds, outbox: store.outbox.counts(), events: store.events.countByType(), watchers: store.watchers.all(),
          sizes: stateSizes(store, databasePath(loaded.config), retentionDirs(loaded.config)) };
        if (opts.json) { printJson(summary); return; }
        if (procedures.length) {
          process.stdout.write(`releases in progress:\n${table(['RECORD', 'KERNEL', 'DISTRO', 'PROCEDURE', 'PHASE', 'RELEASE MANAGER', 'BUILDS', 'AGE', 'NEXT DEADLINE'],
            procedures.map((p) => [`#${p.record}`, p.kernel, `${p.distro} ${p.distro_release}`, p.procedure, p.phase, p.release_manager ?? '-',
              p.builds.total ? `${p.builds.succeeded}/${p.builds.total} ok${p.builds.failed ? `, ${p.builds.failed} failed` : ''}` : '-', p.age, p.due ?? '-']))}\n\n`);
        }
        process.stdout.write(`${table(['ID', 'KIND', 'DISTRO', 'RELEASE', 'PACKAGE', 'VERSION', 'FIRST SEEN'], releases.map((r) => [r.id, r.kind, r.distro, r.distro_release, r.package, r.version, r.first_seen_at]))}\n\n`);
        if (assignments.length) process.stdout.write(`open assignments:\n${table(['ID', 'ROTATION', 'MODE', 'STATE', 'PERSON', 'DEADLINE', 'RELEASE'], assignments.map((a) => [a.id, a.rotation, a.mode, a.state, a.person, a.deadline, a.release_id]))}\n\n`);
        if (builds.length) process.stdout.write(`builds under way:\n${table(['ID', 'RELEASE', 'TARGET', 'MATRIX', 'STATE', 'ATTEMPT', 'URL'], builds.map((b) => [b.id, b.release_id, b.target, b.combo_key, b.state, b.attempt, b.url]))}\n\n`);
        process.stdout.write(`outbox: ${summary.outbox.pending} pending, ${summary.outbox.sent} sent, ${summary.outbox.failed} failed\n\n`);
        process.stdout.write(`${table(['WATCHER', 'BASELINE', 'FAILURES', 'LAST SUCCESS', 'LAST ERROR'], summary.watchers.map((w) => [w.watcher, w.baseline_done ? 'done' : 'pending', w.failures, w.last_success_at, w.last_error]))}\n\n`);
        const z = summary.sizes;
        const mib = (n: number) => `${(n / 1_048_576).toFixed(1)} MiB`;
        process.stdout.write(`state: database ${mib(z.database_bytes!)} (raw announcements ${mib(z.raw_announcement_bytes!)}, mail bodies ${mib(z.mail_body_bytes!)}), mail files ${mib(z.mail_file_bytes!)}, build logs ${mib(z.build_log_bytes!)}\n`);
      } finally {
        store.close();
      }
    });
}
