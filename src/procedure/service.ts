import { inputContext, type BuildTracker } from '../builds/tracker.js';
import { packagePresent, type GateRequest } from '../builds/gate.js';
import { renderValue } from '../builds/plan.js';
import type { RoleHolders } from '../mail/recipients.js';
import { ReleaseContext } from './context.js';
import type { Clock } from '../clock.js';
import type { DriverReleasedPayload, HeraldEvent, KernelReleasedPayload, PersonRef, ReleaseRef } from '../domain.js';
import { HeraldError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { TemplateSet } from '../mail/templates.js';
import { mailbox } from '../mail/address.js';
import { renderContext } from '../mail/context.js';
import { issueToken, tokenTag, type StepWord } from '../rotation/reply.js';
import { createHash } from 'node:crypto';
import { MAX_REFUSAL_NOTICES } from '../rotation/service.js';
import type { AssignmentService } from '../rotation/service.js';
import type { Store } from '../store/index.js';
import type { Phase, ReleaseRecord } from '../store/procedures.js';
import { compareVersions, schemeFor } from '../versions/index.js';
import { deadlinePhase, isFinal, reminder, step, type Emit, type Input, type MachineSpec } from './machine.js';
import type { ProcedureConfig } from './schema.js';

export interface ProcedureDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  procedures: Record<string, ProcedureConfig>;
  people: Record<string, { name: string; email: string }>;
  assignments: AssignmentService;
  builds: BuildTracker;
  templates: TemplateSet;
  mail: { from: string; domain: string };
}

/** A manual step, by the CLI or a reply. `failed` is a tester's "it does not work". */
export type StepVerb = StepWord;
export const STEP_VERBS: readonly StepVerb[] = ['tested', 'failed', 'published', 'abandon'];

export type Via = 'email' | 'cli' | 'timer' | 'rule' | 'repo';

export interface StepResult { ok: boolean; record: ReleaseRecord; message: string }

export const procedureRuleId = (name: string) => `procedure:${name}`;

export function machineSpec(p: ProcedureConfig): MachineSpec {
  return { assign: !!p.phases.assign, build: !!p.phases.build, test: p.phases.test ? { approvals: p.phases.test.approvals } : undefined, publish: !!p.phases.publish };
}

/**
 * Release records over the phase machine: each change of phase is written
 * with its log line, its events and the work it starts (an assignment,
 * builds) or stops (builds), in the caller's transaction.
 */
export class ProcedureService {
  private readonly context: ReleaseContext;

  constructor(private readonly deps: ProcedureDeps) {
    this.context = new ReleaseContext(deps);
  }

  private get store(): Store { return this.deps.store; }
  private now(): number { return this.deps.clock.now().getTime(); }
  private iso(plusMs = 0): string { return new Date(this.now() + plusMs).toISOString(); }

  config(name: string): ProcedureConfig | undefined {
    return this.deps.procedures[name];
  }

  // -- start (the procedure action, inside the rule run's transaction) -----------

  start(origin: HeraldEvent, ruleId: string, name: string): { record: ReleaseRecord; created: boolean } {
    const cfg = this.config(name);
    if (!cfg) throw new HeraldError('ECONFIG', `procedure: no procedure "${name}" in procedures:`);
    if ((origin.type !== 'kernel.released' && origin.type !== 'driver.released') || origin.release_id === null) {
      throw new HeraldError('ECONFIG', `procedure ${name}: starts on kernel.released or driver.released only (rule ${ruleId} is on ${origin.type})`);
    }
    // A driver (a new MLNX_OFED or NVIDIA release) goes through a procedure as a kernel does: its vendor orders its versions.
    const kernel = origin.type === 'kernel.released' ? (origin.payload as KernelReleasedPayload).kernel
      : { distro: (origin.payload as DriverReleasedPayload).driver.vendor, version: (origin.payload as DriverReleasedPayload).driver.version };
    const stream = this.store.releases.get(origin.release_id)?.stream ?? null;
    const inserted = this.store.procedures.insert({ release_id: origin.release_id, procedure: name, event_id: origin.id, rule_id: ruleId, stream }, this.iso());
    if (!inserted) return { record: this.store.procedures.forRelease(origin.release_id).find((r) => r.procedure === name)!, created: false };
    let record = inserted;
    this.note(record, 'started', null, 'rule', `rule ${ruleId}`);
    if (cfg.supersede && stream !== null) {
      const newer = this.newerInStream(record, kernel.distro, kernel.version);
      if (newer) {
        // A late announcement of a kernel already overtaken: it never starts.
        return { record: this.apply(record, { kind: 'superseded', by: newer.id }, null, 'rule').record, created: true };
      }
    }
    record = this.apply(record, { kind: 'start' }, null, 'rule').record;
    if (cfg.supersede && stream !== null) {
      for (const older of this.store.procedures.openInStream(name, stream)) {
        if (older.id !== record.id && this.versionOf(older) !== undefined && this.compare(kernel.distro, this.versionOf(older)!, kernel.version) < 0) {
          this.apply(older, { kind: 'superseded', by: record.id }, null, 'rule');
        }
      }
    }
    return { record: this.store.procedures.get(record.id)!, created: true };
  }

  private versionOf(r: ReleaseRecord): string | undefined {
    return this.store.releases.get(r.release_id)?.version;
  }

  private compare(distro: string, a: string, b: string): number {
    const scheme = schemeFor(distro);
    if (!scheme) return 0;
    try {
      return compareVersions(scheme, a, b);
    } catch {
      return 0;
    }
  }

  private newerInStream(record: ReleaseRecord, distro: string, version: string): ReleaseRecord | undefined {
    return this.store.procedures.inStream(record.procedure, record.stream!)
      .filter((r) => r.id !== record.id && r.phase !== 'abandoned' && r.phase !== 'superseded')
      .find((r) => { const v = this.versionOf(r); return v !== undefined && this.compare(distro, v, version) > 0; });
  }

  // -- what other parts of the procedure report (inside the event's transaction) --

  /** Phase changes an event causes: a release manager found, a kernel's builds ended. */
  observe(event: HeraldEvent): void {
    if (event.release_id === null) return;
    if (event.type !== 'assignment.accepted' && event.type !== 'builds.completed') return;
    for (const record of this.store.procedures.forRelease(event.release_id)) {
      if (isFinal(record.phase)) continue;
      if (event.type === 'assignment.accepted') {
        const p = event.payload as HeraldEvent<'assignment.accepted'>['payload'];
        const a = this.store.assignments.get(p.assignment.id);
        if (record.phase !== 'detected' || a?.rule_id !== procedureRuleId(record.procedure)) continue;
        this.apply(record, { kind: 'assigned' }, a.person, p.assignment.via === 'cli' ? 'cli' : 'email');
      } else if (record.phase === 'building') {
        const p = event.payload as HeraldEvent<'builds.completed'>['payload'];
        this.apply(record, { kind: 'builds-done', ok: p.ok }, null, 'rule');
      }
    }
  }

  // -- manual steps -------------------------------------------------------------------

  /** Who may take a step: testers test; the release manager, the support person and the rotation publish and abandon. */
  mayAct(record: ReleaseRecord, verb: StepVerb, person: string): string | undefined {
    if (!(person in this.deps.people)) return `${person} is not in people:`;
    const cfg = this.config(record.procedure);
    const roles = this.roles(record);
    const team = new Set([roles.release_manager?.id, roles.support_person?.id, ...this.rotationMembers(record)].filter((x): x is string => !!x));
    if (verb === 'tested' || verb === 'failed') {
      const testers = cfg?.phases.test?.testers ?? [];
      if (testers.length > 0 && !testers.includes(person) && !team.has(person)) return `${person} is not one of the testers (${testers.join(', ')})`;
      return undefined;
    }
    if (team.size > 0 && !team.has(person)) return `only the release manager, the support person or the rotation may say "${verb}"`;
    return undefined;
  }

  act(record: ReleaseRecord, verb: StepVerb, person: string, via: Via, replyId?: string, note = ''): StepResult {
    return this.actOn(record, verb, person, via, replyId, note);
  }

  private actOn(record: ReleaseRecord, verb: StepVerb, person: string, via: Via, replyId: string | undefined, note: string): StepResult {
    return this.store.tx(() => {
      if (replyId && this.store.procedures.replySeen(replyId)) return { ok: false, record, message: `reply ${replyId} was already handled` };
      record = this.store.procedures.get(record.id)!;
      if ((verb === 'abandon' || verb === 'failed') && note.trim() === '') {
        return this.refused(record, verb, person, via, `"${verb}" needs a reason: ${via === 'email' ? 'write it on the lines after the word' : 'give --note (or --reason)'}`, replyId);
      }
      const denied = this.mayAct(record, verb, person);
      if (denied) return this.refused(record, verb, person, via, denied, replyId);
      const input: Input = verb === 'tested' ? { kind: 'tested', person, note }
        : verb === 'failed' ? { kind: 'test-failed', person, note }
          : verb === 'published' ? { kind: 'published', person, note }
            : { kind: 'abandon', person, note };
      const before = record;
      const { record: after, refused } = this.apply(record, input, person, via, replyId);
      if (refused) return this.refused(after, verb, person, via, refused, replyId);
      const message = after.phase !== before.phase
        ? `${this.label(after)}: ${verb} by ${person}; now ${after.phase}`
        : `${this.label(after)}: ${verb} by ${person} recorded (${after.approvals.length} of ${this.config(after.procedure)?.phases.test?.approvals ?? 1} approvals)`;
      return { ok: true, record: after, message };
    });
  }

  private refused(record: ReleaseRecord, verb: string, person: string, via: Via, why: string, replyId?: string): StepResult {
    this.note(record, `${verb} refused`, person, via, why, replyId);
    this.deps.log.warn('procedure step refused', { release: record.id, procedure: record.procedure, verb, person, via, reason: why });
    // A reply is answered, so the sender is not left wondering; the shell prints it.
    if (via === 'email') this.tell(record, person, why);
    return { ok: false, record, message: `${this.label(record)}: ${why}` };
  }

  // -- replies (the reply handler resolves tokens and people, then calls these) --------

  resolveToken(token: string): { recordId: number; person: string } | undefined {
    const t = this.store.procedures.issuedToken(token);
    return t ? { recordId: t.record_id, person: t.person } : undefined;
  }

  replySeen(replyId: string): boolean {
    return this.store.procedures.replySeen(replyId);
  }

  /** A reply that cannot act: noted once; a known person is told why (a few times at most), strangers and robots get nothing. */
  refuseReply(recordId: number, why: string, person: string | null, replyId: string, tell: boolean): string {
    return this.store.tx(() => {
      const record = this.store.procedures.get(recordId)!;
      if (this.store.procedures.replySeen(replyId)) return `reply ${replyId} was already handled`;
      this.note(record, 'reply refused', person, 'email', why, replyId);
      this.deps.log.warn('reply about a release refused', { release: record.id, person, reason: why });
      if (tell && person) this.tell(record, person, why);
      return `${this.label(record)}: ${why}`;
    });
  }

  actByReply(recordId: number, verb: StepWord, person: string, replyId: string, note: string): StepResult {
    return this.actOn(this.store.procedures.get(recordId)!, verb, person, 'email', replyId, note);
  }

  private tell(record: ReleaseRecord, person: string, why: string): void {
    const p = this.deps.people[person];
    if (!p) return;
    const told = this.store.procedures.timeline(record.id).filter((e) => e.step === 'refusal mailed' && e.person === person).length;
    if (told >= MAX_REFUSAL_NOTICES) return;
    const at = this.iso();
    const key = this.store.secrets.key('reply-token', at);
    const token = this.store.procedures.tokenFor(record.id, person)?.token ?? issueToken(key, `release:${record.id}`, { kind: 'person', person });
    this.store.procedures.saveToken({ token, record_id: record.id, person, address: p.email.toLowerCase() });
    const origin = this.origin(record);
    const who = this.person(person);
    const context = { ...renderContext(origin, { from: this.deps.mail.from }, this.roles(record)), ...this.templateContext(origin, record), person: who, recipient: who, reason: why, reply: { token, tag: tokenTag(token) } };
    const rendered = this.deps.templates.render('release-reply-refused', context);
    const tag = tokenTag(token);
    const seq = told + 1;
    this.store.outbox.enqueue({
      message_id: `<kh.${token}.${createHash('sha256').update(`${record.id}\0${person}\0${seq}`).digest('hex').slice(0, 8)}.refused@${this.deps.mail.domain}>`,
      rule_run_id: null, event_id: origin.id, release_id: record.release_id, template: 'release-reply-refused', thread_key: null,
      recipients: [mailbox(who)], cc: [], subject: rendered.subject.includes(tag) ? rendered.subject : `${rendered.subject} ${tag}`, body: rendered.body, in_reply_to: null, refs: null,
    }, at);
    this.note(record, 'refusal mailed', person, 'email', why);
  }

  label(r: ReleaseRecord): string {
    const rel = this.store.releases.get(r.release_id);
    return `${rel ? `${rel.distro} ${rel.distro_release} ${rel.package} ${rel.version}` : `release ${r.release_id}`} (${r.procedure})`;
  }

  // -- the machine, applied ------------------------------------------------------------

  private apply(record: ReleaseRecord, input: Input, person: string | null, via: Via, replyId?: string): { record: ReleaseRecord; refused?: string } {
    const cfg = this.config(record.procedure);
    if (!cfg) return { record, refused: `procedure "${record.procedure}" is no longer configured` };
    const s = step(machineSpec(cfg), { phase: record.phase, approvals: record.approvals }, input);
    if (s.refused) return { record, refused: s.refused };
    const at = this.iso();
    const changed = s.state.phase !== record.phase;
    const due = changed ? this.dueFor(cfg, s.state.phase) : record.due_at;
    record = this.store.procedures.update(record.id, {
      phase: s.state.phase, approvals: s.state.approvals,
      ...(changed ? { phase_at: at, due_at: due, reminders: 0, reminded_at: null } : {}),
      ...(input.kind === 'superseded' ? { superseded_by: input.by } : {}),
    }, at);
    if (!changed || s.noted) this.note(record, input.kind, person, via, s.noted ?? noteOf(input), replyId);
    else if (replyId || input.kind !== 'start') this.note(record, input.kind, person, via, noteOf(input), replyId);
    for (const e of s.emits) this.emit(record, e, person, via);
    for (const effect of s.effects) this.effect(record, cfg, effect);
    return { record };
  }

  private dueFor(cfg: ProcedureConfig, phase: Phase): string | null {
    const key = deadlinePhase(phase);
    const within = key ? cfg.phases[key]?.within : undefined;
    return within === undefined ? null : this.iso(within);
  }

  private effect(record: ReleaseRecord, cfg: ProcedureConfig, effect: string): void {
    const origin = this.origin(record);
    if (effect === 'start-assignment' && cfg.phases.assign) {
      const { within: _w, ...params } = cfg.phases.assign;
      this.deps.assignments.create(origin, procedureRuleId(record.procedure), 0, params);
    } else if (effect === 'start-builds' && cfg.phases.build) {
      cfg.phases.build.targets.forEach((target, i) => this.deps.builds.create(origin, procedureRuleId(record.procedure), i, target));
    } else if (effect === 'cancel-builds') {
      const n = this.deps.builds.cancelFor(record.release_id, `the kernel was ${record.phase}`);
      if (n > 0) this.note(record, 'builds cancelled', null, 'rule', `${n} build${n === 1 ? '' : 's'}`);
    }
  }

  private origin(record: ReleaseRecord): HeraldEvent {
    return this.store.events.get(record.event_id)!;
  }

  private emit(record: ReleaseRecord, e: Emit, person: string | null, via: Via): void {
    const base = { ...(this.origin(record).payload as KernelReleasedPayload), release: this.ref(record) };
    const at = this.iso();
    const who = person ? this.person(person) : null;
    switch (e.type) {
      case 'release.phase':
        this.note(record, `${e.from} -> ${e.to}`, person, via);
        this.store.events.append('release.phase', { ...base, from: e.from, to: e.to }, record.release_id, at);
        break;
      case 'release.superseded': {
        const by = this.store.procedures.get(e.by)!;
        const version = this.versionOf(by) ?? '';
        this.store.events.append('release.superseded', { ...base, by: { id: by.release_id, version, release: by.id } }, record.release_id, at);
        break;
      }
      default:
        this.store.events.append(e.type, { ...base, person: who, note: 'note' in e ? e.note : '', via }, record.release_id, at);
    }
  }

  // -- deadlines -------------------------------------------------------------------

  /** Late phases: release.overdue once per remind_every, naming more people as it goes on. */
  checkDeadlines(): number {
    let n = 0;
    for (const due of this.store.procedures.overdue(this.iso())) {
      this.store.tx(() => {
        const record = this.store.procedures.get(due.id)!;
        const cfg = this.config(record.procedure);
        if (!cfg || isFinal(record.phase)) return;
        const r = reminder(record, this.now(), cfg.remind_every, cfg.escalate_after);
        if (!r) return;
        n += 1;
        const at = this.iso();
        this.store.procedures.update(record.id, { reminders: r.n, reminded_at: at }, at);
        this.note(record, 'overdue', null, 'timer', `${record.phase} was due ${record.due_at}; reminder ${r.n}, to the ${r.escalation.replace('_', ' ')}`);
        const base = { ...(this.origin(record).payload as KernelReleasedPayload), release: this.ref(record) };
        this.store.events.append('release.overdue', { ...base, phase: record.phase, due: record.due_at!, reminders: r.n, escalation: r.escalation }, record.release_id, at);
      });
    }
    return n;
  }

  // -- publish detected ----------------------------------------------------------------

  private repoChecks = new Map<number, number>();

  /**
   * Kernels in publishing whose procedure names the team's repository: when
   * the package is there, the phase ends by itself. Looked at once per
   * `publish.repo.every`; a repository that cannot be read is logged and
   * looked at again, it never fails the kernel.
   */
  async checkRepos(): Promise<number> {
    let n = 0;
    for (const record of this.store.procedures.open()) {
      const repo = this.config(record.procedure)?.phases.publish?.repo;
      if (record.phase !== 'publishing' || !repo) continue;
      const last = this.repoChecks.get(record.id);
      if (last !== undefined && last + repo.every > this.now()) continue;
      this.repoChecks.set(record.id, this.now());
      const context = inputContext(this.origin(record), {});
      let gate: GateRequest;
      try {
        gate = { url: repo.url, format: repo.format, package: renderValue(repo.package, context, 'publish.repo.package'), version: renderValue(repo.version, context, 'publish.repo.version'),
          suite: repo.suite, component: repo.component, arch: repo.arch, max_bytes: repo.max_bytes };
      } catch (err) {
        this.deps.log.error('publish.repo cannot be rendered for this kernel', { release: record.id, procedure: record.procedure, error: errorMessage(err) });
        continue;
      }
      let present = false;
      try {
        present = await packagePresent(gate);
      } catch (err) {
        this.deps.log.warn('publish repository could not be read; will look again', { release: record.id, url: repo.url, error: errorMessage(err) });
        continue;
      }
      if (!present) continue;
      this.store.tx(() => {
        const now = this.store.procedures.get(record.id)!;
        if (now.phase !== 'publishing') return;
        const r = this.apply(now, { kind: 'published', person: null, note: `${gate.package} ${gate.version} found in ${gate.url}` }, null, 'repo');
        if (!r.refused) n += 1;
      });
      this.repoChecks.delete(record.id);
    }
    return n;
  }

  // -- people and context (src/procedure/context.ts) -------------------------------

  person(id: string): PersonRef { return this.context.person(id); }
  roles(record: ReleaseRecord): { release_manager: PersonRef | null; support_person: PersonRef | null } { return this.context.roles(record); }
  ref(record: ReleaseRecord): ReleaseRef { return this.context.ref(record); }
  recordOf(event: HeraldEvent): ReleaseRecord | undefined { return this.context.recordOf(event); }
  holders(event: HeraldEvent, record: ReleaseRecord | undefined): RoleHolders { return this.context.holders(event, record); }
  templateContext(event: HeraldEvent, record: ReleaseRecord | undefined): Record<string, unknown> { return this.context.templateContext(event, record); }
  private rotationMembers(record: ReleaseRecord): string[] { return this.context.rotationMembers(record); }

  /** The record a kernel is in, by version (or release id), for the CLI. */
  find(ref: string, procedure?: string): ReleaseRecord[] {
    const releases = this.store.releases.find(ref);
    return releases.flatMap((r) => this.store.procedures.forRelease(r.id)).filter((r) => !procedure || r.procedure === procedure);
  }

  note(record: ReleaseRecord, step: string, person: string | null, via: Via, detail?: string, replyId?: string): void {
    this.store.procedures.log({ record_id: record.id, at: this.iso(), step, person, via, detail: detail ?? null, message_id: replyId ?? null });
  }
}

function noteOf(input: Input): string | undefined {
  if ('note' in input && input.note) return input.note;
  if (input.kind === 'superseded') return `by release record ${input.by}`;
  if (input.kind === 'builds-done') return input.ok ? 'every build succeeded' : 'a build failed';
  return undefined;
}
