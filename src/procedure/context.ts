import { buildRef } from '../builds/tracker.js';
import type { HeraldEvent, PersonRef, ReleaseRef } from '../domain.js';
import type { RoleHolders } from '../mail/recipients.js';
import type { AssignmentService } from '../rotation/service.js';
import type { Store } from '../store/index.js';
import type { ReleaseRecord } from '../store/procedures.js';
import { isFinal } from './machine.js';
import type { ProcedureConfig } from './schema.js';

/**
 * Who is who around a release record, and what its mail sees: the roles
 * (release manager, support person, testers, whom a reminder names), the
 * record as events carry it, and the procedure, testers and builds for
 * templates. Reads only.
 */
export class ReleaseContext {
  constructor(private readonly deps: {
    store: Store;
    procedures: Record<string, ProcedureConfig>;
    people: Record<string, { name: string; email: string }>;
    assignments: AssignmentService;
  }) {}

  private config(name: string): ProcedureConfig | undefined {
    return this.deps.procedures[name];
  }

  person(id: string): PersonRef {
    const p = this.deps.people[id];
    return { id, name: p?.name ?? id, email: p?.email ?? '' };
  }

  rotationName(record: ReleaseRecord): string | undefined {
    return this.config(record.procedure)?.phases.assign?.rotation;
  }

  rotationMembers(record: ReleaseRecord): string[] {
    const name = this.rotationName(record);
    return name ? this.deps.assignments.spec(name)?.members ?? [] : [];
  }

  roles(record: ReleaseRecord): { release_manager: PersonRef | null; support_person: PersonRef | null } {
    return this.deps.assignments.roles(record.release_id, this.rotationName(record));
  }

  testers(record: ReleaseRecord): PersonRef[] {
    return (this.config(record.procedure)?.phases.test?.testers ?? []).map((t) => this.person(t));
  }

  /** The record as events carry it. */
  ref(record: ReleaseRecord): ReleaseRef {
    const cfg = this.config(record.procedure);
    return {
      id: record.id, procedure: record.procedure, phase: record.phase, due: record.due_at, approvals: record.approvals,
      approvals_needed: cfg?.phases.test ? cfg.phases.test.approvals : null,
    };
  }

  /** The record an event is about: the one a release.* event names, else the kernel's open one (or latest). */
  recordOf(event: HeraldEvent): ReleaseRecord | undefined {
    const named = (event.payload as { release?: { id?: unknown } }).release?.id;
    if (typeof named === 'number') return this.deps.store.procedures.get(named);
    if (event.release_id === null) return undefined;
    const all = this.deps.store.procedures.forRelease(event.release_id);
    return all.find((r) => !isFinal(r.phase)) ?? all[all.length - 1];
  }

  /** Who holds each role for an event's kernel, for recipients and templates. */
  holders(event: HeraldEvent, record: ReleaseRecord | undefined): RoleHolders {
    const roles = record ? this.roles(record) : this.deps.assignments.roles(event.release_id);
    const rotation = (name: string) => this.deps.assignments.spec(name)?.members.map((m) => this.person(m));
    const payload = event.payload as { escalation?: string };
    let escalation: PersonRef[] = [];
    if (event.type === 'release.overdue' && record) {
      if (payload.escalation === 'rotation') escalation = rotation(this.rotationName(record) ?? '') ?? [];
      else if (payload.escalation === 'support_person') escalation = roles.support_person ? [roles.support_person] : [];
      else escalation = roles.release_manager ? [roles.release_manager] : [];
    }
    return { ...roles, testers: record ? this.testers(record) : [], escalation, rotation };
  }

  /** What templates see of the procedure beside the event: the record, its procedure, testers and builds. */
  templateContext(event: HeraldEvent, record: ReleaseRecord | undefined): Record<string, unknown> {
    const builds = event.release_id === null ? [] : this.deps.store.builds.forSet({ release_id: event.release_id, event_id: event.id }).map((b) => buildRef(b, b.last_error));
    if (!record) return { builds };
    const cfg = this.config(record.procedure);
    return {
      builds,
      release: this.ref(record),
      procedure: {
        name: record.procedure,
        checklist: cfg?.phases.test?.checklist ?? [],
        reuse_on_same_abi: cfg?.reuse_on_same_abi ?? false,
        phases: cfg ? Object.keys(cfg.phases).filter((k) => cfg.phases[k as keyof typeof cfg.phases]) : [],
        publish_repo: cfg?.phases.publish?.repo?.url ?? null,
      },
      testers: this.testers(record),
    };
  }
}
