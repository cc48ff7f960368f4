import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { AssignmentPayload, EventType, HeraldEvent, PersonRef } from '../domain.js';
import { HeraldError } from '../errors.js';
import type { Logger } from '../log.js';
import type { TemplateSet } from '../mail/templates.js';
import type { AssignMode, AssignmentRow } from '../store/assignments.js';
import type { Store } from '../store/index.js';
import { fairOrder } from './fairness.js';
import { assignmentContext, queueRequest, templateFor, type AssignTemplates, type Audience, type RequestKind } from './mailer.js';
import type { Verb } from './reply.js';
import { membersAfter, onDuty, onLeave, type RotationSpec } from './schedule.js';
import { rotationSpec, type RotationConfig } from './schema.js';

/** Refusal notices per person and assignment: enough to correct a mistake, too few to flood anyone. */
export const MAX_REFUSAL_NOTICES = 3;

export interface AssignParams {
  rotation: string;
  mode: AssignMode;
  ack_within: number;
  claim_within: number;
  /** Default: everyone in the rotation is asked once. */
  max_escalations?: number | undefined;
  /** A list address: requests to the whole rotation go there as one copy, and a claim through it is confirmed at the claimer's own address. */
  list?: string | undefined;
  templates: AssignTemplates;
}

export interface AssignmentDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  templates: TemplateSet;
  mail: { from: string; domain: string };
  people: Record<string, { name: string; email: string }>;
  rotations: Record<string, RotationConfig>;
}

export interface ActResult { ok: boolean; assignment: AssignmentRow; message: string }

/** How a step came about, as logged: a reply, the shell, the deadline timer, a rule. */
export type Via = 'email' | 'cli' | 'timer' | 'rule';

/**
 * The release manager procedure as a state machine over the assignments
 * table: claiming (a volunteer request is out) -> asking (one person is asked
 * to ack) -> accepted, or unassigned when nobody is left to ask. Every step
 * writes its state, log line, events and mail in the caller's transaction.
 */
export class AssignmentService {
  constructor(private readonly deps: AssignmentDeps) {}

  private get store(): Store { return this.deps.store; }
  private now(): number { return this.deps.clock.now().getTime(); }
  private iso(plusMs = 0): string { return new Date(this.now() + plusMs).toISOString(); }

  spec(rotation: string): RotationSpec | undefined {
    const r = this.deps.rotations[rotation];
    return r ? rotationSpec(rotation, r) : undefined;
  }

  person(id: string): PersonRef {
    const p = this.deps.people[id];
    return { id, name: p?.name ?? id, email: p?.email ?? '' };
  }

  /** Who may claim: the members, and whoever an override puts on duty. */
  private eligible(spec: RotationSpec, id: string): boolean {
    return spec.members.includes(id) || spec.overrides.some((o) => o.person === id);
  }

  private available(spec: RotationSpec): PersonRef[] {
    const at = this.now();
    const here = spec.members.filter((m) => !onLeave(spec, m, at));
    return (here.length ? here : spec.members).map((m) => this.person(m));
  }

  roles(releaseId: number | null, rotation?: string): { release_manager: PersonRef | null; support_person: PersonRef | null } {
    const rm = releaseId === null ? undefined : this.store.assignments.releaseManager(releaseId);
    const name = rotation ?? (releaseId === null ? undefined : this.store.assignments.forRelease(releaseId)[0]?.rotation) ?? Object.keys(this.deps.rotations)[0];
    const spec = name ? this.spec(name) : undefined;
    const duty = spec ? onDuty(spec, this.now()) : undefined;
    return { release_manager: rm ? this.person(rm) : null, support_person: duty ? this.person(duty) : null };
  }

  // -- creation (the assign action) -------------------------------------------------

  create(origin: HeraldEvent, ruleId: string, index: number, p: AssignParams): AssignmentRow {
    const spec = this.spec(p.rotation);
    if (!spec) throw new HeraldError('ECONFIG', `assign: no rotation "${p.rotation}" in rotations:`);
    const payload = origin.payload as unknown as Record<string, unknown>;
    const a = this.store.assignments.insert({
      token: randomBytes(10).toString('hex'), rotation: p.rotation, mode: p.mode, event_id: origin.id, release_id: origin.release_id,
      rule_id: ruleId, action_index: index, max_escalations: p.max_escalations ?? Math.max(0, spec.members.length - 1),
      ack_within_ms: p.ack_within, claim_within_ms: p.claim_within,
      subject: { kernel: payload.kernel ?? null, driver: payload.driver ?? null },
      params: { templates: p.templates, ...(p.list ? { list: p.list } : {}) },
    }, this.iso());
    this.note(a, 'created', null, 'rule', `rule ${ruleId}, mode ${p.mode}`);
    if (p.mode === 'volunteer') return this.requestVolunteers(a, spec);
    const first = this.candidates(a, spec)[0];
    return first ? this.ask(a, spec, first, 'rule') : this.giveUp(a, spec, 'rule', 'nobody in the rotation is available');
  }

  private requestVolunteers(a: AssignmentRow, spec: RotationSpec): AssignmentRow {
    const deadline = this.iso(a.claim_within_ms);
    a = this.store.assignments.update(a.id, { state: 'claiming', deadline }, this.iso());
    const to = this.rotationAudience(a, spec);
    const eventId = this.emit('assignment.requested', a, null, 'rule');
    this.mail(a, spec, 'volunteer', to, eventId, null);
    this.note(a, 'volunteers requested', null, 'rule', `to ${to.map((t) => (t.kind === 'person' ? t.person.id : t.address)).join(', ')}; claims until ${deadline}`);
    return a;
  }

  /** Who would be asked next, in the mode's order, leaving out whoever was asked or declined. */
  candidates(a: AssignmentRow, spec: RotationSpec): string[] {
    const at = this.now();
    const done = new Set([...a.asked, ...a.declined]);
    let order: string[];
    if (a.mode === 'duty') {
      const first = a.asked[0] ?? onDuty(spec, at);
      order = first ? [first, ...membersAfter(spec, first, at)] : membersAfter(spec, undefined, at);
    } else {
      const window = this.deps.rotations[spec.name]!.fair_window;
      order = fairOrder(spec.members, this.store.assignments.history(spec.name), at, window, (m) => !onLeave(spec, m, at));
    }
    return [...new Set(order)].filter((m) => !done.has(m) && !onLeave(spec, m, at));
  }

  private ask(a: AssignmentRow, spec: RotationSpec, person: string, via: Via): AssignmentRow {
    const deadline = this.iso(a.ack_within_ms);
    a = this.store.assignments.update(a.id, { state: 'asking', person, asked: [...a.asked, person], deadline, assigned_at: this.iso() }, this.iso());
    const eventId = this.emit('assignment.requested', a, person, via);
    this.mail(a, spec, 'assignment', [this.one(person)], eventId, person);
    this.note(a, 'asked', person, via, `ack due by ${deadline}`);
    return a;
  }

  /** Nobody left to ask: the whole rotation is told, and anyone may still claim it. */
  private giveUp(a: AssignmentRow, spec: RotationSpec, via: Via, reason: string): AssignmentRow {
    a = this.store.assignments.update(a.id, { state: 'unassigned', person: null, deadline: null }, this.iso());
    this.note(a, 'unassigned', null, via, `${reason}; the rotation was told`);
    this.mail(a, spec, 'unanswered', this.rotationAudience(a, spec), this.emit('assignment.expired', a, null, via, { final: true }), null, reason);
    return a;
  }

  /** The next person in the mode's order, or the whole rotation when escalations are used up. */
  private escalate(a: AssignmentRow, spec: RotationSpec, via: Via): AssignmentRow {
    if (a.escalations >= a.max_escalations) return this.giveUp(a, spec, via, `no answer after ${a.asked.length} asked (max_escalations ${a.max_escalations})`);
    const next = this.candidates(a, spec)[0];
    if (!next) return this.giveUp(a, spec, via, 'everyone available was asked');
    a = this.store.assignments.update(a.id, { escalations: a.escalations + 1 }, this.iso());
    return this.ask(a, spec, next, via);
  }

  // -- answers ---------------------------------------------------------------------

  /**
   * A claim, ack or decline from a person. Refusals change nothing but the
   * log. `replyId` (a reply's Message-ID) makes a mail read twice act once.
   */
  act(a: AssignmentRow, verb: Verb, person: string, via: Via, replyId?: string, note?: string): ActResult {
    return this.store.tx(() => {
      if (replyId && this.store.assignments.replySeen(replyId)) return { ok: false, assignment: a, message: `reply ${replyId} was already handled` };
      a = this.store.assignments.get(a.id)!;
      const spec = this.spec(a.rotation);
      const refuse = (why: string): ActResult => ({ ok: false, assignment: a, message: this.ignore(a, `${verb} ignored`, why, person, via, replyId) });
      if (!spec) return refuse(`rotation "${a.rotation}" is no longer configured`);
      if (!this.eligible(spec, person)) return refuse(`${person} is not a member of rotation ${a.rotation}`);
      if (a.state === 'accepted') return refuse(`already accepted by ${a.person}`);
      const asked = a.state === 'asking' && a.person === person;
      if (verb === 'claim' || (verb === 'ack' && (asked || a.state !== 'asking'))) {
        a = this.store.assignments.update(a.id, { state: 'accepted', person, deadline: null, assigned_at: this.iso() }, this.iso());
        const claimed = !asked;
        this.note(a, claimed ? 'claimed' : 'acked', person, via, note || undefined, replyId);
        const eventId = this.emit('assignment.accepted', a, person, via);
        // A claimer gets the assignment mail as the confirmation; an ack needs none.
        if (claimed) this.mail(a, spec, 'assignment', [this.one(person)], eventId, person, undefined, true);
        return { ok: true, assignment: a, message: `assignment #${a.id}: ${person} is release manager` };
      }
      if (verb === 'ack') return refuse(`${person} was not asked (asked now: ${a.person})`);
      // decline
      if (asked) {
        this.note(a, 'declined', person, via, note || undefined, replyId);
        a = this.store.assignments.update(a.id, { declined: [...a.declined, person] }, this.iso());
        this.emit('assignment.declined', a, person, via);
        a = this.escalate(a, spec, via);
        return { ok: true, assignment: a, message: `assignment #${a.id}: declined by ${person}; ${a.state === 'asking' ? `${a.person} asked` : 'nobody left to ask, the rotation was told'}` };
      }
      if (a.state === 'claiming' && !a.declined.includes(person)) {
        this.note(a, 'declined', person, via, 'will not be asked if nobody volunteers', replyId);
        a = this.store.assignments.update(a.id, { declined: [...a.declined, person] }, this.iso());
        this.emit('assignment.declined', a, person, via);
        return { ok: true, assignment: a, message: `assignment #${a.id}: ${person} declined to volunteer` };
      }
      return refuse(`${person} was not asked (state ${a.state}${a.person ? `, asked now: ${a.person}` : ''})`);
    });
  }

  /** An answer that changes nothing: logged (in the assignment's log and the daemon's), never acted on. */
  ignore(a: AssignmentRow, step: string, why: string, person: string | null, via: Via, replyId?: string): string {
    this.note(a, step, person, via, why, replyId);
    this.deps.log.warn('assignment answer ignored', { assignment: a.id, person, via, reason: why });
    return `assignment #${a.id}: ${why}`;
  }

  /**
   * A claim that came through a list copy, whose token says nothing about who
   * answered: the claimer is asked, at their own address and with their own
   * token, to confirm it (as list managers confirm a subscription).
   */
  confirmClaim(a: AssignmentRow, person: string, replyId: string): string {
    return this.store.tx(() => {
      if (this.store.assignments.replySeen(replyId)) return `reply ${replyId} was already handled`;
      const spec = this.spec(a.rotation);
      this.note(a, 'claim to confirm', person, 'email', 'answered through the list: confirmation asked at their own address', replyId);
      if (spec) this.mail(a, spec, 'confirm', [this.one(person)], a.event_id, person);
      return `assignment #${a.id}: ${person}'s claim through the list awaits confirmation from their own address`;
    });
  }

  /**
   * A reply that is not acted on. A known person is told why, at the address
   * people: gives for them (never the reply's From), with a copy carrying
   * their own token; strangers and automatic mail get nothing.
   */
  refuse(a: AssignmentRow, why: string, person: string | null, replyId: string, tell: boolean): string {
    return this.store.tx(() => {
      if (this.store.assignments.replySeen(replyId)) return `reply ${replyId} was already handled`;
      const message = this.ignore(a, 'reply refused', why, person, 'email', replyId);
      const spec = this.spec(a.rotation);
      // Capped: someone forging a member's address must not be able to flood their inbox through us.
      const told = person ? this.store.assignments.mailsTo(a.id, templateFor(a, 'refused'), person) : 0;
      if (tell && person && spec && this.deps.people[person] && told < MAX_REFUSAL_NOTICES) this.mail(a, spec, 'refused', [this.one(person)], a.event_id, person, why);
      return message;
    });
  }

  // -- deadlines -------------------------------------------------------------------

  /** Every claim or ack deadline that has passed, acted on; returns how many. */
  checkDeadlines(): number {
    let n = 0;
    for (const due of this.store.assignments.due(this.iso())) {
      this.store.tx(() => {
        const a = this.store.assignments.get(due.id)!;
        if ((a.state !== 'claiming' && a.state !== 'asking') || !a.deadline || a.deadline > this.iso()) return;
        const spec = this.spec(a.rotation);
        if (!spec) {
          this.store.assignments.update(a.id, { state: 'unassigned', deadline: null }, this.iso());
          this.note(a, 'unassigned', null, 'timer', `rotation "${a.rotation}" is no longer configured`);
          return;
        }
        n += 1;
        if (a.state === 'claiming') {
          this.note(a, 'claim window closed', null, 'timer', 'nobody volunteered: assigning by fairness');
          this.emit('assignment.expired', a, null, 'timer');
          const first = this.candidates(a, spec)[0];
          if (first) this.ask(a, spec, first, 'timer');
          else this.giveUp(a, spec, 'timer', 'nobody volunteered and nobody is available');
          return;
        }
        this.note(a, 'expired', a.person, 'timer', 'no ack in time');
        this.emit('assignment.expired', a, a.person, 'timer');
        this.escalate(a, spec, 'timer');
      });
    }
    return n;
  }

  // -- helpers ---------------------------------------------------------------------

  private note(a: AssignmentRow, step: string, person: string | null, via: Via, detail?: string, replyId?: string): void {
    this.store.assignments.log({ assignment_id: a.id, at: this.iso(), step, person, via, detail: detail ?? null, message_id: replyId ?? null });
    this.deps.log.info(`assignment ${step}`, { assignment: a.id, rotation: a.rotation, person, via, ...(detail ? { detail } : {}) });
  }

  private emit(type: EventType & `assignment.${string}`, a: AssignmentRow, person: string | null, via: Via, extra: { final?: boolean } = {}): number {
    const payload: AssignmentPayload = {
      assignment: { id: a.id, rotation: a.rotation, mode: a.mode, state: a.state, via, ...extra },
      person: person ? this.person(person) : null,
      kernel: (a.subject.kernel ?? null) as AssignmentPayload['kernel'],
      driver: (a.subject.driver ?? null) as AssignmentPayload['driver'],
    };
    return this.store.events.append(type, payload, a.release_id, this.iso());
  }

  private one(person: string): Audience {
    return { kind: 'person', person: this.person(person) };
  }

  /** The whole rotation: its list address when the assign action names one, else each available member. */
  private rotationAudience(a: AssignmentRow, spec: RotationSpec): Audience[] {
    const list = a.params.list as string | undefined;
    return list ? [{ kind: 'list', address: list }] : this.available(spec).map((p) => ({ kind: 'person', person: p }));
  }

  private mail(a: AssignmentRow, spec: RotationSpec, kind: RequestKind, to: Audience[], eventId: number, person: string | null, reason?: string, claimed?: boolean): void {
    const recipients = to.filter((t) => t.kind === 'list' || t.person.email !== '');
    if (recipients.length === 0) return;
    const roles = this.roles(a.release_id, a.rotation);
    const context = assignmentContext(a, {
      person: person ? this.person(person) : null, members: spec.members.map((m) => this.person(m)), timezone: spec.timezone,
      from: this.deps.mail.from, eventId, ...roles, ...(reason ? { reason } : {}), ...(claimed ? { claimed } : {}),
    });
    queueRequest(this.deps, a, kind, recipients, context, eventId, this.iso());
  }
}
