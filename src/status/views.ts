import { formatDuration } from '../duration.js';
import type { Store } from '../store/index.js';

// What `status` prints and the status page shows, gathered once from the
// store. Tokens, request bodies and secrets are left out here, so neither
// reader can show them.

/** Everything recorded about one kernel, for `status KERNEL` and its page. */
export function kernelTimeline(store: Store, id: number) {
  const release = store.releases.get(id)!;
  const announcements = store.announcements.forRelease(id);
  const events = store.events.forRelease(id).map((e) => ({ id: e.id, type: e.type, created_at: e.created_at, processed_at: e.processed_at, rule_runs: store.ruleRuns.forEvent(e.id) }));
  const mail = store.outbox.list({ releaseId: id }).reverse().map(({ body: _b, ...m }) => m);
  const assignments = store.assignments.forRelease(id).map(({ token: _t, subject: _s, params: _p, ...a }) => ({ ...a, log: store.assignments.logFor(a.id).map(({ assignment_id: _a, ...l }) => l) }));
  const releaseManager = store.assignments.releaseManager(id) ?? null;
  const builds = store.builds.forRelease(id).map(({ request: _r, subject: _s, tracking: _t, ...b }) => b);
  const procedures = store.procedures.forRelease(id).map((r) => ({ ...r, timeline: store.procedures.timeline(r.id).map(({ record_id: _r, ...l }) => l) }));
  return { release, release_manager: releaseManager, procedures, assignments, builds, announcements, events, mail };
}

/** Each release not yet announced (or abandoned, or superseded): where it stands. */
export function inProgress(store: Store, now: number) {
  return store.procedures.open().map((r) => {
    const rel = store.releases.get(r.release_id)!;
    const builds = store.builds.forRelease(r.release_id);
    const ok = builds.filter((b) => b.state === 'succeeded').length;
    const failed = builds.filter((b) => b.state === 'failed').length;
    return {
      record: r.id, release: r.release_id, kernel: rel.version, distro: rel.distro, distro_release: rel.distro_release, package: rel.package,
      procedure: r.procedure, phase: r.phase, release_manager: store.assignments.releaseManager(r.release_id) ?? null,
      builds: { total: builds.length, succeeded: ok, failed, running: builds.length - ok - failed - builds.filter((b) => b.state === 'cancelled').length },
      approvals: r.approvals, since: r.phase_at, age: formatDuration(Math.max(0, now - Date.parse(r.created_at))), due: r.due_at, reminders: r.reminders,
    };
  });
}
